"""The versions a definition is for: the buildx that reads the bake files and the Dockerfile
frontend that reads the Dockerfiles (the engine's built-in one, unless a ``# syntax=`` line
names another). What is accepted, refused or silently dropped depends on them; see
``bakepy.models.bake.features`` and ``bakepy.models.dockerfile.features``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@total_ordering
@dataclass(frozen=True)
class Version:
    """A release number, ``major.minor.patch``; ``0.13`` reads as ``0.13.0``."""

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version:
        """``0.13.1``, ``v0.13.1``, ``0.13.1+ds1``, ``1.7`` or ``1``; ValueError otherwise."""
        match = _VERSION.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a version such as 0.13 or 0.13.1")
        major, minor, patch = (int(part) if part else 0 for part in match.groups())
        return cls(major, minor, patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


LATEST_BUILDX = Version(0, 36, 1)
"""The newest buildx whose bake behaviour bakepy knows (../shared/reference/bake.md)."""


@dataclass(frozen=True)
class Toolchain:
    """What the files bakepy reads and writes are for.

    ``buildx`` None means the newest bake bakepy knows, with no version limits; a version
    makes bakepy read and resolve bake files as that buildx does, refuse what it refuses and
    warn about what it drops. ``dockerfile`` is the engine's built-in Dockerfile frontend
    (None: not known, so Dockerfiles are not limited).
    """

    buildx: Version | None = None
    dockerfile: Version | None = None

    def __post_init__(self) -> None:
        """A version written as text (``"0.13"``, ``"latest"`` for no limit) is read as the
        command line reads it, rather than failing deep inside a comparison."""
        for name in ("buildx", "dockerfile"):
            value = getattr(self, name)
            if isinstance(value, str):
                parsed = None if value.strip() == "latest" else Version.parse(value)
                object.__setattr__(self, name, parsed)

    def bake(self) -> Version:
        """The buildx version bake files are resolved as."""
        return self.buildx or LATEST_BUILDX

    def describe(self) -> str:
        """``buildx 0.13.1, Dockerfile frontend 1.7.0`` (what is known)."""
        parts = [f"buildx {self.buildx}" if self.buildx else "the newest buildx bakepy knows"]
        if self.dockerfile:
            parts.append(f"Dockerfile frontend {self.dockerfile}")
        return ", ".join(parts)


NO_LIMITS = Toolchain()
"""The newest buildx and any Dockerfile frontend: nothing refused for its age."""
