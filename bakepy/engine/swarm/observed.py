"""What a swarm manager reports about a stack's objects, its tasks and its nodes, as small typed
records read from the Engine API's list answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bakepy.engine import labels as L
from bakepy.engine.labels import NAMESPACE
from bakepy.engine.swarm.objects import SwarmKind


@dataclass(frozen=True)
class ObservedSwarmObject:
    """A swarm object bakepy's labels say a stack owns, as the engine lists it."""

    kind: SwarmKind
    id: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    version: int = 0
    """A service's version index (an update must name it)."""
    running: int = 0
    """A service's running tasks."""
    update_state: str = ""
    """A service's rolling update state (``updating``, ``completed``, ...), if any."""
    uses: frozenset[str] = frozenset()
    """A service's config and secret names."""
    update_message: str = ""
    """What the engine says about the rolling update (why it paused or rolled back)."""
    previous_uses: frozenset[str] = frozenset()
    """The config and secret names of a service's previous spec (what a rollback returns to)."""
    desired: int = 0
    """A service's desired tasks (the engine's count: replicas, or eligible nodes if global)."""
    replicas: int | None = None
    """A replicated service's replica count in its spec as it is now (a ``docker service
    scale`` by hand changes it, not the labels); None for other objects and global services."""

    @property
    def hash(self) -> str:
        """The spec hash it was created from."""
        return self.labels.get(L.SPEC_HASH, "")

    @property
    def resource(self) -> str:
        """``service/web``, from its label."""
        return self.labels.get(L.RESOURCE, f"{self.kind}/{self.name}")


@dataclass(frozen=True)
class ObservedTask:
    """One task of a service that runs the service's current spec (``_up-to-date``)."""

    service: str
    """The service's ID."""
    node: str
    state: str
    """new, pending, ..., running, complete, failed, rejected, shutdown, ..."""
    desired_state: str
    error: str = ""
    """The engine's message for a task that failed (``No such image: ...``)."""
    timestamp: str = ""

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> ObservedTask:
        """From one entry of ``GET /tasks``."""
        status = item.get("Status") or {}
        return cls(
            str(item.get("ServiceID") or ""),
            str(item.get("NodeID") or ""),
            str(status.get("State") or ""),
            str(item.get("DesiredState") or ""),
            str(status.get("Err") or ""),
            str(status.get("Timestamp") or ""),
        )

    @property
    def running(self) -> bool:
        """Running, and meant to keep running."""
        return self.state == "running" and self.desired_state == "running"


@dataclass(frozen=True)
class ObservedNode:
    """A swarm node: what placement constraints and a global service's task count depend on."""

    id: str
    hostname: str = ""
    role: str = "worker"
    ready: bool = True
    """Status ready and availability active: it takes tasks."""
    labels: dict[str, str] = field(default_factory=dict)
    engine_labels: dict[str, str] = field(default_factory=dict)
    os: str = ""
    arch: str = ""
    status: str = "ready"
    """ready, down, unknown or disconnected, as the manager sees it."""
    availability: str = "active"
    """active, pause or drain."""
    version: int = 0
    """The node's version index (an update must name it)."""
    name: str = ""
    """The name set on the node's spec (rarely set; kept on update)."""

    @property
    def condition(self) -> str:
        """Why the node takes no tasks (``down``, ``drain``), empty when it takes them."""
        if self.status != "ready":
            return self.status
        return "" if self.availability == "active" else self.availability

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> ObservedNode:
        """From one entry of ``GET /nodes``."""
        spec = item.get("Spec") or {}
        description = item.get("Description") or {}
        engine = description.get("Engine") or {}
        platform = description.get("Platform") or {}
        return cls(
            str(item["ID"]),
            str(description.get("Hostname") or ""),
            str(spec.get("Role") or "worker"),
            (item.get("Status") or {}).get("State") == "ready"
            and spec.get("Availability", "active") == "active",
            dict(spec.get("Labels") or {}),
            dict(engine.get("Labels") or {}),
            str(platform.get("OS") or ""),
            str(platform.get("Architecture") or ""),
            str((item.get("Status") or {}).get("State") or "unknown"),
            str(spec.get("Availability") or "active"),
            int((item.get("Version") or {}).get("Index", 0)),
            str(spec.get("Name") or ""),
        )


def _uses(spec: Mapping[str, Any]) -> frozenset[str]:
    container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    names = [r.get("SecretName") for r in container.get("Secrets") or []]
    names += [r.get("ConfigName") for r in container.get("Configs") or []]
    return frozenset(str(n) for n in names if n)


def observed(kind: SwarmKind, item: Mapping[str, Any]) -> ObservedSwarmObject:
    """One listed object as bakepy reads it."""
    if kind == "network":
        return ObservedSwarmObject(
            kind, str(item["Id"]), str(item["Name"]), item.get("Labels") or {}
        )
    spec = item.get("Spec") or {}
    status = item.get("ServiceStatus") or {}
    update = item.get("UpdateStatus") or {}
    return ObservedSwarmObject(
        kind,
        str(item["ID"]),
        str(spec.get("Name", "")),
        dict(spec.get("Labels") or {}),
        int((item.get("Version") or {}).get("Index", 0)),
        int(status.get("RunningTasks", 0)),
        str(update.get("State", "")),
        _uses(spec) if kind == "service" else frozenset(),
        str(update.get("Message", "")),
        _uses(item.get("PreviousSpec") or {}) if kind == "service" else frozenset(),
        int(status.get("DesiredTasks", 0)),
        spec_replicas(spec) if kind == "service" else None,
    )


def spec_replicas(spec: Mapping[str, Any]) -> int | None:
    """The replica count of a replicated service's spec; None for a global one."""
    replicated = (spec.get("Mode") or {}).get("Replicated")
    if replicated is None:
        return None
    return int(replicated.get("Replicas", 1))


def named_ids(found: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, str]:
    """The IDs of the listed objects whose name is one of ``names`` (a list's name filter
    also matches parts of names)."""
    ids = {}
    for item in found:
        name = item.get("Name") or (item.get("Spec") or {}).get("Name")
        if name in names:
            ids[str(name)] = str(item.get("Id") or item.get("ID"))
    return ids


def owned_by_stack(kind: SwarmKind, labels: Mapping[str, str], stack: str) -> bool:
    """Whether an object's labels say ``stack`` owns it: its ``dev.bakepy.stack`` label, or
    the labels an older bakepy put on stack objects (``dev.bakepy.project=<stack>`` and a
    resource label, no stack label). Compose projects never make services, configs or secrets,
    but they do make networks with those labels: an old-style network is the stack's only with
    docker stack's namespace label as well, which bakepy has always set on stack objects."""
    if L.STACK in labels:
        return labels[L.STACK] == stack
    if labels.get(L.PROJECT) != stack or L.RESOURCE not in labels:
        return False
    return kind != "network" or labels.get(NAMESPACE) == stack


def adopted(labels: Mapping[str, str]) -> bool:
    """Made by an older bakepy: owned through the project label, not the stack label."""
    return L.STACK not in labels
