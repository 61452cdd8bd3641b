"""Where bakepy keeps what it can recompute (parsed HCL files, ``bakepy print`` results), and
the fingerprints of the installed source and dependencies a cached result is only valid for."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
"""The installed ``bakepy`` package."""


def cache_dir() -> Path:
    """``$BAKEPY_CACHE_DIR``, else ``$XDG_CACHE_HOME/bakepy`` (default ``~/.cache/bakepy``)."""
    configured = os.environ.get("BAKEPY_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bakepy"


@functools.cache
def source_fingerprint() -> str:
    """A digest of every file of the installed package (its path, size and modification time).

    A result computed by one bakepy source is not reused by another, so a contributor who
    edits the resolver, or a user who upgrades, never gets a stale answer; the version string
    alone would not change. Reading the metadata of the files (not their bytes) keeps this to
    a fraction of a millisecond.
    """
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(PACKAGE_DIR):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            relative = os.path.relpath(path, PACKAGE_DIR)
            digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


@functools.cache
def dependencies_fingerprint(*modules: str) -> str:
    """A digest of where the installed ``modules`` live and their size and modification time,
    found without importing them: a cached result made with one version of python-hcl2 (or
    lark, RE2, ...) is not reused under another, which could read the same text otherwise."""
    digest = hashlib.sha256()
    for name in modules:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        try:
            stat = os.stat(origin) if origin else None
        except OSError:
            stat = None
        size, mtime = (stat.st_size, stat.st_mtime_ns) if stat else (-1, -1)
        digest.update(f"{name}\0{origin}\0{size}\0{mtime}\0".encode())
    return digest.hexdigest()
