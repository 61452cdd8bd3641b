"""Write rendered files atomically (all land or none do) and compare them with what is on disk.

A render also writes ``.bakepy-rendered.json``, the record of the files it wrote
(``bakepy.api.render_record``). The next full render removes the files of that record it no
longer produces, as ``terraform apply`` destroys what left the configuration: bakepy wrote them
and the record proves it; a folder they leave empty goes too. A stale file changed since
bakepy wrote it is kept, with a warning (never lose a hand edit). A render of some targets only
(names, a selector) removes nothing: what it did not render is not stale, so the record keeps it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.api.render_record import RECORD_NAME, digest, read_record, record_text
from bakepy.errors import BakepyError
from bakepy.generators.files import RenderedFile
from bakepy.support.atomic import FileWrite, write_all


@dataclass
class WriteReport:
    """What a write (or a check) found: files written or that differ, unchanged ones, and the
    stale files a previous render wrote that the project no longer produces."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Stale files removed (by a write), or that a write would remove (by a check)."""
    kept: list[str] = field(default_factory=list)
    """Stale files changed since bakepy wrote them: never removed, reported."""
    warnings: list[str] = field(default_factory=list)
    """Problems with the record (unreadable: ignored, and written anew)."""

    @property
    def stale(self) -> list[str]:
        """Every stale file, removable or kept."""
        return sorted([*self.removed, *self.kept])


@dataclass
class _Plan:
    """The files to write (with the record) and the stale ones, before anything is written."""

    files: list[RenderedFile]
    report: WriteReport


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def inside(out_dir: Path, path: str, root: Path | None = None) -> Path:
    """``out_dir / path``, refused (BakepyError naming it) unless it stays inside ``out_dir``
    once resolved: no absolute path, no ``..``, no symlink in the folder leading out of it.
    Whatever names a file (a resource's name, an earlier record), nothing lands outside.
    ``root`` is ``out_dir`` resolved, when the caller checks many files."""
    root = root or out_dir.resolve()
    target = out_dir / path
    parts = Path(path).parts
    if Path(path).is_absolute() or ".." in parts:
        raise BakepyError(f"refusing to write {path!r}: it is not a path inside {out_dir}")
    if not _through_symlink(root, parts):
        return target  # its real path is root joined with its parts: inside
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        raise BakepyError(
            f"refusing to write {target}: it resolves to {resolved}, outside {out_dir} "
            "(a symlink in the output folder?)"
        )
    return target


def _through_symlink(root: Path, parts: Sequence[str]) -> bool:
    """Whether a folder or file of ``parts``, below the real folder ``root``, is a symlink
    (one lstat each; a missing one is none): a path with none needs no full resolve."""
    current = os.fspath(root)
    for part in parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            return True
    return False


def _plan(files: Sequence[RenderedFile], out_dir: Path, *, record: bool, prune: bool) -> _Plan:
    """The rendered files plus the record, which of them differ on disk, and the stale ones."""
    root = out_dir.resolve()
    for file in files:
        inside(out_dir, file.path, root)
    report = WriteReport()
    planned = list(files)
    if record:
        previous = read_record(out_dir)
        if previous.problem:
            report.warnings.append(previous.problem)
        rendered = {f.path: digest(f.text.encode()) for f in files}
        entries = dict(rendered)
        for path, written in sorted(previous.files.items()):
            if path in rendered:
                continue
            try:
                inside(out_dir, path, root)
            except BakepyError:
                report.warnings.append(f"{RECORD_NAME} names {path!r}, outside the folder: ignored")
                continue
            on_disk = _read(out_dir / path)
            if on_disk is None:
                continue  # removed by hand already
            if not prune:
                entries[path] = written  # not rendered this time, not stale: still ours
            elif digest(on_disk) == written:
                report.removed.append(path)
            else:
                report.kept.append(path)
        planned.append(RenderedFile(RECORD_NAME, record_text(entries), "json"))
    for file in planned:
        same = _read(out_dir / file.path) == file.text.encode()
        (report.unchanged if same else report.changed).append(file.path)
    return _Plan(planned, report)


def diff_files(
    files: Sequence[RenderedFile], out_dir: Path, *, record: bool = True, prune: bool = True
) -> WriteReport:
    """Which files differ from (or are missing in) ``out_dir``, and which stale files a write
    would remove (``removed``) or keep (``kept``); nothing is written. ``record`` and ``prune``
    as for ``write_files``."""
    return _plan(files, out_dir, record=record, prune=prune).report


def write_files(
    files: Sequence[RenderedFile], out_dir: Path, *, record: bool = True, prune: bool = True
) -> WriteReport:
    """Write every changed file and remove the stale ones; a failure part-way leaves the
    folder as it was.

    All files land or none do (``bakepy.support.atomic.write_all``): each is written in full
    beside its target, then all are renamed into place; a failed rename puts the earlier ones
    back. ``record`` keeps ``.bakepy-rendered.json`` beside them (False for a file that is not
    a render, such as an imported definition); ``prune`` removes the files an earlier render
    wrote that ``files`` no longer holds (False when only part of the project was rendered).
    """
    plan = _plan(files, out_dir, record=record, prune=prune)
    report = plan.report
    changed = set(report.changed)
    if not changed and not report.removed:
        return report
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BakepyError(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    writes = [FileWrite(out_dir / f.path, f.text.encode()) for f in plan.files if f.path in changed]
    try:
        write_all(writes, removals=[out_dir / path for path in report.removed])
    except OSError as exc:
        raise BakepyError(f"cannot write into {out_dir}: {exc}") from None
    _remove_emptied_folders(out_dir, report.removed)
    return report


def _remove_emptied_folders(out_dir: Path, removed: Sequence[str]) -> None:
    """Remove the folders of ``out_dir`` that removing the stale files left empty (a removed
    resource's ``services/api/``), deepest first; a folder holding anything else stays."""
    folders = {parent for path in removed for parent in Path(path).parents if parent.parts}
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        try:
            (out_dir / folder).rmdir()
        except OSError:
            continue  # not empty (a user's file, another rendered file) or already gone
