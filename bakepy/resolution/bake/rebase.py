"""Rewrite the paths of a bake file read from disk so they hold where it is written again.

bake resolves relative paths against the folder it runs in; a file read there and rendered
into another folder needs its context, named contexts, secret files, SSH keys, local outputs
and local caches rewritten. Values that are templates (``${...}``) are left as written.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bakepy.models.bake.definition import NativeBake, NativeTarget
from bakepy.resolution.bake.relocate import Relocation


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "${" not in value and "%{" not in value


def rebase_target(block: NativeTarget, base: Path, out_dir: Path) -> NativeTarget:
    """One target block with its local paths (literal or templated) seen from ``out_dir``."""
    moving = Relocation(base, out_dir)
    out = dict(block)
    if isinstance(out.get("context"), str):
        out["context"] = moving.path(out["context"], keep_empty=False)
    if isinstance(out.get("contexts"), dict):
        out["contexts"] = {key: moving.context(value) for key, value in out["contexts"].items()}
    for key in ("secret", "ssh", "output", "cache-from", "cache-to"):
        if key in out:
            out[key] = moving.entries(key, out[key])
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
    native = _with_default_contexts(native)
    return dataclasses.replace(
        native,
        targets={name: rebase_target(b, base, out_dir) for name, b in native.targets.items()},
        repeated_targets=[(n, rebase_target(b, base, out_dir)) for n, b in native.repeated_targets],
    )
