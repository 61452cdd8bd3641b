"""'did you mean ...?' for a misspelt name: a kind, or a field of a manifest.

The fields allowed at a place come from the kind's JSON Schema (its native names, the same
document editors see), walked along the field path with the manifest's own data, so a union
(a Dockerfile instruction, a build context) offers the fields of the branch that was written.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from bakepy.errors import FieldPath

Schema = dict[str, Any]


def did_you_mean(word: str, names: Iterable[str]) -> str | None:
    """``did you mean 'tags'?`` for the name closest to ``word``, or None when none is close."""
    close = difflib.get_close_matches(word, sorted(set(names)), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _resolve(root: Schema, node: Schema) -> Schema:
    """``node`` with a local ``$ref`` (``#/$defs/Name``) followed."""
    seen = 0
    while "$ref" in node and seen < 32:
        ref = str(node["$ref"])
        node = root.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {})
        seen += 1
    return node


def _fits(root: Schema, node: Schema, data: Any) -> bool:
    """Whether an object branch agrees with ``data`` on its constant fields (``instruction``)."""
    if not isinstance(data, dict):
        return True
    for name, field in node.get("properties", {}).items():
        const = _resolve(root, field).get("const")
        if const is not None and name in data and data[name] != const:
            return False
    return True


def _branches(root: Schema, node: Schema, data: Any) -> list[Schema]:
    """The object schemas ``node`` may stand for (union members expanded) that fit ``data``."""
    node = _resolve(root, node)
    choices = node.get("anyOf") or node.get("oneOf")
    if not choices:
        return [node]
    found = [branch for choice in choices for branch in _branches(root, choice, data)]
    fitting = [branch for branch in found if _fits(root, branch, data)]
    return fitting or found


def _child(node: Schema, part: str | int) -> Schema | None:
    """The schema of ``part`` inside ``node``: an item, a property, or a map's value."""
    if isinstance(part, int):
        items = node.get("items")
        return items if isinstance(items, dict) else None
    properties = node.get("properties", {})
    if part in properties:
        return dict(properties[part])
    values = node.get("additionalProperties")
    return values if isinstance(values, dict) else None


def _step(data: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
        return data[part]
    if isinstance(data, dict):
        return data.get(part)
    return None


def schema_nodes(schema: Schema, path: FieldPath, data: Any) -> list[Schema]:
    """The schemas (union members expanded) the value at ``path`` of the document ``data``
    may be validated against."""
    nodes = _branches(schema, schema, data)
    for part in path:
        data_below = _step(data, part)
        children = [child for node in nodes if (child := _child(node, part)) is not None]
        nodes = [b for child in children for b in _branches(schema, child, data_below)]
        data = data_below
    return nodes


def field_names(schema: Schema, path: FieldPath, data: Any) -> set[str]:
    """The field names the schema allows in the object at ``path`` of the document ``data``."""
    nodes = schema_nodes(schema, path, data)
    return {name for node in nodes for name in node.get("properties", {})}


def unknown_field_hint(schema: Schema, path: FieldPath, data: Any) -> str | None:
    """The hint for the unknown field at ``path`` (its last part) of the document ``data``."""
    if not path or not isinstance(path[-1], str):
        return None
    return did_you_mean(path[-1], field_names(schema, path[:-1], data))
