"""A file the apply cache's answer depends on (a secret's or config's source, a file a container
mounts), as the cache remembers it: where, its mode, and a keyed digest of its content (never
the content). Apart from the codecs so that checking one loads no desired-state module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bakepy.engine.state import secret_digest


@dataclass(frozen=True)
class FileCheck:
    """A file a container mounts or a stack's config or secret was read from, as the cache
    remembers it: where, its mode, and a keyed digest of the content it must hold."""

    path: str
    mode: int
    digest: str

    def is_current(self, key: bytes) -> bool:
        """True when the file on disk still holds that content with that mode."""
        try:
            stat = os.stat(self.path)
            content = Path(self.path).read_bytes()
        except OSError:
            return False
        return (stat.st_mode & 0o7777) == self.mode and secret_digest(content, key) == self.digest
