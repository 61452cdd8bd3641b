"""Convert a lowered compose project into the stack file ``docker stack deploy`` accepts.

The stack file is the compose file in format 3.13: no project ``name``, integer published
ports, ``depends_on`` as a list, no compose-only keys, no ``x-`` keys below a service. What
swarm would ignore is left out with a warning; inline config ``content`` (which the stack
format lacks) is written to a file beside the stack file. Keys swarm refuses never get here:
the compose rules report them as errors first.

For apply_stack (``engine=True``) the same conversion keeps what the Engine API takes though the
file format lacks it: the keys of ``ENGINE_ONLY`` and optional env files. apply_stack converts
the project after interpolating its variables, so inline content is taken as it is (``$$`` was
already read as ``$``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bakepy.models.compose.project import Stack
from bakepy.models.compose.values import has_interpolation, size_in_bytes, unescape_dollars
from bakepy.resolution.compose.lower import ComposeDocument
from bakepy.resolution.compose.swarm import (
    COMPOSE_ONLY,
    CONFIG_KEYS,
    ENGINE_ONLY,
    IGNORED,
    KEPT,
    NETWORK_KEYS,
    REFUSED,
    SECRET_KEYS,
    STACK_VERSION,
    VOLUME_KEYS,
)

_PORT_KEYS = ("mode", "target", "published", "protocol")
_MOUNT_KEYS = ("type", "source", "target", "read_only", "consistency")
_MOUNT_OPTIONS = {"bind": ("propagation",), "volume": ("nocopy",), "tmpfs": ("size",)}
_SILENT_MOUNT_OPTIONS = ("create_host_path",)
_SERVICE_NETWORK_KEYS = ("aliases", "driver_opts")
_REFERENCE_KEYS = ("source", "target", "uid", "gid", "mode")
_NOT_IN_FORMAT = f"left out: the stack file format {STACK_VERSION} has no such key"
_RESTART_CONDITIONS = {"no": "none", "always": "any", "unless-stopped": "any"}


@dataclass
class StackDocument:
    """A stack file's content, the files it refers to beside it, and what was left out."""

    stack: Stack
    data: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _with_hint(message: str, hint: str) -> str:
    return f"{message}; {hint}" if hint else message


def config_filename(stack: Stack, config: str) -> str:
    """The file an inline config's content is written to, beside the stack file."""
    return f"{stack.stack_name}.{config}.config"


def restart_policy(restart: str) -> dict[str, Any]:
    """A service's ``restart`` as the ``deploy.restart_policy`` swarm uses."""
    if restart in _RESTART_CONDITIONS:
        return {"condition": _RESTART_CONDITIONS[restart]}
    _, _, attempts = restart.partition(":")
    policy: dict[str, Any] = {"condition": "on-failure"}
    if attempts:
        policy["max_attempts"] = int(attempts)
    return policy


def _references(services: dict[str, Any], kind: str) -> set[str] | None:
    """The secrets or configs the services mount (None for networks and volumes: keep all).

    Only what a service mounts becomes a swarm object; a secret only a build used is dropped.
    """
    if kind not in ("secrets", "configs"):
        return None
    return {ref["source"] for service in services.values() for ref in service.get(kind, [])}


