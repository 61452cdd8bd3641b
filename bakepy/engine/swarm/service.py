"""One service of a stack file as the Engine API's ``ServiceSpec``, the way ``docker stack deploy``
builds it, plus what the file format lacks but the API takes (see ``ENGINE_ONLY``).

Also the service's plan view: the declared fields a plan compares, with values taken from an env
file or the shell and the content-named secrets and configs only as hidden ``contents``.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bakepy.engine.compose.container_spec import _ulimits, healthcheck_body
from bakepy.engine.compose.env_files import service_environment
from bakepy.engine.labels import NAMESPACE
from bakepy.engine.state import secret_digest
from bakepy.errors import BakepyError
from bakepy.models.compose.values import size_in_bytes
from bakepy.support.durations import parse_duration

"""The label ``docker stack deploy`` puts on everything of a stack."""
_NOT_IN_VIEW = ("env_file", "environment", "secrets", "configs", "depends_on")


@dataclass
class ServiceContext:
    """What a stack service refers to outside itself, resolved by the caller."""

    stack: str
    base: Path
    """The folder env files and bind sources are relative to."""
    names: Mapping[str, Mapping[str, str]]
    """Swarm name of each declared network, config and secret (by kind, then stack-file key)."""
    volumes: Mapping[str, Any]
    """The stack file's top-level volumes."""
    digest_key: Callable[[], bytes]
    """The host's key for hashing values that may be secret (read only when needed)."""
    shell: Mapping[str, str] = field(default_factory=dict)
    """The variables compose interpolates with (the environment's over the project's ``.env``)."""
    templated: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """By service, the environment variables whose declared value held a ``${VAR}`` (a plan
    shows them only as digests, as it shows values from the shell)."""


@dataclass(frozen=True)
class ServiceBody:
    """A service's ``ServiceSpec`` (without bakepy's labels), its plan view and its replicas."""

    spec: dict[str, Any]
    view: dict[str, Any]
    replicas: int | None
    """Replicated services: the tasks to wait for; None in global mode."""


def nanos(value: Any) -> int | None:
    """A Go duration (``1m30s``) in nanoseconds."""
    return None if value is None else parse_duration(str(value))


