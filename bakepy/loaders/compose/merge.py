"""Compose's merge rules, used by ``extends`` and by several files (or documents) of one project.

Mappings merge key by key with the later (local) value winning; sequences are appended;
scalars are replaced. Some fields have rules of their own, as compose-go's ``override``
package has them: ``environment``, ``labels`` and the like merge as ``KEY=VALUE`` lists (the
later entry of a key wins), ``command``/``entrypoint``/``healthcheck.test`` are replaced, a
``build`` string is a context, ``depends_on`` and ``networks`` lists become mappings first,
``logging`` merges only for the same driver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bakepy.loaders.compose.scalars import go_text
from bakepy.loaders.compose.tags import RESET, Override

Path_ = tuple[str, ...]
Merger = Callable[[Any, Any, Path_, list[Path_]], Any]


def _to_sequence(value: Any) -> list[Any]:
    """A ``KEY=VALUE`` list from a mapping (sorted, as compose-go sorts it) or a list."""
    if isinstance(value, dict):
        entries = [str(k) if v is None else f"{k}={go_text(v)}" for k, v in value.items()]
        return sorted(entries)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return [value]
    return []


def _to_mapping(value: Any, default: dict[str, Any] | None) -> Any:
    if isinstance(value, list):
        return {str(item): (dict(default) if default else None) for item in value}
    return value


def _sequence(base: Any, local: Any, path: Path_, changed: list[Path_]) -> Any:
    return _to_sequence(base) + _to_sequence(local)


def _override(base: Any, local: Any, path: Path_, changed: list[Path_]) -> Any:
    return local


def _build(base: Any, local: Any, path: Path_, changed: list[Path_]) -> Any:
    def as_mapping(value: Any) -> Any:
        return {"context": value} if isinstance(value, str) else value

    return _merge(as_mapping(base), as_mapping(local), path, changed, special=False)


_STARTED = {"condition": "service_started", "required": True}


def _depends_on(base: Any, local: Any, path: Path_, changed: list[Path_]) -> Any:
    right = _to_mapping(local, _STARTED)
    return _merge(_to_mapping(base, _STARTED), right, path, changed, special=False)


def _networks(base: Any, local: Any, path: Path_, changed: list[Path_]) -> Any:
    right = _to_mapping(local, None)
    return _merge(_to_mapping(base, None), right, path, changed, special=False)


def _logging(base: Any, local: Any, path: Path_, changed: list[Path_]) -> Any:
    both = isinstance(base, dict) and isinstance(local, dict)
    if both and "driver" in base and "driver" in local and base["driver"] != local["driver"]:
        return local
    return _merge(base, local, path, changed, special=False)


SPECIAL: dict[str, Merger] = {
    "networks.*.labels": _sequence,
    "volumes.*.labels": _sequence,
    "services.*.annotations": _sequence,
    "services.*.build": _build,
    "services.*.build.args": _sequence,
    "services.*.build.additional_contexts": _sequence,
    "services.*.build.extra_hosts": _sequence,
    "services.*.build.labels": _sequence,
    "services.*.command": _override,
    "services.*.depends_on": _depends_on,
    "services.*.deploy.labels": _sequence,
    "services.*.dns": _sequence,
    "services.*.dns_opt": _sequence,
    "services.*.dns_search": _sequence,
    "services.*.entrypoint": _override,
    "services.*.env_file": _sequence,
    "services.*.environment": _sequence,
    "services.*.extra_hosts": _sequence,
    "services.*.healthcheck.test": _override,
    "services.*.labels": _sequence,
    "services.*.logging": _logging,
    "services.*.networks": _networks,
    "services.*.sysctls": _sequence,
    "services.*.tmpfs": _sequence,
    "services.*.ulimits.*": _override,
}
"""Fields merged by a rule of their own (compose-go's ``override.mergeSpecials``)."""


class MergeError(ValueError):
    """Two definitions of a field that cannot be merged (a mapping over a list, ...)."""


def _matches(path: Path_, pattern: str) -> bool:
    parts = pattern.split(".")
    return len(parts) == len(path) and all(
        p in ("*", segment) for segment, p in zip(path, parts, strict=True)
    )


def _merge(base: Any, local: Any, path: Path_, changed: list[Path_], *, special: bool) -> Any:
    if local is RESET or isinstance(local, Override):
        changed.append(path)
        return local  # !reset drops what is below, !override replaces it (resolved later)
    if base is RESET:
        base = None
    if isinstance(base, Override):
        base = base.value
    if special:
        for pattern, merger in SPECIAL.items():
            if _matches(path, pattern):
                changed.append(path)
                return merger(base, local, path, changed)
    if local is None:
        return base
    if isinstance(base, dict) and isinstance(local, dict):
        merged = dict(base)
        for key, value in local.items():
            if key not in merged or key.startswith("x-"):
                merged[key] = value
            else:
                merged[key] = _merge(merged[key], value, (*path, key), changed, special=True)
        return merged
    if isinstance(base, list) and isinstance(local, list):
        changed.append(path)
        return base + local
    if isinstance(base, dict | list):
        raise MergeError(f"cannot override {'.'.join(path)}")
    return local


def merge_values(base: Any, local: Any, path: Path_ = ()) -> tuple[Any, list[Path_]]:
    """``local`` merged over ``base`` at ``path``, and the paths whose items moved."""
    changed: list[Path_] = []
    return _merge(base, local, path, changed, special=True), changed