class _Conversion:
    def __init__(self, stack: Stack, engine: bool) -> None:
        self.document = StackDocument(stack, {"version": STACK_VERSION})
        self.engine = engine

    def warn(self, path: str, message: str) -> None:
        self.document.warnings.append(f"{self.document.stack.ref}: {path}: {message}")

    def keep(self, source: dict[str, Any], keys: tuple[str, ...], path: str) -> dict[str, Any]:
        """The ``keys`` of ``source``; any other key is left out with a warning."""
        for key in source:
            if key not in keys:
                self.warn(f"{path}.{key}", _NOT_IN_FORMAT)
        return {key: source[key] for key in keys if key in source}

    def convert(self, compose: dict[str, Any]) -> StackDocument:
        data = self.document.data
        services = {
            name: self.service(name, service)
            for name, service in (compose.get("services") or {}).items()
        }
        if services:
            data["services"] = services
        for key, keys in (
            ("networks", NETWORK_KEYS),
            ("volumes", VOLUME_KEYS),
            ("secrets", SECRET_KEYS),
            ("configs", CONFIG_KEYS),
        ):
            used = _references(services, key)
            entries = {
                name: self.entity(key, name, entry, keys)
                for name, entry in (compose.get(key) or {}).items()
                if used is None or name in used
            }
            if entries:
                data[key] = entries
        data.update({k: v for k, v in compose.items() if k.startswith("x-")})
        return self.document

    # -- top level ------------------------------------------------------------------------

    def entity(
        self, kind: str, name: str, entry: dict[str, Any], keys: tuple[str, ...]
    ) -> dict[str, Any]:
        path = f"{kind}.{name}"
        entry = dict(entry)
        if kind == "configs" and "content" in entry:
            filename = config_filename(self.document.stack, name)
            content = str(entry.pop("content"))
            self.document.files[filename] = content if self.engine else unescape_dollars(content)
            entry["file"] = "./" + filename
        if kind == "networks" and "ipam" in entry:
            ipam = self.keep(entry["ipam"], ("driver", "config"), f"{path}.ipam")
            if "config" in ipam:
                ipam["config"] = [
                    self.keep(pool, ("subnet",), f"{path}.ipam.config[{index}]")
                    for index, pool in enumerate(ipam["config"])
                ]
            entry["ipam"] = ipam
        kept = self.keep({k: v for k, v in entry.items() if not k.startswith("x-")}, keys, path)
        return {**kept, **{k: v for k, v in entry.items() if k.startswith("x-")}}

    # -- services -------------------------------------------------------------------------

    def service(self, name: str, service: dict[str, Any]) -> dict[str, Any]:
        path = f"services.{name}"
        out: dict[str, Any] = {}
        for key, value in service.items():
            where = f"{path}.{key}"
            if key.startswith("x-"):
                out[key] = value
            elif key in REFUSED or key == "restart":
                continue
            elif self.engine and key in ENGINE_ONLY:
                out[key] = self.strip_extensions(value, where)
            elif key in IGNORED:
                self.warn(where, _with_hint("left out: swarm ignores it", IGNORED[key]))
            elif key in COMPOSE_ONLY:
                self.warn(where, _with_hint(_NOT_IN_FORMAT, COMPOSE_ONLY[key]))
            elif key not in KEPT:
                self.warn(where, _NOT_IN_FORMAT)
            else:
                convert = getattr(self, f"service_{key}", None)
                out[key] = convert(value, where) if convert else value
        if "restart" in service:
            deploy = out.setdefault("deploy", {})
            if "restart_policy" in deploy:
                self.warn(f"{path}.restart", "left out: deploy.restart_policy applies on swarm")
            else:
                deploy["restart_policy"] = restart_policy(service["restart"])
        return out

    def strip_extensions(self, value: Any, path: str) -> Any:
        """Below a service the stack format allows no ``x-`` keys."""
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if isinstance(key, str) and key.startswith("x-"):
                    self.warn(f"{path}.{key}", "left out: no x- keys below a service in a stack")
                else:
                    out[key] = self.strip_extensions(item, f"{path}.{key}")
            return out
        if isinstance(value, list):
            return [self.strip_extensions(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    def service_depends_on(self, value: dict[str, Any], path: str) -> list[str]:
        self.warn(path, "kept as a list, but swarm ignores it: services start in any order")
        return list(value)

    def service_ports(self, value: list[Any], path: str) -> list[Any]:
        ports: list[Any] = []
        for index, port in enumerate(self.strip_extensions(value, path)):
            if isinstance(port, str):  # short syntax with a ${VAR}: for the deploy to read
                ports.append(port)
                continue
            kept = self.keep(port, _PORT_KEYS, f"{path}[{index}]")
            if str(kept.get("published", "")).isdigit():
                kept["published"] = int(kept["published"])
            ports.append(kept)
        return ports

    def service_volumes(self, value: list[Any], path: str) -> list[Any]:
        mounts: list[Any] = []
        for index, mount in enumerate(self.strip_extensions(value, path)):
            if isinstance(mount, str):  # short syntax with a ${VAR}: for the deploy to read
                mounts.append(mount)
                continue
            where = f"{path}[{index}]"
            options = {k: mount[k] for k in _MOUNT_OPTIONS if k in mount}
            kept = self.keep(
                {k: v for k, v in mount.items() if k not in _MOUNT_OPTIONS}, _MOUNT_KEYS, where
            )
            for kind, settings in options.items():
                settings = {k: v for k, v in settings.items() if k not in _SILENT_MOUNT_OPTIONS}
                chosen = self.keep(settings, _MOUNT_OPTIONS[kind], f"{where}.{kind}")
                if "size" in chosen and not has_interpolation(str(chosen["size"])):
                    chosen["size"] = size_in_bytes(chosen["size"])
                if chosen:
                    kept[kind] = chosen
            mounts.append(kept)
        return mounts

    def service_networks(self, value: dict[str, Any] | list[str], path: str) -> Any:
        if isinstance(value, list):  # names holding a ${VAR}, in compose's list form
            return value
        networks: dict[str, Any] = {}
        for name, settings in self.strip_extensions(value, path).items():
            if settings is None:
                networks[name] = None
                continue
            for address in ("ipv4_address", "ipv6_address"):
                if address in settings:
                    self.warn(f"{path}.{name}.{address}", "left out: swarm ignores it")
            rest = {k: v for k, v in settings.items() if k not in ("ipv4_address", "ipv6_address")}
            networks[name] = self.keep(rest, _SERVICE_NETWORK_KEYS, f"{path}.{name}") or None
        return networks

    def service_healthcheck(self, value: dict[str, Any], path: str) -> Any:
        return self.strip_extensions(value, path)

    def service_logging(self, value: dict[str, Any], path: str) -> Any:
        return self.strip_extensions(value, path)

    def service_deploy(self, value: dict[str, Any], path: str) -> Any:
        deploy: dict[str, Any] = self.strip_extensions(value, path)
        for kind in ("limits", "reservations"):
            resources = (deploy.get("resources") or {}).get(kind) or {}
            if isinstance(resources.get("memory"), int):
                resources["memory"] = str(resources["memory"])
        return deploy

    def service_configs(self, value: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
        return [
            self.keep(ref, _REFERENCE_KEYS, f"{path}[{i}]")
            for i, ref in enumerate(self.strip_extensions(value, path))
        ]

    service_secrets = service_configs

    def service_env_file(self, value: list[Any], path: str) -> list[Any]:
        if self.engine:
            return list(value)
        files = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                if entry.get("required") is False or "format" in entry:
                    self.warn(f"{path}[{index}]", "only the path is kept: the file is required")
                files.append(entry["path"])
            else:
                files.append(entry)
        return files

    def service_extra_hosts(self, value: dict[str, Any] | list[str], path: str) -> list[str]:
        if isinstance(value, list):  # a host name holding a ${VAR}: host=address entries
            return [entry.replace("=", ":", 1) for entry in value]
        return [
            f"{host}:{address}"
            for host, addresses in value.items()
            for address in (addresses if isinstance(addresses, list) else [addresses])
        ]


def stack_document(
    stack: Stack, compose: ComposeDocument, *, engine: bool = False
) -> StackDocument:
    """The stack file for ``stack``, from the lowered compose project it deploys; with
    ``engine``, what apply_stack sends to the Engine API (see the module docstring)."""
    return _Conversion(stack, engine).convert(compose.data)
