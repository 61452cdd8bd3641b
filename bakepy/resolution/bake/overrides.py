"""``--set`` overrides as bake applies them: ``pattern.key[.name][+]=value``.

An override applies to every target whose name matches the glob pattern, when that target is
resolved; since a child's parents are resolved the same way, ``--set base.args.X=1`` reaches
the targets inheriting ``base``, as in buildx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from bakepy.errors import OverrideError, SelectionError
from bakepy.models.bake.csv_attrs import format_csv_attrs, parse_csv_attrs
from bakepy.support.gomatch import path_match

MAP_KEYS = {
    "args": "args",
    "labels": "labels",
    "contexts": "contexts",
    "extra-hosts": "extra-hosts",
}
LIST_KEYS = {
    "tags": "tags",
    "platform": "platforms",
    "secrets": "secret",
    "ssh": "ssh",
    "output": "output",
    "cache-from": "cache-from",
    "cache-to": "cache-to",
    "annotations": "annotations",
    "attest": "attest",
    "entitlements": "entitlements",
    "no-cache-filter": "no-cache-filter",
    "ulimits": "ulimits",
}
ALWAYS_APPEND = frozenset({"annotations", "attest", "entitlements"})
SCALAR_KEYS = frozenset({"context", "dockerfile", "target", "shm-size", "network", "call"})
BOOL_KEYS = frozenset({"no-cache", "pull", "push", "load"})


class Override(NamedTuple):
    """One ``--set``: which targets, which attribute (and map key), the value, append or not."""

    pattern: str
    key: str
    name: str | None
    value: str | None
    append: bool

    @classmethod
    def parse(cls, text: str) -> Override:
        """``pattern.key[.name][+]=value``; for ``args.NAME`` the value may be left out."""
        left, sep, value = text.partition("=")
        append = left.endswith("+")
        left = left.removesuffix("+")
        pattern, dot, rest = left.partition(".")
        if not dot or not pattern or not rest:
            raise OverrideError(f"invalid override {text!r}: expected pattern.key=value")
        key, _, name = rest.partition(".")
        if key in MAP_KEYS:
            if not name:
                raise OverrideError(f"invalid override {text!r}: {key} needs a name ({key}.NAME)")
        elif name:
            raise OverrideError(f"invalid override {text!r}: {key} takes no .name")
        elif key not in LIST_KEYS and key not in SCALAR_KEYS and key not in BOOL_KEYS:
            raise OverrideError(f"unknown key: {key}", hint="see bake's --set keys")
        if append and key not in LIST_KEYS:
            raise OverrideError(f"invalid override {text!r}: only list keys take +=")
        if not sep and key != "args":
            raise OverrideError(f"invalid override {text!r}: {key} needs a value")
        return cls(pattern, key, name or None, value if sep else None, append)

    def matches(self, target: str) -> bool:
        """Whether this override applies to ``target``: its name, or a Go ``path.Match``
        glob (``[^a]*``; ``!`` is no negation); an OverrideError for a malformed one."""
        if target == self.pattern:
            return True
        try:
            return path_match(self.pattern, target)
        except ValueError as exc:
            raise OverrideError(f"could not match targets with {self.pattern!r}: {exc}") from None


def check_patterns(overrides: Sequence[Override], targets: Iterable[str]) -> None:
    """Every pattern must match some target, as buildx requires."""
    names = list(targets)
    for override in overrides:
        if not any(override.matches(name) for name in names):
            raise SelectionError(f"could not find any target matching {override.pattern!r}")


def _bool(override: Override) -> bool:
    value = (override.value or "").lower()
    if value not in ("true", "false", "1", "0"):
        raise OverrideError(f"invalid value {override.value!r} for {override.key}: need a bool")
    return value in ("true", "1")


def _with_option(entry: str, key: str, value: str) -> str:
    pairs = [(k, v) for k, v in parse_csv_attrs(entry) if k != key]
    return format_csv_attrs([*pairs, (key, value)])


def _push_or_load(target: dict[str, Any], override: Override) -> None:
    """``push``/``load``: touch only image, registry and docker outputs (newer buildx's rule)."""
    if not _bool(override):
        return
    outputs = list(target.get("output") or [])
    kinds = [dict(parse_csv_attrs(o)).get("type") for o in outputs]
    if override.key == "push":
        if not outputs:
            outputs = ["type=image,push=true"]
        else:
            outputs = [
                _with_option(o, "push", "true") if kind == "image" else o
                for o, kind in zip(outputs, kinds, strict=True)
            ]
    elif "docker" not in kinds:
        outputs = [
            o for o, kind in zip(outputs, kinds, strict=True) if kind not in ("image", "registry")
        ]
        outputs.append("type=docker")
    target["output"] = outputs


def apply_overrides(
    name: str,
    target: dict[str, Any],
    overrides: Sequence[Override],
    env: Mapping[str, str],
) -> dict[str, Any]:
    """``target`` (named ``name``) with every matching override applied, in order."""
    result = dict(target)
    replaced: set[str] = set()
    for override in (o for o in overrides if o.matches(name)):
        key = override.key
        if key in MAP_KEYS:
            attribute = MAP_KEYS[key]
            value = override.value
            if value is None:  # args.NAME without a value: take it from the environment
                if override.name not in env:
                    continue
                value = env[str(override.name)]
            result[attribute] = {**(result.get(attribute) or {}), str(override.name): value}
        elif key in LIST_KEYS:
            attribute = LIST_KEYS[key]
            current = list(result.get(attribute) or [])
            if override.append or key in ALWAYS_APPEND or attribute in replaced:
                current.append(override.value)
            else:
                current = [override.value]
            replaced.add(attribute)
            result[attribute] = current
        elif key in ("push", "load"):
            _push_or_load(result, override)
        elif key in BOOL_KEYS:
            result[key] = _bool(override)
        else:
            result[key] = override.value
    return result
