"""Which changed daemon.json keys and drop-in settings need a reload, a restart or neither.

dockerd re-reads daemon.json on SIGHUP (``systemctl reload docker``) but applies only a few
keys (specs.md §3.2, "R"); everything else waits for a restart. A *removed* key is subtler:
moby's ``Daemon.Reload`` only copies keys that are set, so removing ``debug``, ``labels``,
``live-restore``, the registry lists, ``runtimes`` or ``shutdown-timeout`` keeps the old value
until a restart; only the download/upload limits and ``features`` are reset. ``features`` is
reloadable, but dockerd picks the image store (``containerd-snapshotter``) and CDI at start-up.

systemd reads a changed drop-in on ``daemon-reload``; settings of the running process
(command, environment, limits, cgroup) need a restart, while ``[Unit]`` dependencies and the
reload/stop/restart policy apply from their next use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from bakepy.engine.host.units import parse_unit

Change = Literal["added", "removed", "changed"]
Effect = Literal["none", "daemon-reload", "reload", "restart"]
EFFECT_ORDER: tuple[Effect, ...] = ("none", "daemon-reload", "reload", "restart")
"""Effects from weakest to strongest; a restart covers a reload."""
STARTUP = "read by dockerd only at start-up"
SIGHUP = "applied by dockerd on SIGHUP"

RELOADABLE_KEYS = frozenset(
    {
        "allow-nondistributable-artifacts",
        "authorization-plugins",
        "debug",
        "default-runtime",
        "features",
        "insecure-registries",
        "labels",
        "live-restore",
        "max-concurrent-downloads",
        "max-concurrent-uploads",
        "max-download-attempts",
        "registry-mirrors",
        "runtimes",
        "shutdown-timeout",
    }
)
"""daemon.json keys dockerd 26.1 applies on SIGHUP (specs.md §3.2, marked R)."""
RESET_WHEN_REMOVED = frozenset(
    {"max-concurrent-downloads", "max-concurrent-uploads", "max-download-attempts", "features"}
)
"""Reloadable keys whose removal a reload turns back into the default."""
STARTUP_FEATURES = frozenset({"containerd-snapshotter", "cdi"})
"""``features`` dockerd only reads at start-up (image store, CDI registry)."""
NEXT_USE_SETTINGS = frozenset(
    {
        "ExecReload",
        "ExecStop",
        "KillMode",
        "KillSignal",
        "Restart",
        "RestartSec",
        "TimeoutSec",
        "TimeoutStartSec",
        "TimeoutStopSec",
    }
)
"""``[Service]`` settings systemd uses from their next use on, after a daemon-reload."""


@dataclass(frozen=True)
class KeyChange:
    """One changed key (``live-restore``, ``features.cdi``, ``Service.ExecStart``) and its cost."""

    key: str
    change: Change
    effect: Effect
    why: str

    def describe(self) -> str:
        """``+live-restore (reload)``: the sign of the change, the key, what it takes."""
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.change]
        return f"{sign}{self.key} ({self.effect})"


def strongest(effects: list[Effect]) -> Effect:
    """The effect that covers all of ``effects``."""
    return max(effects, key=EFFECT_ORDER.index, default="none")


def _same(old: Any, new: Any) -> bool:
    return json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)


def _change(old: dict[str, Any], new: dict[str, Any], key: str) -> Change:
    return "added" if key not in old else "removed" if key not in new else "changed"


def _daemon_key(key: str, change: Change) -> KeyChange:
    if key not in RELOADABLE_KEYS:
        return KeyChange(key, change, "restart", STARTUP)
    if change == "removed" and key not in RESET_WHEN_REMOVED:
        why = "kept at the old value by a reload when removed"
        return KeyChange(key, change, "restart", why)
    return KeyChange(key, change, "reload", SIGHUP)


def _feature(name: str, change: Change) -> KeyChange:
    if name in STARTUP_FEATURES:
        return KeyChange(f"features.{name}", change, "restart", STARTUP)
    return KeyChange(f"features.{name}", change, "reload", SIGHUP)


def daemon_json_changes(old: dict[str, Any], new: dict[str, Any]) -> list[KeyChange]:
    """The keys whose values differ between two daemon.json documents, by key."""
    changes: list[KeyChange] = []
    for key in sorted(old.keys() | new.keys()):
        if _same(old.get(key), new.get(key)) and (key in old) == (key in new):
            continue
        before, after = old.get(key, {}), new.get(key, {})
        if key == "features" and isinstance(before, dict) and isinstance(after, dict):
            changes += [
                _feature(name, _change(before, after, name))
                for name in sorted(before.keys() | after.keys())
                if not _same(before.get(name), after.get(name))
            ]
        else:
            changes.append(_daemon_key(key, _change(old, new, key)))
    return changes


def _setting_map(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for section, key, value in parse_unit(text):
        found.setdefault(f"{section}.{key}", []).append(value)
    return found


def _setting_effect(key: str, change: Change) -> KeyChange:
    section, _, name = key.partition(".")
    if section == "Service" and name not in NEXT_USE_SETTINGS:
        return KeyChange(key, change, "restart", "kept by the running process until a restart")
    return KeyChange(
        key, change, "daemon-reload", "used by systemd from its next reload, stop or start"
    )


def drop_in_changes(old_text: str, new_text: str) -> list[KeyChange]:
    """The settings whose values differ between two drop-ins, by ``Section.Key``."""
    old, new = _setting_map(old_text), _setting_map(new_text)
    return [
        _setting_effect(key, _change(old, new, key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]
