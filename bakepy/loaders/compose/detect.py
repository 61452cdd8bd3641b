"""Tell a compose file from a bakepy manifest: by name, else by its top level."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bakepy.errors import LoadError

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
"""The names compose and bake look for, in bake's order."""


COMPOSE_OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
"""The override files compose merges over the compose file it found in a folder (the first)."""


BAKEPY_FILE_NAMES = ("bakepy.yaml", "bakepy.yml")
"""bakepy's own definition files: manifests, never compose files."""


def _declares_api_version(path: Path) -> bool:
    """Whether a top-level ``apiVersion:`` line starts one of the first lines (read as text:
    a manifest is told from a compose file without parsing it)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return any(line.startswith("apiVersion:") for line in head.splitlines())


def compose_files_in(folder: Path) -> list[Path]:
    """The compose files ``docker compose`` reads in ``folder`` without ``-f``: the first of
    its names, and then the first override file."""
    found = [folder / name for name in COMPOSE_FILE_NAMES if (folder / name).is_file()][:1]
    if found:
        found += [folder / n for n in COMPOSE_OVERRIDE_NAMES if (folder / n).is_file()][:1]
    return found


def compose_files_named(folder: Path, environ: Mapping[str, str]) -> list[Path] | None:
    """The files ``COMPOSE_FILE`` lists (the shell's, else the folder's ``.env``), split on
    ``COMPOSE_PATH_SEPARATOR`` (``:`` here) and relative to ``folder``, as compose reads them
    without ``-f``; None when it is not set."""
    listed = environ.get("COMPOSE_FILE")
    separator = environ.get("COMPOSE_PATH_SEPARATOR")
    dotenv = folder / ".env"
    if listed is None and dotenv.is_file():
        from bakepy.interpolation.environment import read_env_file

        variables = read_env_file(dotenv, environ)
        listed = variables.get("COMPOSE_FILE")
        separator = separator or variables.get("COMPOSE_PATH_SEPARATOR")
    if not listed:
        return None
    return [folder / part for part in listed.split(separator or os.pathsep) if part]


def is_compose_file(path: Path) -> bool:
    """A compose file by name, or YAML with ``services``/``include`` and no ``apiVersion``."""
    if path.name in COMPOSE_FILE_NAMES or path.name in COMPOSE_OVERRIDE_NAMES:
        return True
    if path.suffix not in (".yaml", ".yml") or path.name in BAKEPY_FILE_NAMES:
        return False
    if _declares_api_version(path):
        return False
    from bakepy.loaders.compose.yaml_reader import read_yaml  # YAML only when there is some

    try:
        documents = read_yaml(path)
    except (LoadError, RecursionError):
        return False  # the manifest loader reports what is wrong with it
    if not documents or not isinstance(documents[0].data, dict):
        return False
    top = documents[0].data
    return "apiVersion" not in top and ("services" in top or "include" in top)
