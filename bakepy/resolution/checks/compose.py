"""Rules over compose projects and stacks that the field models cannot see alone.

Every name a service uses (secrets, configs, networks, volumes, services it depends on, the
Target it builds) must be declared; ``depends_on`` must not loop; and a project deployed as a
Stack must not use what ``docker stack deploy`` refuses. A name or value holding a ``${VAR}``
is known only once compose (or ``bakepy apply``) interpolates it, so it is not checked here.
"""

from __future__ import annotations

from typing import Any

from bakepy.errors import Diagnostic
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.targets import Target
from bakepy.models.compose.base import is_templated, known_int
from bakepy.models.compose.build import ComposeBuild
from bakepy.models.compose.mounts import ServiceVolume
from bakepy.models.compose.project import ComposeProject, Stack
from bakepy.models.compose.service import Service
from bakepy.models.compose.values import has_interpolation, size_in_bytes
from bakepy.models.resource import ResourceRef
from bakepy.project import Project
from bakepy.resolution.checks.references import find_cycle
from bakepy.resolution.compose.references import service_target, stack_compose
from bakepy.resolution.compose.swarm import LOCAL_ONLY_NETWORK_DRIVERS, REFUSED


def _effective(project: Project, target: Target, attr: str) -> Any:
    """A target attribute after inherits (own value last), enough to see tags and secrets."""
    if attr in target.spec.model_fields_set and getattr(target.spec, attr) is not None:
        return getattr(target.spec, attr)
    value = None
    for parent in target.spec.inherits:
        found = parent if isinstance(parent, Target) else project.find(Target, parent)
        if found is not None and found is not target:
            inherited = _effective(project, found, attr)
            value = inherited if inherited is not None else value
    return value


def _same_limit(kind: str, first: str | int, second: str | int) -> bool:
    """Whether two spellings of a limit mean the same (``1g`` and ``1024m``, ``0.5`` and ``.5``)."""
    try:
        if kind == "memory":
            return size_in_bytes(first) == size_in_bytes(second)
        return float(first) == float(second)
    except ValueError:
        return first == second  # an interpolated value: only compose can tell


def _inactive_hint(service: Service | None) -> str | None:
    """Why a declared service counts as undefined: it runs only with a profile."""
    if service is None or not service.profiles:
        return None
    return f"it runs only with --profile {service.profiles[0]}; give it to this service too"


def _dependencies(service: Service) -> list[str]:
    """The services ``service`` needs, as compose orders them: its depends_on, and those its
    links, volumes_from and ``service:`` network_mode, pid and ipc name."""
    found = list(service.depends_on)
    found += [link.split(":", 1)[0] for link in service.links]
    found += [
        other.split(":", 1)[0]
        for other in service.volumes_from
        if not other.startswith("container:")
    ]
    for key in ("network_mode", "pid", "ipc"):
        value = getattr(service, key)
        if isinstance(value, str) and value.startswith("service:"):
            found.append(value.removeprefix("service:"))
    return list(dict.fromkeys(found))


