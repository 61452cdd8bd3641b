"""Questions about paths that must not raise: a name the OS cannot look up is simply absent."""

from __future__ import annotations

from pathlib import Path


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the OS cannot even look up is not one."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
