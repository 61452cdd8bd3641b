"""Write rendered files atomically (all land or none do) and compare them with what is on disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.errors import BakepyError
from bakepy.generators.files import RenderedFile
from bakepy.support.atomic import FileWrite, write_all


@dataclass
class WriteReport:
    """What a write (or a check) found: files written or that differ, and unchanged ones."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def diff_files(files: Sequence[RenderedFile], out_dir: Path) -> WriteReport:
    """Which files differ from (or are missing in) ``out_dir``; nothing is written."""
    report = WriteReport()
    for file in files:
        target = out_dir / file.path
        try:
            same = target.read_bytes() == file.text.encode()
        except FileNotFoundError:
            same = False
        (report.unchanged if same else report.changed).append(file.path)
    return report


def write_files(files: Sequence[RenderedFile], out_dir: Path) -> WriteReport:
    """Write every changed file; a failure part-way leaves the folder as it was.

    All files land or none do (``bakepy.support.atomic.write_all``): each is written in full
    beside its target, then all are renamed into place; a failed rename puts the earlier ones
    back.
    """
    report = diff_files(files, out_dir)
    changed = set(report.changed)
    if not changed:
        return report
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BakepyError(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    writes = [FileWrite(out_dir / f.path, f.text.encode()) for f in files if f.path in changed]
    try:
        write_all(writes)
    except OSError as exc:
        raise BakepyError(f"cannot write into {out_dir}: {exc}") from None
    return report
