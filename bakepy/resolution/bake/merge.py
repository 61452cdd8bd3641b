"""bake's merge rules, used for ``inherits`` and for same-name targets across files.

Replace, merge by key, append: the table is in ../shared/reference/bake.md §7 and matches
buildx's ``Target.Merge``.
"""

from __future__ import annotations

from typing import Any

from bakepy.hcl.writing import hcl_expression
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
"""Merged by identity from buildx 0.20 on (the secret or ssh id, the attestation type)."""
BY_ID_BEFORE_0_20 = frozenset({"attest"})
"""Before buildx 0.20 only attestations merge by type; secrets and ssh entries are appended."""
_MERGED = MAP_MERGE | APPEND | BY_ID
"""The attributes ``merge_target`` does not simply replace (with those merged by identity)."""

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


def merge_target(
    base: dict[str, Any], extra: dict[str, Any], by_id: frozenset[str] = BY_ID
) -> dict[str, Any]:
    """``extra`` merged over ``base``; neither input is changed. ``by_id`` are the list
    attributes merged by identity (which depends on the buildx version); the other list
    attributes not replaced are appended."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in _MERGED and key not in by_id:
            merged[key] = value  # replaced (most attributes), told with one or two tests
        elif key in MAP_MERGE:
            current = dict(merged.get(key) or {})
            if None not in value.values():  # most maps: no null to keep a parent's key
                current.update(value)
            else:
                for name, item in value.items():
                    if item is None and name in current:
                        continue  # a null never deletes a parent's key
                    current[name] = item
            merged[key] = current
        elif key in by_id:
            merged[key] = merge_by_id(key, merged.get(key) or [], value)
        else:  # appended: APPEND, and BY_ID's lists this buildx does not merge by identity
            merged[key] = dedupe([*(merged.get(key) or []), *value])
    return merged


def merge_blocks(first: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """Two blocks of one target (two files, or a name declared twice) as one block that
    resolves to what bake makes of them: later attributes replace, maps merge key by key,
    ``inherits`` and the appended lists grow. Where a side is an expression (``tags =
    TAGS``), the result is an expression too: ``concat(...)`` or ``merge(...)``."""
    merged = dict(first)
    for key, value in later.items():
        if key == "inherits" or key in APPEND or key in BY_ID:
            merged[key] = _appended(merged.get(key), value)
        elif key in MAP_MERGE:
            merged[key] = _map_merged(merged.get(key), value)
        elif value is not None or key not in merged:
            merged[key] = value
    return merged


def _appended(base: Any, extra: Any) -> Any:
    if base is None:
        return extra
    if extra is None:
        return base
    if isinstance(base, list) and isinstance(extra, list):
        return [*base, *extra]
    return "${concat(" + hcl_expression(base) + ", " + hcl_expression(extra) + ")}"


def _map_merged(base: Any, extra: Any) -> Any:
    if base is None:
        return extra
    if extra is None:
        return base
    if isinstance(base, dict) and isinstance(extra, dict):
        current = dict(base)
        for name, item in extra.items():
            if item is None and name in current:
                continue  # a null never deletes an earlier key
            current[name] = item
        return current
    return "${merge(" + hcl_expression(base) + ", " + hcl_expression(extra) + ")}"
