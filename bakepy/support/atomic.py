"""bakepy's one way to write files: atomically, and for several files all or nothing.

Each file is written in full to a temporary file beside its target (same filesystem), then
renamed over it, so a reader sees the old file or the new one, never half of one. For several
files, every one is staged before the first rename; a failure part-way puts back the files
already replaced (their previous content is kept as a hard link beside them until the end) and
removes the new ones. Files to remove go with them: moved aside, and deleted only once every
step succeeded. Errors are ``OSError``: each caller says what it was writing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple


class FileWrite(NamedTuple):
    """One file to write: where, what, and with which permissions.

    ``mode`` None keeps the mode of the file it replaces, and gives a new file the default
    (0666 less the umask, as ``open`` would); ``owner`` is ``(uid, gid)``, applied when root.
    """

    path: Path
    data: bytes
    mode: int | None = None
    owner: tuple[int, int] | None = None


def _name_beside(path: Path) -> Path:
    """A fresh hidden name next to ``path``: ``.name.bakepy-XXXXXXXX``."""
    return path.with_name(f".{path.name}.bakepy-{secrets.token_hex(4)}")


def _temporary_beside(path: Path) -> tuple[Path, int]:
    """A new, empty file next to ``path``, opened for writing (default mode: umask applies)."""
    while True:
        candidate = _name_beside(path)
        try:
            return candidate, os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def _stage(write: FileWrite, *, sync: bool) -> Path:
    """Write ``write.data`` in full to a temporary file beside the target; returns its path."""
    target = write.path
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = write.mode
    if mode is None:
        with contextlib.suppress(FileNotFoundError):
            mode = target.stat().st_mode & 0o7777
    staged, fd = _temporary_beside(target)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        if write.owner is not None and os.geteuid() == 0:
            os.fchown(fd, *write.owner)
        view = memoryview(write.data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        staged.unlink(missing_ok=True)
        raise
    os.close(fd)
    return staged


def _keep_previous(target: Path) -> Path | None:
    """A hard link to the file ``target`` holds now (a copy where links fail), or None."""
    if not target.exists():
        return None
    kept = _name_beside(target)
    try:
        os.link(target, kept)
    except OSError:
        shutil.copy2(target, kept)
    return kept


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(write: FileWrite, *, sync: bool = False, exclusive: bool = False) -> bool:
    """Write one file atomically. ``exclusive`` never replaces an existing file: the first
    writer wins and a later one leaves it as it is (returns False). ``sync`` flushes the data
    and the folder to disk before returning."""
    staged = _stage(write, sync=sync)
    try:
        if exclusive:
            try:
                os.link(staged, write.path)
            except FileExistsError:
                return False
        else:
            os.replace(staged, write.path)
    finally:
        staged.unlink(missing_ok=True)
    if sync:
        _sync_folder(write.path.parent)
    return True


def write_all(
    writes: Sequence[FileWrite], *, removals: Sequence[Path] = (), sync: bool = False
) -> None:
    """Write every file and remove every file of ``removals``, all or nothing: each write is
    staged in full before the first is renamed into place, and a removed file is moved aside
    until the end; if a step fails, the files already replaced or removed get their previous
    content back and the new ones are removed, then the error is raised."""
    staged: dict[Path, Path] = {}
    replaced: list[tuple[Path, Path | None]] = []
    try:
        for write in writes:
            staged[write.path] = _stage(write, sync=sync)
        for write in writes:
            previous = _keep_previous(write.path)
            replaced.append((write.path, previous))
            os.replace(staged[write.path], write.path)
            del staged[write.path]
        for path in removals:
            aside = _name_beside(path)
            os.replace(path, aside)
            replaced.append((path, aside))
        if sync:
            for folder in {item.parent for item in [*(w.path for w in writes), *removals]}:
                _sync_folder(folder)
    except BaseException:
        for target, previous in reversed(replaced):
            with contextlib.suppress(OSError):
                if previous is not None:
                    os.replace(previous, target)
                else:
                    target.unlink(missing_ok=True)
        raise
    finally:
        for leftover in staged.values():
            leftover.unlink(missing_ok=True)
        for _, previous in replaced:
            if previous is not None:
                previous.unlink(missing_ok=True)


def resolve_under(root: Path, relative: str) -> Path:
    """``relative`` (``etc/docker/daemon.json``) inside ``root`` as a chroot would see it:
    symlinks are followed, an absolute link target (``etc/docker -> /etc/docker``, common in
    an image's rootfs) starts again at ``root``, and ``..`` never climbs above it. The result
    is always inside ``root``, so nothing is read or written on the real host by mistake."""
    base = root.resolve()
    parts = [p for p in Path(relative.lstrip("/")).parts if p not in ("", ".")]
    current = base
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            current = current.parent if current != base else base
            continue
        candidate = current / part
        if candidate.is_symlink():
            hops += 1
            if hops > 40:
                raise OSError(f"too many levels of symbolic links under {root}: {relative}")
            target = os.readlink(candidate)
            if target.startswith("/"):
                current = base
            parts = [p for p in Path(target).parts if p not in ("", ".", "/")] + parts
            continue
        current = candidate
    return current
