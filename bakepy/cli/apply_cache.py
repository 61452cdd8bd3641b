"""The cache of a compose project's lowered desired state, kept so that a no-change
``bakepy apply`` loads no model at all (``bakepy.cli.noop_apply`` answers from it).

An entry is found by a key of everything the command's request is: the command line, the
working folder, the whole environment (bar a few variables a shell changes between commands),
the installed bakepy source, the libraries that read the definitions, and the Python version.
It is used only while every input it was made from is unchanged: each file the apply that
made it read (the definition files, ``.env``, env files, secret and config sources, imported
Python, found by the interpreter's audit hook), each file it looked for, found or not (an
optional env file, repository settings up the tree: ``bakepy.support.probe``), the listing of
every folder the files it read are in or that it listed (a new ``compose.override.yaml`` or
``.env`` counts), and the host's digest key. A run during which an input was modified keeps
no entry. Entries live in the state folder (``$BAKEPY_STATE_DIR``), mode 0600.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from stat import S_ISDIR
from typing import Any, cast

from bakepy.engine.state import state_dir
from bakepy.support.cache import (
    PACKAGE_DIR,
    cache_dir,
    dependencies_fingerprint,
    source_fingerprint,
)
from bakepy.support.forked import carry_back
from bakepy.support.probe import EVENT as PROBE, STAMPED

VERSION = "1"
VOLATILE = frozenset(
    {"_", "OLDPWD", "SHLVL", "PS1", "PS2", "COLUMNS", "LINES", "TERM_SESSION_ID"}
    | {"BAKEPY_APPLY_CACHE_TRACE"}
)
"""Variables a shell changes between two commands, which no definition should read, and the
switch that only explains the cache's answers."""
READ_WITH = ("pydantic", "pydantic_core", "yaml", "hcl2")
"""The libraries the lowered state depends on (validation, YAML, HCL)."""
CLOCK_LAG = 20_000_000
"""Nanoseconds file times may lag the clock by (the kernel stamps them with a coarse clock)."""
KEPT = 32
"""How many entries the cache keeps (one per request: command line, folder, environment)."""
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
NOTED_EVENTS = frozenset({"open", PROBE, STAMPED, "os.listdir", "os.scandir"})
"""The audit events ``InputRecorder`` notes (a hook that forwards to one may drop the rest)."""


def enabled(env: Mapping[str, str]) -> bool:
    """Whether the cache may answer (``BAKEPY_APPLY_CACHE=0`` turns it off)."""
    return env.get("BAKEPY_APPLY_CACHE", "1") not in ("0", "false", "no", "off")


def keep_at_exit(
    recorder: InputRecorder,
    observing: contextlib.AbstractContextManager[object],
    finish: Callable[[], None],
) -> None:
    """Start noting the command's inputs (``recorder``'s audit hook) and what ``observing``
    hands over; when the process exits, stop, then ``finish`` (keep an entry). A failure
    there only costs the next run its speed."""
    sys.addaudithook(recorder.hook)
    stack = contextlib.ExitStack()
    stack.enter_context(observing)

    def done() -> None:
        stack.close()
        with contextlib.suppress(Exception):
            finish()

    atexit.register(done)


