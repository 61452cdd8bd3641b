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

    def read(attributes: Mapping[str, Any]) -> Dockerfile | None:
        inline = attributes.get("dockerfile-inline")
        context = str(attributes.get("context") or ".")
        try:
            if isinstance(inline, str):
                return parse_dockerfile(inline, name="dockerfile-inline")
            if any(mark in context for mark in _REMOTE):
                return None
            # lexically: the output folder a render's paths start from may not exist yet
            named = folder / context / str(attributes.get("dockerfile") or "Dockerfile")
            path = Path(os.path.normpath(named))
            return load_dockerfile(path) if path.is_file() else None
        except BakepyError:
            return None

    return read


__all__ = ["dockerfile_reader"]
