"""What a compose service exposes and mounts: ports, volumes, and the secrets and configs it reads.

Each accepts compose's short syntax and converts it to the long syntax, the way
``docker compose config`` does (``"8080:80"`` becomes ``{target: 80, published: "8080"}``, a
port range becomes one entry per port, ``./data:/data:ro`` becomes a bind mount). A short form
holding a ``${VAR}`` is kept as written (its literal parts checked): compose interpolates it
first, and only then is it known whether ``${SRC}:/src`` is a bind mount or a named volume.
"""

import ipaddress
import re
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from bakepy.models.base import ShortSyntax
from bakepy.models.compose.base import (
    BoolOrVariable,
    ComposeModel,
    FileMode,
    IntOrVariable,
    Variable,
    is_templated,
    split_outside_variables,
)
from bakepy.models.compose.volume_spec import parse_volume

_PORT = re.compile(r"^\d+(-\d+)?$")
_PROTOCOLS = ("tcp", "udp", "sctp")
_MAX_PORT = 65535


def _port_range(text: str, what: str, spec: str) -> list[int]:
    if not _PORT.match(text):
        raise ValueError(f"port {spec!r}: {what} {text!r} must be a port or a range like 80-81")
    first, _, last = text.partition("-")
    start, end = int(first), int(last or first)
    if end < start:
        raise ValueError(f"port {spec!r}: range {text!r} goes backwards")
    return list(range(start, end + 1))


