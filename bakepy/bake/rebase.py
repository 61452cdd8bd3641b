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

from bakepy.bake.definition import NativeBake, NativeTarget
from bakepy.bake.native import lower_project
from bakepy.bake.paths import (
    PathMapper,
    map_cache,
    map_context,
    map_output,
    map_secret,
    map_ssh,
)
from bakepy.models.build_contexts import parse_build_context
from bakepy.models.build_values import SSH, Cache, Output, Secret
from bakepy.models.dockerfile import Dockerfile
from bakepy.project import Project

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


def rebase(native: NativeBake, base: Path, out_dir: Path) -> NativeBake:
    """``native`` (read in ``base``) with its paths rewritten for a file in ``out_dir``."""
    if base.resolve() == out_dir.resolve():
        return native
    paths = PathMapper(out_dir.resolve())
    return dataclasses.replace(
        native,
        targets={name: rebase_target(b, base, paths) for name, b in native.targets.items()},
        repeated_targets=[(n, rebase_target(b, base, paths)) for n, b in native.repeated_targets],
    )


def project_definition(
    project: Project, out_dir: Path, render_dockerfile: Callable[[Dockerfile], str]
) -> NativeBake:
    """The project's whole bake definition as seen from ``out_dir``: its declared resources,
    then every bake file it read, merged in order as bake merges several ``-f`` files."""
    native = lower_project(project, out_dir, render_dockerfile)
    for file in project.bake_files:
        native = native.merged_with(rebase(file.native, file.base_dir, out_dir))
    return native
