"""Move the relative paths of compose data from one folder to another.

A file reached through ``include`` or ``extends: {file: ...}`` writes its paths relative to its
own folder (or its ``project_directory``); once its services join the project they must be
relative to the project's folder, as compose resolves them. Paths that are absolute, start
with ``~``, or are not local (URLs, ``docker-image://``, ``service:``) are left as written.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any


def is_local(value: str) -> bool:
    """Whether a build context or path names a local folder (not a URL or a scheme)."""
    return ":" not in value.split("/", 1)[0] and "://" not in value


def _relative(value: Any, source: Path, dest: Path) -> Any:
    if not isinstance(value, str) or not value or not is_local(value):
        return value
    if value.startswith("~") or posixpath.isabs(value):
        return value
    moved = os.path.relpath(os.path.normpath(os.path.join(source, value)), dest)
    moved = moved.replace(os.sep, "/")
    return moved if moved == "." or moved.startswith("../") or moved == ".." else f"./{moved}"


def _volume(entry: Any, source: Path, dest: Path) -> Any:
    if isinstance(entry, dict):
        if entry.get("type") == "bind" and "source" in entry:
            return {**entry, "source": _relative(entry["source"], source, dest)}
        return entry
    if isinstance(entry, str) and entry.startswith("."):
        host, sep, rest = entry.partition(":")
        if sep:
            return f"{_relative(host, source, dest)}:{rest}"
    return entry


def _contexts(value: Any, source: Path, dest: Path) -> Any:
    if isinstance(value, dict):
        return {k: _relative(v, source, dest) for k, v in value.items()}
    if isinstance(value, list):
        out = []
        for item in value:
            name, sep, path = str(item).partition("=")
            out.append(f"{name}={_relative(path, source, dest)}" if sep else item)
        return out
    return value


def _build(build: Any, source: Path, dest: Path, fill_context: bool) -> Any:
    if isinstance(build, str):
        return _relative(build, source, dest)
    if not isinstance(build, dict):
        return build
    out = dict(build)
    if "context" in out or fill_context:
        out["context"] = _relative(out.get("context", "."), source, dest)
    if "additional_contexts" in out:
        out["additional_contexts"] = _contexts(out["additional_contexts"], source, dest)
    return out


def _env_files(value: Any, source: Path, dest: Path) -> Any:
    if isinstance(value, str):
        return _relative(value, source, dest)
    if not isinstance(value, list):
        return value
    return [
        {**item, "path": _relative(item.get("path"), source, dest)}
        if isinstance(item, dict)
        else _relative(item, source, dest)
        for item in value
    ]


def rebase_service(service: Any, source: Path, dest: Path, *, fill_context: bool) -> Any:
    """A raw service with its relative paths moved from ``source`` to ``dest``."""
    # fill_context: a build without a context builds ``source`` (include does that; extends
    # leaves it to the extending project's folder)
    if not isinstance(service, dict) or source == dest:
        return service
    out = dict(service)
    if "build" in out:
        out["build"] = _build(out["build"], source, dest, fill_context)
    if isinstance(out.get("volumes"), list):
        out["volumes"] = [_volume(v, source, dest) for v in out["volumes"]]
    if "env_file" in out:
        out["env_file"] = _env_files(out["env_file"], source, dest)
    if "label_file" in out:
        out["label_file"] = _env_files(out["label_file"], source, dest)
    develop = out.get("develop")
    if isinstance(develop, dict) and isinstance(develop.get("watch"), list):
        watch = [
            {**rule, "path": _relative(rule.get("path"), source, dest)}
            if isinstance(rule, dict)
            else rule
            for rule in develop["watch"]
        ]
        out["develop"] = {**develop, "watch": watch}
    extends = out.get("extends")
    if isinstance(extends, dict) and "file" in extends:
        out["extends"] = {**extends, "file": _relative(extends["file"], source, dest)}
    return out


def rebase_entry(entry: Any, source: Path, dest: Path) -> Any:
    """A top-level secret or config whose ``file`` now is relative to ``dest`` (and a local
    volume bound to a host folder, whose ``driver_opts.device`` is a path too)."""
    if not isinstance(entry, dict) or source == dest:
        return entry
    out = dict(entry)
    if "file" in out:
        out["file"] = _relative(out["file"], source, dest)
    options = out.get("driver_opts")
    bound = (
        out.get("driver") == "local" and isinstance(options, dict) and options.get("o") == "bind"
    )
    if bound and isinstance(options, dict) and "device" in options:
        device = _relative(options["device"] or ".", source, dest)
        out["driver_opts"] = {**options, "device": device}
    return out
