"""Work shared with forked copies of this process, results back in order: a repository's load
and render are CPU-bound pure Python, and one process per core divides them.

A child computes its share and sends the results, pickled, through a pipe; what it cannot
deliver (an item that raised, a result pickle refuses, a child that died) the parent then
computes itself, in order, so errors are raised exactly as one process raises them and the
results are the same whichever process computed them. Only where ``os.fork`` exists and no
other thread runs (forking a threaded process copies locks held by threads that are not
copied), and on macOS only when ``BAKEPY_JOBS`` asks (as Python's multiprocessing, which no
longer forks there by default); ``BAKEPY_JOBS=1`` keeps everything in one process.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import pickle
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_MISSING: Any = object()


class Carrier(Protocol):
    """State a child gathers beside its results that the parent must take back (the files a
    render read, which the render cache stamps)."""

    def carried(self) -> object:
        """What the child gathered (picklable); called in the child."""
        ...

    def take_back(self, state: object) -> None:
        """Merge a child's ``carried()`` into this (the parent's) object."""
        ...


_CARRIERS: dict[int, weakref.ref[Carrier]] = {}
"""The carriers by a number of their own, which a child sends back with their state (a
position would shift when a dead one is dropped)."""
_NUMBERS = itertools.count()

SHARED_FROM = 16
"""Fewer items than this are not worth a fork (a few milliseconds each)."""

PARENT_WEIGHT = 1.25
"""Items the parent of a shared map takes for each one a child takes: a child runs slower
than the parent on the same items (CPython's reference counts make it copy most pages it
reads) and the parent also unpickles every child's results, so even shares left the parent
waiting for its child (benchmarks/README.md, bench_packages)."""

MOST_JOBS = 8
"""Processes by default, however many cores: the parent reads every child's results in turn,
so more children add to that part what they save on the rest."""


def carry_back(carrier: Carrier) -> None:
    """Have every child send ``carrier``'s state back to it (held weakly: a carrier that is
    gone is skipped)."""
    for number in [number for number, ref in _CARRIERS.items() if ref() is None]:
        del _CARRIERS[number]
    _CARRIERS[next(_NUMBERS)] = weakref.ref(carrier)


def jobs(*, least: int = 2) -> int:
    """How many processes may share work: ``$BAKEPY_JOBS``, else the cores this process may
    run on, at most :data:`MOST_JOBS`, when there are at least ``least`` (a share whose
    copying costs more than one more core saves asks for more); 1 where forking is not
    possible or not safe (another thread runs)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    configured = os.environ.get("BAKEPY_JOBS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if sys.platform == "darwin":  # system frameworks may not survive a fork: only when asked
        return 1
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    return min(cores, MOST_JOBS) if cores >= least else 1


@dataclass
class _Child(Generic[R]):
    """A forked child computing some of the results, and the pipe it sends them through."""

    pid: int
    reader: int
    received: dict[int, R] = field(default_factory=dict)
    collected: bool = False

    def collect(self) -> None:
        """Read what the child sent (all of it, before waiting: a full pipe blocks it) and
        take back its carriers' state; a child that sent nothing usable leaves nothing."""
        self.collected = True
        chunks: list[bytes] = []
        with contextlib.suppress(OSError):
            while chunk := os.read(self.reader, 1 << 20):
                chunks.append(chunk)
        os.close(self.reader)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        try:
            results, carried = pickle.loads(b"".join(chunks))
        except Exception:  # nothing sent, or a class the parent cannot find: compute here
            return
        self.received = results
        for number, state in carried:
            ref = _CARRIERS.get(number)
            carrier = ref() if ref is not None else None
            if carrier is not None:
                carrier.take_back(state)

    def stop(self) -> None:
        """End a child whose results are no longer wanted."""
        self.collected = True
        with contextlib.suppress(OSError):
            os.close(self.reader)
        with contextlib.suppress(OSError, ChildProcessError):
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)