def _is_ip(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address (a host IP of a short-syntax port)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_port(spec: str | int) -> list[dict[str, Any]]:
    """``[IP:][HOST:]CONTAINER[/PROTOCOL]`` as long-syntax ports, one per container port."""
    text = str(spec)
    rest, _, protocol = text.partition("/")
    host_ip: str | None = None
    if rest.startswith("["):
        address, bracket, rest = rest[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise ValueError(f"port {text!r}: an IPv6 address must be written [addr]:port")
        host_ip, rest = address, rest[1:]
        published, _, container = rest.rpartition(":")
    else:
        parts = rest.split(":")
        if len(parts) > 3:
            raise ValueError(f"port {text!r} must be [IP:][HOST:]CONTAINER[/PROTOCOL]")
        container = parts[-1]
        published = parts[-2] if len(parts) >= 2 else ""
        if len(parts) == 3:
            host_ip = parts[0]
    protocol = protocol.lower()
    if protocol and protocol not in _PROTOCOLS:  # compose's (Docker's) words
        raise ValueError(f"Invalid proto: {protocol}")
    if host_ip and not _is_ip(host_ip):
        raise ValueError(f"Invalid ip address: {host_ip}")
    targets = _port_range(container, "container port", text)
    if max(targets) > _MAX_PORT:  # compose's (Docker's) words for a short-syntax port
        raise ValueError(f"Invalid containerPort: {container}")
    if published and max(_port_range(published, "published port", text)) > _MAX_PORT:
        raise ValueError(f"Invalid hostPort: {published}")
    if targets == [0]:
        raise ValueError(f"port {text!r} is missing a target port")
    base: dict[str, Any] = {"host_ip": host_ip or None, "protocol": protocol or None}
    if len(targets) == 1:
        if published:
            _port_range(published, "published port", text)
        return [{**base, "target": targets[0], "published": published or None}]
    if not published:
        return [{**base, "target": t} for t in targets]
    hosts = _port_range(published, "published port", text)
    if len(hosts) != len(targets):
        raise ValueError(f"port {text!r}: the published and container ranges differ in size")
    return [{**base, "target": t, "published": str(h)} for t, h in zip(targets, hosts, strict=True)]


def check_templated_port(spec: str) -> str:
    """A short-syntax port holding a ``${VAR}``: its literal parts checked, kept as written."""
    rest = split_outside_variables(spec, "/")
    protocol = rest[1] if len(rest) == 2 else "tcp"
    if len(rest) > 2 or (not is_templated(protocol) and protocol not in _PROTOCOLS):
        raise ValueError(f"port {spec!r} must be [IP:][HOST:]CONTAINER[/PROTOCOL]")
    parts = split_outside_variables(rest[0], ":")
    if len(parts) > 3 and not rest[0].startswith("["):
        raise ValueError(f"port {spec!r} must be [IP:][HOST:]CONTAINER[/PROTOCOL]")
    if not is_templated(parts[-1]):
        _port_range(parts[-1], "container port", spec)
    if len(parts) >= 2 and parts[-2] and not is_templated(parts[-2]):
        _port_range(parts[-2], "published port", spec)
    return spec


def expand_ports(value: Any) -> Any:
    """A ports list with every short-syntax entry converted to long syntax (one holding a
    ``${VAR}`` stays short until compose interpolates it)."""
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        if is_templated(item):
            out.append(check_templated_port(item))
        elif isinstance(item, str | int) and not isinstance(item, bool):
            out.extend(
                {k: v for k, v in port.items() if v is not None} for port in parse_port(item)
            )
        else:
            out.append(item)
    return out


class Port(ComposeModel):
    """A published or exposed port, in compose's long syntax."""

    target: IntOrVariable = Field(description="Port inside the container.")
    published: str | None = Field(
        default=None, description="Port (or range, e.g. 8000-8010) on the host; none: random."
    )
    host_ip: str | None = Field(default=None, description="Host address to bind, e.g. 127.0.0.1.")
    protocol: Literal["tcp", "udp", "sctp"] | str | None = Field(
        default=None, description="Protocol; tcp when left out."
    )
    mode: Literal["ingress", "host"] | str | None = Field(
        default=None, description="Swarm routing: ingress (the default) or host."
    )
    name: str | None = Field(default=None, description="A name for the port, for humans.")
    app_protocol: str | None = Field(
        default=None, description="Application protocol (http, grpc, ...), for tools."
    )

    @field_validator("published", mode="before")
    @classmethod
    def _published(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and not is_templated(value):
            _port_range(value, "published port", value)
        return value


def check_templated_volume(spec: str) -> str:
    """A short-syntax mount holding a ``${VAR}``: kept as written (compose reads it once it
    substituted the variables); only a spec with too many parts is refused now."""
    if len(split_outside_variables(spec, ":")) > 4:
        raise ValueError(f"volume {spec!r} must be [SOURCE:]TARGET[:MODE]")
    return spec


def expand_volumes(value: Any) -> Any:
    """A mounts list with every short-syntax entry converted to long syntax (one holding a
    ``${VAR}`` stays short until compose interpolates it)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return value
    return [
        (check_templated_volume(item) if is_templated(item) else parse_volume(item))
        if isinstance(item, str)
        else item
        for item in value
    ]


class BindOptions(ComposeModel):
    """Options of a bind mount."""

    propagation: (
        Literal["shared", "rshared", "slave", "rslave", "private", "rprivate"] | str | None
    ) = Field(default=None, description="Mount propagation.")
    create_host_path: BoolOrVariable | None = Field(
        default=None, description="Create the host folder when missing (short syntax does)."
    )
    recursive: Literal["enabled", "disabled", "writable", "readonly"] | Variable | None = Field(
        default=None, description="How submounts are bound."
    )
    selinux: Literal["z", "Z"] | Variable | None = Field(
        default=None, description="SELinux relabel: z (shared) or Z (private)."
    )


class VolumeOptions(ComposeModel):
    """Options of a named-volume mount."""

    nocopy: BoolOrVariable | None = Field(
        default=None, description="Do not copy the image's files into a new volume."
    )
    subpath: str | None = Field(default=None, description="Mount only this folder of the volume.")


class TmpfsOptions(ComposeModel):
    """Options of a tmpfs mount."""

    size: int | str | None = Field(default=None, description="Size in bytes or with a unit.")
    mode: FileMode | None = Field(default=None, description="File mode, e.g. 0o1777.")


class ServiceVolume(ComposeModel, ShortSyntax):
    """A mount in a service: a bind mount, a named volume or a tmpfs (long syntax)."""

    type: Literal["bind", "volume", "tmpfs", "npipe", "cluster", "image"] = Field(
        description="Mount type."
    )
    source: str | None = Field(
        default=None,
        description="Host path (bind, relative to the definition file) or volume name.",
    )
    target: str = Field(description="Path inside the container.")
    read_only: BoolOrVariable | None = Field(default=None, description="Mount read-only.")
    consistency: str | None = Field(default=None, description="Consistency (Docker Desktop).")
    bind: BindOptions | None = Field(default=None, description="Bind mount options.")
    volume: VolumeOptions | None = Field(default=None, description="Named volume options.")
    tmpfs: TmpfsOptions | None = Field(default=None, description="tmpfs options.")

    @model_validator(mode="before")
    @classmethod
    def _short_syntax(cls, value: Any) -> Any:
        return parse_volume(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _bind_has_source(self) -> Self:
        # compose takes the options of one type on a mount of another (`data:/data:Z` is a
        # volume with bind options); it refuses only a bind mount without a source
        if self.type == "bind" and not self.source:
            raise ValueError('invalid mount config for type "bind": field Source must not be empty')
        return self


class _FileReference(ComposeModel, ShortSyntax):
    """A secret or config a service reads: which one, and where it appears."""

    source: str = Field(description="Name of the top-level secret or config.")
    target: str | None = Field(default=None, description="Path (or name) in the container.")
    uid: str | None = Field(default=None, description="Owner user id.")
    gid: str | None = Field(default=None, description="Owner group id.")
    mode: FileMode | None = Field(default=None, description="File mode, e.g. 0o440.")

    @model_validator(mode="before")
    @classmethod
    def _short_syntax(cls, value: Any) -> Any:
        return {"source": value} if isinstance(value, str) else value

    @field_validator("uid", "gid", mode="before")
    @classmethod
    def _id_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ServiceSecret(_FileReference):
    """A secret a service (or its build) reads; in the container at /run/secrets/<source>."""

    @model_validator(mode="before")
    @classmethod
    def _no_value(cls, value: Any) -> Any:
        if isinstance(value, dict) and {"value", "content", "data"} & set(value):
            raise ValueError("a service names a declared secret (source), never its value")
        return value


class ServiceConfig(_FileReference):
    """A config a service reads; at /<source> in the container unless target says otherwise."""
