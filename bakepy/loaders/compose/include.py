"""The include phase: other compose files whose services, networks, volumes, configs and secrets
join the project, as compose's ``include`` does.

An entry is a path or ``{path, env_file, project_directory}``; paths are relative to the
including file's folder. The included file is loaded on its own (its own ``.env`` in its
project directory unless ``env_file`` names files; the including project's variables win),
with its own includes and extends, and its relative paths resolve against its project
directory (default: its folder). A resource defined on both sides differently is an error.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import FieldPath
from bakepy.interpolation.environment import read_env_file
from bakepy.loaders.compose.paths import rebase_entry, rebase_service
from bakepy.loaders.compose.raw import LoadContext, RawModel
from bakepy.support.files import is_file

ModelLoader = Callable[[list[Path], Path, Mapping[str, str], LoadContext], RawModel]
RESOURCES = ("services", "volumes", "networks", "secrets", "configs")


def _strings(raw: RawModel, value: Any, where: FieldPath) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise raw.error("must be a path or a list of paths", where)
    return items


def _entry(raw: RawModel, item: Any, where: FieldPath) -> dict[str, Any]:
    entry = {"path": item} if isinstance(item, str) else item
    if not isinstance(entry, dict) or "path" not in entry:
        raise raw.error("an include entry is a path or {path, env_file, project_directory}", where)
    unknown = sorted(set(entry) - {"path", "env_file", "project_directory"})
    if unknown:
        raise raw.error(f"include has no attribute {unknown[0]!r}", (*where, unknown[0]))
    return entry


def _environment(
    raw: RawModel,
    entry: dict[str, Any],
    where: FieldPath,
    project_dir: Path,
    env: Mapping[str, str],
) -> dict[str, str]:
    """The included project's variables: the including project's, over its env files."""
    if "env_file" in entry:
        files = [raw.directory / f for f in _strings(raw, entry["env_file"], (*where, "env_file"))]
        for file in files:
            if not is_file(file):
                raise raw.error(f"env file {file} not found", (*where, "env_file"))
    else:
        default = project_dir / ".env"
        files = [default] if is_file(default) else []
    from_files: dict[str, str] = {}
    for file in files:
        from_files.update(read_env_file(file, {**from_files, **env}))
    return {**from_files, **env}


def _import(raw: RawModel, included: RawModel, where: FieldPath) -> None:
    raw.dollars = True  # the included values join raw's, their paths moved to raw's folder
    for kind in RESOURCES:
        source = included.data.get(kind)
        if source is None:
            continue
        if not isinstance(source, dict):
            raise included.error(f"{kind} must be a mapping", (kind,))
        target = raw.data.get(kind)
        if target is None:
            target = raw.data[kind] = {}
        if not isinstance(target, dict):
            raise raw.error(f"{kind} must be a mapping", (kind,))
        for name, value in source.items():
            moved = (
                rebase_service(value, included.directory, raw.directory, fill_context=True)
                if kind == "services"
                else rebase_entry(value, included.directory, raw.directory)
            )
            if name in target:
                if target[name] == moved:
                    continue
                raise raw.error(
                    f"{kind}.{name} conflicts with imported resource",
                    (kind, name),
                    hint=f"{included.files[0]} (include[{where[1]}]) defines it differently",
                )
            target[name] = moved
            raw.origins.graft(included.origins, (kind, name), (kind, name))


def apply_include(
    raw: RawModel, env: Mapping[str, str], ctx: LoadContext, load: ModelLoader
) -> None:
    """Load every ``include`` entry and import its resources into ``raw``."""
    entries = raw.data.pop("include", None)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise raw.error("`include` must be a list", ("include",))
    for index, item in enumerate(copy.deepcopy(entries)):
        where: FieldPath = ("include", index)
        entry = _entry(raw, item, where)
        files = [raw.directory / p for p in _strings(raw, entry["path"], (*where, "path"))]
        directory = entry.get("project_directory")
        if directory is not None and not isinstance(directory, str):
            raise raw.error("project_directory must be a path", (*where, "project_directory"))
        project_dir = raw.directory / directory if directory else files[0].parent
        main = Path(os.path.abspath(files[0]))
        if main in ctx.including:
            chain = " -> ".join(str(p) for p in (*ctx.including, main))
            raise raw.error(f"include cycle detected: {chain}", where)
        for file in files:
            if not is_file(file):
                raise raw.error(f"included file {file} not found", (*where, "path"))
        included_env = _environment(raw, entry, where, project_dir, env)
        nested = LoadContext(ctx.warnings, (*ctx.including, main), ctx.interpolate)
        included = load(files, project_dir, included_env, nested)
        _import(raw, included, where)
