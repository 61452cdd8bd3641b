"""The bakepy definition a folder holds: ``bakepy.py``, ``bakepy.yaml`` or ``bakepy.yml``, one
at most (a leaf module, so that finding packages does not import the readers)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bakepy.errors import LoadError, Location

DEFAULT_FILES = ("bakepy.py", "bakepy.yaml", "bakepy.yml")
"""What a folder is searched for; a folder holds one of them at most (two are an error unless
the user names one: a bakepy.py runs code, and must never be chosen silently)."""


def only_definition(folder: Path, found: Sequence[str]) -> Path | None:
    """The folder's one bakepy definition among the names ``found`` (None when there is
    none); two or more are refused with a hint to name one."""
    present = [name for name in DEFAULT_FILES if name in found]
    if len(present) > 1:
        raise LoadError(
            f"two definitions in {folder}: {' and '.join(present)}",
            Location(folder / present[0]),
            hint=f"name the one to read: -f {folder / present[0]} "
            f"(a bakepy.py is run as Python code)",
        )
    return folder / present[0] if present else None
