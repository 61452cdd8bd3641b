"""Dockerfiles as definition files: ``Dockerfile``, ``api.Dockerfile``, ``Dockerfile.api``, or
``Dockerfile-alpine``/``Dockerfile_dev`` as many repositories name their variants."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bakepy.errors import LoadError, Location
from bakepy.support.utf8 import utf8_problem

if TYPE_CHECKING:
    from bakepy.models.dockerfile.instructions import Dockerfile

_WORD = "dockerfile"
_NOT_DOCKERFILES = (".dockerignore",)
_SEPARATORS = (".", "-", "_")
_CODE_OR_DATA = (".go", ".py", ".md", ".json", ".yaml", ".yml", ".hcl", ".sh", ".txt", ".toml")
"""Suffixes that make ``dockerfile_test.go`` or ``Dockerfile-notes.md`` something else."""


def is_dockerfile(path: Path) -> bool:
    """Whether ``path`` is named like a Dockerfile (``.dockerignore`` files beside one are not)."""
    name = path.name.lower()
    if name.endswith(_NOT_DOCKERFILES):
        return False
    if name == _WORD or name.endswith("." + _WORD) or name.startswith(_WORD + "."):
        return True
    return name.startswith(tuple(_WORD + sep for sep in "-_")) and not name.endswith(_CODE_OR_DATA)


def dockerfile_name(path: Path) -> str:
    """The resource name: ``dockerfile``, or ``api`` for ``api.Dockerfile``, ``Dockerfile.api``
    or ``Dockerfile-api``."""
    name = path.name
    if name.lower().endswith("." + _WORD):
        stem = name[: -len(_WORD) - 1]
    elif name.lower().startswith(tuple(_WORD + sep for sep in _SEPARATORS)):
        stem = name[len(_WORD) + 1 :]
    else:
        stem = ""
    return stem or _WORD


def load_dockerfile(path: Path) -> Dockerfile:
    """The Dockerfile resource the file ``path`` declares."""
    from bakepy.loaders.dockerfile.parser import parse_dockerfile

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}", Location(path)) from None
    except UnicodeDecodeError:
        problem, line = utf8_problem(path)
        raise LoadError(f"Dockerfile: {problem}", Location(path, line)) from None
    return parse_dockerfile(text, name=dockerfile_name(path), path=path)


__all__ = ["dockerfile_name", "is_dockerfile", "load_dockerfile"]
