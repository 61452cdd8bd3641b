"""Rewrite paths declared relative to a definition file so they hold where a file is written."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_URL_PREFIXES = ("http://", "https://", "git@", "git://", "ssh://", "docker-image://", "cwd://")


@dataclass(frozen=True)
class PathMapper:
    """Maps a path declared in ``base_dir`` to the same path seen from ``out_dir``.

    Only relative local paths are rewritten; absolute paths, URLs and templated paths
    (``${...}``) are kept as written. Output uses ``/`` on every platform.
    """

    out_dir: Path
    _resolved: dict[Path, Path] = field(default_factory=dict, compare=False, repr=False)
    """Each definition folder resolved once (thousands of targets share a few folders)."""
    _prefixes: dict[Path, str | None] = field(default_factory=dict, compare=False, repr=False)
    """Each definition folder relative to ``out_dir``, when paths below it map by joining."""
    _plain: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    """Whether a folder and every folder above it are no symlinks (one lstat per folder)."""

    def map(self, path: str, base_dir: Path) -> str:
        """``path`` (relative to ``base_dir``) relative to ``out_dir``; as written when the two
        are one folder (``./src`` stays ``./src``, as buildx prints it)."""
        if not path or os.path.isabs(path) or "${" in path or path.startswith(_URL_PREFIXES):
            return path
        prefix = self._prefix(base_dir)
        if prefix == "":
            return path
        if prefix is not None and ".." not in path.split("/"):
            return os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
        target = os.path.normpath(os.path.join(base_dir, path))
        relative = os.path.relpath(target, self.out_dir)
        return relative.replace(os.sep, "/")

    def _prefix(self, base_dir: Path) -> str | None:
        """``""`` when ``base_dir`` is the output folder; else ``base_dir`` relative to it when
        a path going down from ``base_dir`` maps by joining (once per folder); else None.

        Joining holds unless ``base_dir`` is an ancestor of the output folder (``..``, ``../..``:
        ``../out/x`` must become ``x``), and for a path that climbs (``..``) out of it."""
        if base_dir not in self._prefixes:
            prefix: str | None = None
            if base_dir == self.out_dir or self._resolve(base_dir) == self.out_dir:
                prefix = ""
            elif os.path.isabs(base_dir):
                relative = os.path.relpath(os.path.normpath(base_dir), self.out_dir)
                parts = relative.split(os.sep)
                if parts.count("..") < len(parts) and relative != ".":
                    prefix = relative
            self._prefixes[base_dir] = prefix
        return self._prefixes[base_dir]

    def _resolve(self, base_dir: Path) -> Path:
        """``base_dir`` resolved, once per folder. An absolute, normal path with no symlink in
        it is its own resolved form: told by one lstat of each folder not seen before (the
        packages of a repository share the folders above them), not a walk from the root."""
        if base_dir not in self._resolved:
            text = os.fspath(base_dir)
            normal = os.path.isabs(text) and os.path.normpath(text) == text
            if normal and not text.startswith("//") and self._no_symlink(text):
                self._resolved[base_dir] = Path(text)
            else:
                self._resolved[base_dir] = Path(base_dir).resolve()
        return self._resolved[base_dir]

    def _no_symlink(self, folder: str) -> bool:
        """Whether no part of ``folder`` (absolute, normal) is a symlink; kept per folder."""
        known = self._plain.get(folder)
        if known is None:
            parent = os.path.dirname(folder)
            known = (parent == folder or self._no_symlink(parent)) and not os.path.islink(folder)
            self._plain[folder] = known
        return known

    def map_file(self, file: Path) -> str:
        """An absolute file path relative to ``out_dir``."""
        return os.path.relpath(file, self.out_dir).replace(os.sep, "/")
