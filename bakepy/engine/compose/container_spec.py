"""One compose service (as ``compose_config_view`` prints it) as the body of the Engine API's
``POST /containers/create``, the way ``docker compose up`` creates its containers.

Pure: paths are absolute already, secret and config files are resolved by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bakepy.errors import RuntimeSpecError
from bakepy.models.compose.values import size_in_bytes
from bakepy.support.durations import parse_duration

HANDLED = frozenset(
    {
        "image", "command", "entrypoint", "environment", "env_file", "labels", "annotations",
        "ports", "expose", "volumes", "tmpfs", "networks", "network_mode", "healthcheck",
        "restart", "deploy", "user", "working_dir", "hostname", "domainname", "cap_add",
        "cap_drop", "security_opt", "read_only", "privileged", "init", "stdin_open", "tty",
        "stop_signal", "stop_grace_period", "ulimits", "sysctls", "logging", "secrets",
        "configs", "depends_on", "extra_hosts", "dns", "dns_search", "dns_opt", "devices",
        "group_add", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness",
        "shm_size", "cpus", "cpu_shares", "cpu_quota", "cpu_period", "cpuset", "pids_limit",
        "oom_kill_disable", "oom_score_adj", "storage_opt", "userns_mode", "pid", "ipc",
        "cgroup", "cgroup_parent", "runtime", "isolation", "mac_address", "platform",
        "pull_policy", "volumes_from", "container_name", "scale", "device_cgroup_rules",
        "uts", "cpu_count", "cpu_percent", "cpu_rt_period", "cpu_rt_runtime", "gpus",
    }
)  # fmt: skip
"""Service keys that become part of the container (or of how apply runs it)."""
IGNORED = frozenset({"build", "develop", "profiles", "attach"})
"""Build-time, development-only and log-following keys: they do not shape the container."""


@dataclass(frozen=True)
class ServiceContext:
    """What a service's body refers to outside itself, resolved by the caller."""

    project: str
    service: str
    networks: Mapping[str, str]
    """Engine network name by compose key."""
    volumes: Mapping[str, str]
    """Engine volume name by compose key."""
    containers: Mapping[str, str]
    """First container name by service (``network_mode: service:x``, ``volumes_from``)."""
    environment: Mapping[str, str]
    """The service's environment, env files and shell values merged."""
    file_mounts: list[dict[str, Any]] = field(default_factory=list)
    """Bind mounts of the service's secrets and configs."""

    def fail(self, key: str, message: str) -> RuntimeSpecError:
        """An error naming the service field."""
        return RuntimeSpecError(f"services.{self.service}.{key}: {message}")


def _nanos(value: str | None) -> int | None:
    return None if value is None else parse_duration(value)


def healthcheck_body(check: Mapping[str, Any]) -> dict[str, Any]:
    """A compose healthcheck (durations in Go form) as the Engine API's ``Healthcheck``."""
    if check.get("disable"):
        return {"Test": ["NONE"]}
    out: dict[str, Any] = {}
    if check.get("test") is not None:
        out["Test"] = list(check["test"])
    for key, name in (
        ("interval", "Interval"),
        ("timeout", "Timeout"),
        ("start_period", "StartPeriod"),
        ("start_interval", "StartInterval"),
    ):
        nanos = _nanos(check.get(key))
        if nanos is not None:
            out[name] = nanos
    if check.get("retries") is not None:
        out["Retries"] = int(check["retries"])
    return out


def restart_policy(service: Mapping[str, Any]) -> dict[str, Any]:
    """``restart``, else ``deploy.restart_policy`` mapped as compose maps it."""
    restart = service.get("restart")
    if restart is None:
        policy = (service.get("deploy") or {}).get("restart_policy") or {}
        condition = policy.get("condition")
        if condition is None:
            return {"Name": "no"}
        name = {"none": "no", "any": "always"}.get(condition, condition)
        retries = int(policy.get("max_attempts") or 0) if name == "on-failure" else 0
        return {"Name": name, "MaximumRetryCount": retries}
    name, _, count = str(restart).partition(":")
    return {"Name": name, "MaximumRetryCount": int(count or 0)}


def _port_key(target: int | str, protocol: str | None) -> str:
    return f"{target}/{protocol or 'tcp'}"


