"""Rewrite paths declared relative to a definition file so they hold where a file is written."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_URL_PREFIXES = ("http://", "https://", "git@", "git://", "ssh://", "docker-image://", "cwd://")
_JOIN_BY_TEXT = os.sep == "/" and os.altsep is None
"""Whether a relative path joins a folder by text alone (POSIX: no drives)."""


@dataclass(frozen=True)
class PathMapper:
    """Maps a path declared in ``base_dir`` to the same path seen from ``out_dir``.

    Only relative local paths are rewritten; absolute paths, URLs and templated paths
    (``${...}``) are kept as written. Output uses ``/`` on every platform.
    """

    out_dir: Path
    _resolved: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Each definition folder resolved once (thousands of targets share a few folders)."""
    _prefixes: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
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
            # what ``os.path.join`` gives (``prefix`` is relpath's: relative, no trailing
            # separator; ``path`` relative), without its call: a monorepo maps each target's
            # context. Windows keeps join: a drive in ``path`` (``C:x``) replaces the prefix.
            joined = prefix + os.sep + path if _JOIN_BY_TEXT else os.path.join(prefix, path)
            return os.path.normpath(joined).replace(os.sep, "/")
        target = os.path.normpath(os.path.join(base_dir, path))
        relative = os.path.relpath(target, self.out_dir)
        return relative.replace(os.sep, "/")

    def _prefix(self, base_dir: Path) -> str | None:
        """``""`` when ``base_dir`` is the output folder; else ``base_dir`` relative to it when
        a path going down from ``base_dir`` maps by joining (once per folder); else None.

        Joining holds unless ``base_dir`` is an ancestor of the output folder (``..``, ``../..``:
        ``../out/x`` must become ``x``), and for a path that climbs (``..``) out of it.
        Folders are compared as text (a Path's text is its normal form; ``normcase`` as Path
        equality on Windows): making and comparing Paths cost more than the rest here."""
        folder = os.fspath(base_dir)
        if folder not in self._prefixes:
            out = os.path.normcase(os.fspath(self.out_dir))
            prefix: str | None = None
            if os.path.normcase(folder) == out or os.path.normcase(self._resolve(folder)) == out:
                prefix = ""
            elif os.path.isabs(folder):
                relative = os.path.relpath(os.path.normpath(folder), self.out_dir)
                parts = relative.split(os.sep)
                if parts.count("..") < len(parts) and relative != ".":
                    prefix = relative
            self._prefixes[folder] = prefix
        return self._prefixes[folder]

    def _resolve(self, folder: str) -> str:
        """``folder`` (a Path's text) resolved, once per folder. An absolute, normal path with
        no symlink in it is its own resolved form: told by one lstat of each folder not seen
        before (the packages of a repository share the folders above them), not a walk from
        the root."""
        if folder not in self._resolved:
            normal = os.path.isabs(folder) and os.path.normpath(folder) == folder
            if normal and not folder.startswith("//") and self._no_symlink(folder):
                self._resolved[folder] = folder
            else:
                self._resolved[folder] = os.fspath(Path(folder).resolve())
        return self._resolved[folder]

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
