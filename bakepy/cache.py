"""Where bakepy keeps what it can recompute: parsed HCL files, ``bakepy print`` results."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$BAKEPY_CACHE_DIR``, else ``$XDG_CACHE_HOME/bakepy`` (default ``~/.cache/bakepy``)."""
    configured = os.environ.get("BAKEPY_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bakepy"
