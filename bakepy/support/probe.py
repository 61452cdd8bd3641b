"""Say which files a command looked for, found or not, so that a cache of its result also
depends on them (the no-change apply cache, ``bakepy.cli.apply_cache``, listens).

Opening a file is seen by Python's audit hooks already; checking that one exists
(``is_file``, ``exists``) is not, so the places that decide by such a check call ``probe``.
"""

from __future__ import annotations

import sys
from pathlib import Path

EVENT = "bakepy.probe"


def probe(*paths: Path) -> None:
    """Raise the ``bakepy.probe`` audit event for each path (nothing listens: nearly free)."""
    for path in paths:
        sys.audit(EVENT, str(path))
