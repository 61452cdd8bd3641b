"""bake's merge rules, used for ``inherits`` and for same-name targets across files.

Replace, merge by key, append: the table is in ../shared/reference/bake.md §7 and matches
buildx's ``Target.Merge``.
"""

from __future__ import annotations

from typing import Any

from bakepy.models.bake.csv_attrs import parse_csv_attrs

REPLACE = frozenset(
    {
        "context",
        "dockerfile",
        "dockerfile-inline",
        "tags",
        "target",
        "call",
        "platforms",
        "cache-to",
        "output",
        "pull",
        "no-cache",
        "network",
        "shm-size",
        "description",
    }
)
MAP_MERGE = frozenset({"args", "labels", "contexts", "extra-hosts"})
APPEND = frozenset({"annotations", "cache-from", "no-cache-filter", "ulimits", "entitlements"})
BY_ID = frozenset({"secret", "ssh", "attest"})

PRINT_ORDER = (
    "description",
    "annotations",
    "attest",
    "context",
    "contexts",
    "dockerfile",
    "dockerfile-inline",
    "args",
    "labels",
    "tags",
    "cache-from",
    "cache-to",
    "target",
    "secret",
    "ssh",
    "platforms",
    "output",
    "pull",
    "no-cache",
    "network",
    "no-cache-filter",
    "shm-size",
    "ulimits",
    "call",
    "entitlements",
    "extra-hosts",
)
"""Attribute order of ``docker buildx bake --print`` (the order of buildx's Target struct)."""


def identity(key: str, entry: str) -> str:
    """What makes two entries of an id-merged list the same: the secret/ssh id, attest type."""
    if key == "ssh":
        return entry.partition("=")[0]
    try:
        pairs = dict(parse_csv_attrs(entry))
    except ValueError:
        return entry
    field = "type" if key == "attest" else "id"
    return str(pairs.get(field) or entry)


def dedupe(values: list[Any]) -> list[Any]:
    """Keep the first of equal entries, in order (buildx's removeDupes)."""
    seen: set[str] = set()
    out: list[Any] = []
    for value in values:
        marker = repr(value)
        if marker not in seen:
            seen.add(marker)
            out.append(value)
    return out


def merge_by_id(key: str, base: list[str], extra: list[str]) -> list[str]:
    """Entries with the same identity are replaced by the later one, in the earlier position."""
    merged = list(base)
    index = {identity(key, entry): position for position, entry in enumerate(merged)}
    for entry in extra:
        ident = identity(key, entry)
        if ident in index:
            merged[index[ident]] = entry
        else:
            index[ident] = len(merged)
            merged.append(entry)
    return merged


def merge_target(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` merged over ``base``; neither input is changed."""
    merged = dict(base)
    for key, value in extra.items():
        if key in MAP_MERGE:
            current = dict(merged.get(key) or {})
            for name, item in value.items():
                if item is None and name in current:
                    continue  # a null never deletes a parent's key
                current[name] = item
            merged[key] = current
        elif key in APPEND:
            merged[key] = dedupe([*(merged.get(key) or []), *value])
        elif key in BY_ID:
            merged[key] = merge_by_id(key, merged.get(key) or [], value)
        else:
            merged[key] = value
    return merged