def _fork(compute: Callable[[], dict[int, Any]]) -> _Child[Any] | None:
    """Start a child that sends ``compute()``'s results back; None if it cannot start."""
    for stream in (sys.stdout, sys.stderr):  # else the child writes the parent's buffer too
        with contextlib.suppress(Exception):
            stream.flush()
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid:
        os.close(writer)
        return _Child(pid, reader)
    status = 0
    try:  # the child never returns into the caller's code
        os.close(reader)
        results = compute()
        carried = [
            (number, carrier.carried())
            for number, ref in _CARRIERS.items()
            if (carrier := ref()) is not None
        ]
        try:
            payload = pickle.dumps((results, carried), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            payload = b""
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(payload)
    except BaseException:
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)


def dealt(size: int, count: int, parent_weight: float = PARENT_WEIGHT) -> list[list[int]]:
    """The indexes of ``size`` items each of ``count`` processes takes, the parent's first:
    dealt one at a time to whoever is furthest behind its share (a smooth weighted round
    robin), so every process's items are spread evenly over the list, which evens out runs of
    costly ones, and the parent takes ``parent_weight`` items for each one a child takes."""
    weights = [parent_weight, *[1.0] * (count - 1)]
    total = sum(weights)
    credits = [0.0] * count
    shares: list[list[int]] = [[] for _ in range(count)]
    for index in range(size):
        for process, weight in enumerate(weights):
            credits[process] += weight
        chosen = max(range(count), key=credits.__getitem__)  # a tie: the first (the parent)
        credits[chosen] -= total
        shares[chosen].append(index)
    return shares


def _share(work: Callable[[T], R], items: Sequence[T], indexes: Sequence[int]) -> dict[int, R]:
    """``work`` over the items at ``indexes``, up to the first that raises."""
    done: dict[int, R] = {}
    for index in indexes:
        try:
            done[index] = work(items[index])
        except Exception:
            break
    return done


def forked_map(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    minimum: int | None = None,
    processes: int | None = None,
) -> list[R]:
    """``[work(item) for item in items]``, shared among ``processes`` (default :func:`jobs`)
    when there are at least ``minimum`` items (default :data:`SHARED_FROM`), dealt as
    :func:`dealt` deals them (the parent a larger share). ``work`` must not depend on
    what it did for earlier items (each process sees only its own); the first item that
    raises raises here, as in a loop."""
    count = processes if processes is not None else jobs()
    count = min(count, len(items))
    if count < 2 or len(items) < (SHARED_FROM if minimum is None else minimum):
        return [work(item) for item in items]
    own, *theirs = dealt(len(items), count)
    children: list[_Child[R]] = []
    try:
        for indexes in theirs:
            child = _fork(functools.partial(_share, work, items, indexes))
            if child is not None:
                children.append(child)
        received: dict[int, R] = _share(work, items, own)
        for child in children:
            child.collect()
            received.update(child.received)
    finally:
        for child in children:  # the parent left early (an interrupt): stop the rest
            if not child.collected:
                child.stop()
    return [
        received[index] if index in received else work(item) for index, item in enumerate(items)
    ]


class Pending(Generic[R]):
    """A value a child computes while the parent goes on; :meth:`result` waits for it, and
    computes it here when the child could not deliver it (its error is raised here)."""

    def __init__(self, compute: Callable[[], R], *, processes: int | None = None) -> None:
        self._compute = compute
        count = processes if processes is not None else jobs()
        self._child = _fork(lambda: {0: compute()}) if count > 1 else None
        self._value: R = _MISSING

    @property
    def forked(self) -> bool:
        """Whether a child computes the value (else :meth:`result` computes it here)."""
        return self._child is not None

    def ready(self) -> bool:
        """Whether :meth:`result` would answer without waiting for the child: it has sent its
        value, or ended, or there is no child (the value is then computed on asking)."""
        child = self._child
        if child is None or child.collected:
            return True
        import select  # here: most commands never ask

        readable, _, _ = select.select([child.reader], [], [], 0)
        return bool(readable)

    def cancel(self) -> None:
        """Stop the child if its value is no longer wanted (the parent failed first)."""
        child, self._child = self._child, None
        if child is not None and not child.collected:
            child.stop()

    def result(self) -> R:
        """The child's value, else the value computed in this process."""
        if self._value is _MISSING:
            child, self._child = self._child, None
            if child is not None:
                child.collect()
            self._value = child.received[0] if child and 0 in child.received else self._compute()
        return self._value
