"""Rules across daemon.json keys: remote access needs TLS, live-restore not with swarm, ..."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bakepy.models.field_errors import FieldProblem

if TYPE_CHECKING:
    from bakepy.models.host.daemon import DaemonConfigSpec

HOST_SCHEMES = ("unix://", "tcp://", "fd://")
"""The sockets dockerd listens on, on Linux."""

ROOT_FOR_ANYONE = (
    "gives root on this host to anyone who can reach the port (the Docker API can start a "
    "privileged container that mounts /)"
)


def tcp_address(host: str) -> str | None:
    """The address a ``tcp://`` (or scheme-less) host listens on; None for other sockets."""
    if "://" not in host:
        host = "tcp://" + host
    if not host.startswith("tcp://"):
        return None
    return urlsplit(host).hostname or ""


def is_loopback(address: str) -> bool:
    """``localhost`` or a loopback IP; an empty address is not (it may mean every interface)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def verifies_clients(spec: DaemonConfigSpec) -> bool:
    """tlsverify with the CA, certificate and key: only clients with a signed cert get in."""
    return bool(spec.tlsverify and spec.tlscacert and spec.tlscert and spec.tlskey)


def _hosts(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    for index, host in enumerate(spec.hosts or []):
        where = ("hosts", index)
        if "://" in host and not host.startswith(HOST_SCHEMES):
            scheme = host.split("://", 1)[0]
            yield where, f"dockerd cannot listen on {scheme}://; use unix://, tcp:// or fd://"
            continue
        address = tcp_address(host)
        if address is None or is_loopback(address) or verifies_clients(spec):
            continue
        if spec.i_understand_tcp_without_tls_is_root_for_anyone:
            continue
        yield (
            where,
            (
                f"{host!r} listens on the network without TLS client verification, which "
                f"{ROOT_FOR_ANYONE}; set tlsverify with tlscacert, tlscert and tlskey, listen on "
                "127.0.0.1, or set i_understand_tcp_without_tls_is_root_for_anyone"
            ),
        )


def _tls(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    if (spec.tls or spec.tlsverify) and not (spec.tlscert and spec.tlskey):
        key = "tlsverify" if spec.tlsverify else "tls"
        yield (key,), f"{key} needs tlscert and tlskey (dockerd refuses to start without them)"
    if spec.tlsverify and not spec.tlscacert:
        yield (
            ("tlsverify",),
            (
                "tlsverify needs tlscacert: without it dockerd accepts client certificates from "
                "every public CA the system trusts"
            ),
        )


def _swarm(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    if spec.live_restore and spec.swarm:
        yield (
            ("live-restore",),
            (
                "live-restore is incompatible with swarm mode (dockerd refuses: '--live-restore "
                "daemon configuration is incompatible with swarm mode'); drop one of them"
            ),
        )


def _labels(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    seen: dict[str, str] = {}
    for index, label in enumerate(spec.labels or []):
        key, sep, value = label.partition("=")
        if not sep or not key:
            yield ("labels", index), f"label {label!r} must be key=value"
        elif key in seen and seen[key] != value:
            yield (
                ("labels", index),
                (
                    f"label {key!r} is set to {seen[key]!r} and to {value!r}; "
                    "dockerd refuses conflicting labels"
                ),
            )
        else:
            seen[key] = value


def _parses(parse: Callable[[str], object], what: str, value: str) -> str | None:
    try:
        parse(value)
    except ValueError:
        return f"{value!r} is not {what}"
    return None


def _interface(value: str) -> object:
    if "/" not in value:
        raise ValueError("no prefix length")
    return ipaddress.ip_interface(value)


def _ipv4_network(value: str) -> object:
    if "/" not in value:
        raise ValueError("no prefix length")
    return ipaddress.IPv4Network(value, strict=False)


def _ipv6_network(value: str) -> object:
    if "/" not in value:
        raise ValueError("no prefix length")
    return ipaddress.IPv6Network(value, strict=False)


def _addresses(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    singles: list[tuple[str, str | None, Callable[[str], object], str]] = [
        ("bip", spec.bip, _interface, "an address with a prefix (172.17.0.1/16)"),
        ("fixed-cidr", spec.fixed_cidr, _ipv4_network, "an IPv4 CIDR"),
        ("fixed-cidr-v6", spec.fixed_cidr_v6, _ipv6_network, "an IPv6 CIDR"),
        ("default-gateway", spec.default_gateway, ipaddress.IPv4Address, "an IPv4 address"),
        ("default-gateway-v6", spec.default_gateway_v6, ipaddress.IPv6Address, "an IPv6 address"),
        ("host-gateway-ip", spec.host_gateway_ip, ipaddress.ip_address, "an IP address"),
        ("ip", spec.ip, ipaddress.ip_address, "an IP address"),
    ]
    for key, value, parse, what in singles:
        if value is not None and (problem := _parses(parse, what, value)):
            yield (key,), problem
    for index, server in enumerate(spec.dns or []):
        if problem := _parses(ipaddress.ip_address, "an IP address", server):
            yield ("dns", index), problem


def _registries(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    for index, mirror in enumerate(spec.registry_mirrors or []):
        if not mirror.startswith(("http://", "https://")):
            yield ("registry-mirrors", index), f"mirror {mirror!r} must be an http(s):// URL"
    for index, registry in enumerate(spec.insecure_registries or []):
        if "://" in registry:
            yield (
                ("insecure-registries", index),
                (f"{registry!r} must be host:port or a CIDR, without a scheme"),
            )


def _maps(spec: DaemonConfigSpec) -> Iterator[FieldProblem]:
    if (spec.features or {}).get("windows-dns-proxy") is not None:
        yield ("features", "windows-dns-proxy"), "windows-dns-proxy only exists on Windows"
    if "runc" in (spec.runtimes or {}):
        yield ("runtimes", "runc"), "the runtime name 'runc' is reserved by dockerd"
    for name, ulimit in (spec.default_ulimits or {}).items():
        if ulimit.name is not None and ulimit.name != name:
            yield (
                ("default-ulimits", name, "Name"),
                (f"Name {ulimit.name!r} differs from its key {name!r}"),
            )


RULES: tuple[Callable[[DaemonConfigSpec], Iterator[FieldProblem]], ...] = (
    _hosts,
    _tls,
    _swarm,
    _labels,
    _addresses,
    _registries,
    _maps,
)


def spec_problems(spec: DaemonConfigSpec) -> list[FieldProblem]:
    """Every problem the rules find in one daemon.json, in rule order."""
    return [problem for rule in RULES for problem in rule(spec)]
