"""``bakepy affected``: the targets whose inputs changed since a git revision.

Changed files (git) touch the targets that read them (``resolution.affected``). When a
definition file changed (Python, YAML, a bake or compose file, settings), the tree at the
revision is unpacked and loaded as the working tree is, and every target whose definition
(what ``print`` shows for it, and the Dockerfile bakepy renders for it) differs is affected
too. Dependents then add the targets that use an affected target's result and the compose
services that build from one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bakepy.api.definitions import load_for
from bakepy.engine.git import changed_files, toplevel, unpack_revision
from bakepy.errors import BakepyError
from bakepy.generators.definition import bake_definition
from bakepy.loaders import load
from bakepy.loaders.packages import load_packages
from bakepy.loaders.repository import Repository, discover_packages, find_repository
from bakepy.models.bake.targets import Target
from bakepy.models.resource import Resource, ResourceRef
from bakepy.models.toolchain import NO_LIMITS, Toolchain
from bakepy.project import Project
from bakepy.resolution.affected import (
    Affected,
    Dependents,
    Snapshot,
    TargetInputs,
    might_define,
    target_inputs,
    touched,
)
from bakepy.resolution.bake.evaluate import resolve_bake


def definitions(project: Project, root: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """Every target as ``print`` resolves it (paths from ``root``), with the Dockerfile bakepy
    renders for it: what a definition change is measured on."""
    native = bake_definition(project, root)
    resolved = resolve_bake(native, (), env, everything=True).targets
    result: dict[str, Any] = {name: dict(target) for name, target in resolved.items()}
    for target in project.targets:
        dockerfile = target.spec.dockerfile
        if isinstance(dockerfile, Resource) and target.name in result:
            result[target.name]["__dockerfile__"] = dockerfile.model_dump(mode="json")
    return result


def _before(
    project: Project,
    root: Path,
    since: str,
    work_tree: Path,
    files: Sequence[Path],
    env: Mapping[str, str],
) -> dict[str, Any]:
    """Every target's definition as it was at ``since``: the tree there unpacked (its
    definition files first, which is all loading needs but for what a definition reads
    besides, e.g. a compose ``env_file``; the whole tree when that is not enough) and loaded
    as the working tree is; empty when it does not load there (everything counts changed)."""
    for keep in (might_define, None):
        with tempfile.TemporaryDirectory(prefix="bakepy-affected-") as scratch:
            unpack_revision(work_tree, since, Path(scratch), keep)
            then_root = Path(scratch) / root.relative_to(work_tree)
            try:
                then = _load_then(project, root, then_root, files)
                return definitions(then, then_root, env)
            except BakepyError:
                continue
    return {}


def _load_then(project: Project, root: Path, then_root: Path, files: Sequence[Path]) -> Project:
    """The project in ``then_root`` (an unpacked tree), loaded as ``project`` was in ``root``."""
    if project.home_package is not None:
        repository = find_repository(root) or Repository(root)
        mirror = Repository(then_root, repository.config)
        return load_packages(mirror, discover_packages(mirror))
    paths = [then_root / f.resolve().relative_to(root) for f in files] or [then_root]
    return load(paths)


def affected(
    since: str,
    files: Sequence[Path | str] = (),
    names: Sequence[str] = (),
    *,
    dependents: Dependents = "transitive",
    env: Mapping[str, str] | None = None,
    toolchain: Toolchain = NO_LIMITS,
) -> list[Affected]:
    """The targets (and compose services, with dependents) whose inputs differ between the
    git revision ``since`` and the working tree; the whole repository unless ``files`` or
    ``names`` (address specs) say which part."""
    found, snapshot = affected_and_snapshot(since, files, names, env=env, toolchain=toolchain)
    return snapshot.report(found, dependents)


def affected_and_snapshot(
    since: str,
    files: Sequence[Path | str] = (),
    names: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    toolchain: Toolchain = NO_LIMITS,
) -> tuple[dict[str, str], Snapshot]:
    """The directly affected targets (name -> reason) and the repository's snapshot, which a
    cache may keep to answer the next question without loading (``bakepy affected`` does)."""
    env = dict(env or {})
    in_repository = find_repository(Path(files[0]) if files else None) is not None
    project = load_for(files, names or (["::"] if in_repository else []), toolchain)
    root = project.base_dir.resolve()
    work_tree = toplevel(root)
    changed = [work_tree / name for name in changed_files(root, since)]
    now = definitions(project, root, env)
    snapshot = _snapshot(project, root, now)
    found = touched(snapshot.targets.values(), changed, root)
    if any(might_define(path.name) for path in changed):
        before = _before(project, root, since, work_tree, [Path(f) for f in files], env)
        for name, definition in now.items():
            if name not in found and before.get(name) != definition:
                found[name] = "new target" if name not in before else "definition changed"
    return found, snapshot


def _snapshot(project: Project, root: Path, now: Mapping[str, Any]) -> Snapshot:
    by_name = {t.name: t for t in project.targets}
    targets: dict[str, TargetInputs] = {}
    for name, target in now.items():
        inputs = target_inputs(name, target, root)
        resource = by_name.get(name)
        inputs.address = str(project.address_of(resource)) if resource is not None else ""
        targets[name] = inputs
    return Snapshot(root, targets, _services(project))


def _services(project: Project) -> list[tuple[str, str, str]]:
    """(address, service, target) of each compose service that builds from a target."""
    found: list[tuple[str, str, str]] = []
    for resource in project:
        if resource.KIND != "ComposeProject":
            continue
        services = getattr(getattr(resource, "spec", None), "services", None) or {}
        for service_name, service in sorted(services.items()):
            build = getattr(service, "build", None)
            if isinstance(build, Target | ResourceRef):
                address = f"{project.address_of(resource)}/{service_name}"
                found.append((address, service_name, build.name))
    return found
