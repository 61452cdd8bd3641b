"""Lower a ComposeProject to the mapping its compose file holds, as seen from one output folder.

Paths declared relative to the definition file (build contexts, bind sources, env files,
config and secret files, watch paths) are rewritten relative to the output folder, where the
compose file lands, and start with ``./`` or ``../`` as compose wants. A service built from a
bake Target gets the build section of the resolved target.

Values holding a ``${VAR}`` are written through for compose to interpolate: a path that starts
with one is kept as written, and a name the models keep as a mapping key (a network or
dependency given as a list, an extra host) goes back to compose's list form, whose entries
compose interpolates (it never interpolates keys). ``reparse_interpolated`` reads such values
again once they are substituted, as compose does after interpolation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bakepy.errors import BakepyError, FieldPath, format_field_path
from bakepy.models.compose.base import ComposeModel
from bakepy.models.compose.build import ComposeBuild
from bakepy.models.compose.mounts import parse_port
from bakepy.models.compose.project import (
    ComposeConfig,
    ComposeNetwork,
    ComposeProject,
    ComposeSecret,
    ComposeVolume,
)
from bakepy.models.compose.service import Service
from bakepy.models.compose.values import dot_relative, has_interpolation
from bakepy.models.compose.volume_spec import parse_volume
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.project import Project
from bakepy.resolution.bake.evaluate import resolve_bake
from bakepy.resolution.bake.lower import lower_project
from bakepy.resolution.bake.paths import PathMapper
from bakepy.resolution.compose.references import service_target

if TYPE_CHECKING:  # imported where used: only a service that builds from a Target needs them
    from bakepy.resolution.compose.target_build import DerivedBuild

_DUMP: dict[str, Any] = {
    "by_alias": True,
    "exclude_none": True,
    "exclude_defaults": True,
    "mode": "json",
}
_TOP_LEVEL = ("networks", "volumes", "configs", "secrets")
_WINDOWS_ABSOLUTE = re.compile(r"^([a-zA-Z]:[\\/]|\\\\)")


@dataclass
class ComposeDocument:
    """A compose file's content (in render order) and what lowering had to warn about."""

    compose: ComposeProject
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ServiceTargets:
    """The Targets compose services build from, resolved as ``bake --print`` would: with every
    variable at its default, and with a marker for each string variable (None when bake
    refuses the markers, e.g. a validation block)."""

    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    marked: dict[str, dict[str, Any]] | None = None
    markers: dict[str, str] = field(default_factory=dict)


def resolve_service_targets(
    project: Project, out_dir: Path, dockerfile_text: Callable[[Dockerfile], str]
) -> ServiceTargets:
    """Every Target a compose service builds from, resolved twice (see ``ServiceTargets``)."""
    names: list[str] = []
    for compose in project.of_kind(ComposeProject):
        for service in compose.spec.services.values():
            target = service_target(project, service)
            if target is not None and target.name not in names:
                names.append(target.name)
    if not names:
        return ServiceTargets()
    from bakepy.resolution.compose.target_variables import variable_markers

    native = lower_project(project, out_dir, dockerfile_text)
    resolved = ServiceTargets(resolve_bake(native, names, env={}).targets)
    resolved.markers = variable_markers(native)
    if resolved.markers:
        try:
            resolved.marked = resolve_bake(native, names, env=resolved.markers).targets
        except BakepyError:
            resolved.marked = None  # the defaults are written, with a warning
    return resolved


def _hosts(hosts: dict[str, Any]) -> dict[str, Any] | list[str]:
    """Extra hosts as a mapping, or as ``host=address`` entries when a host holds a variable."""
    if not any(has_interpolation(host) for host in hosts):
        return hosts
    return [
        f"{host}={address}" if address else host
        for host, addresses in hosts.items()
        for address in (addresses if isinstance(addresses, list) else [addresses])
    ]


def _entries(mapping: dict[str, Any]) -> dict[str, Any] | list[str]:
    """A key/value mapping, or its ``KEY=VALUE`` entries when a key holds a ``$`` (a variable,
    or a literal ``$$``: compose reads both only in entries, never in mapping keys)."""
    if not any("$" in key for key in mapping):
        return mapping
    return [key if value is None else f"{key}={value}" for key, value in mapping.items()]