def _ports(service: Mapping[str, Any], config: dict[str, Any], host: dict[str, Any]) -> None:
    exposed: dict[str, dict[str, Any]] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for port in service.get("ports") or []:
        key = _port_key(port["target"], port.get("protocol"))
        exposed[key] = {}
        bindings.setdefault(key, []).append(
            {"HostIp": port.get("host_ip") or "", "HostPort": str(port.get("published") or "")}
        )
    for entry in service.get("expose") or []:
        number, _, protocol = str(entry).partition("/")
        exposed[_port_key(number, protocol or None)] = {}
    if exposed:
        config["ExposedPorts"] = dict(sorted(exposed.items()))
    if bindings:
        host["PortBindings"] = dict(sorted(bindings.items()))


_RECURSIVE = {
    "disabled": {"NonRecursive": True},
    "writable": {"ReadOnlyNonRecursive": True},
    "readonly": {"ReadOnlyForceRecursive": True},
}


def _mount(mount: Mapping[str, Any], context: ServiceContext) -> dict[str, Any]:
    kind = mount["type"]
    out: dict[str, Any] = {"Type": kind, "Target": mount["target"]}
    if mount.get("read_only"):
        out["ReadOnly"] = True
    if kind == "bind":
        out["Source"] = mount["source"]
        options = mount.get("bind") or {}
        bind: dict[str, Any] = {}
        if options.get("propagation"):
            bind["Propagation"] = options["propagation"]
        if options.get("create_host_path"):
            bind["CreateMountpoint"] = True
        bind.update(_RECURSIVE.get(options.get("recursive") or "", {}))
        if options.get("selinux"):
            raise context.fail("volumes", "SELinux relabelling (:z, :Z) is not supported yet")
        if bind:
            out["BindOptions"] = bind
    elif kind == "volume":
        source = mount.get("source")
        if source:
            out["Source"] = context.volumes.get(source, source)
        options = mount.get("volume") or {}
        volume: dict[str, Any] = {}
        if options.get("nocopy"):
            volume["NoCopy"] = True
        if options.get("subpath"):
            volume["Subpath"] = options["subpath"]
        if volume:
            out["VolumeOptions"] = volume
    elif kind == "tmpfs":
        options = mount.get("tmpfs") or {}
        tmpfs: dict[str, Any] = {}
        if options.get("size") is not None:
            tmpfs["SizeBytes"] = size_in_bytes(options["size"])
        if options.get("mode") is not None:
            tmpfs["Mode"] = int(options["mode"])
        if tmpfs:
            out["TmpfsOptions"] = tmpfs
    else:
        raise context.fail("volumes", f"{kind} mounts are not supported by bakepy apply")
    return out


