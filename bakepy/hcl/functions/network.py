"""CIDR functions of the bake stdlib: host and subnet address arithmetic."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.values import to_int, to_str

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(prefix: Any) -> Network:
    text = to_str(prefix, "prefix")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise HclError(f'invalid CIDR expression: invalid CIDR address: "{text}"') from None


def cidrhost(prefix: Any, hostnum: Any) -> str:
    """The address of host number `hostnum` in a prefix (negative counts from the end)."""
    network = _network(prefix)
    number = to_int(hostnum, "hostnum")
    size = network.num_addresses
    index = number + size if number < 0 else number
    if index < 0 or index >= size:
        raise HclError(
            f"prefix of {network.prefixlen} does not accommodate a host numbered {number}"
        )
    return _ip(network, int(network.network_address) + index)


def cidrnetmask(prefix: Any) -> str:
    """The netmask of a prefix (dotted for IPv4)."""
    return str(_network(prefix).netmask)


def cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    """Subnet number `netnum` after extending the prefix by `newbits` bits."""
    network = _network(prefix)
    bits = to_int(newbits, "newbits")
    number = to_int(netnum, "netnum")
    new_length = network.prefixlen + bits
    if bits < 0 or new_length > network.max_prefixlen:
        raise HclError(
            f"insufficient address space to extend prefix of {network.prefixlen} by {bits}"
        )
    if number < 0 or number >= 2**bits:
        raise HclError(
            f"prefix extension of {bits} does not accommodate a subnet numbered {number}"
        )
    base = int(network.network_address) + (number << (network.max_prefixlen - new_length))
    return f"{_ip(network, base)}/{new_length}"


def _ip(network: Network, value: int) -> str:
    if network.version == 6:
        return str(ipaddress.IPv6Address(value))
    return str(ipaddress.IPv4Address(value))


def cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    """Consecutive non-overlapping subnets of the given extra prefix lengths."""
    network = _network(prefix)
    if not newbits:
        return []
    maximum = network.max_prefixlen
    start = int(network.network_address)
    end = start + network.num_addresses
    current = start
    result: list[str] = []
    for position, bits_value in enumerate(newbits, start=1):
        bits = to_int(bits_value, "newbits")
        length = network.prefixlen + bits
        if bits < 0 or length > maximum:
            raise HclError(
                f"argument {position}: would extend prefix to {length} bits, which is "
                f"too long for an IPv{network.version} address"
            )
        block = 1 << (maximum - length)
        current = -(-current // block) * block  # align up to this subnet's size
        if current + block > end:
            after = result[-1] if result else network
            raise HclError(
                f"argument {position}: not enough remaining address space for a "
                f"subnet with a prefix of {length} bits after {after}"
            )
        result.append(f"{_ip(network, current)}/{length}")
        current += block
    return result


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cidrhost": cidrhost,
    "cidrnetmask": cidrnetmask,
    "cidrsubnet": cidrsubnet,
    "cidrsubnets": cidrsubnets,
}
