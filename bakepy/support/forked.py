"""Work shared with forked copies of this process, results back in order: a repository's load
and render are CPU-bound pure Python, and one process per core divides them.

The processes take the items one at a time, so the faster takes more; a child sends each
result, pickled, through a pipe as soon as it has it. What a child cannot
deliver (an item that raised, a result pickle refuses, a child that died) the parent then
computes itself, in order, so errors are raised exactly as one process raises them and the
results are the same whichever process computed them. Only where ``os.fork`` exists and no
other thread runs (forking a threaded process copies locks held by threads that are not
copied), and on macOS only when ``BAKEPY_JOBS`` asks (as Python's multiprocessing, which no
longer forks there by default); ``BAKEPY_JOBS=1`` keeps everything in one process.
"""

from __future__ import annotations

import contextlib
import itertools
import mmap
import os
import struct
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from bakepy.support.message_stream import MessageReceiver, MessageSender

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


class _Child:
    """A forked child, and the pipe its results come through as it computes them."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid = pid
        self.reader = reader
        self.received: dict[int, Any] = {}
        """Results by item index, as they arrived."""
        self.collected = False
        self._messages = MessageReceiver(reader)
        self._taken = 0

    def poll(self) -> None:
        """Take in the results that have arrived, without waiting (the parent does so between
        its own items: unpickling then costs it no waiting at the end)."""
        self._messages.poll()
        self._sort()

    def collect(self) -> None:
        """Take in everything the child sends until it ends, then its carriers' state; what it
        could not send (or this process cannot unpickle) is left out."""
        self.collected = True
        self._messages.read_to_end()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._sort()

    def stop(self) -> None:
        """End a child whose results are no longer wanted."""
        self.collected = True
        self._messages.close()
        with contextlib.suppress(OSError, ChildProcessError):
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)

    def _sort(self) -> None:
        messages = self._messages.messages
        for message in messages[self._taken :]:
            if isinstance(message, _Result):
                self.received[message.index] = message.value
            elif isinstance(message, _Carried):
                _take_back(message.states)
        self._taken = len(messages)


@dataclass(frozen=True)
class _Result:
    """One result a child sends: the item's index and what ``work`` gave for it."""

    index: int
    value: Any


@dataclass(frozen=True)
class _Carried:
    """The child's last message: its carriers' state, by carrier number."""

    states: list[tuple[int, object]]


def _take_back(states: list[tuple[int, object]]) -> None:
    for number, state in states:
        ref = _CARRIERS.get(number)
        carrier = ref() if ref is not None else None
        if carrier is not None:
            carrier.take_back(state)


def _fork(serve: Callable[[MessageSender], None]) -> _Child | None:
    """Start a child that runs ``serve`` (which sends its results), then sends its carriers'
    state; None if it cannot start."""
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
        sender = MessageSender(writer)
        serve(sender)
        carried = [
            (number, carrier.carried())
            for number, ref in _CARRIERS.items()
            if (carrier := ref()) is not None
        ]
        sender.send(_Carried(carried))
        sender.close()
    except BaseException:
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)


_BOUNDS = struct.Struct("<qq")
"""The claims' shared state: the next position from the front, the end of what is left."""


class _Claims:
    """The items of a shared map no process has taken yet: the parent takes them from the
    front of the claim order, children from its back, one at a time, so whichever process
    runs faster (a child pays copy-on-write faults; another program may take a core) takes
    more, and all end together. The bounds live in memory the processes share; a one-byte
    token in a pipe is the lock around them."""

    def __init__(self, size: int) -> None:
        self._bounds = mmap.mmap(-1, _BOUNDS.size)
        _BOUNDS.pack_into(self._bounds, 0, 0, size)
        self._token_reader, self._token_writer = os.pipe()
        os.write(self._token_writer, b".")

    def take(self, *, from_back: bool) -> int | None:
        """The next position in the claim order (from its back for a child); None when every
        item is taken."""
        os.read(self._token_reader, 1)
        try:
            front, back = _BOUNDS.unpack_from(self._bounds)
            position: int
            if front >= back:
                return None
            if from_back:
                back -= 1
                position = back
            else:
                position = front
                front += 1
            _BOUNDS.pack_into(self._bounds, 0, front, back)
            return position
        finally:
            os.write(self._token_writer, b".")

    def close(self) -> None:
        """Release the pipe and the shared memory (in the parent, once children ended)."""
        for descriptor in (self._token_reader, self._token_writer):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._bounds.close()


def _serve_claims(
    work: Callable[[T], R], items: Sequence[T], order: Sequence[int], claims: _Claims
) -> Callable[[MessageSender], None]:
    """A child's part of a shared map: take items from the back and send each result at once,
    up to the first item that raises (the parent computes that one, and raises)."""

    def serve(sender: MessageSender) -> None:
        while (position := claims.take(from_back=True)) is not None:
            index = order[position]
            try:
                value = work(items[index])
            except Exception:
                return
            sender.send(_Result(index, value))

    return serve


def forked_map(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    minimum: int | None = None,
    processes: int | None = None,
    order: Sequence[int] | None = None,
) -> list[R]:
    """``[work(item) for item in items]``, shared among ``processes`` (default :func:`jobs`)
    when there are at least ``minimum`` items (default :data:`SHARED_FROM`). The processes
    take the items one at a time (:class:`_Claims`): the parent from the front of ``order``
    (default the items' own), the children from its back, so a caller puts first the items
    whose results cost the most to send back. ``work`` must not depend on what it did for
    earlier items (each process sees only its own); the first item that raises raises here,
    as in a loop."""
    count = processes if processes is not None else jobs()
    count = min(count, len(items))
    if count < 2 or len(items) < (SHARED_FROM if minimum is None else minimum):
        return [work(item) for item in items]
    claimed = list(range(len(items))) if order is None else list(order)
    claims = _Claims(len(claimed))
    children: list[_Child] = []
    received: dict[int, R] = {}
    try:
        for _ in range(count - 1):
            child = _fork(_serve_claims(work, items, claimed, claims))
            if child is not None:
                children.append(child)
        while (position := claims.take(from_back=False)) is not None:
            index = claimed[position]
            try:
                received[index] = work(items[index])
            except Exception:  # raised below, in order, unless an earlier item raises first
                break
            for child in children:
                child.poll()
        for child in children:
            child.collect()
            received.update(child.received)
    finally:
        for child in children:  # the parent left early (an interrupt): stop the rest
            if not child.collected:
                child.stop()
        claims.close()
    return [
        received[index] if index in received else work(item) for index, item in enumerate(items)
    ]


def _serve_one(compute: Callable[[], R]) -> Callable[[MessageSender], None]:
    """A child's part of a :class:`Pending`: the one value."""

    def serve(sender: MessageSender) -> None:
        sender.send(_Result(0, compute()))

    return serve


class Pending(Generic[R]):
    """A value a child computes while the parent goes on; :meth:`result` waits for it, and
    computes it here when the child could not deliver it (its error is raised here)."""

    def __init__(self, compute: Callable[[], R], *, processes: int | None = None) -> None:
        self._compute = compute
        count = processes if processes is not None else jobs()
        self._child = _fork(_serve_one(compute)) if count > 1 else None
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
