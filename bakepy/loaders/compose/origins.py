"""Where each field of a compose model came from: file and line, kept through include and extends.

A field path such as ``("services", "web", "ports", 0)`` maps to the file and line that
declared it. When ``include`` imports a service or ``extends`` copies a base service into
another, the origins move along with the data, so an error still names the right file.
"""

from __future__ import annotations

from pathlib import Path

from bakepy.errors import FieldPath, Location

Where = tuple[Path, int]


class Origins:
    """Field path -> (file, line) for one compose model."""

    def __init__(self, entries: dict[FieldPath, Where] | None = None) -> None:
        self.entries: dict[FieldPath, Where] = dict(entries or {})

    def add(self, path: FieldPath, file: Path, line: int) -> None:
        """Record where ``path`` was declared."""
        self.entries[path] = (file, line)

    def find(self, path: FieldPath) -> Where | None:
        """Where the deepest known prefix of ``path`` was declared."""
        for end in range(len(path), -1, -1):
            found = self.entries.get(path[:end])
            if found is not None:
                return found
        return None

    def location(self, path: FieldPath, fallback: Path | None = None) -> Location:
        """A Location for an error at ``path`` (file:line, then the field path)."""
        found = self.find(path)
        if found is None:
            return Location(fallback, None, None, path)
        return Location(found[0], found[1], None, path)

    def graft(
        self, other: Origins, source: FieldPath, dest: FieldPath, *, replace: bool = True
    ) -> None:
        """Copy ``other``'s entries under ``source`` to the same places under ``dest``."""
        size = len(source)
        for path, where in list(other.entries.items()):
            if path[:size] == source:
                moved = dest + path[size:]
                if replace or moved not in self.entries:
                    self.entries[moved] = where

    def drop_below(self, prefix: FieldPath) -> None:
        """Forget entries strictly below ``prefix`` (after a merge reshuffled the items)."""
        size = len(prefix)
        for path in [p for p in self.entries if len(p) > size and p[:size] == prefix]:
            del self.entries[path]

    def lines_in(self, file: Path, prefix: FieldPath = ()) -> dict[FieldPath, int]:
        """The lines of the entries declared in ``file``, keyed ``prefix + path``."""
        # ``is`` first: the entries of one file share its Path (equal Paths compare slowly)
        return {
            prefix + path: line
            for path, (f, line) in self.entries.items()
            if f is file or f == file
        }
