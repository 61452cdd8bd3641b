"""A compose service: what runs, from which image or build, attached to what, with what limits.

Field names are compose's own (``cap_add``, ``stop_grace_period``); short forms are accepted and
kept in their long form (``environment`` as a mapping, ``depends_on`` as conditions, ports and
volumes in long syntax).
"""

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from bakepy.models.base import BakepyModel, ShortSyntax, empty_list
from bakepy.models.compose.base import (
    BoolOrVariable,
    ByteSize,
    ComposeModel,
    Cpus,
    Duration,
    EnvMap,
    IntOrVariable,
    LabelMap,
    Scalar,
    StringList,
    Ulimits,
    Variable,
    as_list,
    is_templated,
    scalar_string,
)
from bakepy.models.compose.build import ExtraHosts, ServiceBuild
from bakepy.models.compose.deploy import Deploy, check_count
from bakepy.models.compose.devices import BlkioConfig, DeviceMapping, Gpus
from bakepy.models.compose.hooks import ServiceHook
from bakepy.models.compose.mounts import (
    Port,
    ServiceConfig,
    ServiceSecret,
    ServiceVolume,
    expand_ports,
    expand_volumes,
)

_RESTART = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
_CONTAINER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


class ServiceHealthcheck(ComposeModel):
    """How the engine probes a container (overrides the image's HEALTHCHECK)."""

    test: str | list[str] | None = Field(
        default=None,
        description='The probe: ["CMD", ...], ["CMD-SHELL", "..."], or a shell string.',
    )
    interval: Duration | None = Field(default=None, description="Time between probes.")
    timeout: Duration | None = Field(default=None, description="Time a probe may take.")
    retries: IntOrVariable | None = Field(default=None, description="Failures before unhealthy.")
    start_period: Duration | None = Field(
        default=None, description="Grace period after start; failures do not count."
    )
    start_interval: Duration | None = Field(
        default=None, description="Time between probes during the start period."
    )
    disable: BoolOrVariable | None = Field(
        default=None, description="Turn off the image's healthcheck."
    )

    @field_validator("test")
    @classmethod
    def _test_form(cls, value: str | list[str] | None) -> str | list[str] | None:
        if value == []:
            return None  # compose reads an empty list as no test given
        if isinstance(value, list) and value[0] not in ("NONE", "CMD", "CMD-SHELL"):
            raise ValueError('a test list must start with "CMD", "CMD-SHELL" or "NONE"')
        return value


class DependsOn(ComposeModel):
    """A dependency on another service, and what it must reach before this one starts."""

    condition: (
        Literal["service_started", "service_healthy", "service_completed_successfully"] | Variable
    ) = Field(description="Started, healthy, or exited with code 0.")
    restart: BoolOrVariable | None = Field(
        default=None, description="Restart this service when the dependency is updated."
    )
    required: BoolOrVariable | None = Field(
        default=None, description="Fail when the dependency is missing (compose's default)."
    )


def _depends_on(value: Any) -> Any:
    if isinstance(value, list):
        return {str(name): {"condition": "service_started"} for name in value}
    return value


class ServiceNetwork(ComposeModel):
    """How a service joins one network."""

    aliases: list[str] = Field(
        default_factory=empty_list, description="Extra host names on this network."
    )
    ipv4_address: str | None = Field(default=None, description="Static IPv4 address.")
    ipv6_address: str | None = Field(default=None, description="Static IPv6 address.")
    link_local_ips: list[str] = Field(
        default_factory=empty_list, description="Link-local addresses."
    )
    mac_address: str | None = Field(default=None, description="MAC address on this network.")
    driver_opts: dict[str, str] = Field(
        default_factory=dict, description="Options for the network driver."
    )
    priority: IntOrVariable | None = Field(
        default=None, description="Order in which networks connect."
    )
    gw_priority: IntOrVariable | None = Field(
        default=None, description="Which network provides the default gateway."
    )


def _networks(value: Any) -> Any:
    if isinstance(value, list):
        return {str(name): None for name in value}
    return value


class Logging(ComposeModel):
    """The logging driver and its options."""

    driver: str | None = Field(default=None, description="Driver, e.g. json-file or local.")
    options: dict[str, str | None] = Field(
        default_factory=dict, description="Driver options, e.g. max-size: 10m."
    )

    @field_validator("options", mode="before", json_schema_input_type=dict[str, Scalar])
    @classmethod
    def _strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: scalar_string(v) for k, v in sorted(value.items())}
        return value


