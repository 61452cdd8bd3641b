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
from dataclasses import dataclass
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
from bakepy.resolution.affected import Dependents, target_inputs, touched, with_dependents
from bakepy.resolution.bake.evaluate import resolve_bake

DEFINITION_SUFFIXES = (".py", ".yaml", ".yml", ".hcl", ".json", ".toml", ".env")
"""A changed file of one of these kinds may change definitions: compare them."""


@dataclass(frozen=True)
class Affected:
    """One affected target (or compose service) and why."""

    kind: str
    address: str
    name: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form ``bakepy affected -o json`` prints."""
        return {
            "kind": self.kind,
            "address": self.address,
            "name": self.name,
            "reason": self.reason,
        }


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


def _then(
    project: Project, root: Path, since: str, work_tree: Path, files: Sequence[Path]
) -> tuple[Project, Path] | None:
    """The project as it was at ``since`` (loaded from the unpacked tree) and its root there,
    or None when it did not load there (everything counts as changed)."""
    scratch = Path(tempfile.mkdtemp(prefix="bakepy-affected-"))
    unpack_revision(work_tree, since, scratch)
    then_root = scratch / root.relative_to(work_tree)
    try:
        if project.home_package is not None:
            repository = find_repository(root) or Repository(root)
            mirror = Repository(then_root, repository.config)
            return load_packages(mirror, discover_packages(mirror)), then_root
        paths = [then_root / f.resolve().relative_to(root) for f in files] or [then_root]
        return load(paths), then_root
    except BakepyError:
        return None


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
    env = dict(env or {})
    in_repository = find_repository(Path(files[0]) if files else None) is not None
    project = load_for(files, names or (["::"] if in_repository else []), toolchain)
    root = project.base_dir.resolve()
    work_tree = toplevel(root)
    changed = [work_tree / name for name in changed_files(root, since)]
    now = definitions(project, root, env)
    inputs = {name: target_inputs(name, target, root) for name, target in now.items()}
    found = touched(inputs.values(), changed, root)
    if any(path.suffix in DEFINITION_SUFFIXES for path in changed):
        then = _then(project, root, since, work_tree, [Path(f) for f in files])
        before = definitions(then[0], then[1], env) if then is not None else {}
        for name, definition in now.items():
            if name not in found and before.get(name) != definition:
                found[name] = "new target" if name not in before else "definition changed"
    everything = with_dependents(found, inputs, dependents)
    return _report(project, everything, dependents)


def _report(project: Project, found: Mapping[str, str], mode: Dependents) -> list[Affected]:
    by_name = {t.name: t for t in project.targets}
    rows = [
        Affected("Target", _address(project, by_name.get(name), name), name, reason)
        for name, reason in sorted(found.items())
    ]
    if mode != "none":
        rows += _services(project, found)
    return rows


def _address(project: Project, resource: Resource | None, name: str) -> str:
    return str(project.address_of(resource)) if resource is not None else f":{name}"


def _services(project: Project, found: Mapping[str, str]) -> list[Affected]:
    """Compose services that build from an affected target."""
    rows: list[Affected] = []
    for resource in project:
        if resource.KIND != "ComposeProject":
            continue
        services = getattr(getattr(resource, "spec", None), "services", None) or {}
        for service_name, service in sorted(services.items()):
            build = getattr(service, "build", None)
            target = build.name if isinstance(build, Target | ResourceRef) else None
            if target in found:
                address = f"{project.address_of(resource)}/{service_name}"
                rows.append(Affected("Service", address, service_name, f"builds {target}"))
    return rows
