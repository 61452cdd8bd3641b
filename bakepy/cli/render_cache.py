"""Remember that a repository's render is already on disk, so a run with nothing changed
costs a walk of the repository and a hash of its definition files; and keep the snapshot
``bakepy affected`` takes of a repository's targets, so a change to no definition is
answered without loading them.

The key is everything a render depends on: the bytes of every package's definition files
and of the Python files beside them (a definition may import them), the repository's
settings and CODEOWNERS, the command's options, the working folder, the environment (a
Python definition may read any variable; a few a shell changes between commands are left
out), and the installed bakepy and libraries. The entry holds the SHA-256 of each file the
render wrote and the warnings it printed: when every file in the output folder still has
its hash, the render is done. Only repository renders qualify (``::``, ``-R`` or a
configured root), and this module imports nothing heavy: it answers before bakepy loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from bakepy.cli.print_cache import EVALUATED_WITH
from bakepy.loaders.codeowners import LOCATIONS as CODEOWNERS_LOCATIONS
from bakepy.loaders.repository import discover_packages, find_repository
from bakepy.models.address import is_spec
from bakepy.support.atomic import FileWrite, write_file
from bakepy.support.cache import cache_dir, dependencies_fingerprint, source_fingerprint

VERSION = "1"
VOLATILE = frozenset({"_", "OLDPWD", "SHLVL", "PS1", "PS2", "COLUMNS", "LINES", "TERM_SESSION_ID"})
"""Variables a shell changes between two commands, which no definition should read."""


def _hash_file(digest: hashlib._Hash, path: Path) -> None:
    digest.update(b"\0" + str(path).encode() + b"\0")
    with contextlib.suppress(OSError):
        digest.update(path.read_bytes())


def _python_files(folder: Path) -> list[Path]:
    """The ``*.py`` entries of a folder, sorted (as ``folder.glob("*.py")``, without pathlib's
    matching machinery: this runs for every package on every cached command)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / name for name in sorted(names) if name.endswith(".py")]


def request_key(
    files: Sequence[Path],
    names: Sequence[str],
    options: Mapping[str, object],
    env: Mapping[str, str],
    *,
    recursive: bool,
) -> str | None:
    """A digest of what a repository render depends on; None when the command is not about
    a repository's packages (it is not cached then)."""
    asked = recursive or any(is_spec(name) for name in names)
    start = Path(files[0]) if files else Path.cwd()
    repository = find_repository(start if start.is_dir() else start.parent, git_fallback=asked)
    if repository is None or not (asked or repository.config_file is not None):
        return None
    digest = hashlib.sha256(
        json.dumps(
            [
                VERSION,
                source_fingerprint(),
                dependencies_fingerprint(*EVALUATED_WITH),
                str(Path.cwd()),
                [str(f) for f in files],
                list(names),
                dict(options),
            ],
            sort_keys=True,
            default=str,
        ).encode()
    )
    for extra in (repository.config_file, *(repository.root / c for c in CODEOWNERS_LOCATIONS)):
        if extra is not None and extra.is_file():
            _hash_file(digest, extra)
    for package in discover_packages(repository):
        for path in dict.fromkeys([*package.files, *_python_files(package.folder)]):
            _hash_file(digest, path)
    for key in sorted(set(env) - VOLATILE):
        digest.update(f"\0env\0{key}={env[key]}".encode())
    return digest.hexdigest()


def _entry_path(key: str) -> Path:
    return cache_dir() / "render" / f"{key}.json"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def lookup(key: str, out: Path) -> tuple[list[str], int] | None:
    """The warnings the remembered render printed and how many files it wrote, when every
    one of them is still in ``out`` as it wrote it; None otherwise."""
    try:
        entry = json.loads(_entry_path(key).read_text(encoding="utf-8"))
        hashes: dict[str, str] = entry["files"]
        warnings = [str(w) for w in entry["warnings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not hashes or any(_sha256(out / path) != sha for path, sha in hashes.items()):
        return None
    return warnings, len(hashes)


def store(key: str, out: Path, paths: Sequence[str], warnings: Sequence[str]) -> None:
    """Remember a render that left ``paths`` in ``out``; a cache that cannot be written
    only costs speed."""
    hashes = {path: _sha256(out / path) for path in paths}
    if any(sha is None for sha in hashes.values()):
        return
    document = json.dumps({"files": hashes, "warnings": list(warnings)}, sort_keys=True)
    with contextlib.suppress(OSError):
        write_file(FileWrite(_entry_path(key), document.encode()))


def environment() -> dict[str, str]:
    """The process environment, as the key reads it."""
    return dict(os.environ)


def _snapshot_path(key: str) -> Path:
    return cache_dir() / "affected" / f"{key}.json"


def lookup_snapshot(key: str) -> dict[str, object] | None:
    """The repository snapshot ``bakepy affected`` kept for this state, if any."""
    try:
        found = json.loads(_snapshot_path(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def store_snapshot(key: str, snapshot: Mapping[str, object]) -> None:
    """Keep a repository snapshot for this state (a failed write only costs speed)."""
    with contextlib.suppress(OSError):
        write_file(FileWrite(_snapshot_path(key), json.dumps(snapshot).encode()))
