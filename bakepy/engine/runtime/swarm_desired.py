"""A Stack as the swarm objects ``docker stack deploy`` would make from its stack file: overlay
networks, content-named configs and secrets, and services, each with bakepy's labels.

Configs and secrets cannot change in place on a swarm, so each is named by its content
(``<stack>_<name>-<12 hex of sha256>``): new content is a new object, and the services that
use it change with it. Content is never put in a label, a spec hash or a log line.
"""

from __future__ import annotations

import hashlib
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from bakepy.compose.lower import lower_compose_projects
from bakepy.compose.references import stack_compose
from bakepy.compose.stack import StackDocument, stack_document
from bakepy.compose.values import parse_duration, size_in_bytes
from bakepy.engine.runtime import labels as L
from bakepy.engine.runtime.container_spec import healthcheck_body
from bakepy.engine.runtime.desired import _dockerfile_text, _literal
from bakepy.errors import BakepyError
from bakepy.models.compose import Stack
from bakepy.project import Project

SwarmKind = Literal["network", "config", "secret", "service"]
NAMESPACE = "com.docker.stack.namespace"
"""The label ``docker stack deploy`` puts on everything of a stack."""


@dataclass(frozen=True)
class SwarmObject:
    """One swarm object a stack declares, with the Engine API body it is created from."""

    kind: SwarmKind
    key: str
    """The name in the stack file (``web``, ``db_password``)."""
    name: str
    body: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    data: bytes = field(default=b"", repr=False)
    """A config's or secret's content (never logged or labelled)."""
    replicas: int | None = None
    """Replicated services: the running tasks to wait for."""

    @property
    def resource(self) -> str:
        """``service/web``, ``secret/db_password``."""
        return f"{self.kind}/{self.key}"


@dataclass
class StackState:
    """Every swarm object of one stack, in apply order."""

    stack: str
    objects: list[SwarmObject] = field(default_factory=list)
    external: dict[str, set[str]] = field(default_factory=dict)
    """Names of external networks, configs and secrets the stack uses (never created)."""
    warnings: list[str] = field(default_factory=list)

    def of(self, kind: SwarmKind) -> list[SwarmObject]:
        """The declared objects of one kind."""
        return [o for o in self.objects if o.kind == kind]


def content_name(stack: str, key: str, data: bytes) -> str:
    """``<stack>_<key>-<first 12 hex of sha256(content)>``."""
    return f"{stack}_{key}-{hashlib.sha256(data).hexdigest()[:12]}"


def stack_labels(stack: str, resource: str, spec: Any, extra: Mapping[str, str]) -> dict[str, str]:
    """The labels of a stack object: its own, docker stack's namespace and bakepy's ownership."""
    return {
        **extra,
        NAMESPACE: stack,
        L.PROJECT: stack,
        L.RESOURCE: resource,
        L.SPEC_HASH: L.spec_hash(spec),
    }


