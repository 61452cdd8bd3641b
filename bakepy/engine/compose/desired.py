"""A ComposeProject as the engine objects it stands for: networks, volumes and one container
per replica of each service, each with the labels that mark it as bakepy's and a spec hash.

The project goes through the same lowering as ``render`` and then through bakepy's view of
``docker compose config``, so apply runs exactly what the rendered compose file declares.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bakepy.engine import labels as L
from bakepy.engine.compose.declared import notify
from bakepy.engine.state import (
    StateFile,
    content_digest,
    digest_key,
    project_files_dir,
    secret_digest,
)
from bakepy.errors import BakepyError, CycleError

if TYPE_CHECKING:  # the lowering's modules load the compose models: imported where they run,
    # so that a no-change apply answered from its cache (bakepy.cli.noop_apply) loads no model
    from bakepy.engine.compose.interpolate import FieldPath
    from bakepy.models.compose.project import ComposeProject
    from bakepy.models.dockerfile.instructions import Dockerfile
    from bakepy.project import Project
    from bakepy.resolution.compose.lower import ComposeDocument


@dataclass(frozen=True)
class _DesiredObject:
    """A network or volume the project declares: its key, engine name and create body."""

    KIND: ClassVar[str] = ""
    key: str
    name: str
    external: bool = False
    body: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    hash: str = ""

    @property
    def resource(self) -> str:
        """``<kind>/<key>``, as the ownership label and the plan name it."""
        return f"{self.KIND}/{self.key}"


@dataclass(frozen=True)
class DesiredNetwork(_DesiredObject):
    """A network the project declares (external ones must exist; bakepy never creates them)."""

    KIND: ClassVar[str] = "network"


@dataclass(frozen=True)
class DesiredVolume(_DesiredObject):
    """A named volume the project declares (external ones must exist)."""

    KIND: ClassVar[str] = "volume"


@dataclass(frozen=True)
class Dependency:
    """``depends_on``: a service that must reach ``condition`` before this one starts."""

    service: str
    condition: str
    required: bool = True
    restart: bool = False


@dataclass(frozen=True)
class DesiredContainer:
    """One container of a service: its name, create body, displayable spec and hash."""

    service: str
    replica: int
    name: str
    image: str
    body: dict[str, Any]
    spec: dict[str, Any]
    hash: str
    networks: tuple[str, ...] = ()
    """Engine names of the networks it joins."""
    volumes: tuple[str, ...] = ()
    """Engine names of the named volumes it mounts."""
    files: tuple[StateFile, ...] = ()
    platform: str | None = None
    pull_policy: str | None = None
    builds: bool = False
    """The service declares a build: a missing image is built, not pulled."""

    @property
    def resource(self) -> str:
        """``service/<name>``."""
        return f"service/{self.service}"

    @property
    def runs_once(self) -> bool:
        """No restart policy: having exited with code 0 is its finished state, not drift."""
        return self.body["HostConfig"]["RestartPolicy"]["Name"] in ("", "no")

    def endpoint(self, network: str) -> dict[str, Any]:
        """The endpoint settings for one of its networks."""
        endpoints = (self.body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}
        return dict(endpoints.get(network) or {})


@dataclass(frozen=True)
class DesiredState:
    """Everything one ComposeProject asks the engine for."""

    project: str
    networks: list[DesiredNetwork] = field(default_factory=list)
    volumes: list[DesiredVolume] = field(default_factory=list)
    containers: list[DesiredContainer] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    """Services to run, in depends_on order (dependencies first)."""
    dependencies: dict[str, list[Dependency]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """Compose variables used but not set (they expand to an empty string)."""
    scope: frozenset[str] | None = None
    """The services this run converges (those a label selector picked, with what they depend
    on); None: all. The containers of the other services are left as they are."""

    def containers_of(self, service: str) -> list[DesiredContainer]:
        """The containers of one service, by replica number."""
        return [c for c in self.containers if c.service == service]


def _dockerfile_text(dockerfile: Dockerfile) -> str:
    """A Dockerfile's text, for services built from a bake Target (imported only then)."""
    from bakepy.generators.dockerfile import render_dockerfile

    return render_dockerfile(dockerfile, include_syntax=False)


@dataclass(frozen=True)
class InterpolatedCompose:
    """One ComposeProject lowered as ``render`` lowers it, then interpolated as compose does."""

    document: ComposeDocument
    """The lowered document, variables substituted."""
    base: Path
    """The project folder: relative paths, the ``.env`` file and env files are found there."""
    variables: dict[str, str]
    """The variables it was interpolated with (the environment's over ``.env``)."""
    templated: frozenset[FieldPath] = frozenset()
    """Paths (in the lowered document) of the values that held a variable."""
    warnings: tuple[str, ...] = ()


