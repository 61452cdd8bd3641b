"""Bake files (native form) into typed resources, with references as objects: what
``bakepy import`` writes, and how a repository package's bake and compose files get addresses.

``inherits`` and ``target:`` contexts become the Target objects they name; groups hold their
member objects. A target declared in several files (or twice) becomes one Target whose
attributes bake merges to the same thing; a value bakepy cannot type (``platforms =
PLATFORMS``, ``tags = tags_for("api")``) stays the expression it is; top-level attributes
become Attribute resources.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import ImportDefinitionError, Location
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import (
    Attribute,
    AttributeSpec,
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
from bakepy.models.validation_errors import convert_validation_error
from bakepy.resolution.bake.merge import merge_blocks


def _target_spec(name: str, block: dict[str, Any], where: Location | None) -> TargetSpec:
    """The typed spec of target ``name``; the first value bakepy cannot type is an error that
    names the attribute (pydantic's union branches left out)."""
    try:
        return TargetSpec.model_validate(block)
    except PydanticValidationError as exc:
        first = convert_validation_error(
            exc,
            file=str(where.file) if where and where.file else None,
            resource=where.resource if where and where.resource else f"target {name!r}",
            default_line=where.line if where else None,
        ).diagnostics[0]
        raise ImportDefinitionError(first.message, first.location) from None


def merged_targets(native: NativeBake) -> dict[str, dict[str, Any]]:
    """One block per target name: the repeated blocks merged in order, as bake merges them."""
    blocks = dict(native.targets)
    for name, block in native.repeated_targets:
        blocks[name] = merge_blocks(blocks[name], block)
    return blocks


def _ordered_targets(blocks: dict[str, dict[str, Any]]) -> list[str]:
    """Target names with every target after the ones it inherits or links (stable)."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name not in blocks or name in visiting:
            return
        visiting.add(name)
        block = blocks[name]
        parents = block.get("inherits")
        for parent in parents if isinstance(parents, list) else []:
            visit(str(parent))
        contexts = block.get("contexts")
        for value in (contexts if isinstance(contexts, dict) else {}).values():
            if isinstance(value, str) and value.startswith("target:"):
                visit(value.removeprefix("target:"))
        visiting.discard(name)
        done.append(name)

    for name in blocks:
        visit(name)
    return done


def resources_from_bake(native: NativeBake) -> list[Resource]:
    """Attributes, variables, functions, targets (parents first) and groups of ``native``."""
    resources: list[Resource] = [
        Attribute(metadata=name, spec=AttributeSpec(value=value))
        for name, value in native.attributes.items()
    ]
    resources += [
        Variable(metadata=name, spec=VariableSpec.model_validate(block))
        for name, block in native.variables.items()
    ]
    resources += [
        Function(metadata=name, spec=FunctionSpec.model_validate(block))
        for name, block in native.functions.items()
    ]
    blocks = merged_targets(native)
    targets: dict[str, Target] = {}
    for name in _ordered_targets(blocks):
        spec = _target_spec(name, blocks[name], native.locations.get(("target", name)))
        if isinstance(spec.inherits, list):
            spec.inherits = [targets.get(str(p), p) for p in spec.inherits]
        for context in spec.named_contexts.values():
            if isinstance(context, TargetContext) and context.target_name in targets:
                context.target = targets[context.target_name]
        targets[name] = Target(metadata=name, spec=spec)
    resources += targets.values()
    groups: dict[str, Group] = {}
    for name, block in native.groups.items():
        group_spec = GroupSpec.model_validate(block)
        if isinstance(group_spec.targets, list):
            group_spec.targets = [
                targets.get(m) or groups.get(m) or m if isinstance(m, str) else m
                for m in group_spec.targets
            ]
        groups[name] = Group(metadata=name, spec=group_spec)
    resources += groups.values()
    return resources
