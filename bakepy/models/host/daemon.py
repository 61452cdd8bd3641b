"""The Docker engine's daemon.json (dockerd 26.1, Linux) as a typed resource: DaemonConfig.

Every key dockerd 26.1 reads is a field named as daemon.json names it (``live-restore``,
``registry-mirrors``, ``builder.gc.defaultKeepStorage``); unset fields are not written.
Keys that dockerd would silently ignore or refuse are errors that name the right key. The
rules that need more than one resource (the drop-in that starts dockerd) are in
``bakepy.resolution.checks.host``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from bakepy.models.base import KebabModel
from bakepy.models.field_errors import FieldProblem, raise_field_errors
from bakepy.models.host.daemon_keys import WRONG_KEYS, wrong_key_message
from bakepy.models.host.daemon_rules import spec_problems
from bakepy.models.host.daemon_values import (
    DaemonAddressPool,
    DaemonBuilder,
    DaemonProxies,
    DaemonRuntime,
    DaemonUlimit,
    SizeString,
)
from bakepy.models.resource import Metadata, Resource

NOT_RENDERED = frozenset({"swarm", "i_understand_tcp_without_tls_is_root_for_anyone"})
"""Spec fields that describe the host to bakepy's checks and are never written to daemon.json."""


class DaemonConfigSpec(KebabModel):
    """Every daemon.json key of dockerd 26.1 on Linux; unset keys are left out of the file."""

    allow_nondistributable_artifacts: list[str] | None = Field(
        default=None, description="Registries nondistributable layers may be pushed to."
    )
    api_cors_header: str | None = Field(
        default=None, description="CORS header of the remote API (deprecated in 27)."
    )
    authorization_plugins: list[str] | None = Field(
        default=None, description="Authorization plugins to load."
    )
    bip: str | None = Field(
        default=None, description="Address and prefix of the default bridge (`172.17.0.1/16`)."
    )
    bridge: str | None = Field(default=None, description="Bridge the default network uses.")
    builder: DaemonBuilder | None = Field(
        default=None, description="The embedded BuildKit: cache GC, entitlements, history."
    )
    cdi_spec_dirs: list[str] | None = Field(
        default=None, description="CDI spec folders (used when `features.cdi` is on)."
    )
    cgroup_parent: str | None = Field(default=None, description="Parent cgroup of containers.")
    containerd: str | None = Field(
        default=None,
        description="containerd socket; conflicts with `--containerd` in the stock unit.",
    )
    containerd_namespace: str | None = Field(
        default=None, description="containerd namespace of containers."
    )
    containerd_plugins_namespace: str | None = Field(
        default=None,
        description="containerd namespace of plugins (dockerd 26.1 only accepts this spelling).",
    )
    cpu_rt_period: int | None = Field(
        default=None, description="Real-time scheduler period in µs (cgroup v1)."
    )
    cpu_rt_runtime: int | None = Field(
        default=None, description="Real-time scheduler runtime in µs (cgroup v1)."
    )
    cri_containerd: bool | None = Field(
        default=None, description="Start containerd with the CRI plugin."
    )
    data_root: str | None = Field(default=None, description="Root of persistent state.")
    debug: bool | None = Field(default=None, description="Debug logging (reloadable).")
    default_address_pools: list[DaemonAddressPool] | None = Field(
        default=None, description="Pools local networks get their subnets from."
    )
    default_cgroupns_mode: Literal["host", "private"] | None = Field(
        default=None, description="Default cgroup namespace mode of containers."
    )
    default_gateway: str | None = Field(
        default=None, description="IPv4 gateway of the default bridge."
    )
    default_gateway_v6: str | None = Field(
        default=None, description="IPv6 gateway of the default bridge."
    )
    default_ipc_mode: Literal["shareable", "private"] | None = Field(
        default=None, description="Default IPC mode of containers."
    )
    default_network_opts: dict[str, dict[str, str]] | None = Field(
        default=None, description="Default driver options of new networks, by driver."
    )
    default_runtime: str | None = Field(
        default=None, description="OCI runtime of containers (reloadable)."
    )
    default_shm_size: SizeString | None = Field(
        default=None, description="Default /dev/shm size, a string such as `64M`."
    )
    default_ulimits: dict[str, DaemonUlimit] | None = Field(
        default=None, description="Default ulimits of containers, by name (`nofile`)."
    )
    dns: list[str] | None = Field(default=None, description="DNS servers of containers.")
    dns_opts: list[str] | None = Field(default=None, description="DNS options of containers.")
    dns_search: list[str] | None = Field(
        default=None, description="DNS search domains of containers."
    )
    exec_opts: list[str] | None = Field(
        default=None, description="Runtime options such as `native.cgroupdriver=systemd`."
    )
    exec_root: str | None = Field(default=None, description="Root of execution state.")
    experimental: bool | None = Field(default=None, description="Experimental features.")
    features: dict[str, bool] | None = Field(
        default=None,
        description="Feature switches: `containerd-snapshotter`, `cdi`, `buildkit` (reloadable).",
    )
    fixed_cidr: str | None = Field(
        default=None, description="IPv4 subnet container addresses come from."
    )
    fixed_cidr_v6: str | None = Field(
        default=None, description="IPv6 subnet container addresses come from."
    )
    group: str | None = Field(default=None, description="Group owning the unix socket.")
    host_gateway_ip: str | None = Field(
        default=None, description="Address `host-gateway` resolves to."
    )
    hosts: list[str] | None = Field(
        default=None,
        description="Sockets to listen on (`unix://`, `tcp://`, `fd://`); needs a drop-in "
        "that resets ExecStart, whose stock value passes `-H fd://`.",
    )
    icc: bool | None = Field(default=None, description="Inter-container communication.")
    init: bool | None = Field(default=None, description="Run an init in every container.")
    init_path: str | None = Field(default=None, description="Path of the init binary.")
    insecure_registries: list[str] | None = Field(
        default=None, description="Registries reached without TLS (`host:port` or CIDR)."
    )
    ip: str | None = Field(default=None, description="Default address published ports bind.")
    ip_forward: bool | None = Field(default=None, description="Enable IP forwarding.")
    ip_masq: bool | None = Field(default=None, description="IP masquerading.")
    ip6tables: bool | None = Field(default=None, description="Manage ip6tables rules.")
    iptables: bool | None = Field(default=None, description="Manage iptables rules.")
    ipv6: bool | None = Field(default=None, description="IPv6 on the default bridge.")
    labels: list[str] | None = Field(
        default=None, description="Engine labels as `key=value` (reloadable)."
    )
    live_restore: bool | None = Field(
        default=None,
        description="Keep containers running while dockerd restarts (not with swarm).",
    )
    log_driver: str | None = Field(default=None, description="Default logging driver.")
    log_format: Literal["text", "json"] | None = Field(
        default=None, description="Format of dockerd's own log."
    )
    log_level: Literal["trace", "debug", "info", "warn", "error", "fatal", "panic"] | None = Field(
        default=None, description="dockerd's log level."
    )
    log_opts: dict[str, str] | None = Field(
        default=None, description='Logging driver options; values are strings (`"3"`).'
    )
    max_concurrent_downloads: int | None = Field(
        default=None, ge=0, description="Parallel layer downloads per pull (reloadable)."
    )
    max_concurrent_uploads: int | None = Field(
        default=None, ge=0, description="Parallel layer uploads per push (reloadable)."
    )
    max_download_attempts: int | None = Field(
        default=None, ge=0, description="Attempts per layer download (reloadable)."
    )
    metrics_addr: str | None = Field(
        default=None, description="`host:port` of the Prometheus metrics endpoint."
    )
    mtu: int | None = Field(default=None, ge=0, description="MTU of the default bridge.")
    network_control_plane_mtu: int | None = Field(
        default=None, ge=0, description="MTU of swarm's control plane."
    )
    network_diagnostic_port: int | None = Field(
        default=None, description="Port of the network diagnostic server."
    )
    no_new_privileges: bool | None = Field(
        default=None, description="`no-new-privileges` for every container."
    )
    node_generic_resources: list[str] | None = Field(
        default=None, description="Swarm generic resources as `NAME=value`."
    )
    pidfile: str | None = Field(default=None, description="Path of dockerd's PID file.")
    proxies: DaemonProxies | None = Field(
        default=None, description="Proxy dockerd uses to pull (Engine 23+)."
    )
    raw_logs: bool | None = Field(default=None, description="Logs without ANSI colours.")
    registry_mirrors: list[str] | None = Field(
        default=None, description="Docker Hub mirrors, as http(s) URLs (reloadable)."
    )
    rootless: bool | None = Field(default=None, description="Rootless mode.")
    runtimes: dict[str, DaemonRuntime] | None = Field(
        default=None, description="Extra OCI runtimes, by name (reloadable)."
    )
    seccomp_profile: str | None = Field(
        default=None, description="Seccomp profile path, `builtin` or `unconfined`."
    )
    selinux_enabled: bool | None = Field(default=None, description="SELinux support.")
    shutdown_timeout: int | None = Field(
        default=None, ge=0, description="Seconds to wait for containers to stop (reloadable)."
    )
    storage_driver: str | None = Field(default=None, description="Storage driver.")
    storage_opts: list[str] | None = Field(default=None, description="Storage driver options.")
    swarm_default_advertise_addr: str | None = Field(
        default=None, description="Default swarm advertise address or interface."
    )
    tls: bool | None = Field(default=None, description="Serve TLS (implied by `tlsverify`).")
    tlscacert: str | None = Field(
        default=None, description="CA that signs the client certificates `tlsverify` accepts."
    )
    tlscert: str | None = Field(default=None, description="Server certificate.")
    tlskey: str | None = Field(default=None, description="Server private key.")
    tlsverify: bool | None = Field(
        default=None, description="Serve TLS and require client certificates signed by the CA."
    )
    userland_proxy: bool | None = Field(default=None, description="Userland proxy for ports.")
    userland_proxy_path: str | None = Field(
        default=None, description="Path of the userland proxy binary."
    )
    userns_remap: str | None = Field(
        default=None, description="User namespace remapping (`default` or `user:group`)."
    )
    swarm: bool = Field(
        default=False,
        description="This engine runs swarm mode (not written to daemon.json); "
        "live-restore is refused with it.",
    )
    i_understand_tcp_without_tls_is_root_for_anyone: bool = Field(
        default=False,
        description="Allow a non-loopback tcp:// host without TLS client verification, which "
        "gives root on the host to anyone who can reach the port (not written to daemon.json).",
    )

    @model_validator(mode="before")
    @classmethod
    def _wrong_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = {field.alias or name for name, field in cls.model_fields.items()}
        problems: list[FieldProblem] = []
        for key in data:
            native = str(key).replace("_", "-")
            wrong = WRONG_KEYS.get(native)
            if wrong is not None:
                problems.append(((str(key),), wrong_key_message(native, wrong)))
            elif native not in known and native.lower() in known:
                problems.append(
                    ((str(key),), f"daemon.json keys are case-sensitive; write {native.lower()!r}")
                )
        if problems:
            raise_field_errors(cls.__name__, problems)
        return data

    @field_validator("log_opts", mode="before")
    @classmethod
    def _log_opts_are_strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(item, str):
                    text = json.dumps(json.dumps(item))
                    raise ValueError(
                        f"log-opts {key!r} must be a string such as {text}: dockerd refuses "
                        "anything but strings there"
                    )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DaemonConfigSpec:
        problems = spec_problems(self)
        if problems:
            raise_field_errors(type(self).__name__, problems)
        if self.default_ulimits:
            self.default_ulimits = {
                name: ulimit if ulimit.name else ulimit.model_copy(update={"name": name})
                for name, ulimit in self.default_ulimits.items()
            }
        return self

    def to_daemon_json(self) -> dict[str, Any]:
        """The daemon.json document: set keys only, native names, without bakepy's own fields."""
        return self.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude=set(NOT_RENDERED)
        )


class DaemonConfig(Resource):
    """The engine's daemon.json (``kind: DaemonConfig``), rendered as ``daemon.json``.

    Example::

        engine = DaemonConfig(metadata="engine", spec=DaemonConfigSpec(live_restore=True))
    """

    KIND: ClassVar[str] = "DaemonConfig"
    NAME_IS_FILE_NAME: ClassVar[bool] = True
    kind: Literal["DaemonConfig"] = Field(default="DaemonConfig", description="Resource kind.")
    spec: DaemonConfigSpec = Field(
        default_factory=DaemonConfigSpec, description="The daemon.json keys."
    )

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: DaemonConfigSpec = ..., api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""
