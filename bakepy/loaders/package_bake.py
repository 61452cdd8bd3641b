"""A package's bake and compose files as addressed resources: in a repository, the blocks a
bake file declares and the targets a compose file's builds make are the package's, so they
get addresses (``services/web:app``) and bake names that never meet another package's."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from bakepy.models.bake.definition import NativeBake
from bakepy.models.resource import Resource
from bakepy.project import BakeFile
from bakepy.resolution.bake.typed import resources_from_bake

_BLOCKS = {"Target": "target", "Group": "group", "Variable": "variable", "Function": "function"}
"""The bake block type of each resource kind a bake file declares."""


def package_bake_resources(files: Sequence[BakeFile]) -> list[Resource]:
    """The resources the bake files of one package declare (merged in order, as bake merges
    several ``-f`` files), each remembering the file and line of its block."""
    if not files:
        return []
    merged = functools.reduce(NativeBake.merged_with, [file.native for file in files])
    resources = resources_from_bake(merged)
    for resource in resources:
        block = _BLOCKS.get(resource.KIND)
        where = merged.location_of(block, resource.name) if block else None
        if where is not None and where.file is not None:
            resource.set_source(str(where.file), where.line or 1)
        else:
            resource.set_source(str(files[0].path), 1)
    return resources
