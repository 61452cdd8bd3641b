"""What compose's schema refuses and the models, written for people, would take.

The models take one string where a list is expected (``cap_add: NET_ADMIN``) and spell a
number or a boolean of a string map the way compose prints it (``compress: true``); compose
refuses a single value for a list-only field and a boolean in an option map (a number in IPAM
options). Checked on the raw model of a compose file, before the models see it, with
compose's message and the file and line of the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bakepy.errors import FieldPath, LoadError
from bakepy.loaders.compose.raw import RawModel

_RULES: tuple[tuple[str, tuple[type, ...], str], ...] = (
    ("services.*.logging.options", (bool, list, dict), "a string, number or null"),
    ("services.*.networks.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("networks.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("volumes.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("secrets.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("networks.*.ipam.options", (bool, int, float, list, dict, type(None)), "a string"),
)


Found = list[tuple[FieldPath, dict[str, Any]]]
"""The mappings at one pattern, with their paths, in the model's order."""


def _mappings(data: Any, patterns: tuple[str, ...]) -> dict[str, Found]:
    """The mappings at each ``services.*.logging.options``-style pattern, with their paths,
    found in one walk of ``data`` for all the patterns (``*`` any key)."""
    found: dict[str, Found] = {pattern: [] for pattern in patterns}
    trie: dict[str, Any] = {}
    for pattern in patterns:
        node = trie
        for part in pattern.split("."):
            node = node.setdefault(part, {})
        node[""] = pattern  # no key is empty in a pattern: this marks where one ends

    def walk(value: dict[str, Any], node: dict[str, Any], path: FieldPath) -> None:
        for part, rest in node.items():
            if not part:
                found[rest].append((path, value))
                continue
            for key in list(value) if part == "*" else [part] if part in value else []:
                child = value[key]
                if isinstance(child, dict):
                    walk(child, rest, (*path, key))

    if isinstance(data, dict):
        walk(data, trie, ())
    return found


_LISTS = (
    "cap_add",
    "cap_drop",
    "configs",
    "device_cgroup_rules",
    "devices",
    "dns_opt",
    "expose",
    "external_links",
    "group_add",
    "links",
    "ports",
    "post_start",
    "pre_stop",
    "profiles",
    "secrets",
    "security_opt",
    "volumes",
    "volumes_from",
)
"""Service fields compose takes only as a list (``dns``, ``tmpfs``, ``env_file`` take one)."""


_DURATIONS = (
    "services.*.healthcheck.interval",
    "services.*.healthcheck.timeout",
    "services.*.healthcheck.start_period",
    "services.*.healthcheck.start_interval",
    "services.*.stop_grace_period",
    "services.*.deploy.restart_policy.delay",
    "services.*.deploy.restart_policy.window",
    "services.*.deploy.update_config.delay",
    "services.*.deploy.update_config.monitor",
    "services.*.deploy.rollback_config.delay",
    "services.*.deploy.rollback_config.monitor",
)
"""Durations compose's schema takes only as strings (the models also take seconds as a number)."""

_PATTERNS = tuple(
    dict.fromkeys([*(p.rpartition(".")[0] for p in _DURATIONS), *(p for p, _, _ in _RULES)])
)
"""The mappings ``check_shapes`` looks into (the durations' parents, the rules')."""


def check_shapes(raw: RawModel) -> None:
    """Refuse what compose's schema refuses and the models would take, as compose does."""
    check_lists(raw.data, lambda message, path: raw.error(message, path))
    services = raw.data.get("services")
    for name, service in services.items() if isinstance(services, dict) else ():
        for key in _LISTS if isinstance(service, dict) else ():
            if key in service and service[key] is not None and not isinstance(service[key], list):
                raise raw.error("must be a list", ("services", name, key))
    found = _mappings(raw.data, _PATTERNS)
    for pattern in _DURATIONS:
        parent, _, key = pattern.rpartition(".")
        for path, mapping in found[parent]:
            value = mapping.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                raise raw.error("must be a string", (*path, key))
    for pattern, refused, wanted in _RULES:
        for path, mapping in found[pattern]:
            for key, value in mapping.items():
                if isinstance(value, refused):
                    raise raw.error(f"must be {wanted}", (*path, key))


_UNIQUE = (
    "device_cgroup_rules",
    "external_links",
    "group_add",
    "networks",
    "security_opt",
    "volumes_from",
)
"""Service lists compose's schema wants without a repeated item (``extra_hosts`` too, in one
file; but files merging it drop repeats first, which the merged project here cannot tell)."""

_STRING_ITEMS = ("dns", "dns_search")
"""Service lists whose items compose takes only as strings (``dns: [1]`` is refused)."""

Refuse = Callable[[str, FieldPath], LoadError]


def check_lists(data: Any, refuse: Refuse) -> None:
    """Refuse a repeated item of a list compose wants unique, and a number in a list of
    names; on the project as merged (files, extends), which is what compose validates."""
    services = data.get("services") if isinstance(data, dict) else None
    for name, service in services.items() if isinstance(services, dict) else ():
        if not isinstance(service, dict):
            continue
        for key in _UNIQUE:
            items = service.get(key)
            if not isinstance(items, list):
                continue
            for later, item in enumerate(items):
                first = next((i for i in range(later) if items[i] == item), None)
                if first is not None:
                    message = f"array items[{first},{later}] must be unique"
                    raise refuse(message, ("services", name, key, later))
        for key in _STRING_ITEMS:
            items = service.get(key)
            for index, item in enumerate(items if isinstance(items, list) else ()):
                if isinstance(item, int | float | bool):
                    raise refuse(
                        f"unexpected type {type(item).__name__}", ("services", name, key, index)
                    )
