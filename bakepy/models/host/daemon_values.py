"""The nested objects of daemon.json: address pools, proxies, ulimits, runtimes, builder."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from bakepy.models.base import BakepyModel, KebabModel
from bakepy.support.durations import DurationError, parse_duration

_SIZE = re.compile(r"^\d+(\.\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?$")


def _size_string(value: Any) -> Any:
    """Sizes are strings in daemon.json (``"64M"``, ``"10GB"``): dockerd refuses numbers."""
    if not isinstance(value, str):
        raise ValueError(
            f'a size must be a string such as "64M" or "10GB", not {type(value).__name__}'
            " (dockerd refuses a number here)"
        )
    if not _SIZE.match(value):
        raise ValueError(f'{value!r} is not a size; write a number with a unit, such as "64M"')
    return value


SizeString = Annotated[str, BeforeValidator(_size_string)]
"""A size as dockerd parses it (``units.RAMInBytes``): ``64M``, ``10GB``, ``512k``."""


class DaemonAddressPool(BakepyModel):
    """One entry of ``default-address-pools``: networks are carved out of ``base`` in ``size``."""

    base: str = Field(description="Pool CIDR, such as `10.10.0.0/16`.")
    size: int = Field(description="Prefix length of each network taken from the pool.")

    @model_validator(mode="after")
    def _fits(self) -> DaemonAddressPool:
        try:
            network = ipaddress.ip_network(self.base, strict=False)
        except ValueError:
            raise ValueError(f"base {self.base!r} is not a CIDR such as 10.10.0.0/16") from None
        if not network.prefixlen <= self.size <= network.max_prefixlen:
            raise ValueError(
                f"size {self.size} must be between the base's prefix length "
                f"{network.prefixlen} and {network.max_prefixlen}"
            )
        return self


class DaemonProxies(KebabModel):
    """``proxies``: the proxy dockerd itself uses to pull images (Engine 23+)."""

    http_proxy: str | None = Field(default=None, description="Proxy for HTTP requests.")
    https_proxy: str | None = Field(default=None, description="Proxy for HTTPS requests.")
    no_proxy: str | None = Field(
        default=None, description="Comma-separated hosts, domains and CIDRs reached directly."
    )


class DaemonUlimit(BakepyModel):
    """One ``default-ulimits`` entry; ``Name`` defaults to its key and is always written."""

    name: str | None = Field(
        default=None,
        validation_alias="Name",
        serialization_alias="Name",
        description="Ulimit name; the entry's key when omitted.",
    )
    hard: int = Field(
        validation_alias="Hard", serialization_alias="Hard", description="Hard limit."
    )
    soft: int = Field(
        validation_alias="Soft",
        serialization_alias="Soft",
        description="Soft limit (at most the hard limit).",
    )

    @model_validator(mode="after")
    def _soft_below_hard(self) -> DaemonUlimit:
        if self.soft > self.hard:
            raise ValueError(f"soft limit {self.soft} is above the hard limit {self.hard}")
        return self


class DaemonRuntime(BakepyModel):
    """One OCI runtime in ``runtimes``: a binary ``path`` or a containerd ``runtimeType``."""

    path: str | None = Field(default=None, description="Path of the runtime binary.")
    runtime_args: list[str] | None = Field(
        default=None,
        validation_alias="runtimeArgs",
        serialization_alias="runtimeArgs",
        description="Arguments passed to the binary.",
    )
    runtime_type: str | None = Field(
        default=None,
        validation_alias="runtimeType",
        serialization_alias="runtimeType",
        description="containerd runtime type, such as `io.containerd.runsc.v1`.",
    )
    options: dict[str, Any] | None = Field(
        default=None, description="Options for the containerd runtime type."
    )

    @model_validator(mode="after")
    def _path_or_type(self) -> DaemonRuntime:
        if (self.path is None) == (self.runtime_type is None):
            raise ValueError("a runtime needs exactly one of path and runtimeType")
        if self.path is not None and self.options is not None:
            raise ValueError("options only apply to a runtimeType, not to a path")
        if self.runtime_type is not None and self.runtime_args is not None:
            raise ValueError("runtimeArgs only apply to a path, not to a runtimeType")
        return self


class DaemonBuilderGCPolicy(BakepyModel):
    """One rule of the BuildKit cache garbage collector."""

    all: bool | None = Field(default=None, description="Also collect cache still in use.")
    filter: list[str] | None = Field(
        default=None, description="Filters such as `unused-for=2200h` or `type=source.local`."
    )
    keep_storage: SizeString | None = Field(
        default=None,
        validation_alias="keepStorage",
        serialization_alias="keepStorage",
        description="Cache kept by this rule, such as `10GB`.",
    )


class DaemonBuilderGC(BakepyModel):
    """``builder.gc``: garbage collection of the BuildKit cache."""

    enabled: bool | None = Field(default=None, description="Run the garbage collector.")
    default_keep_storage: SizeString | None = Field(
        default=None,
        validation_alias="defaultKeepStorage",
        serialization_alias="defaultKeepStorage",
        description="Cache kept when no policy is given, such as `20GB`.",
    )
    policy: list[DaemonBuilderGCPolicy] | None = Field(
        default=None, description="Rules applied in order."
    )


class DaemonBuilderEntitlements(KebabModel):
    """``builder.entitlements``: privileges builds may ask for."""

    network_host: bool | None = Field(default=None, description="Allow `--network=host`.")
    security_insecure: bool | None = Field(
        default=None, description="Allow `--allow security.insecure` (privileged RUN steps)."
    )


class DaemonBuilderHistory(BakepyModel):
    """``builder.history``: how long finished build records are kept."""

    max_age: str | None = Field(
        default=None,
        validation_alias="maxAge",
        serialization_alias="maxAge",
        description="Go duration such as `48h`.",
    )
    max_entries: int | None = Field(
        default=None,
        validation_alias="maxEntries",
        serialization_alias="maxEntries",
        ge=0,
        description="Number of records kept.",
    )

    @field_validator("max_age")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_duration(value)
            except DurationError:
                raise ValueError(f'{value!r} is not a Go duration such as "48h" or "90m"') from None
        return value


class DaemonBuilder(BakepyModel):
    """``builder``: the embedded BuildKit's settings."""

    gc: DaemonBuilderGC | None = Field(default=None, description="Cache garbage collection.")
    entitlements: DaemonBuilderEntitlements | None = Field(
        default=None, description="Privileges builds may ask for."
    )
    history: DaemonBuilderHistory | None = Field(
        default=None, description="Retention of build records."
    )