class Watch(ComposeModel):
    """A ``develop.watch`` rule: what to do when files under a path change."""

    path: str = Field(description="Folder or file to watch, relative to the definition file.")
    action: Literal["rebuild", "sync", "restart", "sync+restart", "sync+exec"] | Variable = Field(
        description="rebuild the image, sync files into the container, or restart it."
    )
    target: str | None = Field(default=None, description="Where synced files go.")
    ignore: StringList = Field(default_factory=empty_list, description="Patterns not to watch.")
    exec: ServiceHook | None = Field(
        default=None, description="Command to run in the container after a sync (sync+exec)."
    )


class Develop(ComposeModel):
    """``docker compose watch`` settings (development only; swarm has none)."""

    watch: list[Watch] = Field(default_factory=empty_list, description="Watch rules.")


class CredentialSpec(ComposeModel):
    """Where a Windows container's gMSA credential spec comes from (one of the three)."""

    config: str | None = Field(default=None, description="A config holding the spec.")
    file: str | None = Field(default=None, description="A file in the engine's CredentialSpecs.")
    registry: str | None = Field(default=None, description="A registry value name.")


class EnvFile(BakepyModel):
    """An env file in long form."""

    path: str = Field(description="File path, relative to the definition file.")
    required: BoolOrVariable | None = Field(
        default=None, description="Fail when the file is missing."
    )
    format: str | None = Field(default=None, description="File format (raw keeps values as-is).")


class Extends(ShortSyntax):
    """Start from another service's definition (compose only; swarm refuses it)."""

    service: str = Field(description="Service to extend.")
    file: str | None = Field(default=None, description="Compose file holding it.")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        return {"service": value} if isinstance(value, str) else value


def _strings(value: Any) -> Any:
    value = as_list(value)
    return [scalar_string(v) for v in value] if isinstance(value, list) else value


Strings = Annotated[list[str], BeforeValidator(_strings, json_schema_input_type=list[str | int])]


