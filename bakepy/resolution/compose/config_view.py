"""bakepy's own view of a rendered compose file, in the shape ``docker compose config
--format json`` (compose 2.26) prints it.

Conformance tests compare the two, so every rule here mirrors something compose was seen to do
(docs/specs §2.3): long syntax everywhere, paths made absolute against the project folder (the
folder of the compose file), defaults filled in (``mode: ingress``, ``protocol: tcp``,
``required: true``, the ``default`` network, ``<project>_<key>`` names), durations in Go's
form, sizes in bytes, unused top-level networks, volumes, secrets and configs dropped, and
``x-`` keys below the top level dropped (compose's JSON output leaves them out).

Compose 2.26 also prints no ``false`` for most booleans (plain Go bools) and no
``ipam.options``. Variables are taken as unset: a null build arg is dropped, as compose drops
an arg the shell does not set. Not covered: interpolation (``${VAR}``; ``$$`` stays ``$$``, as
compose re-escapes), ``env_file`` (compose reads the files into ``environment``), ``include``,
``extends``, ``~`` in paths.
"""

from __future__ import annotations

import copy
import os
import shlex
from pathlib import Path
from typing import Any

from bakepy.models.compose.values import go_duration, size_in_bytes

_TOP_LEVEL = ("networks", "volumes", "secrets", "configs")
_SIZES = ("mem_limit", "mem_reservation", "memswap_limit", "shm_size")
_HEALTH_DURATIONS = ("interval", "timeout", "start_period", "start_interval")
_UPDATE_DROPPED_WHEN_ZERO = ("delay", "monitor", "max_failure_ratio")
# compose keeps these booleans in plain Go bools: `false` is the zero value and is not printed
_SERVICE_FLAGS = ("read_only", "privileged", "tty", "stdin_open", "oom_kill_disable")
_BUILD_FLAGS = ("no_cache", "pull", "privileged")
_ENTITY_FLAGS = ("attachable", "internal", "external")


