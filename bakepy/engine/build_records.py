"""What each target's last build on this host read and produced: its input digest, the image
digest and where the result went. Plan compares a target's input digest with its record and
checks the result is still there; apply writes the record after a build.

Kept in ``<state dir>/builds.json``, one entry per project folder, target and builder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bakepy.engine.state import state_dir
from bakepy.support.atomic import FileWrite, write_file


@dataclass(frozen=True)
class BuildRecord:
    """One target's last build: what it read, what it made, where that went."""

    input_digest: str
    image_digest: str | None
    images: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def record_key(folder: Path, target: str, builder: str | None) -> str:
    """The record's key: the project folder, the target and the builder it runs on."""
    text = json.dumps([str(folder.resolve()), target, builder or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def records_path(root: Path | None = None) -> Path:
    """``<state dir>/builds.json``."""
    return (root or state_dir()) / "builds.json"


def read_records(root: Path | None = None) -> dict[str, BuildRecord]:
    """Every record kept; an unreadable file counts as none (targets then build)."""
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        data: Mapping[str, Any] = json.loads(records_path(root).read_text())
        return {key: BuildRecord(**value) for key, value in data.items()}
    return {}


def write_records(updates: Mapping[str, BuildRecord], root: Path | None = None) -> None:
    """Merge ``updates`` into the kept records (written atomically)."""
    if not updates:
        return
    records = {**read_records(root), **updates}
    path = records_path(root)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {key: asdict(records[key]) for key in sorted(records)}
    write_file(FileWrite(path, (json.dumps(document, indent=1) + "\n").encode()))
