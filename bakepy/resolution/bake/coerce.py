"""Bring evaluated target and group attributes to bake's types, as buildx decodes them.

buildx decodes each block into typed Go fields: a number or bool where a string is wanted
becomes its text (``tags = [1]`` is ``["1"]``), ``"true"``/``"false"`` (and ``"1"``/``"0"``)
where a bool is wanted become bools, ``null`` leaves the attribute unset (a parent's value is
kept), and any other mismatch (``args = 5``, ``tags = "x"``) is an error.
"""

from __future__ import annotations

from typing import Any

from bakepy.hcl.values import format_number

BOOLS = frozenset({"pull", "no-cache"})
STRINGS = frozenset(
    {
        "context",
        "dockerfile",
        "dockerfile-inline",
        "target",
        "shm-size",
        "network",
        "call",
        "description",
    }
)
MAPS = frozenset({"args", "labels", "contexts", "extra-hosts"})
NULLABLE_MAPS = frozenset({"args", "labels"})
"""Maps whose values may be null: keep the Dockerfile's default (bake.md §2)."""
LISTS = frozenset(
    {
        "annotations",
        "attest",
        "cache-from",
        "cache-to",
        "entitlements",
        "inherits",
        "no-cache-filter",
        "output",
        "platforms",
        "secret",
        "ssh",
        "tags",
        "ulimits",
    }
)
_TYPED = BOOLS | STRINGS | MAPS | LISTS
"""Every attribute ``coerce_attribute`` brings to a type (the others pass as they are)."""
_BOOL_TEXT = {"true": True, "1": True, "false": False, "0": False}


class AttributeTypeError(ValueError):
    """An attribute value bake cannot decode into the attribute's type."""


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _string(value: Any, what: str | None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    problem = (
        "null value is not allowed" if value is None else f"string required, got {_kind(value)}"
    )
    raise AttributeTypeError(f"{what}: {problem}" if what else problem)


def coerce_attribute(key: str, value: Any) -> Any:
    """``value`` of target attribute ``key`` in bake's type; None means unset."""
    if value is None or key not in _TYPED:
        return value
    if key in BOOLS:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in _BOOL_TEXT:
            return _BOOL_TEXT[value]
        raise AttributeTypeError(f"bool required, got {_kind(value)}")
    if key in STRINGS:
        return _string(value, None)
    if key in MAPS:
        if not isinstance(value, dict):
            raise AttributeTypeError(f"map of string required, got {_kind(value)}")
        # a string is itself: only the others are converted (or named in an error)
        return {
            name: item
            if type(item) is str
            else None
            if item is None and key in NULLABLE_MAPS
            else _string(item, f"element {name!r}")
            for name, item in value.items()
        }
    return coerce_list(value)


def coerce_list(value: Any) -> list[str]:
    """A list of strings (numbers and bools become their text)."""
    if not isinstance(value, list):
        raise AttributeTypeError(f"list of string required, got {_kind(value)}")
    return [
        item if type(item) is str else _string(item, f"element {index}")
        for index, item in enumerate(value)
    ]


def coerce_entries(key: str, value: Any) -> list[str]:
    """A list attribute whose entries may be objects (``{type = "gha", scope = "app"}``, newer
    buildx): each object becomes the CSV string it stands for (``type=gha,scope=app``); an
    ``ssh`` object (``{id = "default", paths = [...]}``) becomes ``id`` or ``id=path,...``."""
    entry = _ssh_entry if key == "ssh" else _csv_entry
    if isinstance(value, list):
        value = [entry(item) if isinstance(item, dict) else item for item in value]
    return coerce_list(value)


def _ssh_entry(entry: dict[str, Any]) -> str:
    unknown = sorted(set(entry) - {"id", "paths"})
    if unknown:
        raise AttributeTypeError(
            f"unsupported attribute {unknown[0]!r} (an ssh entry has id, paths)"
        )
    ident = _string(entry.get("id") or "", "element 'id'")
    paths = entry.get("paths")
    if paths is None:
        return ident
    listed = coerce_list(paths)
    if not listed:
        return ident
    return f"{ident}={','.join(listed)}"  # buildx splits it at the first '=', then at ','


def _csv_entry(entry: dict[str, Any]) -> str:
    fields = []
    for key, item in entry.items():
        field = f"{key}={_string(item, f'element {key!r}')}"
        if any(char in field for char in ',"'):
            field = '"' + field.replace('"', '""') + '"'
        fields.append(field)
    return ",".join(fields)


def coerce_group_targets(value: Any) -> list[str]:
    """A group's ``targets``: a list of names (null is an empty list)."""
    return [] if value is None else coerce_list(value)
