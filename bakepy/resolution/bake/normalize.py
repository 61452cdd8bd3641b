"""What buildx does to a merged target before ``--print`` shows it.

``Target.normalize``: list attributes lose their empty entries (``cond ? "x" : ""``) and later
duplicates, attestations keep one entry per type (a later one in the earlier one's place),
named contexts with an empty value go. Then ``toBuildOpt`` cleans the context path the way Go's
``path.Clean`` does (``./web`` prints as ``web``, ``./`` as ``.``), unless it is a remote
URL or a ``cwd://`` path.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from typing import Any

from bakepy.models.bake.csv_attrs import parse_csv_attrs

REMOVE_DUPES = (
    "annotations",
    "tags",
    "secret",
    "ssh",
    "platforms",
    "cache-from",
    "cache-to",
    "output",
    "no-cache-filter",
    "ulimits",
    "entitlements",
)
"""The list attributes buildx's ``removeDupes`` cleans."""

_REMOVE_DUPES = frozenset(REMOVE_DUPES)
_SCHEME = re.compile(r"^[a-zA-Z0-9]+://")
_SCP = re.compile(r"^[a-zA-Z0-9_-]+@[a-zA-Z0-9.-]+:.*$")
_GIT_SCHEMES = frozenset({"http", "https", "ssh", "git"})


def _marker(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def remove_dupes(values: list[Any]) -> list[Any]:
    """Drop empty strings and later duplicates, keeping order (buildx's ``removeDupes``)."""
    if len(values) == 1:  # most lists of a monorepo's targets (a tag, a cache): no set
        value = values[0]
        return [] if value == "" or value is None else [value]
    seen: set[str] = set()
    out: list[Any] = []
    for value in values:
        if value == "" or value is None:
            continue
        marker = value if type(value) is str else _marker(value)
        if marker not in seen:
            seen.add(marker)
            out.append(value)
    return out


def remove_attest_dupes(values: list[Any]) -> list[Any]:
    """One attestation per type: a later entry replaces the earlier one in its place; an entry
    that does not parse is kept as it is (buildx's ``removeAttestDupes``)."""
    out: list[Any] = []
    position: dict[str, int] = {}
    for value in values:
        kind = _attest_type(value)
        if kind is None:
            out.append(value)
        elif kind in position:
            out[position[kind]] = value
        else:
            position[kind] = len(out)
            out.append(value)
    return out


def _attest_type(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
        return str(kind) if kind else None
    if not isinstance(value, str):
        return None
    try:
        pairs = dict(parse_csv_attrs(value))
    except ValueError:
        return None
    kind = pairs.get("type")
    return kind if kind else None


def go_clean(path: str) -> str:
    """Go's ``path.Clean``: the shortest path naming the same place, lexically. That is
    POSIX's ``normpath`` (in C: a resolve cleans every target's context), but for a path that
    starts with exactly two slashes, which POSIX keeps and Go makes one."""
    if not path.startswith("//") or path.startswith("///"):
        return posixpath.normpath(path)
    return clean_parts(path)


def clean_parts(path: str) -> str:
    """Go's ``path.Clean`` rules applied part by part (what ``go_clean`` gives for any path)."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def is_remote(context: str) -> bool:
    """Whether buildx takes ``context`` as a URL: http(s), or a git reference it can parse."""
    if context.startswith(("http://", "https://")):
        return True
    if context.startswith("github.com/"):
        return True
    scheme = _SCHEME.match(context)
    if scheme:
        name = scheme.group(0)[:-3].lower()
        return name in _GIT_SCHEMES and (name in ("ssh", "git") or _git_path(context))
    if _SCP.match(context):
        return True
    return ".git" in context and _git_path("https://" + context)  # it ends a git URL's path


def _git_path(url: str) -> bool:
    """An http(s) git URL must end in ``.git`` (before any ``#fragment`` or query)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    rest = path.split("://", 1)[-1]
    return "/" in rest and rest.partition("/")[2].endswith(".git")


def clean_context(context: str) -> str:
    """The context as ``--print`` shows it."""
    if ":" not in context and ".git" not in context and not context.startswith("github.com/"):
        return go_clean(context)  # a local path (most): no URL or git reference is without these
    if context.startswith("cwd://") or is_remote(context):
        return context
    return go_clean(context)


def normalize_target(target: dict[str, Any]) -> dict[str, Any]:
    """``target`` as buildx normalizes it (a new dict; lists cleaned, empty contexts gone)."""
    out = dict(target)
    normalize_in_place(out)
    return out


def normalize_in_place(target: dict[str, Any]) -> None:
    """``normalize_target`` on a dict the caller owns (no copy: a resolve makes one per
    target already)."""
    for key in _NORMALIZED_KEYS.intersection(target):
        target[key] = NORMALIZED[key](target[key])


def _deduped(values: Any) -> Any:
    return remove_dupes(values) if isinstance(values, list) else values


def _attests_deduped(values: Any) -> Any:
    return remove_attest_dupes(values) if isinstance(values, list) else values


def _contexts_set(contexts: Any) -> Any:
    if not isinstance(contexts, dict):
        return contexts
    return {name: value for name, value in contexts.items() if value != ""}


def _context_cleaned(context: Any) -> Any:
    return clean_context(context) if isinstance(context, str) else context


NORMALIZED: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(REMOVE_DUPES, _deduped),
    "attest": _attests_deduped,
    "contexts": _contexts_set,
    "context": _context_cleaned,
}
"""What buildx's normalization makes of an attribute's value, for each attribute it changes
(each on its own: a resolve applies them in the pass that puts a target in print order)."""
_NORMALIZED_KEYS = frozenset(NORMALIZED)
