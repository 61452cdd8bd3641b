"""One entry per key in the lists compose indexes, as compose-go's ``EnforceUnicity`` keeps them.

Ports, mounts (by target), secrets and configs (by target), exposed ports and environment
entries (by name): a later entry replaces an earlier one of the same key, in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bakepy.models.compose.volume_spec import parse_volume


def _environment_key(entry: Any) -> str:
    return str(entry).partition("=")[0]


def _volume_key(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("target"))
    try:
        return str(parse_volume(str(entry)).get("target"))
    except ValueError:
        return str(entry)


def _expose_key(entry: Any) -> str:
    return str(entry)


def _mount_key(default: str) -> Callable[[Any], str]:
    def key(entry: Any) -> str:
        if isinstance(entry, dict):
            return str(entry["target"]) if "target" in entry else f"{default}/{entry.get('source')}"
        return f"{default}/{entry}"

    return key


def _port_key(entry: Any) -> str:
    if isinstance(entry, dict):
        host = entry.get("host_ip", "0.0.0.0")
        protocol = entry.get("protocol", "tcp")
        return f"{host}:{entry.get('published', '')}:{entry.get('target')}/{protocol}"
    return str(entry)


UNIQUE: dict[str, Callable[[Any], str]] = {
    "environment": _environment_key,
    "volumes": _volume_key,
    "expose": _expose_key,
    "secrets": _mount_key("/run/secrets"),
    "configs": _mount_key(""),
    "ports": _port_key,
}


def unique_entries(items: list[Any], key: Callable[[Any], str]) -> list[Any]:
    """One entry per key, at the first one's place, with the last one's value."""
    out: list[Any] = []
    index: dict[str, int] = {}
    for item in items:
        name = key(item)
        if name in index:
            out[index[name]] = item
        else:
            index[name] = len(out)
            out.append(item)
    return out


def enforce_unicity(service: dict[str, Any]) -> list[str]:
    """Dedupe the indexed lists of one service in place; return the fields that changed."""
    changed: list[str] = []
    for field, key in UNIQUE.items():
        items = service.get(field)
        if isinstance(items, list) and len(items) > 1:  # one entry is unique: no key to make
            kept = unique_entries(items, key)
            if len(kept) != len(items):
                service[field] = kept
                changed.append(field)
    return changed
