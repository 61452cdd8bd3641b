"""``bakepy affected``: the targets whose inputs changed since a git revision.

Changed files (git) touch the targets that read them (``resolution.affected``). When a
definition file changed (Python, YAML, a bake or compose file, settings), the tree at the
revision is unpacked and loaded as the working tree is, and every target whose definition
(what ``print`` shows for it, and the Dockerfile bakepy renders for it) differs is affected
too. Dependents then add the targets that use an affected target's result and the compose
services that build from one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bakepy.api.definitions import load_for
from bakepy.engine.git import changed_files, toplevel, unpack_revision
from bakepy.errors import BakepyError
from bakepy.generators.definition import bake_definition
from bakepy.loaders import load
from bakepy.loaders.packages import GLOBAL_KINDS, load_packages
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
    packages: set[str] | None = None,
) -> dict[str, Any]:
    """Every target's definition as it was at ``since`` (with ``packages``: only those
    packages', with what they reference and the packages that declare variables, functions
    and attributes): the tree there unpacked (its definition files first, which is all
    loading needs but for what a definition reads besides, e.g. a compose ``env_file``; the
    whole tree when that is not enough) and loaded as the working tree is; empty when it
    does not load there (everything counts changed)."""
    for keep in (_definitions_of(project, root, work_tree, packages), might_define, None):
        with tempfile.TemporaryDirectory(prefix="bakepy-affected-") as scratch:
            unpack_revision(work_tree, since, Path(scratch), keep)
            then_root = Path(scratch) / root.relative_to(work_tree)
            try:
                then = _load_then(project, root, then_root, files, packages)
                return definitions(then, then_root, env)
            except BakepyError:
                continue
    return {}


def _definitions_of(
    project: Project, root: Path, work_tree: Path, packages: set[str] | None
) -> Callable[[str], bool]:
    """Which paths to unpack when only ``packages`` (and those declaring global kinds) are
    loaded as they were: their folders' definition files (a package another references is
    missing then, and the next try unpacks every definition file)."""
    if packages is None:
        return might_define
    wanted = packages | {
        project.address_of(r).package for r in project if isinstance(r, GLOBAL_KINDS)
    }
    base = os.path.relpath(root, work_tree)
    folders = {os.path.normpath(os.path.join(base, p)).replace(os.sep, "/") for p in wanted}
    folders = {"" if folder == "." else folder for folder in folders}
    return lambda path: might_define(path) and path.rpartition("/")[0] in folders


def _load_then(
    project: Project,
    root: Path,
    then_root: Path,
    files: Sequence[Path],
    packages: set[str] | None = None,
) -> Project:
    """The project in ``then_root`` (an unpacked tree), loaded as ``project`` was in ``root``
    (with ``packages``: those of them it has, and those declaring bake's global kinds)."""
    if project.home_package is not None:
        repository = find_repository(root) or Repository(root)
        mirror = Repository(then_root, repository.config)
        found = discover_packages(mirror)
        if packages is not None:
            wanted = packages | {
                project.address_of(r).package for r in project if isinstance(r, GLOBAL_KINDS)
            }
            found = [p for p in found if p.path in wanted]
            if not found:  # the changed packages are new and declare no global
                return Project(base_dir=then_root)
        return load_packages(mirror, found)
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
        packages = changed_packages(project, root, changed)
        then = _before(project, root, since, work_tree, [Path(f) for f in files], env, packages)
        compared = now if packages is None else _in_packages(project, now, packages)
        for name, definition in compared.items():
            if name not in found and then.get(name) != definition:
                found[name] = "new target" if name not in then else "definition changed"
    return found, snapshot


def changed_packages(project: Project, root: Path, changed: Sequence[Path]) -> set[str] | None:
    """The packages whose definitions changed, when the change stays inside them, so that
    only they need loading as they were: each changed definition file is one of a package's
    files (or a dotenv file in its folder) and no other package's definition imported it,
    none of those packages declares a variable, function or attribute (bake has one
    namespace for them: any target may use one), and no target elsewhere inherits from
    theirs; and no target is a matrix (its variants are named apart from its resource).
    None when the whole tree at the revision must be compared."""
    if project.home_package is None or any(t.spec.matrix for t in project.targets):
        return None  # a matrix's variants are no resources: compare the whole tree
    repository = find_repository(root) or Repository(root)
    packages = discover_packages(repository)
    owner_of = {str(file.resolve()): p.path for p in packages for file in p.files}
    folders = {str(p.folder.resolve()): p.path for p in packages}
    imported = {str(Path(file).resolve()) for file in project.imported_files}
    found: set[str] = set()
    for path in changed:
        if not might_define(path.name):
            continue
        where = str(path.resolve())
        dotenv = path.name == ".env" or path.name.startswith(".env.")
        package = owner_of.get(where) or (
            folders.get(str(path.parent.resolve())) if dotenv else None
        )
        if package is None or where in imported:
            return None  # settings, a module beside a definition, a new or removed file
        found.add(package)
    for resource in project:
        if project.address_of(resource).package in found and isinstance(resource, GLOBAL_KINDS):
            return None
    for target in project.targets:
        if project.address_of(target).package in found:
            continue
        for parent in target.spec.parents:
            inherited = parent if isinstance(parent, Target) else project.find(Target, str(parent))
            if inherited is not None and project.address_of(inherited).package in found:
                return None
    return found


def _in_packages(project: Project, now: Mapping[str, Any], packages: set[str]) -> dict[str, Any]:
    """The definitions of ``now`` whose targets those ``packages`` declare."""
    mine = {t.name for t in project.targets if project.address_of(t).package in packages}
    return {name: value for name, value in now.items() if name in mine}


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