_KEYED = ("environment", "labels", "annotations", "sysctls")


def _templated_keys_as_lists(service: dict[str, Any]) -> None:
    """``networks``, ``depends_on``, ``extra_hosts`` and the key/value fields back in list form
    when a name holds a variable (compose interpolates list entries, never mapping keys)."""
    if "extra_hosts" in service:
        service["extra_hosts"] = _hosts(service["extra_hosts"])
    for key in _KEYED:
        if key in service:
            service[key] = _entries(service[key])
    for section, keys in (("build", ("args", "labels")), ("deploy", ("labels",))):
        part = service.get(section)
        if isinstance(part, dict):
            for key in keys:
                if key in part:
                    part[key] = _entries(part[key])
    started = {"condition": "service_started"}
    for key, short in (("networks", None), ("depends_on", started)):
        entries = service.get(key) or {}
        templated = any(has_interpolation(name) for name in entries)
        if templated and all(value == short for value in entries.values()):
            service[key] = list(entries)


class _Lowering:
    def __init__(self, project: Project, out_dir: Path, resolved: ServiceTargets) -> None:
        self.project = project
        self.paths = PathMapper(out_dir.resolve())
        self.targets = resolved

    def path(self, value: str, base: Path) -> str:
        if value.startswith("~"):  # compose expands ~ to the home folder: not relative
            return value
        if _WINDOWS_ABSOLUTE.match(value):  # absolute on Windows: compose keeps it as written
            return value
        if has_interpolation(value):  # known after interpolation, relative to the project
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

    def _derived(self, target: str, where: str, image: str | None) -> DerivedBuild:
        """The build section of ``target``, its bake variables kept as compose variables."""
        from bakepy.resolution.compose.target_build import build_from_target
        from bakepy.resolution.compose.target_variables import keep_variables

        derived = build_from_target(target, self.targets.defaults[target], where, image)
        marked = self.targets.marked
        if marked is None:
            if self.targets.markers:
                derived.warnings.append(
                    f"{where}: the bake variables of Target/{target} are written at their "
                    "defaults (bake refused to resolve them as variables)"
                )
            return derived
        other = build_from_target(target, marked[target], where, image)
        kept, lost = keep_variables(
            (derived.build, derived.image, derived.secrets),
            (other.build, other.image, other.secrets),
            self.targets.markers,
        )
        derived.build, derived.image, derived.secrets = kept
        for variable in lost:
            what = "a bake variable" if variable == "?" else f"bake variable {variable}"
            derived.warnings.append(
                f"{where}: {what} reaches Target/{target} through an expression compose "
                "cannot evaluate; its default is written"
            )
        return derived

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
        options = entry.get("driver_opts") or {}
        if entry.get("driver") == "local" and options.get("o") == "bind" and "device" in options:
            # a local volume bound to a host folder: compose resolves the folder as a path
            options["device"] = self.path(options["device"] or ".", base)
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
            derived = self._derived(target.name, where, service.image)
            data["build"] = derived.build
            document.warnings.extend(derived.warnings)
            for secret, source in derived.secrets.items():
                derived_secrets.setdefault(secret, source)
            if service.image is None and derived.image is not None:
                data = {"image": derived.image, **data}
        elif isinstance(service.build, ComposeBuild):
            data["build"] = self._build(data["build"], base)
        for mount in data.get("volumes", []):
            if isinstance(mount, dict) and mount["type"] == "bind" and "source" in mount:
                mount["source"] = self.path(mount["source"], base)
        _templated_keys_as_lists(data)
        if "env_file" in data:
            data["env_file"] = [
                self.path(e, base)
                if isinstance(e, str)
                else {**e, "path": self.path(e["path"], base)}
                for e in data["env_file"]
            ]
        if "label_file" in data:
            data["label_file"] = [self.path(entry, base) for entry in data["label_file"]]
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
        if "extra_hosts" in build:
            build["extra_hosts"] = _hosts(build["extra_hosts"])
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


class _ShortSyntaxError(ValueError):
    """A short-syntax port or mount that does not parse, and where it is in the service."""

    def __init__(self, message: str, path: FieldPath) -> None:
        super().__init__(message)
        self.path = path


