"""What to do with what bake does not know in a bake file: refuse it, or drop it as buildx does.

Kept apart from the reader so that choosing costs nothing when no bake file is read.
"""

from __future__ import annotations


class Unknown:
    """What to do with attributes and nested blocks bake does not know: refuse (default), or
    drop them as buildx does and collect a warning for each."""

    def __init__(self, ignore: bool = False) -> None:
        self.ignore = ignore
        self.warnings: list[str] = []