def interpolated_compose(
    project: Project,
    compose: ComposeProject,
    environment: Mapping[str, str] | None,
    where: str,
) -> InterpolatedCompose:
    """``compose`` lowered and interpolated from ``environment`` (default: the process's) over
    its folder's ``.env``; a missing required variable is a BakepyError naming ``where``.
    Compose runtime apply and stack apply both read a project through this."""
    from bakepy.engine.compose.interpolate import interpolate_document, project_variables
    from bakepy.resolution.compose.lower import ComposeDocument, lower_compose_projects

    base = project.base_dir_of(compose)
    documents = lower_compose_projects(project, base, _dockerfile_text)
    document = next(d for d in documents if d.compose is compose)
    variables = project_variables(base, os.environ if environment is None else environment)
    done = interpolate_document(document.data, variables, where)
    lowered = ComposeDocument(document.compose, done.data, list(document.warnings))
    return InterpolatedCompose(lowered, base, variables, done.templated, done.warnings)


@dataclass(frozen=True)
class ComposeView:
    """One project as ``docker compose config`` would print it, variables substituted."""

    data: dict[str, Any]
    base: Path
    """The project folder: relative paths, the ``.env`` file and env files are found there."""
    variables: dict[str, str]
    """The variables it was interpolated with (the environment's over ``.env``)."""
    templated: frozenset[FieldPath] = frozenset()
    """Paths (in the lowered document) of the values that held a variable."""
    warnings: tuple[str, ...] = ()


def compose_view(
    project: Project, compose: ComposeProject, environment: Mapping[str, str] | None = None
) -> ComposeView:
    """The normalized compose view of one project, interpolated as ``docker compose up``
    interpolates it (``environment`` defaults to the process's)."""
    from bakepy.resolution.compose.config_view import compose_config_view

    done = interpolated_compose(project, compose, environment, compose.ref)
    view = compose_config_view(done.document.data, done.base)
    return ComposeView(view, done.base, done.variables, done.templated, done.warnings)


def _no_extensions(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not str(k).startswith("x-")}


def _network(
    project: str, key: str, entry: Mapping[str, Any], compose: ComposeProject
) -> DesiredNetwork:
    spec = _no_extensions(entry)
    name = str(spec.pop("name"))
    if spec.get("external"):
        return DesiredNetwork(key, name, external=True)
    declared = compose.spec.networks.get(key)
    ipam_spec = spec.get("ipam") or {}
    ipam_options = dict(declared.ipam.options) if declared and declared.ipam else {}
    if ipam_options:
        spec["ipam"] = {**ipam_spec, "options": ipam_options}
    body: dict[str, Any] = {"Name": name, "Driver": spec.get("driver") or "bridge"}
    if spec.get("driver_opts"):
        body["Options"] = dict(spec["driver_opts"])
    pools = [
        {
            k2: v
            for k, k2 in (
                ("subnet", "Subnet"),
                ("ip_range", "IPRange"),
                ("gateway", "Gateway"),
                ("aux_addresses", "AuxiliaryAddresses"),
            )
            if (v := pool.get(k))
        }
        for pool in ipam_spec.get("config") or []
    ]
    if pools or ipam_spec.get("driver") or ipam_options:
        body["IPAM"] = {"Driver": ipam_spec.get("driver") or "default", "Config": pools}
        if ipam_options:
            body["IPAM"]["Options"] = ipam_options
    for key2, name2 in (("internal", "Internal"), ("attachable", "Attachable")):
        if spec.get(key2):
            body[name2] = True
    if spec.get("enable_ipv6"):
        body["EnableIPv6"] = True
    digest = L.spec_hash({**body, "Labels": dict(spec.get("labels") or {})})
    body["Labels"] = {
        **dict(spec.get("labels") or {}),
        **L.owned_labels(project, f"network/{key}", spec, digest),
    }
    return DesiredNetwork(key, name, body=body, spec=spec, hash=digest)


def _volume(project: str, key: str, entry: Mapping[str, Any]) -> DesiredVolume:
    spec = _no_extensions(entry)
    name = str(spec.pop("name"))
    if spec.get("external"):
        return DesiredVolume(key, name, external=True)
    body: dict[str, Any] = {"Name": name, "Driver": spec.get("driver") or "local"}
    if spec.get("driver_opts"):
        body["DriverOpts"] = dict(spec["driver_opts"])
    digest = L.spec_hash({**body, "Labels": dict(spec.get("labels") or {})})
    body["Labels"] = {
        **dict(spec.get("labels") or {}),
        **L.owned_labels(project, f"volume/{key}", spec, digest),
    }
    return DesiredVolume(key, name, body=body, spec=spec, hash=digest)


