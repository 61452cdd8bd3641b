"""Bake files (native form) into typed resources, with references as objects.

``inherits`` and ``target:`` contexts become the Target objects they name; groups hold their
member objects. A value bakepy cannot type without changing its meaning (a list attribute set
by one expression, e.g. ``platforms = PLATFORMS``) is an error naming target and attribute.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import ImportDefinitionError, Location
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import (
    Function,
    FunctionSpec,
    Group,
    GroupSpec,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.models.resource import Resource
from bakepy.resolution.bake.coerce import LISTS


def _target_spec(name: str, block: dict[str, Any], where: Location | None) -> TargetSpec:
    for key, value in block.items():
        if key in LISTS and isinstance(value, str):
            raise ImportDefinitionError(
                f"target {name!r}: {key} is one expression ({value}); bakepy needs a list here",
                where,
                hint=f"write {key} as a list, e.g. [{value!r}] if it yields one item",
            )
    try:
        return TargetSpec.model_validate(block)
    except PydanticValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(p) for p in first["loc"])
        raise ImportDefinitionError(f"target {name!r}: {path}: {first['msg']}", where) from None


def _ordered_targets(native: NativeBake) -> list[str]:
    """Target names with every target after the ones it inherits or links (stable)."""
    blocks = dict(native.targets)
    for name, block in native.repeated_targets:
        blocks[name] = {**blocks[name], **block}
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name not in blocks or name in visiting:
            return
        visiting.add(name)
        block = blocks[name]
        for parent in block.get("inherits", []):
            visit(str(parent))
        for value in (block.get("contexts") or {}).values():
            if isinstance(value, str) and value.startswith("target:"):
                visit(value.removeprefix("target:"))
        visiting.discard(name)
        done.append(name)

    for name in blocks:
        visit(name)
    return done


def resources_from_bake(native: NativeBake) -> list[Resource]:
    """Variables, functions, targets (parents first) and groups declared by ``native``."""
    if native.attributes:
        names = ", ".join(sorted(native.attributes))
        raise ImportDefinitionError(
            f"top-level attributes ({names}) have no bakepy equivalent",
            hint="turn them into variables with defaults",
        )
    resources: list[Resource] = [
        Variable(metadata=name, spec=VariableSpec.model_validate(block))
        for name, block in native.variables.items()
    ]
    resources += [
        Function(metadata=name, spec=FunctionSpec.model_validate(block))
        for name, block in native.functions.items()
    ]
    if native.repeated_targets:
        repeated = sorted({name for name, _ in native.repeated_targets})
        raise ImportDefinitionError(
            f"targets declared more than once ({', '.join(repeated)}) cannot be imported",
            hint="merge the blocks into one per target first",
        )
    targets: dict[str, Target] = {}
    for name in _ordered_targets(native):
        spec = _target_spec(name, native.targets[name], native.locations.get(("target", name)))
        if spec.inherits:
            spec.inherits = [targets.get(str(p), p) for p in spec.inherits]
        for context in spec.contexts.values():
            if isinstance(context, TargetContext) and context.target_name in targets:
                context.target = targets[context.target_name]
        targets[name] = Target(metadata=name, spec=spec)
    resources += targets.values()
    groups: dict[str, Group] = {}
    for name, block in native.groups.items():
        group_spec = GroupSpec.model_validate(block)
        group_spec.targets = [
            targets.get(m) or groups.get(m) or m if isinstance(m, str) else m
            for m in group_spec.targets
        ]
        groups[name] = Group(metadata=name, spec=group_spec)
    resources += groups.values()
    return resources
