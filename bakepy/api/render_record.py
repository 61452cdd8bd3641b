"""The record of what a render wrote, kept in the output folder as ``.bakepy-rendered.json``.

A later render compares it with what the project produces now: a file in the record that is no
longer rendered is stale (a Dockerfile of a removed resource, a bake file of a dropped format).
The record holds each file's SHA-256 as written, so a stale file edited since is told apart
from one bakepy may remove. Its text is sorted JSON with no time or version in it: the same
render writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

RECORD_NAME = ".bakepy-rendered.json"
"""File name of the record, in the output folder."""
_NOTE = "files bakepy render wrote here; it removes them when no longer rendered. Do not edit."


def digest(data: bytes) -> str:
    """``sha256:<hex>`` of a file's bytes, as the record keeps it."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def record_text(files: Mapping[str, str]) -> str:
    """The record's text for ``files`` (relative path -> digest): stable bytes."""
    body = {"comment": _NOTE, "files": dict(sorted(files.items()))}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


@dataclass
class PreviousRender:
    """What the record in an output folder says an earlier render wrote there."""

    files: dict[str, str] = field(default_factory=dict)
    """Relative path -> digest of the file as written."""
    problem: str | None = None
    """Why the record was ignored (unreadable, not bakepy's), for a warning."""


def _safe(path: object) -> bool:
    """A relative path inside the output folder (a record edited by hand may hold others)."""
    if not isinstance(path, str) or not path or "\\" in path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and ".." not in parts and path != RECORD_NAME


def read_record(out_dir: Path) -> PreviousRender:
    """The record in ``out_dir``, or an empty one (with the problem) when it is absent or bad."""
    path = out_dir / RECORD_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PreviousRender()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return PreviousRender(problem=f"ignored {path}: not a record bakepy wrote ({exc})")
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return PreviousRender(problem=f"ignored {path}: not a record bakepy wrote (no files)")
    kept = {p: d for p, d in files.items() if _safe(p) and isinstance(d, str)}
    return PreviousRender(files=kept)
