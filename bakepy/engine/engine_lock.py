"""One apply of a project at a time per engine, whatever the state folder or host it runs from:
a lock object on the engine itself.

The lock is a config-only network named ``bakepy-lock.<project>`` (no bridge, no address pool:
only a name the engine keeps unique, an ID and labels). Creating it is the test-and-set (the
engine answers 409 when it exists); its labels name the owner (a random id, user, host, pid)
and the lease's end. While the apply runs a heartbeat renews the lease with a second
config-only network (``bakepy-lock.<project>.beat-<n>``), since labels cannot change. A lock
is stale when its lease (and its newest beat) ran out, or when its holder ran on this host and
that process is gone; a stale lock is removed by ID (so of two takers only one wins) and taken.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bakepy.errors import EngineError, LockError

if TYPE_CHECKING:
    import docker

LOCK = "dev.bakepy.lock"
"""Label on the lock and its beats: the locked name."""
OWNER = "dev.bakepy.lock.owner"
HOLDER = "dev.bakepy.lock.holder"
HOST = "dev.bakepy.lock.host"
PID = "dev.bakepy.lock.pid"
EXPIRES = "dev.bakepy.lock.expires"
DEFAULT_LEASE = 60.0
"""Seconds a lease lasts without a beat; the heartbeat renews it every third of that."""


def lock_name(project: str) -> str:
    """The lock object's name for ``project``."""
    return f"bakepy-lock.{project}"


def lease_seconds() -> float:
    """The lease (``BAKEPY_LOCK_LEASE`` seconds, default 60)."""
    try:
        return max(1.0, float(os.environ.get("BAKEPY_LOCK_LEASE", DEFAULT_LEASE)))
    except ValueError:
        return DEFAULT_LEASE


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as its labels say."""

    ident: str
    owner: str
    holder: str
    host: str
    pid: int
    expires: float

    @classmethod
    def of(cls, network: dict[str, Any]) -> Holder:
        """The holder a lock (or beat) network's inspect or list entry names."""
        labels = network.get("Labels") or {}

        def number(key: str) -> float:
            with contextlib.suppress(ValueError):
                return float(labels.get(key, "0"))
            return 0.0

        return cls(
            ident=str(network.get("Id", "")),
            owner=labels.get(OWNER, ""),
            holder=labels.get(HOLDER, "someone"),
            host=labels.get(HOST, ""),
            pid=int(number(PID)),
            expires=number(EXPIRES),
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EngineLock:
    """The lock on one engine for one project: acquire, renew, release."""

    def __init__(self, api: docker.APIClient, project: str, lease: float | None = None) -> None:
        self.api = api
        self.name = lock_name(project)
        self.project = project
        self.lease = lease if lease is not None else lease_seconds()
        self.owner = uuid.uuid4().hex
        self.host = socket.gethostname()
        self.holder = f"{getpass.getuser()}@{self.host} pid {os.getpid()}"
        self._beat = 0

    def _labels(self) -> dict[str, str]:
        return {
            LOCK: self.project,
            OWNER: self.owner,
            HOLDER: self.holder,
            HOST: self.host,
            PID: str(os.getpid()),
            EXPIRES: f"{time.time() + self.lease:.3f}",
        }

    def _create(self, name: str) -> bool:
        """Create a config-only network ``name`` with our labels; False when it exists."""
        import docker

        body = {"Name": name, "ConfigOnly": True, "Labels": self._labels()}
        try:
            response = self.api._post_json(self.api._url("/networks/create"), data=body)
            self.api._result(response, json=True)
        except docker.errors.APIError as error:
            if error.status_code == 409:
                return False
            raise EngineError(f"cannot create the apply lock {name}: {error.explanation}") from None
        return True

    def _remove(self, ident: str) -> None:
        import docker

        with contextlib.suppress(docker.errors.NotFound):
            self.api.remove_network(ident)

    def _objects(self) -> list[dict[str, Any]]:
        """The lock and its beats (one list call)."""
        found = self.api.networks(filters={"label": [f"{LOCK}={self.project}"]})
        return list(found or [])

    def current(self) -> tuple[Holder | None, float]:
        """The lock's holder (None when there is no lock) and when its lease ends, counting
        the newest beat of the same owner."""
        objects = self._objects()
        lock = next((Holder.of(n) for n in objects if n.get("Name") == self.name), None)
        if lock is None:
            return None, 0.0
        beats = [Holder.of(n) for n in objects if n.get("Name") != self.name]
        ends = max([lock.expires, *(b.expires for b in beats if b.owner == lock.owner)])
        return lock, ends

    def _stale(self, lock: Holder, ends: float) -> bool:
        if lock.host == self.host and lock.pid and not _alive(lock.pid):
            return True
        return time.time() > ends

    def try_acquire(self) -> Holder | None:
        """Take the lock if free or stale; None when taken, else who holds it."""
        if self._create(self.name):
            return None
        lock, ends = self.current()
        if lock is None:
            return self.try_acquire() if self._create(self.name) else self.current()[0]
        if lock.owner == self.owner:
            return None
        if not self._stale(lock, ends):
            return lock
        self._remove(lock.ident)  # by ID: of two takers of one stale lock, one removes it
        self._forget_beats(lock.owner)
        return None if self._create(self.name) else self.current()[0]

    def renew(self) -> None:
        """Extend the lease by one beat (a new beat object; the previous one removed)."""
        self._beat += 1
        if self._create(f"{self.name}.beat-{self.owner[:12]}-{self._beat}"):
            self._forget_beats(self.owner, keep=f"{self.name}.beat-{self.owner[:12]}-{self._beat}")

    def _forget_beats(self, owner: str, keep: str = "") -> None:
        for network in self._objects():
            beat = Holder.of(network)
            if network.get("Name") not in (self.name, keep) and beat.owner == owner:
                self._remove(beat.ident)

    def release(self) -> None:
        """Remove the lock and its beats, if still ours."""
        lock, _ = self.current()
        if lock is not None and lock.owner == self.owner:
            self._remove(lock.ident)
        self._forget_beats(self.owner)


def _heartbeat(lock: EngineLock, stop: threading.Event) -> None:
    while not stop.wait(lock.lease / 3):
        with contextlib.suppress(Exception):  # a missed beat: the next one (or the lease) counts
            lock.renew()


@contextlib.contextmanager
def engine_lock(api: docker.APIClient, project: str, *, timeout: float = 120.0) -> Iterator[None]:
    """Hold ``project``'s lock on the engine behind ``api``, waiting up to ``timeout`` seconds
    for another holder (from any host or state folder); renewed while held, removed after."""
    lock = EngineLock(api, project)
    deadline = time.monotonic() + timeout
    while (holder := lock.try_acquire()) is not None:
        if time.monotonic() >= deadline:
            raise LockError(
                f"another bakepy apply of project {project} is running on this engine "
                f"({holder.holder}); waited {timeout:g}s for its lock {lock.name}",
                hint="let it finish, or wait longer (lock_timeout); a lock whose holder died "
                "is taken over when its lease ends",
            )
        time.sleep(0.2)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(lock, stop), daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        lock.release()
