"""The Dockerfile a resolved bake target builds, read for the checks: its ``dockerfile-inline``
text, or the file its local context and ``dockerfile`` name (relative to ``folder``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import BakepyError
from bakepy.loaders.dockerfile import load_dockerfile
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.resolution.checks.targets import ReadDockerfile

_REMOTE = ("://", "git@")


def dockerfile_reader(folder: Path) -> ReadDockerfile:
    """Reads the Dockerfile of a resolved target whose paths are relative to ``folder``; None
    for a remote context, a missing file, or one bakepy cannot read (BuildKit judges it)."""

    read_before: dict[tuple[str, str], Dockerfile | None] = {}
    """Each Dockerfile once: thousands of targets often build from one file (read and parsed
    once per target, a 16,000-target manifest spent a third of its check there)."""

    def parse(key: tuple[str, str]) -> Dockerfile | None:
        kind, value = key
        try:
            if kind == "inline":
                return parse_dockerfile(value, name="dockerfile-inline")
            path = Path(value)
            return load_dockerfile(path) if path.is_file() else None
        except BakepyError:
            return None

    def read(attributes: Mapping[str, Any]) -> Dockerfile | None:
        inline = attributes.get("dockerfile-inline")
        context = str(attributes.get("context") or ".")
        if isinstance(inline, str):
            key = ("inline", inline)
        elif any(mark in context for mark in _REMOTE):
            return None
        else:
            # lexically: the output folder a render's paths start from may not exist yet
            named = folder / context / str(attributes.get("dockerfile") or "Dockerfile")
            key = ("file", os.path.normpath(named))
        if key not in read_before:
            read_before[key] = parse(key)
        return read_before[key]

    return read


__all__ = ["dockerfile_reader"]