class _ProjectRules:
    def __init__(self, project: Project, compose: ComposeProject) -> None:
        self.project = project
        self.compose = compose
        self.spec = compose.spec
        self.problems: list[Diagnostic] = []

    def error(self, message: str, *path: str | int, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(message, self.compose.location("spec", *path), hint))

    def run(self) -> list[Diagnostic]:
        # as compose: a service that runs only with --profile is left out before the checks
        active = {n: s for n, s in self.spec.services.items() if self.compose.runs_by_default(s)}
        for name, service in active.items():
            self.service(name, service, active)
        edges = {name: _dependencies(s) for name, s in active.items()}
        cycle = find_cycle({k: [d for d in v if d in edges] for k, v in edges.items()})
        if cycle:
            self.error(
                "dependency cycle: " + " -> ".join(cycle),
                "services",
                cycle[0],
                *(("depends_on",) if active[cycle[0]].depends_on else ()),
                hint="remove one of the dependencies (depends_on, links, volumes_from, "
                "network_mode, pid or ipc naming a service)",
            )
        return self.problems

    def service(self, name: str, service: Service, active: dict[str, Service]) -> None:
        where = ("services", name)
        build_secrets = self.build(name, service)
        if not service.image and service.build is None:  # an unset ${IMAGE} is no image either
            self.error(
                f"service {name!r} has neither an image nor a build context specified", *where
            )
        for index, ref in enumerate(service.secrets):
            if is_templated(ref.source):
                continue
            if ref.source not in self.spec.secrets and ref.source not in build_secrets:
                self.undeclared("secret", ref.source, *where, "secrets", index)
        for index, config in enumerate(service.configs):
            if config.source not in self.spec.configs and not is_templated(config.source):
                self.undeclared("config", config.source, *where, "configs", index)
        for network in service.networks:
            if is_templated(network):
                continue
            if network != "default" and network not in self.spec.networks:
                self.undeclared("network", network, *where, "networks", network)
        if service.networks and service.network_mode is not None:
            self.error("network_mode and networks cannot be used together", *where)
        targets: set[str] = set()
        for index, mount in enumerate(service.volumes):
            if not isinstance(mount, ServiceVolume):
                continue  # short syntax with a ${VAR}: bind or volume only after interpolation
            source = mount.source
            if (
                mount.type == "volume"
                and source
                and source not in self.spec.volumes
                and not is_templated(source)
            ):
                self.undeclared("volume", source, *where, "volumes", index)
            if is_templated(mount.target):
                continue
            if mount.target in targets:
                self.error(
                    f"two mounts target {mount.target}; compose would keep only the last",
                    *where,
                    "volumes",
                    index,
                )
            targets.add(mount.target)
        for dependency, condition in service.depends_on.items():
            optional = condition.required is False and dependency in self.spec.services
            if dependency not in active and not is_templated(dependency) and not optional:
                self.error(
                    f"service {name!r} depends on undefined service {dependency!r}",
                    *where,
                    "depends_on",
                    dependency,
                    hint=_inactive_hint(self.spec.services.get(dependency)),
                )
        for key in ("network_mode", "pid", "ipc"):
            value = getattr(service, key)
            if isinstance(value, str) and value.startswith("service:"):
                other = value.removeprefix("service:")
                if other not in active and not is_templated(other):
                    self.error(
                        f"service {name!r} depends on undefined service {other!r}",
                        *where,
                        key,
                        hint=_inactive_hint(self.spec.services.get(other)),
                    )
        self.platforms(name, service)
        for index, link in enumerate(service.links):
            other = link.split(":", 1)[0]
            if other not in active and not is_templated(other):
                self.error(
                    f"service {name!r} depends on undefined service {other!r}",
                    *where,
                    "links",
                    index,
                    hint=_inactive_hint(self.spec.services.get(other)),
                )
        for index, other in enumerate(service.volumes_from):
            source = other.split(":", 1)[0]
            if is_templated(other):
                continue
            if not other.startswith("container:") and source not in active:
                self.error(
                    f"service {name!r} depends on undefined service {source!r}",
                    *where,
                    "volumes_from",
                    index,
                    hint=_inactive_hint(self.spec.services.get(source)),
                )
        self.limits(name, service)
        deployed = known_int(service.deploy.replicas) if service.deploy else None
        scale = known_int(service.scale)
        if deployed is not None and scale is not None and deployed != scale:
            self.error(
                "can't set distinct values on 'scale' and 'deploy.replicas'",
                *where,
                "scale",
            )
        replicas = max(deployed or 1, scale or 1)
        if service.container_name is not None and replicas > 1:
            self.error(
                f"container_name {service.container_name!r} cannot be used with {replicas} "
                "replicas: container names are unique",
                *where,
                "container_name",
            )

    def platforms(self, name: str, service: Service) -> None:
        """compose builds for the platform the service runs on: build.platforms must list it."""
        build = service.build
        if not isinstance(build, ComposeBuild) or not build.platforms or not service.platform:
            return
        if is_templated(service.platform) or any(is_templated(p) for p in build.platforms):
            return
        if service.platform not in build.platforms:
            self.error(
                f"service.build.platforms MUST include service.platform {service.platform!r}",
                "services",
                name,
                "build",
                "platforms",
            )

    def limits(self, name: str, service: Service) -> None:
        """compose refuses a service-level limit that differs from the deploy one."""
        limits = (
            service.deploy.resources.limits
            if service.deploy and service.deploy.resources and service.deploy.resources.limits
            else None
        )
        if limits is None:
            return
        pairs = (("mem_limit", "memory"), ("cpus", "cpus"), ("pids_limit", "pids"))
        for own, deployed in pairs:
            mine, theirs = getattr(service, own), getattr(limits, deployed)
            if mine is None or theirs is None or is_templated(mine) or is_templated(theirs):
                continue  # unset, or known only after interpolation
            if not _same_limit(deployed, mine, theirs):
                self.error(
                    f"{own} and deploy.resources.limits.{deployed} differ",
                    "services",
                    name,
                    own,
                    hint="set the limit in one place",
                )

    def undeclared(self, kind: str, name: str, *path: str | int) -> None:
        top = {"secret": "secrets", "config": "configs", "network": "networks", "volume": "volumes"}
        self.error(
            f"{kind} {name!r} is not declared",
            *path,
            hint=f"declare it under spec.{top[kind]} (external: true if it exists already)",
        )

    def build(self, name: str, service: Service) -> set[str]:
        """Check the build section; return the secret ids a bake Target brings along."""
        where = ("services", name, "build")
        if isinstance(service.build, ComposeBuild):
            build = service.build
            if build.dockerfile is not None and build.dockerfile_inline is not None:
                self.error("build sets both dockerfile and dockerfile_inline", *where)
            for index, ref in enumerate(build.secrets):
                if ref.source not in self.spec.secrets and not is_templated(ref.source):
                    self.undeclared("secret", ref.source, *where, "secrets", index)
            return set()
        if isinstance(service.build, ResourceRef) and service.build.kind != "Target":
            self.error(f"build must name a Target, not {service.build}", *where)
            return set()
        if service.build is None:
            return set()
        target = service_target(self.project, service)
        if target is None:
            assert isinstance(service.build, ResourceRef)
            self.error(f"Target {service.build.name!r} does not exist", *where)
            return set()
        if _effective(self.project, target, "matrix") is not None:
            self.error(f"Target/{target.name} is a matrix: a service builds one image", *where)
        for context, value in target.spec.named_contexts.items():
            if isinstance(value, TargetContext):
                self.error(
                    f"Target/{target.name} context {context!r} links a target; compose cannot",
                    *where,
                    hint="use an image context or let another service build it",
                )
        return {secret.id for secret in _effective(self.project, target, "secret") or []}


