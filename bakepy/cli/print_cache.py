"""Remember ``bakepy print`` results for bake files, so an unchanged run costs almost nothing.

The key is everything the result depends on: the bytes of every file, the working folder,
the requested names and overrides, the installed bakepy source (``source_fingerprint``);
the environment enters through the values of the variables the files declare (and
``SOURCE_DATE_EPOCH``), stored with the entry.
Only HCL and JSON bake files qualify: a Python definition may read anything. This module
imports nothing heavy, so that the command line can answer from it before loading bakepy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bakepy.support.atomic import FileWrite, write_file
from bakepy.support.cache import cache_dir, dependencies_fingerprint, source_fingerprint

VERSION = "1"
ALWAYS_READ = ("SOURCE_DATE_EPOCH",)
EVALUATED_WITH = ("hcl2", "lark", "re2", "regex")
"""The libraries a printed result depends on (parsing, regex functions, graphemes)."""


def cacheable(files: Sequence[Path]) -> bool:
    """Only explicit HCL/JSON bake files: their result is a function of their bytes."""
    return bool(files) and all(f.suffix in (".hcl", ".json") and f.is_file() for f in files)


def request_key(
    files: Sequence[Path], names: Sequence[str], overrides: Sequence[str], context: str = ""
) -> str:
    """A digest of the files' bytes and the request (names, overrides, folder, and ``context``:
    the options that change the answer, such as the targeted buildx), for this bakepy source:
    an edited or upgraded bakepy never answers from an older one's results."""
    source = f"{source_fingerprint()}\0{dependencies_fingerprint(*EVALUATED_WITH)}"
    digest = hashlib.sha256(f"{VERSION}\0{source}\0{Path.cwd()}\0{context}".encode())
    for file in files:
        digest.update(b"\0file\0" + str(file).encode() + b"\0" + file.read_bytes())
    for part in (*names, "\0sets", *overrides):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def _environment_key(variables: Iterable[str], env: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted({*variables, *ALWAYS_READ}):
        for key in (name, f"{name}_JSON"):
            value = env.get(key)
            digest.update(f"{key}={'' if value is None else '=' + value}\0".encode())
    return digest.hexdigest()


def _entry_path(key: str) -> Path:
    return cache_dir() / "print" / f"{key}.json"


def lookup(key: str, env: Mapping[str, str]) -> str | None:
    """The remembered output for this request and environment, if any."""
    try:
        entry = json.loads(_entry_path(key).read_text(encoding="utf-8"))
        output = entry["outputs"].get(_environment_key(entry["variables"], env))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return output if isinstance(output, str) else None


def store(key: str, variables: Iterable[str], env: Mapping[str, str], output: str) -> None:
    """Remember ``output``; a cache that cannot be written only costs speed."""
    names = sorted(set(variables))
    path = _entry_path(key)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry.get("variables") != names:
            entry = {}
    except (OSError, ValueError):
        entry = {}
    outputs = dict(entry.get("outputs") or {})
    outputs[_environment_key(names, env)] = output
    document = json.dumps({"variables": names, "outputs": outputs})
    with contextlib.suppress(OSError):
        write_file(FileWrite(path, document.encode()))
