"""Write host files: one apply at a time, previous files backed up, all files land or none do.

Backups go to ``<root>/var/lib/bakepy/backups/<UTC timestamp>/`` under the file's own path
(``etc/docker/daemon.json``), so one folder holds everything an apply replaced and
``cp -a <backup>/. <root>/`` restores it. The files are written all or nothing by
``bakepy.support.atomic`` (in full beside each target, synced, with the old file's mode, 0644
when new, then renamed over it; a failed rename puts the files already replaced back).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bakepy.engine.host.plan import HostFileChange
from bakepy.errors import BakepyError
from bakepy.support.atomic import FileWrite, resolve_under, write_all

BACKUP_DIR = "var/lib/bakepy/backups"
"""Where previous host files are kept, relative to the root."""
NEW_FILE_MODE = 0o644


@contextmanager
def host_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``root`` (flock on the folder itself; no lock file is left)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BakepyError(
                f"another bakepy apply is writing host files under {root}",
                hint="wait for it to finish, then apply again",
            ) from None
        yield
    finally:
        os.close(fd)


def _backup_folder(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backups = resolve_under(root, BACKUP_DIR)  # a symlink in the root leads nowhere else
    folder = backups / stamp
    suffix = 1
    while folder.exists() or folder.is_symlink():
        folder = backups / f"{stamp}-{suffix}"
        suffix += 1
    return folder


@dataclass(frozen=True)
class Written:
    """Files written, the backup folder (None when nothing existed before) and its copies."""

    files: tuple[Path, ...]
    backup_dir: Path | None
    backups: tuple[Path, ...]


def back_up(root: Path, files: Sequence[HostFileChange]) -> tuple[Path | None, dict[Path, Path]]:
    """Copy every existing target into a new backup folder; target -> its copy."""
    existing = [f for f in files if f.old_text is not None]
    if not existing:
        return None, {}
    folder = _backup_folder(root)
    copies: dict[Path, Path] = {}
    for file in existing:
        copy = resolve_under(folder, file.path)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file.target, copy)
        copies[file.target] = copy
    return folder, copies


def write_host_files(root: Path, files: Sequence[HostFileChange]) -> Written:
    """Back up, then write every changed file, all or nothing (synced to disk); on failure the
    old files are put back."""
    changed = [f for f in files if f.status != "unchanged"]
    backup_dir, copies = back_up(root, changed)
    writes = [
        FileWrite(f.target, f.text.encode(), mode=None if f.target.exists() else NEW_FILE_MODE)
        for f in changed
    ]
    try:
        write_all(writes, sync=True)
    except OSError as exc:
        raise BakepyError(
            f"cannot write host files under {root}: {exc}; the previous files are in place"
        ) from None
    return Written(tuple(f.target for f in changed), backup_dir, tuple(copies.values()))