class Service(ComposeModel):
    """A compose service: every attribute compose and swarm use, typed."""

    image: str | None = Field(default=None, description="Image to run (or to tag the build as).")
    build: ServiceBuild | None = Field(
        default=None,
        description="How to build the image: a build section, a context folder, or a bake "
        "Target (object or Target/name) whose resolved attributes become the build section.",
    )
    command: str | list[str] | None = Field(
        default=None, description="Overrides the image's CMD (a list, or a shell-split string)."
    )
    entrypoint: str | list[str] | None = Field(
        default=None, description="Overrides the image's ENTRYPOINT."
    )
    environment: EnvMap = Field(
        default_factory=dict,
        description="Environment variables (a mapping or a list of K=V; null takes the shell's).",
    )
    env_file: Annotated[
        list[str | EnvFile],
        BeforeValidator(as_list, json_schema_input_type=str | list[str | EnvFile]),
    ] = Field(
        default_factory=empty_list,
        description="Files of K=V lines, relative to the definition file.",
    )
    ports: Annotated[
        list[Port | Variable],
        BeforeValidator(expand_ports, json_schema_input_type=list[Port | str | int]),
    ] = Field(
        default_factory=empty_list,
        description="Published ports (short syntax is converted to long; one with a ${VAR} "
        "stays short until compose interpolates it).",
    )
    expose: Strings = Field(
        default_factory=empty_list, description="Ports reachable from other services only."
    )
    volumes: Annotated[
        list[ServiceVolume | Variable],
        BeforeValidator(expand_volumes, json_schema_input_type=list[ServiceVolume | str]),
    ] = Field(
        default_factory=empty_list,
        description="Mounts (short syntax is converted to long; one with a ${VAR} stays short "
        "until compose interpolates it).",
    )
    volumes_from: list[str] = Field(
        default_factory=empty_list,
        description="Mount every volume of these services (compose only).",
    )
    tmpfs: StringList = Field(default_factory=empty_list, description="tmpfs mount points.")
    networks: Annotated[
        dict[str, ServiceNetwork | None],
        BeforeValidator(
            _networks, json_schema_input_type=dict[str, ServiceNetwork | None] | list[str]
        ),
    ] = Field(
        default_factory=dict, description="Networks to join (a list of names, or per-network)."
    )
    network_mode: str | None = Field(
        default=None, description="none, host, service:<name> or container:<id>."
    )
    depends_on: Annotated[
        dict[str, DependsOn],
        BeforeValidator(_depends_on, json_schema_input_type=dict[str, DependsOn] | list[str]),
    ] = Field(default_factory=dict, description="Services to start first (a list means started).")
    healthcheck: ServiceHealthcheck | None = Field(default=None, description="Health probe.")
    restart: str | None = Field(
        default=None, description="no, always, unless-stopped or on-failure[:N]."
    )
    deploy: Deploy | None = Field(
        default=None, description="Replicas, resources, restart/update policies, placement."
    )
    labels: LabelMap = Field(default_factory=dict, description="Container labels.")
    label_file: StringList = Field(
        default_factory=empty_list,
        description="Files of K=V label lines, relative to the definition.",
    )
    annotations: LabelMap = Field(default_factory=dict, description="Container annotations.")
    container_name: str | None = Field(
        default=None, description="Fixed container name (only with one replica)."
    )
    hostname: str | None = Field(default=None, description="Host name in the container.")
    domainname: str | None = Field(default=None, description="Domain name in the container.")
    user: str | None = Field(default=None, description="User (and group) to run as.")
    working_dir: str | None = Field(default=None, description="Working folder.")
    cap_add: list[str] = Field(default_factory=empty_list, description="Capabilities to add.")
    cap_drop: list[str] = Field(default_factory=empty_list, description="Capabilities to drop.")
    security_opt: list[str] = Field(
        default_factory=empty_list, description="Security options, e.g. no-new-privileges:true."
    )
    read_only: BoolOrVariable | None = Field(default=None, description="Read-only root filesystem.")
    privileged: BoolOrVariable | None = Field(default=None, description="Run privileged.")
    init: BoolOrVariable | None = Field(default=None, description="Run an init process as PID 1.")
    stdin_open: BoolOrVariable | None = Field(default=None, description="Keep stdin open.")
    tty: BoolOrVariable | None = Field(default=None, description="Allocate a terminal.")
    userns_mode: str | None = Field(default=None, description="User namespace mode.")
    uts: str | None = Field(default=None, description="UTS namespace mode: host.")
    attach: BoolOrVariable | None = Field(
        default=None, description="Attach to the service's logs on `docker compose up`."
    )
    credential_spec: CredentialSpec | None = Field(
        default=None, description="Managed service account credentials (Windows)."
    )
    post_start: list[ServiceHook] = Field(
        default_factory=empty_list, description="Commands run in the container after it started."
    )
    pre_stop: list[ServiceHook] = Field(
        default_factory=empty_list, description="Commands run in the container before it stops."
    )
    pid: str | None = Field(default=None, description="PID namespace: host or service:<name>.")
    ipc: str | None = Field(default=None, description="IPC namespace mode.")
    cgroup: Literal["host", "private"] | Variable | None = Field(
        default=None, description="cgroup namespace."
    )
    cgroup_parent: str | None = Field(default=None, description="Parent cgroup.")
    runtime: str | None = Field(default=None, description="OCI runtime, e.g. runc.")
    isolation: str | None = Field(default=None, description="Isolation technology (Windows).")
    mac_address: str | None = Field(default=None, description="Container MAC address.")
    stop_signal: str | None = Field(default=None, description="Signal that stops it, e.g. SIGTERM.")
    stop_grace_period: Duration | None = Field(
        default=None, description="Wait this long after stop_signal before killing."
    )
    ulimits: Ulimits = Field(default_factory=dict, description="Resource limits (nofile, ...).")
    sysctls: LabelMap = Field(default_factory=dict, description="Kernel parameters.")
    logging: Logging | None = Field(default=None, description="Logging driver and options.")
    profiles: list[str] = Field(
        default_factory=empty_list, description="Start only when one of these profiles is active."
    )
    configs: Annotated[
        list[ServiceConfig],
        BeforeValidator(as_list, json_schema_input_type=list[ServiceConfig | str]),
    ] = Field(default_factory=empty_list, description="Configs to mount (a name, or long syntax).")
    secrets: Annotated[
        list[ServiceSecret],
        BeforeValidator(as_list, json_schema_input_type=list[ServiceSecret | str]),
    ] = Field(default_factory=empty_list, description="Secrets to mount at /run/secrets/<name>.")
    develop: Develop | None = Field(default=None, description="docker compose watch rules.")
    extra_hosts: ExtraHosts = Field(default_factory=dict, description="Extra /etc/hosts entries.")
    dns: StringList = Field(default_factory=empty_list, description="DNS servers.")
    dns_search: StringList = Field(default_factory=empty_list, description="DNS search domains.")
    dns_opt: list[str] = Field(default_factory=empty_list, description="resolv.conf options.")
    devices: list[str | DeviceMapping] = Field(
        default_factory=empty_list,
        description="Host devices: HOST[:CONTAINER[:PERMISSIONS]] or source/target/permissions.",
    )
    device_cgroup_rules: list[str] = Field(
        default_factory=empty_list, description="cgroup device rules, e.g. 'c 1:3 mr'."
    )
    gpus: Gpus | None = Field(default=None, description="GPUs: all, or a list of requests.")
    blkio_config: BlkioConfig | None = Field(
        default=None, description="Block I/O weights and rate limits."
    )
    group_add: Strings = Field(default_factory=empty_list, description="Extra groups.")
    links: list[str] = Field(default_factory=empty_list, description="Legacy links (compose only).")
    external_links: list[str] = Field(
        default_factory=empty_list, description="Links to containers outside the project."
    )
    mem_limit: ByteSize | None = Field(
        default=None, description="Memory limit (compose; swarm refuses it: use deploy)."
    )
    mem_reservation: ByteSize | None = Field(default=None, description="Memory soft limit.")
    memswap_limit: ByteSize | None = Field(default=None, description="Memory plus swap limit.")
    mem_swappiness: IntOrVariable | None = Field(default=None, description="Swappiness, 0 to 100.")
    shm_size: ByteSize | None = Field(default=None, description="Size of /dev/shm.")
    cpus: Cpus | None = Field(default=None, description="CPU limit (compose).")
    cpu_shares: IntOrVariable | None = Field(default=None, description="Relative CPU weight.")
    cpu_quota: IntOrVariable | None = Field(default=None, description="CFS quota in microseconds.")
    cpu_period: IntOrVariable | None = Field(
        default=None, description="CFS period in microseconds."
    )
    cpuset: str | None = Field(default=None, description="CPUs the container may use, e.g. 0-1.")
    cpu_count: IntOrVariable | None = Field(default=None, description="CPU count (Windows).")
    cpu_percent: IntOrVariable | None = Field(
        default=None, description="Usable percentage of the CPUs (Windows)."
    )
    cpu_rt_period: IntOrVariable | None = Field(
        default=None, description="Real-time scheduler period in microseconds."
    )
    cpu_rt_runtime: IntOrVariable | None = Field(
        default=None, description="Real-time scheduler runtime in microseconds."
    )
    pids_limit: IntOrVariable | None = Field(
        default=None, description="Maximum number of processes."
    )
    oom_kill_disable: BoolOrVariable | None = Field(
        default=None, description="Disable the OOM killer."
    )
    oom_score_adj: IntOrVariable | None = Field(default=None, description="OOM score adjustment.")
    storage_opt: dict[str, str] = Field(default_factory=dict, description="Storage options.")
    platform: str | None = Field(default=None, description="Platform to run, e.g. linux/amd64.")
    pull_policy: (
        Literal["always", "never", "if_not_present", "build", "missing"] | Variable | None
    ) = Field(default=None, description="When to pull the image.")
    scale: IntOrVariable | None = Field(default=None, description="Number of containers (compose).")
    extends: Extends | None = Field(default=None, description="Service to start from.")

    @field_validator("scale", mode="before")
    @classmethod
    def _scale(cls, value: Any) -> Any:
        return check_count(value, "scale")

    @field_validator("oom_score_adj")
    @classmethod
    def _oom_score_adj(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and not -1000 <= value <= 1000:  # compose's schema bounds
            raise ValueError(f"{value} must be between -1000 and 1000")
        return value

    @field_validator("restart")
    @classmethod
    def _restart(cls, value: str | None) -> str | None:
        if value == "":
            return None  # compose reads an empty policy (an unset ${VAR}) as none given
        if value is not None and not is_templated(value) and not _RESTART.match(value):
            raise ValueError(
                f"restart {value!r} must be no, always, unless-stopped or on-failure[:N]"
            )
        return value

    @field_validator("container_name")
    @classmethod
    def _container_name(cls, value: str | None) -> str | None:
        if value == "":
            return None  # compose reads an empty name (an unset ${VAR}) as none given
        if value is not None and not is_templated(value) and not _CONTAINER_NAME.match(value):
            raise ValueError(f"container_name {value!r} must match [a-zA-Z0-9][a-zA-Z0-9_.-]+")
        return value

    @field_validator("cap_add", "cap_drop", "profiles", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return as_list(value)
