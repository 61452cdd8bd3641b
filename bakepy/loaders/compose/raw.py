"""A compose model between the phases: plain data, where each field came from, and its folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakepy.errors import FieldPath, LoadError
from bakepy.loaders.compose.origins import Origins


@dataclass
class RawModel:
    """A compose file (or several merged) as data; relative paths are relative to ``directory``."""

    data: dict[str, Any]
    origins: Origins
    directory: Path
    files: list[Path]
    tagged: bool = True
    """Whether a value may be tagged ``!reset`` or ``!override``: the tags phase looks only
    then (reading tells; True when unknown)."""
    dollars: bool = True
    """Whether a key or value may hold a ``$`` (a file's text had one, or a path moved from
    another folder): interpolation and ``$$`` escaping look only then (True when unknown)."""
    words: bool = True
    """Whether a value read may be spelt as a YAML 1.1 boolean (``yes``, ``Off``...): the
    booleans phase looks only then, or when a ``$`` may expand to one (True when unknown)."""

    def error(self, message: str, path: FieldPath = (), hint: str | None = None) -> LoadError:
        """A LoadError pointing at the file and line of ``path``."""
        return LoadError(message, self.origins.location(path, self.files[0]), hint)


@dataclass
class LoadContext:
    """What the phases share: warnings to hand back, the include chain (for cycles), and
    whether values are interpolated."""

    warnings: list[str] = field(default_factory=list)
    including: tuple[Path, ...] = ()
    interpolate: bool = True
    """False keeps every ``${VAR}`` as written (an import keeps the file's variables)."""

    def warn(self, message: str) -> None:
        """Collect a warning once."""
        if message not in self.warnings:
            self.warnings.append(message)