_NOT_IN_SPEC = ("build", "develop", "profiles", "depends_on", "scale", "pull_policy", "env_file")


@dataclass
class _Files:
    """Secret and config files of one service: bind mounts, files to write, content digests."""

    project: str
    service: str
    root: Path | None
    shell: Mapping[str, str]
    mounts: list[dict[str, Any]] = field(default_factory=list)
    files: list[StateFile] = field(default_factory=list)
    contents: dict[str, str] = field(default_factory=dict)
    _key: bytes | None = None

    def key(self) -> bytes:
        if self._key is None:
            self._key = digest_key(self.root)
        return self._key

    def _value(self, kind: str, name: str, entry: Mapping[str, Any]) -> tuple[str | None, bytes]:
        """The host file to mount (None: bakepy writes one) and the content."""
        where = f"{kind}.{name}"
        if entry.get("external"):
            raise BakepyError(
                f"{where}: external {kind} exist only on swarm; bakepy apply runs containers",
                hint="use a file or an environment variable, or deploy the project as a Stack",
            )
        if entry.get("file"):
            path = Path(entry["file"])
            try:
                return str(path), path.read_bytes()
            except OSError:
                raise BakepyError(f"{where}: file {path} cannot be read") from None
        if entry.get("environment"):
            variable = str(entry["environment"])
            if variable not in self.shell:
                raise BakepyError(
                    f"{where}: reads ${variable}, which is not set", hint=f"export {variable}"
                )
            return None, self.shell[variable].encode()
        if entry.get("content") is not None:
            return None, str(entry["content"]).encode()
        raise BakepyError(f"{where}: has no file, environment or content")

    def add(self, kind: str, reference: Mapping[str, Any], top: Mapping[str, Any]) -> None:
        source = str(reference["source"])
        if source not in top:
            raise BakepyError(f"services.{self.service}.{kind}: {source!r} is not declared")
        host_path, content = self._value(kind, source, top[source])
        secret = kind == "secrets"
        target = str(
            reference.get("target") or (f"/run/secrets/{source}" if secret else f"/{source}")
        )
        if not target.startswith("/"):
            target = f"/run/secrets/{target}" if secret else f"/{target}"
        if host_path is None:
            path = project_files_dir(self.project, self.root) / self.service / kind / source
            mode = reference.get("mode")
            uid, gid = reference.get("uid"), reference.get("gid")
            self.files.append(
                StateFile(
                    path,
                    content,
                    int(mode) if mode is not None else (0o600 if secret else 0o444),
                    int(uid) if uid is not None else None,
                    int(gid) if gid is not None else None,
                )
            )
            host_path = str(path)
        self.contents[f"{kind}/{source}"] = (
            secret_digest(content, self.key()) if secret else content_digest(content)
        )
        self.mounts.append(
            {"Type": "bind", "Source": host_path, "Target": target, "ReadOnly": True}
        )


def _replicas(service: Mapping[str, Any]) -> int:
    deploy = service.get("deploy") or {}
    if deploy.get("mode") in ("global", "global-job"):
        return 1
    if deploy.get("replicas") is not None:
        return int(deploy["replicas"])
    if service.get("scale") is not None:
        return int(service["scale"])
    return 1


def _container_names(project: str, name: str, service: Mapping[str, Any]) -> list[str]:
    count = _replicas(service)
    fixed = service.get("container_name")
    if fixed:
        if count > 1:
            raise BakepyError(
                f"services.{name}: container_name {fixed!r} allows one container, not {count}"
            )
        return [str(fixed)] * count
    return [f"{project}-{name}-{n}" for n in range(1, count + 1)]


def _dependencies(
    name: str, service: Mapping[str, Any], active: Mapping[str, Any]
) -> list[Dependency]:
    found = []
    for other, settings in (service.get("depends_on") or {}).items():
        required = settings.get("required") is not False
        if other not in active:
            if required:
                raise BakepyError(
                    f"services.{name}.depends_on: {other!r} is not a service that runs",
                    hint="declare it, drop its profiles, or set required: false",
                )
            continue
        found.append(
            Dependency(other, str(settings["condition"]), required, bool(settings.get("restart")))
        )
    return found


def start_order(services: list[str], dependencies: Mapping[str, list[Dependency]]) -> list[str]:
    """Services with every dependency before its dependents (declaration order otherwise)."""
    placed: list[str] = []
    pending = list(services)
    while pending:
        ready = [s for s in pending if all(d.service in placed for d in dependencies.get(s, []))]
        if not ready:
            raise CycleError(f"depends_on forms a cycle among services {', '.join(pending)}")
        placed += ready
        pending = [s for s in pending if s not in ready]
    return placed