def drop_empty(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` without the keys that hold None, ``{}`` or ``[]``."""
    return {k: v for k, v in value.items() if v is not None and v != {} and v != []}


def label_map(value: Any) -> dict[str, str]:
    """Labels given as a mapping or as ``key=value`` strings."""
    if isinstance(value, list):
        return dict(str(item).partition("=")[::2] for item in value)
    return {str(k): str(v) for k, v in (value or {}).items()}


class _Service:
    def __init__(self, key: str, service: Mapping[str, Any], context: ServiceContext) -> None:
        self.key = key
        self.service = service
        self.context = context
        self.contents: dict[str, str] = {}

    def fail(self, field_name: str, message: str) -> BakepyError:
        return BakepyError(
            f"stack {self.context.stack}: services.{self.key}.{field_name}: {message}"
        )

    def environment(self) -> tuple[list[str], dict[str, str]]:
        """``Env`` as compose computes it, and the variables a plan may show as written."""
        for entry in self.service.get("env_file") or []:
            path = str(entry if isinstance(entry, str) else entry["path"])
            required = isinstance(entry, str) or entry.get("required") is not False
            if required and not (self.context.base / path).is_file():
                raise self.fail("env_file", f"file {self.context.base / path} does not exist")
        merged = service_environment(self.service, self.context.base, self.context.shell)
        declared = self.service.get("environment") or {}
        templated = self.context.templated.get(self.key, frozenset())
        shown = {}
        for name, value in merged.items():
            written = declared.get(name) is not None and str(declared[name]) == value
            if written and name not in templated:
                shown[name] = value
            else:
                digest = secret_digest(value.encode(), self.context.digest_key())
                self.contents[f"environment/{name}"] = digest
        return [f"{k}={v}" for k, v in merged.items()], shown

    def references(self, kind: str) -> list[dict[str, Any]]:
        """Secret or config references with the swarm names (IDs are added at apply)."""
        out = []
        names = self.context.names[kind]
        for ref in self.service.get(kind) or []:
            source = str(ref["source"])
            if source not in names:
                raise self.fail(kind, f"{source!r} is not declared under {kind}")
            target = str(ref.get("target") or (source if kind == "secrets" else f"/{source}"))
            mode = ref.get("mode")
            file = {
                "Name": target,
                "UID": str(ref.get("uid") or "0"),
                "GID": str(ref.get("gid") or "0"),
                "Mode": int(str(mode), 8) if isinstance(mode, str) else int(mode or 0o444),
            }
            name_key = "SecretName" if kind == "secrets" else "ConfigName"
            out.append({"File": file, name_key: names[source]})
            self.contents[f"{kind.removesuffix('s')}/{source}"] = names[source]
        return out

    def mounts(self) -> list[dict[str, Any]]:
        out = []
        for volume in self.service.get("volumes") or []:
            kind = volume.get("type") or "volume"
            source = volume.get("source")
            mount: dict[str, Any] = {"Type": kind, "Target": volume["target"]}
            if kind == "volume" and source:
                entry = self.context.volumes.get(source) or {}
                name = entry.get("name") or (source if entry.get("external") else None)
                mount["Source"] = str(name or f"{self.context.stack}_{source}")
                mount["VolumeOptions"] = drop_empty(
                    {
                        "Labels": {NAMESPACE: self.context.stack},
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

    def networks(self) -> list[dict[str, Any]]:
        attached = []
        names = self.context.names["networks"]
        for network, settings in (self.service.get("networks") or {"default": None}).items():
            if network not in names:
                raise self.fail("networks", f"{network!r} is not declared")
            aliases = [self.key, *((settings or {}).get("aliases") or [])]
            attached.append({"Target": names[network], "Aliases": aliases})
        return attached

    def container(self, env: list[str]) -> dict[str, Any]:
        service = self.service
        command = service.get("command")
        entrypoint = service.get("entrypoint")
        check = service.get("healthcheck")
        oom = service.get("oom_score_adj")
        return drop_empty(
            {
                "Image": service["image"],
                "Command": shlex.split(entrypoint) if isinstance(entrypoint, str) else entrypoint,
                "Args": shlex.split(command) if isinstance(command, str) else command,
                "Env": env,
                "Labels": {**label_map(service.get("labels")), NAMESPACE: self.context.stack},
                "Mounts": self.mounts(),
                "Secrets": self.references("secrets"),
                "Configs": self.references("configs"),
                "Hostname": service.get("hostname"),
                "User": service.get("user"),
                "Groups": [str(g) for g in service.get("group_add") or []],
                "Dir": service.get("working_dir"),
                "TTY": service.get("tty"),
                "OpenStdin": service.get("stdin_open"),
                "ReadOnly": service.get("read_only"),
                "Init": service.get("init"),
                "StopSignal": service.get("stop_signal"),
                "StopGracePeriod": nanos(service.get("stop_grace_period")),
                "Healthcheck": healthcheck_body(check) if check else None,
                "Hosts": [_host(entry) for entry in service.get("extra_hosts") or []],
                "DNSConfig": drop_empty(
                    {
                        "Nameservers": list(service.get("dns") or []),
                        "Search": list(service.get("dns_search") or []),
                        "Options": list(service.get("dns_opt") or []),
                    }
                ),
                "CapabilityAdd": list(service.get("cap_add") or []),
                "CapabilityDrop": list(service.get("cap_drop") or []),
                "Ulimits": _ulimits(service.get("ulimits") or {}),
                "Sysctls": {str(k): str(v) for k, v in (service.get("sysctls") or {}).items()},
                "Isolation": service.get("isolation"),
                "OomScoreAdj": int(oom) if oom is not None else None,
            }
        )

    def build(self) -> ServiceBody:
        service = self.service
        deploy = service.get("deploy") or {}
        env, shown = self.environment()
        global_mode = deploy.get("mode") == "global"
        replicas = None if global_mode else int(deploy.get("replicas", 1))
        logging = service.get("logging") or {}
        spec: dict[str, Any] = {
            "Name": f"{self.context.stack}_{self.key}",
            "Labels": label_map(deploy.get("labels")),
            "TaskTemplate": drop_empty(
                {
                    "ContainerSpec": self.container(env),
                    "Resources": _resources(deploy.get("resources") or {}, service),
                    "RestartPolicy": _restart(deploy.get("restart_policy")),
                    "Placement": _placement(deploy.get("placement") or {}),
                    "Networks": self.networks(),
                    "LogDriver": drop_empty(
                        {
                            "Name": logging.get("driver"),
                            "Options": {
                                str(k): str(v)
                                for k, v in (logging.get("options") or {}).items()
                                if v is not None
                            },
                        }
                    )
                    if logging.get("driver")
                    else None,
                }
            ),
            "Mode": {"Global": {}} if global_mode else {"Replicated": {"Replicas": replicas}},
            "UpdateConfig": _update(deploy.get("update_config") or {}),
            "RollbackConfig": _update(deploy.get("rollback_config") or {}),
            "EndpointSpec": drop_empty(
                {
                    "Mode": deploy.get("endpoint_mode") or "vip",
                    "Ports": [_port(p) for p in service.get("ports") or []],
                }
            ),
        }
        return ServiceBody(spec, self.view(shown), replicas)

    def view(self, environment: dict[str, str]) -> dict[str, Any]:
        """The declared fields, as written, that a plan shows when they change."""
        view = {
            k: copy.deepcopy(v)
            for k, v in self.service.items()
            if k not in _NOT_IN_VIEW and not k.startswith("x-")
        }
        view["environment"] = environment
        for kind in ("secrets", "configs"):
            view[kind] = {
                str(ref["source"]): {k: v for k, v in ref.items() if k != "source"}
                for ref in self.service.get(kind) or []
            }
        view["contents"] = dict(sorted(self.contents.items()))
        return drop_empty(view)


def service_body(key: str, service: Mapping[str, Any], context: ServiceContext) -> ServiceBody:
    """The ServiceSpec of stack-file service ``key`` and its plan view."""
    return _Service(key, service, context).build()


def _host(entry: str) -> str:
    """``host:address`` (the stack file's form) as swarm's ``address host``."""
    host, _, address = str(entry).partition(":")
    return f"{address} {host}"


def _cpus(value: Any) -> int:
    return int(Decimal(str(value)) * 1_000_000_000)


def _resources(resources: Mapping[str, Any], service: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name in (("limits", "Limits"), ("reservations", "Reservations")):
        entry = resources.get(key) or {}
        pids = entry.get("pids") or (service.get("pids_limit") if key == "limits" else None)
        body = drop_empty(
            {
                "NanoCPUs": _cpus(entry["cpus"]) if entry.get("cpus") is not None else None,
                "MemoryBytes": size_in_bytes(entry["memory"]) if entry.get("memory") else None,
                "Pids": int(pids) if pids and key == "limits" else None,
            }
        )
        if body:
            out[name] = body
    return out


def _restart(policy: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not policy:
        return None
    attempts = policy.get("max_attempts")
    return drop_empty(
        {
            "Condition": policy.get("condition") or "any",
            "Delay": nanos(policy.get("delay")),
            "MaxAttempts": int(attempts) if attempts is not None else None,
            "Window": nanos(policy.get("window")),
        }
    )


def _placement(placement: Mapping[str, Any]) -> dict[str, Any]:
    preferences = [
        {"Spread": {"SpreadDescriptor": p["spread"]}} for p in placement.get("preferences") or []
    ]
    return drop_empty(
        {
            "Constraints": list(placement.get("constraints") or []),
            "Preferences": preferences,
            "MaxReplicas": placement.get("max_replicas_per_node"),
        }
    )


def _update(config: Mapping[str, Any]) -> dict[str, Any]:
    ratio = config.get("max_failure_ratio")
    return drop_empty(
        {
            "Parallelism": int(config.get("parallelism", 1)),
            "Delay": nanos(config.get("delay")),
            "FailureAction": config.get("failure_action"),
            "Monitor": nanos(config.get("monitor")),
            "MaxFailureRatio": float(ratio) if ratio is not None else None,
            "Order": config.get("order"),
        }
    )


def _port(port: Mapping[str, Any]) -> dict[str, Any]:
    return drop_empty(
        {
            "Protocol": port.get("protocol") or "tcp",
            "TargetPort": int(port["target"]),
            "PublishedPort": int(port["published"]) if port.get("published") else None,
            "PublishMode": port.get("mode") or "ingress",
        }
    )