def _drop_false(data: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if data.get(key) is False:
            del data[key]


def _absolute(path: str, project_dir: Path) -> str:
    if "://" in path or path.startswith(("~", "${")) or os.path.isabs(path):
        return path
    return os.path.normpath(os.path.join(project_dir, path))


def _is_local_context(value: str) -> bool:
    return ":" not in value.split("/", 1)[0] and "://" not in value


def _no_extensions(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if not k.startswith("x-")}


class _View:
    def __init__(self, document: dict[str, Any], project_dir: Path) -> None:
        self.document = copy.deepcopy(document)
        self.project_dir = project_dir
        self.name = str(document["name"])

    def build(self) -> dict[str, Any]:
        data = self.document
        data.pop("version", None)
        services = {
            name: self.service(service) for name, service in (data.get("services") or {}).items()
        }
        if services:
            data["services"] = services
        used = self.used(services)
        if (
            services
            and any("default" in s.get("networks", {}) for s in services.values())
            and "default" not in (data.get("networks") or {})
        ):
            data.setdefault("networks", {})["default"] = {}
        for kind in _TOP_LEVEL:
            entries = {
                key: self.entity(kind, key, entry)
                for key, entry in (data.get(kind) or {}).items()
                if key in used[kind]
            }
            if entries:
                data[kind] = entries
            else:
                data.pop(kind, None)
        return data

    def used(self, services: dict[str, Any]) -> dict[str, set[str]]:
        used: dict[str, set[str]] = {kind: set() for kind in _TOP_LEVEL}
        for service in services.values():
            used["networks"].update(service.get("networks") or {})
            used["volumes"].update(
                m["source"]
                for m in service.get("volumes", [])
                if m["type"] == "volume" and "source" in m
            )
            used["secrets"].update(s["source"] for s in service.get("secrets", []))
            used["secrets"].update(s["source"] for s in service.get("build", {}).get("secrets", []))
            used["configs"].update(c["source"] for c in service.get("configs", []))
        return used

    def entity(self, kind: str, key: str, entry: dict[str, Any]) -> dict[str, Any]:
        out = dict(entry)
        if "name" not in out:
            out["name"] = key if out.get("external") else f"{self.name}_{key}"
        if "file" in out:
            out["file"] = _absolute(out["file"], self.project_dir)
        _drop_false(out, _ENTITY_FLAGS)
        if kind == "networks":
            out.setdefault("ipam", {}).pop("options", None)  # compose 2.26 has no field for it
        return {"name": out.pop("name"), **out}

    # -- services -------------------------------------------------------------------------

    def service(self, service: dict[str, Any]) -> dict[str, Any]:
        out = _no_extensions(service)
        _drop_false(out, _SERVICE_FLAGS)
        for key, missing in (("environment", None), ("labels", ""), ("annotations", "")):
            if key in out:
                out[key] = _as_mapping(out[key], missing)
        if "sysctls" in out:
            out["sysctls"] = _as_mapping(out["sysctls"], "")
        for key in ("command", "entrypoint"):
            value = out.get(key)
            out[key] = shlex.split(value) if isinstance(value, str) else value
        for key in ("post_start", "pre_stop"):
            if key in out:
                out[key] = [_hook(hook) for hook in out[key]]
        if "devices" in out:
            out["devices"] = [_device(entry) for entry in out["devices"]]
        if out.get("gpus") == "all":
            out["gpus"] = [{"count": -1}]
        if "build" in out:
            out["build"] = self.build_section(out["build"])
        if "network_mode" not in out:
            out.setdefault("networks", {"default": None})
        for port in out.get("ports", []):
            port.setdefault("mode", "ingress")
            port.setdefault("protocol", "tcp")
        for mount in out.get("volumes", []):
            _drop_false(mount, ("read_only",))
            _drop_false(mount.get("bind") or {}, ("create_host_path",))
            _drop_false(mount.get("volume") or {}, ("nocopy",))
            if mount["type"] == "bind":
                mount["source"] = _absolute(mount["source"], self.project_dir)
            if "size" in (mount.get("tmpfs") or {}):
                mount["tmpfs"]["size"] = str(size_in_bytes(mount["tmpfs"]["size"]))
        self.implicit_dependencies(out)
        if out.get("pull_policy") == "if_not_present":
            out["pull_policy"] = "missing"
        for dependency in (out.get("depends_on") or {}).values():
            dependency.setdefault("required", True)
            _drop_false(dependency, ("restart",))
        for secret in out.get("secrets", []):
            secret.setdefault("target", f"/run/secrets/{secret['source']}")
        if "healthcheck" in out:
            out["healthcheck"] = self.healthcheck(out["healthcheck"])
        if "stop_grace_period" in out:
            out["stop_grace_period"] = go_duration(out["stop_grace_period"])
        for key in _SIZES:
            if key in out:
                out[key] = str(size_in_bytes(out[key]))
        if "cpus" in out:
            out["cpus"] = float(out["cpus"])
        if "extra_hosts" in out:
            out["extra_hosts"] = _host_list(out["extra_hosts"])
        if "deploy" in out:
            out["deploy"] = self.deploy(out["deploy"])
        for rule in (out.get("develop") or {}).get("watch", []):
            rule["path"] = _absolute(rule["path"], self.project_dir)
            rule["exec"] = _hook(rule["exec"]) if "exec" in rule else {"command": None}
        return out

    @staticmethod
    def implicit_dependencies(service: dict[str, Any]) -> None:
        """compose adds the services a service shares namespaces or volumes with, or links to,
        to depends_on."""
        implied: dict[str, dict[str, Any]] = {}
        for key in ("network_mode", "pid", "ipc"):
            value = service.get(key)
            if isinstance(value, str) and value.startswith("service:"):
                name = value.removeprefix("service:")
                implied[name] = {"condition": "service_started", "restart": True}
        for link in service.get("links", []):
            implied[link.split(":", 1)[0]] = {"condition": "service_started", "restart": True}
        for entry in service.get("volumes_from", []):
            if not entry.startswith("container:"):
                implied.setdefault(entry.split(":", 1)[0], {"condition": "service_started"})
        if implied:
            service["depends_on"] = {**implied, **(service.get("depends_on") or {})}

    def build_section(self, build: dict[str, Any]) -> dict[str, Any]:
        out = _no_extensions(build)
        for key, missing in (("args", None), ("labels", "")):
            if key in out:
                out[key] = _as_mapping(out[key], missing)
        _drop_false(out, _BUILD_FLAGS)
        if "args" in out:  # a null arg takes the shell's value; unset there, compose drops it
            out["args"] = {k: v for k, v in out["args"].items() if v is not None}
        context = out.get("context", ".")
        out["context"] = _absolute(context, self.project_dir)
        if "dockerfile" not in out and "dockerfile_inline" not in out:
            out["dockerfile"] = "Dockerfile"
        contexts = out.get("additional_contexts") or {}
        for key, value in contexts.items():
            if _is_local_context(value):
                contexts[key] = _absolute(value, self.project_dir)
        if "shm_size" in out:
            out["shm_size"] = str(size_in_bytes(out["shm_size"]))
        if "extra_hosts" in out:
            out["extra_hosts"] = _host_list(out["extra_hosts"])
        return out

    def healthcheck(self, check: dict[str, Any]) -> dict[str, Any]:
        out = _no_extensions(check)
        _drop_false(out, ("disable",))
        if isinstance(out.get("test"), str):
            out["test"] = ["CMD-SHELL", out["test"]]
        for key in _HEALTH_DURATIONS:
            if key in out:
                out[key] = go_duration(out[key])
        return out

    def deploy(self, deploy: dict[str, Any]) -> dict[str, Any]:
        out = _no_extensions(deploy)
        if "labels" in out:
            out["labels"] = _as_mapping(out["labels"], "")
        resources = out.setdefault("resources", {})
        for kind in ("limits", "reservations"):
            if kind in resources:
                section = resources[kind]
                if "cpus" in section:
                    section["cpus"] = float(section["cpus"])
                if "memory" in section:
                    section["memory"] = str(size_in_bytes(section["memory"]))
        out.setdefault("placement", {})
        if "restart_policy" in out:
            policy = out["restart_policy"]
            for key in ("delay", "window"):
                if key in policy:
                    policy[key] = go_duration(policy[key])
        for key in ("update_config", "rollback_config"):
            if key in out:
                out[key] = _update_config(out[key])
        return out


def _update_config(config: dict[str, Any]) -> dict[str, Any]:
    out = dict(config)
    for key in ("delay", "monitor"):
        if key in out:
            out[key] = go_duration(out[key])
    for key in _UPDATE_DROPPED_WHEN_ZERO:
        if out.get(key) in ("0s", 0, 0.0):
            del out[key]
    return out


def _hook(hook: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle or watch hook as compose prints it: the command split like a shell's."""
    out = dict(hook)
    if isinstance(out.get("command"), str):
        out["command"] = shlex.split(out["command"])
    return out


def _device(entry: str | dict[str, Any]) -> dict[str, Any]:
    """A device in long syntax, as compose prints every device (permissions default rwm)."""
    if isinstance(entry, dict):
        return {
            "source": entry["source"],
            "target": entry.get("target") or entry["source"],
            "permissions": entry.get("permissions") or "rwm",
        }
    parts = entry.split(":")
    target = parts[1] if len(parts) > 1 else parts[0]
    return {
        "source": parts[0],
        "target": target,
        "permissions": parts[2] if len(parts) > 2 else "rwm",
    }


def _as_mapping(value: dict[str, Any] | list[str], missing: str | None) -> dict[str, Any]:
    """A key/value field written as ``KEY=VALUE`` entries (lowering writes a key holding a
    ``$`` so) as the mapping compose prints; ``missing`` for an entry without ``=``."""
    if isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for entry in value:
        key, sep, rest = entry.partition("=")
        out[key] = rest if sep else missing
    return out


def _host_list(hosts: dict[str, Any] | list[str]) -> list[str]:
    if isinstance(hosts, list):
        return [entry.replace(":", "=", 1) if "=" not in entry else entry for entry in hosts]
    return [
        f"{host}={address}"
        for host, addresses in hosts.items()
        for address in (addresses if isinstance(addresses, list) else [addresses])
    ]


def compose_config_view(document: dict[str, Any], project_dir: Path) -> dict[str, Any]:
    """What ``docker compose -f <file in project_dir> config --format json`` prints for the
    compose file holding ``document``."""
    return _View(document, project_dir.resolve()).build()