def request_key(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """A digest of the request: command line, folder, environment, bakepy and its readers."""
    document = [
        VERSION,
        source_fingerprint(),
        dependencies_fingerprint(*READ_WITH),
        sys.version,
        os.getcwd(),
        list(argv),
        sorted((k, v) for k, v in env.items() if k not in VOLATILE),
    ]
    return hashlib.sha256(json.dumps(document).encode()).hexdigest()


def _entry_path(key: str) -> Path:
    return state_dir() / "apply-cache" / f"{key}.json"


def _file_digest(path: str) -> str | None:
    """SHA-256 of a file's bytes, ``directory`` for a folder; None when it is missing or
    cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except IsADirectoryError:
        return "directory"
    except OSError:
        return None


def _listing_digest(folder: str) -> str | None:
    """SHA-256 of a folder's sorted entry names; None when it is missing."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


def _modified_since(path: str, started: int) -> bool:
    try:
        return os.stat(path).st_mtime_ns >= started
    except OSError:
        return False


MISSING = [-1, -1]
"""The stamp of a file that is not there (looked for and not found)."""


def file_stamp(path: str) -> list[int] | None:
    """A file's modification time and size (``MISSING`` when it is not there, None for a
    folder), from one ``stat``: cheap where a digest of the 2,000 Dockerfiles a large render
    checks is not, and any edit moves the time."""
    try:
        found = os.stat(path)
    except OSError:
        return MISSING
    return None if S_ISDIR(found.st_mode) else [found.st_mtime_ns, found.st_size]


def digest_key_path() -> str:
    """The host's key for secret digests: an input of every entry (a new key changes them)."""
    return str(state_dir() / "digest.key")


class InputRecorder:
    """Notes every file a command opens for reading and every folder it lists, outside the
    Python installation, bakepy itself and its state and cache folders (audit hook)."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.probed: set[str] = set()
        """Files looked for (``bakepy.probe``), found or not."""
        self.folders: set[str] = set()
        skip = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(PACKAGE_DIR)}
        skip |= {str(state_dir()), str(cache_dir()), "/proc", "/sys", "/dev"}
        if sys.pycache_prefix:
            skip.add(sys.pycache_prefix)
        self._skip = tuple(os.path.join(os.path.abspath(p), "") for p in skip)
        self.active = True
        self.failed = False
        self.started = time.time_ns() - CLOCK_LAG
        """When the command started: an input modified since may have been read before."""
        self.hook = self._hook()
        """The audit hook to install (``sys.addaudithook(recorder.hook)``)."""
        self.stamps: dict[str, list[int] | None] = {}
        """The stamps (:func:`file_stamp`) forked children took of the files they read or
        looked for, once done with them, and those a reader took as it read a file whole
        (``bakepy.stamped``, the Dockerfiles of the bake checks): no ``stat`` again."""
        carry_back(self)  # what a forked child of a shared load or render reads counts too

    def carried(self) -> object:
        """What this recorder noted in a forked child (:mod:`bakepy.support.forked`), with
        the stamps of those files, taken here: the child has read them all by now, and it
        often finishes before the parent (the 2,000 Dockerfiles of a large render's checks:
        about 9 ms the parent would spend)."""
        files, probed = sorted(self.files), sorted(self.probed)
        known = self.stamps  # taken as they were read (``bakepy.stamped``)
        stamps = {path: known.get(path) or file_stamp(path) for path in (*files, *probed)}
        return (files, probed, sorted(self.folders), self.failed, stamps)

    def take_back(self, state: object) -> None:
        """Add what a child's copy of this recorder noted."""
        files, probed, folders, failed, stamps = cast(
            tuple[list[str], list[str], list[str], bool, dict[str, list[int] | None]], state
        )
        self.files.update(files)
        self.probed.update(probed)
        self.folders.update(folders)
        self.failed = self.failed or bool(failed)
        self.stamps.update(stamps)

    def _keep(self, path: object) -> str | None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str) or path.endswith((".pyc", ".pyo")):
            return None
        absolute = os.path.abspath(path)
        return None if absolute.startswith(self._skip) else absolute

    def _hook(self) -> Callable[[str, tuple[Any, ...]], None]:
        """The audit hook: ``open`` for reading, ``os.listdir``, ``os.scandir`` and
        ``bakepy.probe`` (a file looked for). A failure here must not break the command:
        it only keeps the entry from being stored.

        Python calls it for every audited event (a render raises about 140,000, mostly
        ``builtins.id``), so it is a plain function that drops the others at once: a bound
        method costs about 0.7 us an event, this about 0.2 us."""
        noted = NOTED_EVENTS
        note = self._note

        def hook(event: str, args: tuple[Any, ...]) -> None:
            if event in noted and self.active:
                try:
                    note(event, args)
                except Exception:
                    self.failed = True

        return hook

    def _note(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITING
            )
            kept = None if writing else self._keep(path)
            if kept is not None:
                self.files.add(kept)
        elif event == PROBE:
            kept = self._keep(args[0])
            if kept is not None:
                self.probed.add(kept)
        elif event == STAMPED:  # read whole (and opened: noted already), with its fstat
            path, modified, size = args
            kept = self._keep(path)
            if kept is not None:
                self.stamps[kept] = [modified, size]
        elif event in ("os.listdir", "os.scandir"):
            kept = self._keep(args[0] if args and args[0] is not None else ".")
            if kept is not None:
                self.folders.add(kept)

    def inputs(self, definitions: Iterable[str]) -> dict[str, Any] | None:
        """What the entry depends on: each file's digest, each folder listing's digest; None
        when one of them was modified while the command ran (what it read is not known)."""
        self.active = False
        if self.failed:
            return None
        files = {f for f in self.files if not os.path.isdir(f)}
        imports = {os.path.abspath(p or ".") for p in sys.path}  # the import system lists them
        folders = {f for f in self.files if os.path.isdir(f)} | (self.folders - imports)
        if not definitions:
            folders.add(os.getcwd())  # where the default definition files are looked for
        for definition in definitions:
            absolute = os.path.abspath(definition)
            (folders if os.path.isdir(absolute) else files).add(absolute)
        folders |= {os.path.dirname(f) for f in files}
        if any(_modified_since(path, self.started) for path in files | folders):
            return None
        files |= self.probed  # whether each is there (and what it holds), not its folder
        files.add(digest_key_path())  # written by this command, once, before it labels
        return {
            "files": {f: _file_digest(f) for f in sorted(files)},
            "folders": {f: _listing_digest(f) for f in sorted(folders)},
        }


def store(key: str, inputs: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
    """Keep an entry (mode 0600 in a 0700 folder) and only the ``KEPT`` newest entries; a
    cache that cannot be written only costs speed."""
    document = json.dumps({"inputs": inputs, "payload": payload}, sort_keys=True)
    path = _entry_path(key)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        from bakepy.support.atomic import FileWrite, write_file  # not on a cached answer

        write_file(FileWrite(path, document.encode(), mode=0o600))
        _forget_oldest(path.parent)


def _forget_oldest(folder: Path) -> None:
    """Remove all but the ``KEPT`` most recently written entries (a request whose
    environment changes on every run would otherwise add one each time)."""
    entries = []
    for entry in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            entries.append((entry.stat().st_mtime_ns, entry))
    for _, entry in sorted(entries, reverse=True)[KEPT:]:
        with contextlib.suppress(OSError):
            entry.unlink()


def lookup(key: str) -> tuple[dict[str, Any] | None, str]:
    """The payload kept for this request when every input is as it was (else None), and why
    not (for ``BAKEPY_APPLY_CACHE_TRACE``)."""
    try:
        entry = json.loads(_entry_path(key).read_text(encoding="utf-8"))
        files: dict[str, str | None] = entry["inputs"]["files"]
        folders: dict[str, str | None] = entry["inputs"]["folders"]
        payload = entry["payload"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, "no entry for this request (command line, folder, environment, bakepy)"
    for path, digest in files.items():
        if _file_digest(path) != digest:
            return None, f"{path} changed"
    for path, digest in folders.items():
        if _listing_digest(path) != digest:
            return None, f"the files in {path} changed"
    return (payload, "") if isinstance(payload, dict) else (None, "unreadable entry")