def _service_spec(
    service: Mapping[str, Any],
    environment: Mapping[str, str],
    contents: dict[str, str],
    key: Callable[[], bytes],
    interpolated: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The spec a plan compares: values written in the declaration as they are; variables
    taken from the shell or an env file (where secrets live), or interpolated from them
    (``interpolated`` names those), only as keyed digests."""
    from bakepy.engine.compose.container_spec import restart_policy

    spec = {k: copy.deepcopy(v) for k, v in service.items() if k not in _NOT_IN_SPEC}
    deploy = spec.pop("deploy", None) or {}
    kept = {k: deploy[k] for k in ("resources", "restart_policy") if deploy.get(k)}
    if kept:
        spec["deploy"] = kept
    declared = service.get("environment") or {}
    spec["environment"] = {
        k: v
        for k, v in environment.items()
        if declared.get(k) is not None and declared[k] == v and k not in interpolated
    }
    for name, value in environment.items():
        if name not in spec["environment"]:
            contents[f"environment/{name}"] = secret_digest(value.encode(), key())
    spec["restart"] = restart_policy(service)["Name"]
    if contents:
        spec["contents"] = dict(sorted(contents.items()))
    return {k: v for k, v in spec.items() if v not in (None, [], {})}


def templated_environment(templated: frozenset[FieldPath], service: str) -> frozenset[str]:
    """The variables of a service's ``environment`` whose declared value held a variable
    (a plan shows them only as digests: they may come from the shell, where secrets live)."""
    return frozenset(
        str(path[3])
        for path in templated
        if len(path) == 4 and path[:3] == ("services", service, "environment")
    )


def desired_state(
    project: Project,
    compose: ComposeProject,
    *,
    environment: Mapping[str, str] | None = None,
    root: Path | None = None,
) -> DesiredState:
    """What ``compose`` asks of the engine, its variables interpolated from ``environment``
    (default: the process's) over the project folder's ``.env``; ``root`` is the state folder
    (for tests)."""
    from bakepy.engine.compose.container_spec import ServiceContext, container_body
    from bakepy.engine.compose.env_files import service_environment

    seen = compose_view(project, compose, environment)
    view, base, shell = seen.data, seen.base, seen.variables
    name = str(view["name"])
    networks = [_network(name, k, e, compose) for k, e in (view.get("networks") or {}).items()]
    volumes = [_volume(name, k, e) for k, e in (view.get("volumes") or {}).items()]
    active = {k: s for k, s in (view.get("services") or {}).items() if not s.get("profiles")}
    names = {k: _container_names(name, k, s) for k, s in active.items()}
    first = {k: n[0] for k, n in names.items() if n}
    dependencies = {k: _dependencies(k, s, active) for k, s in active.items()}
    order = start_order(list(active), dependencies)
    network_names = {n.key: n.name for n in networks}
    volume_names = {v.key: v.name for v in volumes}
    owned_volumes = {v.name for v in volumes if not v.external}
    containers: list[DesiredContainer] = []
    for key in order:
        service = active[key]
        files = _Files(name, key, root, shell)
        for kind in ("secrets", "configs"):
            for reference in service.get(kind) or []:
                files.add(kind, reference, view.get(kind) or {})
        environment = service_environment(service, base, shell)
        context = ServiceContext(
            name, key, network_names, volume_names, first, environment, files.mounts
        )
        body = container_body(service, context)
        platform = service.get("platform")
        digest = L.spec_hash({"body": body, "platform": platform, "contents": files.contents})
        templated = templated_environment(seen.templated, key)
        spec = _service_spec(service, environment, dict(files.contents), files.key, templated)
        endpoints = (body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}
        mounted = tuple(
            m["Source"]
            for m in body["HostConfig"].get("Mounts", [])
            if m["Type"] == "volume" and m.get("Source") in owned_volumes
        )
        for replica, container in enumerate(names[key], start=1):
            replica_body = copy.deepcopy(body)
            replica_body["Labels"].update(
                L.owned_labels(name, f"service/{key}", spec, digest, replica)
            )
            containers.append(
                DesiredContainer(
                    service=key,
                    replica=replica,
                    name=container,
                    image=str(body["Image"]),
                    body=replica_body,
                    spec=spec,
                    hash=digest,
                    networks=tuple(endpoints),
                    volumes=mounted,
                    files=tuple(files.files),
                    platform=platform,
                    pull_policy=service.get("pull_policy"),
                    builds="build" in service,
                )
            )
    desired = DesiredState(
        name, networks, volumes, containers, order, dependencies, list(seen.warnings)
    )
    notify(project, desired)  # the no-change apply cache keeps it (bakepy.cli.noop_apply)
    return desired


def empty_state(project: str) -> DesiredState:
    """A project that declares nothing: what ``delete`` converges to."""
    return DesiredState(project)