def _labels(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return dict(str(item).partition("=")[::2] for item in value)
    return {str(k): str(v) for k, v in (value or {}).items()}


def _nanos(value: Any) -> int | None:
    return None if value is None else parse_duration(str(value))


def _drop_none(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and v != {} and v != []}


class _Lowering:
    def __init__(self, document: StackDocument, base: Path) -> None:
        self.doc = document
        self.data: dict[str, Any] = _literal(document.data, document.stack.ref)
        self.base = base
        self.stack = document.stack.stack_name
        self.state = StackState(self.stack, warnings=list(document.warnings))
        self.names: dict[str, dict[str, str]] = {"networks": {}, "configs": {}, "secrets": {}}

    def build(self) -> StackState:
        data = self.data
        services = data.get("services") or {}
        networks = dict(data.get("networks") or {})
        if any(not s.get("networks") for s in services.values()) and "default" not in networks:
            networks["default"] = {}
        for key, entry in networks.items():
            self.network(key, entry or {})
        for kind in ("configs", "secrets"):
            for key, entry in (data.get(kind) or {}).items():
                self.content_object(kind, key, entry or {})
        for key, service in services.items():
            self.service(key, service)
        return self.state

    def network(self, key: str, entry: Mapping[str, Any]) -> None:
        name = str(entry.get("name") or f"{self.stack}_{key}")
        self.names["networks"][key] = name
        if entry.get("external"):
            self.state.external.setdefault("network", set()).add(name)
            return
        driver = entry.get("driver") or "overlay"
        spec: dict[str, Any] = {
            "Name": name,
            "Driver": driver,
            "Options": {str(k): str(v) for k, v in (entry.get("driver_opts") or {}).items()},
            "Internal": bool(entry.get("internal")),
            "Attachable": bool(entry.get("attachable", True)),
            "Labels": _labels(entry.get("labels")),
        }
        if entry.get("ipam"):
            ipam = entry["ipam"]
            spec["IPAM"] = {
                "Driver": ipam.get("driver") or "default",
                "Config": [{"Subnet": p["subnet"]} for p in ipam.get("config") or []],
            }
        spec["Labels"] = stack_labels(self.stack, f"network/{key}", spec, spec["Labels"])
        self.add(SwarmObject("network", key, name, spec, spec["Labels"][L.SPEC_HASH]))

    def content(self, kind: str, key: str, entry: Mapping[str, Any]) -> bytes:
        where = f"{kind}.{key}"
        if entry.get("file"):
            text = str(entry["file"])
            inline = self.doc.files.get(text.removeprefix("./"))
            if inline is not None:
                return inline.encode()
            path = Path(text) if Path(text).is_absolute() else self.base / text
            try:
                return path.read_bytes()
            except OSError:
                raise BakepyError(f"{where}: file {path} cannot be read") from None
        if entry.get("environment"):
            variable = str(entry["environment"])
            if variable not in os.environ:
                raise BakepyError(f"{where}: reads ${variable}, which is not set")
            return os.environ[variable].encode()
        if entry.get("content") is not None:
            return str(entry["content"]).encode()
        raise BakepyError(f"{where}: has no file, environment or content")

    def content_object(self, kind: str, key: str, entry: Mapping[str, Any]) -> None:
        single: SwarmKind = "secret" if kind == "secrets" else "config"
        if entry.get("external"):
            name = str(entry.get("name") or key)
            self.names[kind][key] = name
            self.state.external.setdefault(single, set()).add(name)
            return
        data = self.content(kind, key, entry)
        name = content_name(self.stack, str(entry.get("name") or key), data)
        self.names[kind][key] = name
        spec: dict[str, Any] = {"Name": name, "Labels": _labels(entry.get("labels"))}
        if kind == "secrets" and entry.get("driver"):
            spec["Driver"] = {"Name": entry["driver"], "Options": entry.get("driver_opts") or {}}
        if entry.get("template_driver"):
            spec["Templating"] = {"Name": entry["template_driver"]}
        spec["Labels"] = stack_labels(self.stack, f"{single}/{key}", spec, spec["Labels"])
        self.add(SwarmObject(single, key, name, spec, spec["Labels"][L.SPEC_HASH], data))

    def add(self, item: SwarmObject) -> None:
        self.state.objects.append(item)

    def references(self, kind: str, refs: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for ref in refs:
            source = str(ref["source"])
            if source not in self.names[kind]:
                raise BakepyError(f"{kind}.{source}: used by a service but not declared")
            target = str(ref.get("target") or (source if kind == "secrets" else f"/{source}"))
            mode = ref.get("mode")
            file = {
                "Name": target,
                "UID": str(ref.get("uid") or "0"),
                "GID": str(ref.get("gid") or "0"),
                "Mode": int(str(mode), 8) if isinstance(mode, str) else int(mode or 0o444),
            }
            name_key = "SecretName" if kind == "secrets" else "ConfigName"
            out.append({"File": file, name_key: self.names[kind][source]})
        return out

    def mounts(self, volumes: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        declared = self.data.get("volumes") or {}
        out = []
        for volume in volumes:
            kind = volume.get("type") or "volume"
            source = volume.get("source")
            mount: dict[str, Any] = {"Type": kind, "Target": volume["target"]}
            if kind == "volume" and source:
                entry = declared.get(source) or {}
                name = entry.get("name") or (source if entry.get("external") else None)
                mount["Source"] = str(name or f"{self.stack}_{source}")
                mount["VolumeOptions"] = _drop_none(
                    {
                        "Labels": {NAMESPACE: self.stack},
                        "NoCopy": (volume.get("volume") or {}).get("nocopy"),
                    }
                )
            elif source:
                mount["Source"] = str(source)
            if volume.get("read_only"):
                mount["ReadOnly"] = True
            if kind == "tmpfs" and (volume.get("tmpfs") or {}).get("size"):
                mount["TmpfsOptions"] = {"SizeBytes": int(volume["tmpfs"]["size"])}
            out.append(mount)
        return out

    def service(self, key: str, service: Mapping[str, Any]) -> None:
        name = f"{self.stack}_{key}"
        deploy = service.get("deploy") or {}
        if service.get("env_file"):
            self.state.warnings.append(f"services.{key}.env_file: not read by apply_stack")
        env = service.get("environment") or {}
        if isinstance(env, Mapping):
            env = [k if v is None else f"{k}={v}" for k, v in env.items()]
        command = service.get("command")
        entrypoint = service.get("entrypoint")
        container = _drop_none(
            {
                "Image": service["image"],
                "Command": shlex.split(entrypoint) if isinstance(entrypoint, str) else entrypoint,
                "Args": shlex.split(command) if isinstance(command, str) else command,
                "Env": list(env),
                "Labels": {**_labels(service.get("labels")), NAMESPACE: self.stack},
                "Mounts": self.mounts(service.get("volumes") or []),
                "Secrets": self.references("secrets", service.get("secrets") or []),
                "Configs": self.references("configs", service.get("configs") or []),
                "Hostname": service.get("hostname"),
                "User": service.get("user"),
                "Dir": service.get("working_dir"),
                "TTY": service.get("tty"),
                "OpenStdin": service.get("stdin_open"),
                "ReadOnly": service.get("read_only"),
                "Init": service.get("init"),
                "StopSignal": service.get("stop_signal"),
                "StopGracePeriod": _nanos(service.get("stop_grace_period")),
                "Healthcheck": healthcheck_body(service["healthcheck"])
                if service.get("healthcheck")
                else None,
            }
        )
        networks = service.get("networks") or {"default": None}
        attached = []
        for network, settings in networks.items():
            if network not in self.names["networks"]:
                raise BakepyError(f"services.{key}.networks: {network!r} is not declared")
            aliases = [key, *((settings or {}).get("aliases") or [])]
            attached.append({"Target": self.names["networks"][network], "Aliases": aliases})
        global_mode = deploy.get("mode") == "global"
        replicas = None if global_mode else int(deploy.get("replicas", 1))
        spec: dict[str, Any] = {
            "Name": name,
            "Labels": _labels(deploy.get("labels")),
            "TaskTemplate": _drop_none(
                {
                    "ContainerSpec": container,
                    "Resources": _resources(deploy.get("resources") or {}),
                    "RestartPolicy": _restart(deploy.get("restart_policy")),
                    "Placement": _placement(deploy.get("placement") or {}),
                    "Networks": attached,
                }
            ),
            "Mode": {"Global": {}} if global_mode else {"Replicated": {"Replicas": replicas}},
            "UpdateConfig": _update(deploy.get("update_config") or {}),
            "RollbackConfig": _update(deploy.get("rollback_config") or {}),
            "EndpointSpec": _drop_none(
                {
                    "Mode": deploy.get("endpoint_mode") or "vip",
                    "Ports": [_port(p) for p in service.get("ports") or []],
                }
            ),
        }
        spec["Labels"] = stack_labels(self.stack, f"service/{key}", spec, spec["Labels"])
        hashed = spec["Labels"][L.SPEC_HASH]
        self.add(SwarmObject("service", key, name, spec, hashed, replicas=replicas))


def _cpus(value: Any) -> int:
    return int(Decimal(str(value)) * 1_000_000_000)


def _resources(resources: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name in (("limits", "Limits"), ("reservations", "Reservations")):
        entry = resources.get(key) or {}
        body = _drop_none(
            {
                "NanoCPUs": _cpus(entry["cpus"]) if entry.get("cpus") is not None else None,
                "MemoryBytes": size_in_bytes(entry["memory"]) if entry.get("memory") else None,
                "Pids": int(entry["pids"]) if entry.get("pids") and key == "limits" else None,
            }
        )
        if body:
            out[name] = body
    return out


def _restart(policy: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not policy:
        return None
    attempts = policy.get("max_attempts")
    return _drop_none(
        {
            "Condition": policy.get("condition") or "any",
            "Delay": _nanos(policy.get("delay")),
            "MaxAttempts": int(attempts) if attempts is not None else None,
            "Window": _nanos(policy.get("window")),
        }
    )


def _placement(placement: Mapping[str, Any]) -> dict[str, Any]:
    preferences = [
        {"Spread": {"SpreadDescriptor": p["spread"]}} for p in placement.get("preferences") or []
    ]
    return _drop_none(
        {
            "Constraints": list(placement.get("constraints") or []),
            "Preferences": preferences,
            "MaxReplicas": placement.get("max_replicas_per_node"),
        }
    )


def _update(config: Mapping[str, Any]) -> dict[str, Any]:
    ratio = config.get("max_failure_ratio")
    return _drop_none(
        {
            "Parallelism": int(config.get("parallelism", 1)),
            "Delay": _nanos(config.get("delay")),
            "FailureAction": config.get("failure_action"),
            "Monitor": _nanos(config.get("monitor")),
            "MaxFailureRatio": float(ratio) if ratio is not None else None,
            "Order": config.get("order"),
        }
    )


def _port(port: Mapping[str, Any]) -> dict[str, Any]:
    return _drop_none(
        {
            "Protocol": port.get("protocol") or "tcp",
            "TargetPort": int(port["target"]),
            "PublishedPort": int(port["published"]) if port.get("published") else None,
            "PublishMode": port.get("mode") or "ingress",
        }
    )


def select_stack(project: Stack | Project, name: str | None) -> tuple[Project, Stack]:
    """The project that holds the Stack, and the Stack to converge."""
    whole = project if isinstance(project, Project) else Project([project])
    found = whole.of_kind(Stack)
    if name is not None:
        found = [s for s in found if name in (s.name, s.stack_name)]
    if len(found) != 1:
        names = ", ".join(s.stack_name for s in whole.of_kind(Stack)) or "none"
        what = f"no Stack named {name!r}" if name else "not one Stack"
        raise BakepyError(f"{what} to apply (declared: {names})", hint="name one with stack=NAME")
    return whole, found[0]


def stack_state(whole: Project, stack: Stack) -> StackState:
    """The swarm objects of ``stack``, from the stack file ``docker stack deploy`` would read."""
    compose = stack_compose(whole, stack)
    if compose is None:
        raise BakepyError(f"{stack.ref}: the ComposeProject it deploys is not declared")
    base = whole.base_dir_of(compose)
    documents = lower_compose_projects(whole, base, _dockerfile_text)
    document = next(d for d in documents if d.compose is compose)
    return _Lowering(stack_document(stack, document), base).build()
