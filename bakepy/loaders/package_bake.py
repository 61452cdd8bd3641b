"""A package's bake and compose files as addressed resources: in a repository, the blocks a
bake file declares and the targets a compose file's builds make are the package's, so they
get addresses (``services/web:app``) and bake names that never meet another package's."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import TargetSpec
from bakepy.models.resource import Resource
from bakepy.project import BakeFile
from bakepy.resolution.bake.typed import resources_from_bake

_BLOCKS = {"Target": "target", "Group": "group", "Variable": "variable", "Function": "function"}
"""The bake block type of each resource kind a bake file declares."""
_TARGET_FIELDS = {str(field.alias or name): name for name, field in TargetSpec.model_fields.items()}
"""A target attribute as bake spells it (``cache-from``) to the spec's field (``cache_from``)."""


def package_bake_resources(files: Sequence[BakeFile]) -> list[Resource]:
    """The resources the bake files of one package declare (merged in order, as bake merges
    several ``-f`` files), each remembering the file and line of its block."""
    if not files:
        return []
    merged = functools.reduce(NativeBake.merged_with, [file.native for file in files])
    resources = resources_from_bake(merged)
    lines_by_block = _field_lines(merged)
    for resource in resources:
        block = _BLOCKS.get(resource.KIND)
        where = merged.location_of(block, resource.name) if block else None
        if where is not None and where.file is not None:
            lines = lines_by_block.get((block or "", resource.name), {})
            resource.set_source(str(where.file), where.line or 1, lines)
        else:
            resource.set_source(str(files[0].path), 1)
    return resources


FieldLines = dict[tuple[str | int, ...], int]
"""The line of each attribute of a block, by the resource's field path
(``("spec", "cache_from")``)."""


def _field_lines(native: NativeBake) -> dict[tuple[str, str], FieldLines]:
    """Each block's ``FieldLines``, by block type and name, so that an error about a value
    names the value's line (one pass over the file's attributes, not one per block)."""
    found: dict[tuple[str, str], FieldLines] = {}
    for (block, name, attribute), where in native.attribute_locations.items():
        if where.line is None or "." in attribute:
            continue
        field = _TARGET_FIELDS.get(attribute, attribute) if block == "target" else attribute
        found.setdefault((block, name), {})[("spec", field)] = where.line
    return found
