"""Remember that a repository's render is already on disk, so a run with nothing changed
costs a walk of the repository and a hash of its definition files; and keep the snapshot
``bakepy affected`` takes of a repository's targets, so a change to no definition is
answered without loading them.

The key is everything a render depends on: the bytes of every package's definition files
and of the Python files beside them (a definition may import them), the repository's
settings and CODEOWNERS, the command's options, the working folder, the environment (a
Python definition may read any variable; a few a shell changes between commands are left
out), and the installed bakepy and libraries. The entry holds the SHA-256 of each file the
render wrote, the warnings it printed, and the modification time and size of every other
file it read or looked for (the Dockerfiles its checks judged, files a compose file
extends or includes): when each of those is as it was and every file in the output folder
still has its hash, the render is done. Only repository renders qualify (``::``, ``-R`` or a
configured root), and this module imports nothing heavy: it answers before bakepy loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bakepy.cli.apply_cache import MISSING, NOTED_EVENTS, InputRecorder, file_stamp
from bakepy.cli.print_cache import EVALUATED_WITH
from bakepy.loaders.codeowners import LOCATIONS as CODEOWNERS_LOCATIONS
from bakepy.loaders.repository import (
    Package,
    Repository,
    discover_packages,
    find_repository,
    keep_walks,
    shared_walks,
)
from bakepy.models.address import is_spec
from bakepy.support.atomic import FileWrite, write_file
from bakepy.support.cache import cache_dir, dependencies_fingerprint, source_fingerprint
from bakepy.support.forked import Pending

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
    repository = _keyed_repository(files, names, recursive=recursive)
    if repository is None:
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
    hashed: list[Path] = []
    for extra in (repository.config_file, *(repository.root / c for c in CODEOWNERS_LOCATIONS)):
        if extra is not None and extra.is_file():
            hashed.append(extra)
    for package in discover_packages(repository):
        hashed += dict.fromkeys([*package.files, *_python_files(package.folder)])
    for path in hashed:
        _hash_file(digest, path)
    for key in sorted(set(env) - VOLATILE):
        digest.update(f"\0env\0{key}={env[key]}".encode())
    _HASHED[:] = [frozenset(os.path.abspath(path) for path in hashed)]
    return digest.hexdigest()


def _keyed_repository(
    files: Sequence[Path], names: Sequence[str], *, recursive: bool
) -> Repository | None:
    """The repository a render is keyed on; None when the command is not about a repository's
    packages."""
    asked = recursive or any(is_spec(name) for name in names)
    start = Path(files[0]) if files else Path.cwd()
    repository = find_repository(start if start.is_dir() else start.parent, git_fallback=asked)
    if repository is None or not (asked or repository.config_file is not None):
        return None
    return repository


def request_key_importing(
    files: Sequence[Path],
    names: Sequence[str],
    options: Mapping[str, object],
    env: Mapping[str, str],
    *,
    recursive: bool,
    modules: Sequence[str],
) -> str | None:
    """:func:`request_key`, computed by a forked child while this process imports
    ``modules`` one by one (what a render that misses the cache loads with), until the key
    is there: a render the cache answers waits no longer than one module, one that loads
    has spent the walk and the hashing importing. The child's walk is kept here."""
    if _keyed_repository(files, names, recursive=recursive) is None:  # no child for nothing
        return None

    def keyed() -> tuple[
        str | None, list[frozenset[str]], dict[tuple[Repository, str], list[Package]]
    ]:
        key = request_key(files, names, options, env, recursive=recursive)
        return key, list(_HASHED), shared_walks()

    keying = Pending(keyed)
    for name in modules if keying.forked else ():
        if keying.ready():
            break
        importlib.import_module(name)
    key, hashed, walks = keying.result()
    _HASHED[:] = hashed
    keep_walks(walks)
    return key


RENDER_MODULES = (
    "bakepy.models.bake.definition",
    "bakepy.models.bake.values",
    "bakepy.models.resource",
    "bakepy.models.bake.builder",
    "bakepy.models.bake.contexts",
    "bakepy.models.dockerfile.instructions",
    "yaml",
    "bakepy.hcl.evaluator",
    "bakepy.models.bake.targets",
    "bakepy.models.compose.mounts",
    "bakepy.models.compose.deploy",
    "bakepy.models.compose.service",
    "bakepy.models.compose.project",
    "bakepy.project",
    "bakepy.resolution.bake.evaluate",
    "bakepy.resolution.checks",
    "bakepy.generators",
    "bakepy.api.definitions",
    "bakepy.api.output",
    "bakepy.loaders.manifests",
    "bakepy.loaders.bake.files",
    "bakepy.loaders.compose.into_project",
)
"""What a render the cache does not answer imports, in steps of a few to 20 ms (each module
brings what it needs first), for :func:`request_key_importing`."""

