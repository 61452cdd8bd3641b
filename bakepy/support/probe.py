"""Say which files a command looked for, found or not, so that a cache of its result also
depends on them (the no-change apply cache, ``bakepy.cli.apply_cache``, listens).

Opening a file is seen by Python's audit hooks already; checking that one exists
(``is_file``, ``exists``) is not, so the places that decide by such a check call ``probe``.
A place that reads many files whole may also say what each was as it read it (``stamped``):
the render cache keeps each read file's time and size, and need not ``stat`` it again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

EVENT = "bakepy.probe"

STAMPED = "bakepy.stamped"
"""The audit event of :func:`stamped`: a path, its modification time (ns) and size."""


def probe(*paths: Path) -> None:
    """Raise the ``bakepy.probe`` audit event for each path (nothing listens: nearly free)."""
    for path in paths:
        sys.audit(EVENT, str(path))


def stamped(path: str, status: os.stat_result) -> None:
    """Raise the ``bakepy.stamped`` audit event: the file at ``path`` was read whole while
    ``status`` (its ``fstat``, taken on the open file) was what it held."""
    sys.audit(STAMPED, path, status.st_mtime_ns, status.st_size)
