"""Lower a ComposeProject to the mapping its compose file holds, as seen from one output folder.

Paths declared relative to the definition file (build contexts, bind sources, env files,
config and secret files, watch paths) are rewritten relative to the output folder, where the
compose file lands, and start with ``./`` or ``../`` as compose wants. A service built from a
bake Target gets the build section of the resolved target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakepy.bake.native import lower_project
from bakepy.bake.paths import PathMapper
from bakepy.bake.resolve import resolve_bake
from bakepy.compose.references import service_target
from bakepy.compose.target_build import build_from_target
from bakepy.compose.values import dot_relative
from bakepy.models.compose import ComposeProject
from bakepy.models.compose_build import ComposeBuild
from bakepy.models.compose_service import Service
from bakepy.models.dockerfile import Dockerfile
from bakepy.project import Project

_DUMP: dict[str, Any] = {
    "by_alias": True,
    "exclude_none": True,
    "exclude_defaults": True,
    "mode": "json",
}
_TOP_LEVEL = ("networks", "volumes", "configs", "secrets")


@dataclass
class ComposeDocument:
    """A compose file's content (in render order) and what lowering had to warn about."""

    compose: ComposeProject
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def resolve_service_targets(
    project: Project, out_dir: Path, dockerfile_text: Callable[[Dockerfile], str]
) -> dict[str, dict[str, Any]]:
    """Every Target a compose service builds from, resolved as ``bake --print`` would."""
    names: list[str] = []
    for compose in project.of_kind(ComposeProject):
        for service in compose.spec.services.values():
            target = service_target(project, service)
            if target is not None and target.name not in names:
                names.append(target.name)
    if not names:
        return {}
    native = lower_project(project, out_dir, dockerfile_text)
    return resolve_bake(native, names, env={}).targets


class _Lowering:
    def __init__(
        self, project: Project, out_dir: Path, resolved: dict[str, dict[str, Any]]
    ) -> None:
        self.project = project
        self.paths = PathMapper(out_dir.resolve())
        self.resolved = resolved

    def path(self, value: str, base: Path) -> str:
        if value.startswith("~"):  # compose expands ~ to the home folder: not relative
            return value
        return dot_relative(self.paths.map(value, base))

    def lower(self, compose: ComposeProject) -> ComposeDocument:
        base = self.project.base_dir_of(compose)
        spec = compose.spec
        document = ComposeDocument(compose, {"name": compose.project_name})
        data = document.data
        if spec.include:
            data["include"] = [
                self._include(item.model_dump(**_DUMP), base) for item in spec.include
            ]
        derived_secrets: dict[str, dict[str, str]] = {}
        services: dict[str, Any] = {}
        for name, service in spec.services.items():
            services[name] = self._service(name, service, base, document, derived_secrets)
        if services:
            data["services"] = services
        for key in _TOP_LEVEL:
            entries = {
                name: self._file_entry(entry.model_dump(**_DUMP), base)
                for name, entry in getattr(spec, key).items()
            }
            if key == "secrets":
                for name, source in derived_secrets.items():
                    entries.setdefault(name, source)
            if entries:
                data[key] = entries
        data.update(spec.extensions)
        return document

    def _include(self, item: dict[str, Any], base: Path) -> dict[str, Any]:
        for key in ("path", "env_file"):
            if key in item:
                item[key] = [self.path(p, base) for p in item[key]]
        if "project_directory" in item:
            item["project_directory"] = self.path(item["project_directory"], base)
        return item

    def _file_entry(self, entry: dict[str, Any], base: Path) -> dict[str, Any]:
        if "file" in entry:
            entry["file"] = self.path(entry["file"], base)
        return entry

    def _service(
        self,
        name: str,
        service: Service,
        base: Path,
        document: ComposeDocument,
        derived_secrets: dict[str, dict[str, str]],
    ) -> dict[str, Any]:
        data: dict[str, Any] = service.model_dump(**_DUMP)
        target = service_target(self.project, service)
        if target is not None:
            where = f"{document.compose.ref}: services.{name}.build"
            derived = build_from_target(
                target.name, self.resolved[target.name], where, service.image
            )
            data["build"] = derived.build
            document.warnings.extend(derived.warnings)
            for secret, source in derived.secrets.items():
                derived_secrets.setdefault(secret, source)
            if service.image is None and derived.image is not None:
                data = {"image": derived.image, **data}
        elif isinstance(service.build, ComposeBuild):
            data["build"] = self._build(data["build"], base)
        for mount in data.get("volumes", []):
            if mount["type"] == "bind" and "source" in mount:
                mount["source"] = self.path(mount["source"], base)
        if "env_file" in data:
            data["env_file"] = [
                self.path(e, base)
                if isinstance(e, str)
                else {**e, "path": self.path(e["path"], base)}
                for e in data["env_file"]
            ]
        for rule in (data.get("develop") or {}).get("watch", []):
            rule["path"] = self.path(rule["path"], base)
        if "file" in data.get("extends", {}):
            data["extends"]["file"] = self.path(data["extends"]["file"], base)
        return data

    def _build(self, build: dict[str, Any], base: Path) -> dict[str, Any]:
        # no context means the definition's folder, as for a bake target (compose: the output's)
        context = self.path(build.get("context", "."), base)
        build = {"context": context, **{k: v for k, v in build.items() if k != "context"}}
        contexts = build.get("additional_contexts") or {}
        for key, value in contexts.items():
            if ":" not in value.split("/", 1)[0]:
                contexts[key] = self.path(value, base)
        if build.get("ssh"):
            build["ssh"] = [self._ssh(entry, base) for entry in build["ssh"]]
        return build

    def _ssh(self, entry: str, base: Path) -> str:
        ident, sep, paths = entry.partition("=")
        if not sep:
            return entry
        return ident + "=" + ",".join(self.path(p, base) for p in paths.split(","))


def lower_compose_projects(
    project: Project, out_dir: Path, dockerfile_text: Callable[[Dockerfile], str]
) -> list[ComposeDocument]:
    """Every ComposeProject of ``project`` as the content of its compose file in ``out_dir``."""
    composes = project.of_kind(ComposeProject)
    if not composes:
        return []
    lowering = _Lowering(
        project, out_dir, resolve_service_targets(project, out_dir, dockerfile_text)
    )
    return [lowering.lower(compose) for compose in composes]
