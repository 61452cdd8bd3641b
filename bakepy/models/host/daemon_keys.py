"""dockerd 26.1's flags and daemon.json keys: which flag sets which key, and the wrong names.

dockerd accepts a daemon.json key when it is a JSON key *or* a flag name, but only JSON keys
take effect: a flag name such as ``host`` passes ``dockerd --validate`` and is silently
ignored. bakepy refuses those names and says which key was meant.
"""

from __future__ import annotations

from typing import NamedTuple

PROXY_KEYS = ("http-proxy", "https-proxy", "no-proxy")
"""The keys of daemon.json's ``proxies`` object; each is also a dockerd flag."""

FLAG_KEYS: dict[str, str] = {
    "host": "hosts",
    "label": "labels",
    "registry-mirror": "registry-mirrors",
    "insecure-registry": "insecure-registries",
    "storage-opt": "storage-opts",
    "exec-opt": "exec-opts",
    "default-ulimit": "default-ulimits",
    "log-opt": "log-opts",
    "dns-opt": "dns-opts",
    "authorization-plugin": "authorization-plugins",
    "default-address-pool": "default-address-pools",
    "node-generic-resource": "node-generic-resources",
    "default-network-opt": "default-network-opts",
    "cdi-spec-dir": "cdi-spec-dirs",
    "add-runtime": "runtimes",
    **{key: f"proxies.{key}" for key in PROXY_KEYS},
}
"""Long flags whose daemon.json key has another name (``--host`` -> ``hosts``)."""

SHORT_FLAGS: dict[str, str] = {
    "H": "host",
    "D": "debug",
    "l": "log-level",
    "s": "storage-driver",
    "b": "bridge",
    "G": "group",
    "p": "pidfile",
}
"""dockerd's one-letter flags and the long flag each stands for."""

JSON_ONLY_KEYS = frozenset({"builder", "features"})
"""Keys no dockerd 26.1 flag sets (27.3 adds ``--feature``)."""

MERGED_KEYS = frozenset({"runtimes"})
"""The one key dockerd merges with its flag (``--add-runtime``) instead of refusing both."""


class WrongKey(NamedTuple):
    """A daemon.json key that looks right but is not: what was meant, and what dockerd does."""

    meant: str | None
    dockerd: str
    why: str


def _flag_name(flag: str, key: str) -> WrongKey:
    return WrongKey(
        key,
        "accepts it and silently ignores it",
        f"it is the name of the --{flag} flag",
    )


WRONG_KEYS: dict[str, WrongKey] = {
    **{flag: _flag_name(flag, key) for flag, key in FLAG_KEYS.items()},
    "containerd-plugin-namespace": WrongKey(
        "containerd-plugins-namespace",
        "rejects it as unknown",
        "dockerd 26.1 only knows the flag's spelling",
    ),
    "oom-score-adjust": WrongKey(
        None,
        "rejects it as unknown",
        "dockerd 25 removed it; set OOMScoreAdjust= in a SystemdDropIn for docker.service",
    ),
    "swarm-raft-heartbeat-tick": WrongKey(
        None, "rejects it as unknown", "it has no flag, so daemon.json cannot set it"
    ),
    "swarm-raft-election-tick": WrongKey(
        None, "rejects it as unknown", "it has no flag, so daemon.json cannot set it"
    ),
    "graph": WrongKey("data-root", "rejects it as unknown", "it was removed in Engine 23"),
    "feature": WrongKey("features", "rejects it as unknown", "--feature only exists from 27.3"),
    "host-gateway-ips": WrongKey(
        "host-gateway-ip", "rejects it as unknown", "host-gateway-ips only exists from 28.0"
    ),
    "config-file": WrongKey(
        None,
        "refuses to start",
        "it is a command-line option that conflicts with the --config-file dockerd is given",
    ),
    "validate": WrongKey(None, "refuses to start", "it is a command-line option"),
}
"""Keys users write by mistake, by their kebab-case spelling."""


def wrong_key_message(key: str, wrong: WrongKey) -> str:
    """One sentence: the key is wrong, why, what dockerd does with it and what to write."""
    fix = f"; write {wrong.meant!r}" if wrong.meant else ""
    return f"{key!r} is not a daemon.json key: {wrong.why} (dockerd {wrong.dockerd}){fix}"


def flag_key(flag: str) -> str | None:
    """The daemon.json key a dockerd flag (``-H``, ``--host``, ``--debug``) sets, if any."""
    name = flag.lstrip("-").split("=", 1)[0]
    if not flag.startswith("--"):
        name = SHORT_FLAGS.get(name[:1], "")
    if not name:
        return None
    return FLAG_KEYS.get(name, name)