def _ulimits(limits: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in sorted(limits.items()):
        if isinstance(value, Mapping):
            out.append({"Name": name, "Soft": int(value["soft"]), "Hard": int(value["hard"])})
        else:
            out.append({"Name": name, "Soft": int(value), "Hard": int(value)})
    return out


def _device(entry: str | Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(entry, str):  # long syntax: source, target, permissions
        source = str(entry["source"])
        return {
            "PathOnHost": source,
            "PathInContainer": str(entry.get("target") or source),
            "CgroupPermissions": str(entry.get("permissions") or "rwm"),
        }
    parts = entry.split(":")
    host = parts[0]
    inside = parts[1] if len(parts) > 1 else host
    permissions = parts[2] if len(parts) > 2 else "rwm"
    return {"PathOnHost": host, "PathInContainer": inside, "CgroupPermissions": permissions}


def _device_request(device: Mapping[str, Any]) -> dict[str, Any]:
    count = device.get("count")
    out: dict[str, Any] = {"Capabilities": [list(device.get("capabilities") or [])]}
    if device.get("driver"):
        out["Driver"] = device["driver"]
    if count is not None:
        out["Count"] = -1 if count == "all" else int(count)
    if device.get("device_ids"):
        out["DeviceIDs"] = list(device["device_ids"])
    if device.get("options"):
        out["Options"] = dict(device["options"])
    return out


def _namespace(value: str | None, context: ServiceContext, key: str) -> str | None:
    """``service:<name>`` as ``container:<its first container>``."""
    if value is None or not value.startswith("service:"):
        return value
    name = value.removeprefix("service:")
    if name not in context.containers:
        raise context.fail(key, f"service {name!r} is not declared (or has no container)")
    return f"container:{context.containers[name]}"


def _resources(service: Mapping[str, Any], host: dict[str, Any]) -> None:
    resources = (service.get("deploy") or {}).get("resources") or {}
    limits = resources.get("limits") or {}
    reservations = resources.get("reservations") or {}
    cpus = service.get("cpus", limits.get("cpus"))
    if cpus is not None:
        host["NanoCpus"] = round(float(cpus) * 1e9)
    memory = service.get("mem_limit", limits.get("memory"))
    if memory is not None:
        host["Memory"] = size_in_bytes(memory)
    reserved = service.get("mem_reservation", reservations.get("memory"))
    if reserved is not None:
        host["MemoryReservation"] = size_in_bytes(reserved)
    pids = service.get("pids_limit", limits.get("pids"))
    if pids is not None:
        host["PidsLimit"] = int(pids)
    devices = list(reservations.get("devices") or [])
    gpus = service.get("gpus")
    if gpus == "all":
        gpus = [{"count": "all"}]
    devices += [{"capabilities": ["gpu"], **gpu} for gpu in gpus or []]
    if devices:
        host["DeviceRequests"] = [_device_request(d) for d in devices]
    if "memswap_limit" in service:
        host["MemorySwap"] = size_in_bytes(service["memswap_limit"])
    if "shm_size" in service:
        host["ShmSize"] = size_in_bytes(service["shm_size"])


_HOST_SCALARS = {
    "cap_add": "CapAdd",
    "cap_drop": "CapDrop",
    "security_opt": "SecurityOpt",
    "read_only": "ReadonlyRootfs",
    "privileged": "Privileged",
    "init": "Init",
    "dns": "Dns",
    "dns_search": "DnsSearch",
    "dns_opt": "DnsOptions",
    "group_add": "GroupAdd",
    "mem_swappiness": "MemorySwappiness",
    "cpu_shares": "CpuShares",
    "cpu_quota": "CpuQuota",
    "cpu_period": "CpuPeriod",
    "cpuset": "CpusetCpus",
    "oom_kill_disable": "OomKillDisable",
    "oom_score_adj": "OomScoreAdj",
    "storage_opt": "StorageOpt",
    "userns_mode": "UsernsMode",
    "cgroup": "CgroupnsMode",
    "cgroup_parent": "CgroupParent",
    "runtime": "Runtime",
    "isolation": "Isolation",
    "sysctls": "Sysctls",
    "annotations": "Annotations",
    "device_cgroup_rules": "DeviceCgroupRules",
    "uts": "UTSMode",
    "cpu_count": "CpuCount",
    "cpu_percent": "CpuPercent",
    "cpu_rt_period": "CpuRealtimePeriod",
    "cpu_rt_runtime": "CpuRealtimeRuntime",
}
_CONFIG_SCALARS = {
    "user": "User",
    "working_dir": "WorkingDir",
    "hostname": "Hostname",
    "domainname": "Domainname",
    "stop_signal": "StopSignal",
    "tty": "Tty",
    "stdin_open": "OpenStdin",
}


def _host_config(service: Mapping[str, Any], context: ServiceContext) -> dict[str, Any]:
    host: dict[str, Any] = {"RestartPolicy": restart_policy(service)}
    for key, name in _HOST_SCALARS.items():
        value = service.get(key)
        if value not in (None, [], {}):
            host[name] = value
    _resources(service, host)
    mounts = [_mount(m, context) for m in service.get("volumes") or []]
    mounts += context.file_mounts
    if mounts:
        host["Mounts"] = mounts
    tmpfs = {}
    for entry in service.get("tmpfs") or []:
        path, _, options = str(entry).partition(":")
        tmpfs[path] = options
    if tmpfs:
        host["Tmpfs"] = tmpfs
    if service.get("ulimits"):
        host["Ulimits"] = _ulimits(service["ulimits"])
    if service.get("logging"):
        logging = service["logging"]
        host["LogConfig"] = {
            "Type": logging.get("driver") or "",
            "Config": {k: v for k, v in (logging.get("options") or {}).items() if v is not None},
        }
    if service.get("extra_hosts"):
        host["ExtraHosts"] = [h.replace("=", ":", 1) for h in service["extra_hosts"]]
    if service.get("devices"):
        host["Devices"] = [_device(d) for d in service["devices"]]
    for key, name in (("pid", "PidMode"), ("ipc", "IpcMode")):
        value = _namespace(service.get(key), context, key)
        if value is not None:
            host[name] = value
    if service.get("volumes_from"):
        host["VolumesFrom"] = [_volumes_from(entry, context) for entry in service["volumes_from"]]
    return host


def _volumes_from(entry: str, context: ServiceContext) -> str:
    if entry.startswith("container:"):
        return entry.removeprefix("container:")
    name, _, mode = entry.partition(":")
    if name not in context.containers:
        raise context.fail("volumes_from", f"service {name!r} is not declared")
    return context.containers[name] + (f":{mode}" if mode else "")


def _endpoint(service: str, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    settings = settings or {}
    endpoint: dict[str, Any] = {"Aliases": [service, *settings.get("aliases", [])]}
    ipam: dict[str, Any] = {}
    for key, name in (("ipv4_address", "IPv4Address"), ("ipv6_address", "IPv6Address")):
        if settings.get(key):
            ipam[name] = settings[key]
    if settings.get("link_local_ips"):
        ipam["LinkLocalIPs"] = list(settings["link_local_ips"])
    if ipam:
        endpoint["IPAMConfig"] = ipam
    if settings.get("mac_address"):
        endpoint["MacAddress"] = settings["mac_address"]
    if settings.get("driver_opts"):
        endpoint["DriverOpts"] = dict(settings["driver_opts"])
    if settings.get("gw_priority") is not None:
        endpoint["GwPriority"] = int(settings["gw_priority"])
    return endpoint


def attached_networks(service: Mapping[str, Any]) -> list[str]:
    """The compose keys of a service's networks, in the order compose connects them."""
    networks: Mapping[str, Any] = service.get("networks") or {}
    return sorted(networks, key=lambda k: (-int((networks[k] or {}).get("priority") or 0), k))


def _networking(
    service: Mapping[str, Any], context: ServiceContext, host: dict[str, Any]
) -> dict[str, Any] | None:
    mode = service.get("network_mode")
    if mode is not None:
        host["NetworkMode"] = _namespace(mode, context, "network_mode")
        return None
    keys = attached_networks(service)
    if not keys:
        return None
    networks = service["networks"]
    endpoints = {context.networks[key]: _endpoint(context.service, networks[key]) for key in keys}
    host["NetworkMode"] = context.networks[keys[0]]
    return {"EndpointsConfig": endpoints}


def container_body(service: Mapping[str, Any], context: ServiceContext) -> dict[str, Any]:
    """The create body for one container of ``service`` (labels are the service's own)."""
    unknown = sorted(set(service) - HANDLED - IGNORED)
    if unknown:
        raise context.fail(unknown[0], "is not supported by bakepy apply yet")
    image = service.get("image")
    if not image:
        raise context.fail("image", "a service needs an image to run (build it and tag it)")
    config: dict[str, Any] = {"Image": image}
    if service.get("command") is not None:
        config["Cmd"] = list(service["command"])
    if service.get("entrypoint") is not None:
        config["Entrypoint"] = list(service["entrypoint"])
    if context.environment:
        config["Env"] = [f"{k}={v}" for k, v in sorted(context.environment.items())]
    for key, name in _CONFIG_SCALARS.items():
        if service.get(key) is not None:
            config[name] = service[key]
    if service.get("stop_grace_period") is not None:
        config["StopTimeout"] = parse_duration(service["stop_grace_period"]) // 1_000_000_000
    if service.get("healthcheck"):
        config["Healthcheck"] = healthcheck_body(service["healthcheck"])
    if service.get("mac_address"):
        config["MacAddress"] = service["mac_address"]
    config["Labels"] = dict(service.get("labels") or {})
    host = _host_config(service, context)
    _ports(service, config, host)
    networking = _networking(service, context, host)
    config["HostConfig"] = host
    if networking is not None:
        config["NetworkingConfig"] = networking
    return config
