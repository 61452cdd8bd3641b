"""Rewrite the paths of a bake file read from disk so they hold where it is written again.

bake resolves relative paths against the folder it runs in; a file read there and rendered
into another folder needs its context, named contexts, secret files, SSH keys, local outputs
and local caches rewritten. Values that are templates (``${...}``) are left as written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bakepy.models.bake.contexts import parse_build_context
from bakepy.models.bake.definition import NativeBake, NativeTarget
from bakepy.models.bake.values import SSH, Cache, Output, Secret
from bakepy.resolution.bake.paths import (
    PathMapper,
    map_cache,
    map_context,
    map_output,
    map_secret,
    map_ssh,
)

_LIST_MAPPERS: dict[str, tuple[type[BaseModel], Callable[..., str]]] = {
    "secret": (Secret, map_secret),
    "ssh": (SSH, map_ssh),
    "output": (Output, map_output),
    "cache-from": (Cache, map_cache),
    "cache-to": (Cache, map_cache),
}


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "${" not in value and "%{" not in value


def _map_entry(
    entry: Any, model: type[BaseModel], mapper: Callable[..., str], base: Path, paths: PathMapper
) -> Any:
    if not _literal(entry):
        return entry
    try:
        return mapper(model.model_validate(entry), base, paths)
    except ValidationError:
        return entry  # not a form bakepy types; buildx will judge it


def rebase_target(block: NativeTarget, base: Path, paths: PathMapper) -> NativeTarget:
    """One target block with its local paths seen from ``paths.out_dir``."""
    out = dict(block)
    if _literal(out.get("context")):
        out["context"] = paths.map(out["context"], base)
    if isinstance(out.get("contexts"), dict):
        out["contexts"] = {
            key: map_context(parse_build_context(value), base, paths) if _literal(value) else value
            for key, value in out["contexts"].items()
        }
    for key, (model, mapper) in _LIST_MAPPERS.items():
        if isinstance(out.get(key), list):
            out[key] = [_map_entry(entry, model, mapper, base, paths) for entry in out[key]]
    return out


_UNKNOWN = object()
"""A context that cannot be told before evaluation (inherits from a templated or generated name)."""


def _with_default_contexts(native: NativeBake) -> NativeBake:
    """``native`` with ``context = "."`` written into every target that builds the folder bake
    runs in without saying so (no context of its own or inherited), so rebasing can point it
    there. Where that would change what a child inherits (it inherits from two parents, the
    earlier one with a context), the child gets its inherited context written too."""
    blocks: dict[str, list[NativeTarget]] = {}
    for name, block in [*native.targets.items(), *native.repeated_targets]:
        blocks.setdefault(name, []).append(block)

    def effective(name: str, written: dict[str, Any], stack: tuple[str, ...]) -> Any:
        if name in written:
            return written[name]
        own = [b["context"] for b in blocks[name] if b.get("context") is not None]
        if own:
            return own[-1]
        found: Any = None
        for block in blocks[name]:
            parents = block.get("inherits") or []
            if not isinstance(parents, list) or not all(_literal(p) for p in parents):
                return _UNKNOWN
            for parent in parents:
                if parent not in blocks:
                    return _UNKNOWN
                if parent not in stack:
                    value = effective(parent, written, (*stack, name))
                    if value is _UNKNOWN:
                        return _UNKNOWN
                    found = value if value is not None else found
        return found

    before = {name: effective(name, {}, ()) for name in blocks}
    written: dict[str, Any] = {name: "." for name, value in before.items() if value is None}
    changed = True
    while changed:
        changed = False
        for name, value in before.items():
            settled = name in written or value is _UNKNOWN
            if not settled and effective(name, written, ()) != value:
                written[name] = value
                changed = True
    if not written:
        return native
    return dataclasses.replace(
        native,
        targets={
            name: {**block, "context": written[name]} if name in written else block
            for name, block in native.targets.items()
        },
    )


def rebase(native: NativeBake, base: Path, out_dir: Path) -> NativeBake:
    """``native`` (read in ``base``) with its paths rewritten for a file in ``out_dir``,
    including the context bake takes by default: the folder it runs in."""
    if base.resolve() == out_dir.resolve():
        return native
    paths = PathMapper(out_dir.resolve())
    native = _with_default_contexts(native)
    return dataclasses.replace(
        native,
        targets={name: rebase_target(b, base, paths) for name, b in native.targets.items()},
        repeated_targets=[(n, rebase_target(b, base, paths)) for n, b in native.repeated_targets],
    )
