"""Write rendered files atomically (all land or none do) and compare them with what is on disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.errors import BakepyError
from bakepy.generators import RenderedFile


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

    Each file is first written in full to a temporary folder inside ``out_dir`` (same
    filesystem), then all are renamed into place; a failed rename rolls the earlier ones back.
    """
    report = diff_files(files, out_dir)
    changed = [f for f in files if f.path in set(report.changed)]
    if not changed:
        return report
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BakepyError(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    staging = Path(tempfile.mkdtemp(prefix=".bakepy-", dir=out_dir))
    backups: list[tuple[Path, Path | None]] = []
    try:
        for file in changed:
            staged = staging / file.path.replace("/", "__")
            staged.write_text(file.text, encoding="utf-8", newline="\n")
        for file in changed:
            target = out_dir / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            backup: Path | None = None
            if target.exists():
                backup = staging / (file.path.replace("/", "__") + ".previous")
                os.replace(target, backup)
            backups.append((target, backup))
            os.replace(staging / file.path.replace("/", "__"), target)
    except OSError as exc:
        for target, backup in reversed(backups):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise BakepyError(f"cannot write into {out_dir}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report