def _short_syntax(service: dict[str, Any]) -> dict[str, Any]:
    """A service's short-syntax ports and mounts read as the final values they now are."""
    out = dict(service)
    for key in ("ports", "volumes"):
        items = out.get(key)
        if not isinstance(items, list):
            continue
        entries: list[Any] = []
        for index, item in enumerate(items):
            if not isinstance(item, str | int) or isinstance(item, bool):
                entries.append(item)
                continue
            try:
                parsed = parse_port(item) if key == "ports" else [parse_volume(str(item))]
            except ValueError as error:
                raise _ShortSyntaxError(str(error), (key, index)) from None
            for entry in parsed:
                entries.append({k: v for k, v in entry.items() if v is not None})
        out[key] = entries
    return out


def _reread(model: type[ComposeModel], data: Any, path: FieldPath, where: str) -> dict[str, Any]:
    from pydantic import ValidationError as PydanticValidationError

    from bakepy.models.validation_errors import convert_validation_error

    try:
        if model is Service and isinstance(data, dict):
            data = _short_syntax(data)
        checked = model.model_validate(data)
    except (PydanticValidationError, ValueError) as error:
        if isinstance(error, PydanticValidationError):
            first = convert_validation_error(error, file=None, resource=None).diagnostics[0]
            message, inner = first.message, first.location.field_path
        else:
            message, inner = str(error), getattr(error, "path", ())
        raise BakepyError(
            f"{where}: {format_field_path((*path, *inner))}: {message} (after interpolation)",
            hint="check the variables this value uses (environment and the project's .env)",
        ) from None
    dumped: dict[str, Any] = checked.model_dump(**_DUMP)
    return dumped


_TOP_MODELS: dict[str, type[ComposeModel]] = {
    "networks": ComposeNetwork,
    "volumes": ComposeVolume,
    "secrets": ComposeSecret,
    "configs": ComposeConfig,
}


def _undeclared(data: dict[str, Any], name: str, service: dict[str, Any]) -> str | None:
    """The first name a service uses that the interpolated document does not declare."""
    declared = {key: set(data.get(key) or {}) for key in _TOP_MODELS}
    for index, mount in enumerate(service.get("volumes") or []):
        source = mount.get("source")
        if mount.get("type") == "volume" and source and source not in declared["volumes"]:
            return f"services.{name}.volumes[{index}]: volume {source!r} is not declared"
    for network in service.get("networks") or {}:
        if network != "default" and network not in declared["networks"]:
            return f"services.{name}.networks: network {network!r} is not declared"
    for kind in ("secrets", "configs"):
        for index, ref in enumerate(service.get(kind) or []):
            if ref.get("source") not in declared[kind]:
                what = kind[:-1]
                return (
                    f"services.{name}.{kind}[{index}]: {what} {ref.get('source')!r} is not declared"
                )
    return None


def reparse_interpolated(
    data: dict[str, Any], templated: frozenset[FieldPath], where: str
) -> dict[str, Any]:
    """``data`` (a lowered document, interpolated) with every service and top-level entry that
    held a variable read again by the models, as compose reads its file after interpolation:
    short syntax becomes long (``"${PORT}:80"`` now is ``"8080:80"``), ``"5"`` an integer,
    ``"true"`` a boolean. A value invalid even now, or a name (volume, network, secret, config)
    that now names nothing declared, is a BakepyError naming ``where`` and the field."""
    touched = {path[:2] for path in templated if len(path) >= 2}
    for key, model in _TOP_MODELS.items():
        entries = data.get(key) or {}
        for name in list(entries):
            if (key, name) in touched:
                entries[name] = _reread(model, entries[name] or {}, (key, name), where)
    services = data.get("services") or {}
    for name in list(services):
        if ("services", name) not in touched:
            continue
        service = _reread(Service, services[name], ("services", name), where)
        problem = _undeclared(data, name, service)
        if problem is not None:
            raise BakepyError(
                f"{where}: {problem} (after interpolation)",
                hint="check the variable it uses, or declare the object",
            )
        services[name] = service
    return data
