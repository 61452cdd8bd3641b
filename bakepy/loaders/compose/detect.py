"""Tell a compose file from a bakepy manifest: by name, else by its top level."""

from __future__ import annotations

from pathlib import Path

from bakepy.errors import LoadError

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
"""The names compose and bake look for, in bake's order."""


def is_compose_file(path: Path) -> bool:
    """A compose file by name, or YAML with ``services``/``include`` and no ``apiVersion``."""
    if path.name in COMPOSE_FILE_NAMES:
        return True
    if path.suffix not in (".yaml", ".yml"):
        return False
    from bakepy.loaders.compose.yaml_reader import read_yaml  # YAML only when there is some

    try:
        documents = read_yaml(path)
    except LoadError:
        return False  # the manifest loader reports what is wrong with it
    if not documents or not isinstance(documents[0].data, dict):
        return False
    top = documents[0].data
    return "apiVersion" not in top and ("services" in top or "include" in top)
