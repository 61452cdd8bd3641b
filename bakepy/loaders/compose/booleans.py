"""YAML 1.1 booleans (``yes``, ``off``, ``y``...) where compose wants a boolean, read as compose
reads them: true or false, with compose's warning that YAML 1.2 does not know them.

go-yaml reads ``init: yes`` as the string ``yes``; compose turns such a string into a boolean
where its schema wants one (and only there: ``DEBUG: yes`` in ``environment`` stays ``yes``).
Which fields want one comes from the ComposeProject schema: those taking a boolean (or a
``${VAR}`` string) and no number; a depends_on's ``required`` is the one compose 2.26 leaves
out (and refuses the word there).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from bakepy.errors import FieldPath
from bakepy.models.schema import manifest_schema
from bakepy.models.suggestions import Schema, schema_nodes

_WORDS = {"y": True, "yes": True, "on": True, "n": False, "no": False, "off": False}
"""The YAML 1.1 words compose takes for a boolean (any case), and their value."""


@cache
def _schema() -> Schema:
    return manifest_schema("ComposeProject")


def _wants_boolean(nodes: list[Schema]) -> bool:
    """Whether the schemas take a boolean and, besides, only strings (a ``${VAR}``) or null."""
    kinds = {str(node.get("type")) for node in nodes}
    return "boolean" in kinds and kinds <= {"boolean", "string", "null"}


def _takes_word(path: FieldPath, document: dict[str, Any]) -> bool:
    """Whether compose reads a YAML 1.1 word as a boolean at ``path``: where it wants a
    boolean, except a depends_on's ``required`` (compose 2.26 refuses the word there)."""
    if len(path) == 5 and path[2] == "depends_on" and path[4] == "required":
        return False
    return _wants_boolean(schema_nodes(_schema(), ("spec", *path), document))


def yaml11_booleans(data: dict[str, Any], warn: Callable[[str], None]) -> None:
    """Replace, in the compose document ``data``, each YAML 1.1 boolean word where compose
    wants a boolean by its value, warning as compose does."""
    document = {"spec": data}

    def walk(node: Any, path: FieldPath) -> Any:
        if isinstance(node, dict):
            for key, value in node.items():
                # a mapping, a list or a word: the rest stays, without a call or a path
                if isinstance(value, dict | list) or (
                    isinstance(value, str) and value.lower() in _WORDS
                ):
                    node[key] = walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, dict | list) or (
                    isinstance(value, str) and value.lower() in _WORDS
                ):
                    node[index] = walk(value, (*path, index))
        elif isinstance(node, str) and node.lower() in _WORDS and _takes_word(path, document):
            value = _WORDS[node.lower()]
            warn(
                f'"{node}" for boolean is not supported by YAML 1.2, please use '
                f"`{'true' if value else 'false'}`"
            )
            return value
        return node

    walk(data, ())
