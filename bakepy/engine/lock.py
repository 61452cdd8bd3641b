"""One apply (or delete) of a project at a time on this host: an fcntl lock file.

The kernel drops the lock when the holder exits, however it exits (even SIGKILL), so a killed
apply never leaves a stale lock. Two hosts driving one engine are not serialized by this.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from bakepy.engine.state import state_dir
from bakepy.errors import LockError


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


@contextlib.contextmanager
def project_lock(
    project: str, *, timeout: float = 120.0, root: Path | None = None
) -> Iterator[Path]:
    """Hold the project's lock, waiting up to ``timeout`` seconds for another holder."""
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
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