_HASHED: list[frozenset[str]] = []
"""The files the last ``request_key`` hashed: their bytes are in the key, so an entry keeps no
stamp of them (a ``git checkout`` that rewrites one as it was moves its time, not its bytes)."""


def _entry_path(key: str) -> Path:
    return cache_dir() / "render" / f"{key}.json"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def lookup(key: str, out: Path) -> tuple[list[str], int] | None:
    """The warnings the remembered render printed and how many files it wrote, when every
    file it read (a Dockerfile its checks judged, a file a compose file extends) is as it
    was and every file it wrote is still in ``out`` as it wrote it; None otherwise."""
    try:
        entry = json.loads(_entry_path(key).read_text(encoding="utf-8"))
        hashes: dict[str, str] = entry["files"]
        warnings = [str(w) for w in entry["warnings"]]
        read: dict[str, list[int]] = entry["read"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(_stamp(path) != stamp for path, stamp in read.items()):
        return None
    if not hashes or any(_sha256(out / path) != sha for path, sha in hashes.items()):
        return None
    return warnings, len(hashes)


def store(
    key: str,
    out: Path,
    paths: Sequence[str],
    warnings: Sequence[str],
    read: Mapping[str, list[int]],
) -> None:
    """Remember a render that read ``read`` (``stamps``) and left ``paths`` in ``out``; a
    cache that cannot be written only costs speed."""
    hashes = {path: _sha256(out / path) for path in paths}
    if any(sha is None for sha in hashes.values()):
        return
    document = json.dumps(
        {"files": hashes, "warnings": list(warnings), "read": dict(read)}, sort_keys=True
    )
    with contextlib.suppress(OSError):
        write_file(FileWrite(_entry_path(key), document.encode()))


def _stamp(path: str) -> list[int]:
    """A file's modification time and size: ``stat`` is cheap where a digest of the 2,000
    Dockerfiles a large render checks is not, and any edit moves the time."""
    try:
        found = os.stat(path)
    except OSError:
        return MISSING
    return [found.st_mtime_ns, found.st_size]


_READING: list[InputRecorder] = []
"""The recorder the process's one audit hook feeds (none between renders)."""
_HOOKED: list[bool] = []
"""Whether that hook is added (once per process)."""


def _forward(event: str, args: tuple[object, ...]) -> None:
    """The audit hook, added once per process (a hook cannot be removed: one per render would
    pile up in a process that renders many times, as a test run does). It drops the events
    the recorder does not note at once: a render raises about 110,000 (mostly ``builtins.id``)."""
    if event in NOTED_EVENTS and _READING:
        _READING[0].hook(event, args)


def start_reading() -> InputRecorder:
    """Start noting every file this process reads or looks for: what a render reads is part
    of its entry (``stamps``), as what it is asked is part of its key."""
    if not _HOOKED:
        sys.addaudithook(_forward)
        _HOOKED.append(True)
    recorder = InputRecorder()
    _READING[:] = [recorder]
    return recorder


def stamps(recorder: InputRecorder, out: Path) -> dict[str, list[int]] | None:
    """The stamp of every file a render read or looked for (``recorder``'s audit hook), but
    those in its output folder (checked by their digests) and those the key hashed; None when
    one was modified while the render ran (what it read is not known then)."""
    recorder.active = False
    _READING.clear()
    if recorder.failed:
        return None
    skip = os.path.join(os.path.abspath(out), "")
    files = {f for f in recorder.files | recorder.probed if not f.startswith(skip)}
    taken = recorder.stamps  # by forked children, after they read the files
    found = {
        f: stamp
        for f in sorted(files)
        if (stamp := taken[f] if f in taken else file_stamp(f)) is not None
    }
    if any(stamp[0] >= recorder.started for stamp in found.values()):
        return None
    hashed = _HASHED[0] if _HASHED else frozenset()
    return {path: stamp for path, stamp in found.items() if path not in hashed}


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
