"""Write host files: one apply at a time, previous files backed up, all files land or none do.

Backups go to ``<root>/var/lib/bakepy/backups/<UTC timestamp>/`` under the file's own path
(``etc/docker/daemon.json``), so one folder holds everything an apply replaced and
``cp -a <backup>/. <root>/`` restores it. Each new file is written in full beside its target
(same filesystem), synced, given the old file's mode (0644 when new), then renamed over it; a
failed rename puts the files already replaced back from the backup.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bakepy.engine.host_plan import HostFileChange
from bakepy.errors import BakepyError

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
    folder = root / BACKUP_DIR / stamp
    suffix = 1
    while folder.exists():
        folder = root / BACKUP_DIR / f"{stamp}-{suffix}"
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
        copy = folder / file.path.lstrip("/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file.target, copy)
        copies[file.target] = copy
    return folder, copies


def _stage(file: HostFileChange) -> Path:
    target = file.target
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o7777 if target.exists() else NEW_FILE_MODE
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.bakepy-", dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(file.text.encode())
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(name, mode)
    return Path(name)


def _restore(target: Path, copy: Path | None) -> None:
    if copy is None:
        target.unlink(missing_ok=True)
        return
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.bakepy-", dir=target.parent)
    os.close(fd)
    shutil.copy2(copy, name)
    os.replace(name, target)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_host_files(root: Path, files: Sequence[HostFileChange]) -> Written:
    """Back up, stage and rename every changed file; on failure the old files are put back."""
    changed = [f for f in files if f.status != "unchanged"]
    backup_dir, copies = back_up(root, changed)
    staged: dict[Path, Path] = {}
    replaced: list[Path] = []
    try:
        for file in changed:
            staged[file.target] = _stage(file)
        for file in changed:
            os.replace(staged[file.target], file.target)
            del staged[file.target]
            replaced.append(file.target)
        for folder in {f.target.parent for f in changed}:
            _sync_dir(folder)
    except OSError as exc:
        for target in reversed(replaced):
            _restore(target, copies.get(target))
        for temp in staged.values():
            temp.unlink(missing_ok=True)
        raise BakepyError(
            f"cannot write host files under {root}: {exc}; the previous files are in place"
        ) from None
    return Written(tuple(replaced), backup_dir, tuple(copies.values()))