class _StackRules:
    def __init__(self, project: Project, stack: Stack, compose: ComposeProject) -> None:
        self.project = project
        self.stack = stack
        self.compose = compose
        self.problems: list[Diagnostic] = []

    def error(self, message: str, *path: str | int, hint: str | None = None) -> None:
        self.problems.append(
            Diagnostic(
                f"{message} ({self.stack.ref} deploys this project)",
                self.compose.location("spec", *path),
                hint,
            )
        )

    def run(self) -> list[Diagnostic]:
        spec = self.compose.spec
        if spec.include:
            self.error("docker stack deploy cannot include other files", "include")
        for name, service in spec.services.items():
            self.service(name, service)
        for name, network in spec.networks.items():
            if not network.external and network.driver in LOCAL_ONLY_NETWORK_DRIVERS:
                self.error(
                    f"a stack network cannot use the {network.driver} driver",
                    "networks",
                    name,
                    "driver",
                    hint="leave driver out (swarm uses overlay) or use ComposeNetwork.overlay()",
                )
        for kind, entries in (("secrets", spec.secrets), ("configs", spec.configs)):
            for name, entry in entries.items():
                if entry.environment is not None:
                    self.error(
                        f"swarm {kind} cannot come from an environment variable",
                        kind,
                        name,
                        "environment",
                        hint="use a file (or external: true)",
                    )
        for name, config in spec.configs.items():
            if config.content is not None and has_interpolation(config.content):
                self.error(
                    "inline content with ${...} cannot be written to a stack config file",
                    "configs",
                    name,
                    "content",
                    hint="write $$ for a literal $, or use a file",
                )
        return self.problems

    def service(self, name: str, service: Service) -> None:
        where = ("services", name)
        for key in sorted(REFUSED):
            if key in service.model_fields_set and getattr(service, key) not in (None, []):
                self.error(f"docker stack deploy refuses {key}", *where, key, hint=REFUSED[key])
        target = service_target(self.project, service)
        tags = _effective(self.project, target, "tags") if target is not None else None
        if service.image is None and not tags:
            self.error(
                f"service {name!r} has no image; swarm does not build",
                *where,
                hint="set image (or give the build Target a tag) and push it before deploying",
            )
        for index, port in enumerate(service.ports):
            if isinstance(port, str) or port.published is None or is_templated(port.published):
                continue  # holds a ${VAR}: only compose knows the port after interpolation
            if "-" in port.published:
                self.error(
                    "a stack cannot publish a port range on one container port",
                    *where,
                    "ports",
                    index,
                    "published",
                )
        reservations = (
            service.deploy.resources.reservations
            if service.deploy and service.deploy.resources
            else None
        )
        if reservations is not None and reservations.devices:
            self.error(
                "docker stack deploy refuses deploy.resources.reservations.devices",
                *where,
                "deploy",
                "resources",
                "reservations",
                "devices",
                hint="use generic_resources",
            )


def _check_projects(project: Project) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    names: dict[str, ComposeProject] = {}
    for compose in project.of_kind(ComposeProject):
        problems += _ProjectRules(project, compose).run()
        other = names.setdefault(compose.project_name, compose)
        if other is not compose:
            problems.append(
                Diagnostic(
                    f"compose project name {compose.project_name!r} is also used by {other.ref}",
                    compose.location("spec", "name"),
                    hint="give each ComposeProject its own spec.name",
                )
            )
    return problems


def _check_stacks(project: Project) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    names: dict[str, Stack] = {}
    for stack in project.of_kind(Stack):
        compose = stack_compose(project, stack)
        if compose is None:
            problems.append(
                Diagnostic(
                    f"{stack.spec.project} does not exist", stack.location("spec", "project")
                )
            )
        else:
            problems += _StackRules(project, stack, compose).run()
        other = names.setdefault(stack.stack_name, stack)
        if other is not stack:
            problems.append(
                Diagnostic(
                    f"stack name {stack.stack_name!r} is also used by {other.ref}",
                    stack.location("spec", "name"),
                )
            )
    return problems


def check_compose(project: Project) -> list[Diagnostic]:
    """Every compose project's and stack's rules."""
    return _check_projects(project) + _check_stacks(project)
