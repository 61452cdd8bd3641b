"""``bakepy.lock``: the file beside the definitions that pins images by digest.

It maps every base image the builds read (``FROM`` references) and every image they push to
the digest it had when ``bakepy lock`` ran. Builds read their base images at those digests;
plan and validate refuse a file whose digests are malformed, naming its line. The text is
JSON with one entry per line, sorted, so a diff of the lock reads like a diff of pins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.errors import LoadError, Location

LOCK_NAME = "bakepy.lock"
LOCK_VERSION = 1
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_HINT = "run `bakepy lock` to write it again"


@dataclass(frozen=True)
class ImageLock:
    """Pinned digests: base images by the reference a Dockerfile names, pushed images by tag."""

    base: dict[str, str] = field(default_factory=dict)
    pushed: dict[str, str] = field(default_factory=dict)

    def to_text(self) -> str:
        """The file's text: stable order, one pin a line."""
        document = {
            "version": LOCK_VERSION,
            "base": dict(sorted(self.base.items())),
            "pushed": dict(sorted(self.pushed.items())),
        }
        return json.dumps(document, indent=2) + "\n"


def lock_path(folder: Path) -> Path:
    """Where a project's lock lives: beside its definitions."""
    return folder / LOCK_NAME


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _pins(document: Mapping[str, object], key: str, path: Path, text: str) -> dict[str, str]:
    section = document.get(key, {})
    if not isinstance(section, dict):
        where = Location(path, _line_of(text, f'"{key}"'), field_path=(key,))
        raise LoadError(f"{key} must be an object of image: digest", where, _HINT)
    pins: dict[str, str] = {}
    for image, digest in section.items():
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            where = Location(path, _line_of(text, json.dumps(image)), field_path=(key, image))
            raise LoadError(
                f"malformed digest {digest!r}: expected sha256: and 64 hex digits",
                where,
                _HINT,
            )
        pins[str(image)] = digest
    return pins


def read_lock(path: Path) -> ImageLock | None:
    """The lock at ``path``; None when there is none. A malformed file is a LoadError naming
    its line and entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read the lock file: {exc}", Location(path)) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"not JSON: {exc.msg}", Location(path, exc.lineno), _HINT) from exc
    if not isinstance(document, dict) or document.get("version") != LOCK_VERSION:
        raise LoadError(
            f"not a bakepy lock file of version {LOCK_VERSION}",
            Location(path, _line_of(text, '"version"'), field_path=("version",)),
            _HINT,
        )
    return ImageLock(_pins(document, "base", path, text), _pins(document, "pushed", path, text))
