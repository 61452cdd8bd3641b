"""One apply (or delete) of a project at a time on this host: an fcntl lock file.

The kernel drops the lock when the holder exits, however it exits (even SIGKILL), so a killed
apply never leaves a stale lock. Given the engine, the lock is also taken on the engine itself
(``bakepy.engine.engine_lock``), so applies from other state folders or hosts take turns too.
Builds and builders (``docker buildx``, no engine client of their own) take it on the engine
the current endpoint names, as ``build-<folder>`` (``build_lock_name``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bakepy.engine.engine_lock import engine_lock
from bakepy.engine.state import state_dir
from bakepy.errors import LockError

_UNSAFE = re.compile(r"[^a-z0-9_.-]+")


def build_lock_name(folder: Path) -> str:
    """The lock builds of the definitions in ``folder`` take: ``build-<folder name>``, as
    compose names a project after its folder (so two checkouts of one project take turns)."""
    name = _UNSAFE.sub("-", folder.resolve().name.lower()).strip("-.") or "root"
    return f"build-{name}"


def lock_path(project: str, root: Path | None = None) -> Path:
    """``<state dir>/locks/<project>.lock``."""
    return (root or state_dir()) / "locks" / f"{project}.lock"


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode().strip()
        if text:
            return f" (pid {int(text)})"
    return ""


def _lock_api(engine: object) -> Any:
    """A connection of its own (so that request counters of the apply do not see the lock's
    requests) to the engine behind an engine client, found through wrappers (``inner``,
    ``engine``); None when there is no docker SDK client behind it (a test's fake engine)."""
    seen = 0
    while engine is not None and seen < 8:
        api = getattr(engine, "api", None)
        if api is not None:
            import docker

            from bakepy.engine.endpoint import current_endpoint

            if not isinstance(api, docker.APIClient):
                return None
            # the engine the apply talks to: DOCKER_HOST, a context, ssh or TLS
            return current_endpoint().connect(version=api.api_version)
        engine = getattr(engine, "inner", None) or getattr(engine, "engine", None)
        seen += 1
    return None


def _current_engine_api() -> Any:
    """A connection of its own to the engine the current endpoint names (DOCKER_HOST, a
    context, ssh or TLS): the one ``docker buildx`` builds on."""
    from bakepy.engine.endpoint import current_endpoint

    return current_endpoint().connect()


@contextlib.contextmanager
def project_lock(
    project: str,
    *,
    timeout: float = 120.0,
    root: Path | None = None,
    engine: object = None,
    on_current_engine: bool = False,
) -> Iterator[Path]:
    """Hold the project's lock, waiting up to ``timeout`` seconds for another holder; with
    ``engine`` (a client with the docker SDK's ``api``), on that engine as well, and with
    ``on_current_engine`` on the engine the current endpoint names (for buildx's builds)."""
    path = lock_path(project, root)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"another bakepy apply of project {project} is running{_holder(fd)}; "
                        f"waited {timeout:g}s for its lock {path}",
                        hint="let it finish, or wait longer (lock_timeout)",
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            api = _current_engine_api() if on_current_engine else _lock_api(engine)
            if api is None:
                yield path
            else:
                left = max(0.0, deadline - time.monotonic())
                try:
                    with engine_lock(api, project, timeout=left):
                        yield path
                finally:
                    api.close()
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
