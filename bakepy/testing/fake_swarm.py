"""An in-memory swarm manager that speaks bakepy's SwarmClient protocol, for tests of any code.

Objects are kept by ID; a service's tasks run its current spec once its rollout is over, which
takes ``rollout_polls`` listings of the services; an update then ends in ``update_outcome``.
A removed network stays listed for ``linger`` more network listings, as a node lists its local
copy of an overlay network for a moment after the manager removed it; a service naming a network
that does not exist is refused as the engine refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bakepy.engine.labels import NAMESPACE
from bakepy.engine.swarm.desired import SwarmKind
from bakepy.engine.swarm.observed import (
    ObservedNode,
    ObservedSwarmObject,
    ObservedTask,
    owned_by_stack,
    spec_replicas,
)
from bakepy.errors import EngineError


@dataclass
class FakeObject:
    kind: SwarmKind
    body: dict[str, Any]
    version: int = 1
    tasks_version: int = 0
    """The spec version the service's tasks run (0: none yet)."""
    polls_left: int = 0
    update_state: str = ""
    update_message: str = ""
    previous: dict[str, Any] | None = None
    """The spec before the last update (what a rollback returns to)."""


def _refs(body: Mapping[str, Any] | None) -> frozenset[str]:
    """The config and secret names a service body uses."""
    container = (body or {}).get("TaskTemplate", {}).get("ContainerSpec", {})
    refs = [*container.get("Secrets", []), *container.get("Configs", [])]
    return frozenset(r.get("SecretName") or r["ConfigName"] for r in refs)


@dataclass
class FakeSwarm:
    """Networks, configs, secrets and services in a dictionary; every call is recorded."""

    objects: dict[str, FakeObject] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    lists: int = 0
    rollout_polls: int = 0
    update_outcome: str = "completed"
    update_message: str = ""
    task_error: str = ""
    """When set, tasks never start and report this error."""
    external: dict[str, dict[str, str]] = field(default_factory=dict)
    """Objects not owned by any stack, by kind then name: their IDs."""
    node_list: list[ObservedNode] = field(
        default_factory=lambda: [ObservedNode("node1", "one", "manager")]
    )
    service_error: str = ""
    """When set, every service create is refused with this message."""
    created: int = 0
    """Objects created so far (IDs stay unique when a test clears ``calls``)."""
    linger: int = 0
    ghosts: dict[str, tuple[FakeObject, int]] = field(default_factory=dict)
    """Removed networks still listed: the object and how many more listings show it."""

    def _listed(self, kind: SwarmKind) -> list[tuple[str, FakeObject]]:
        """The objects of one kind a listing shows (removed networks for a while)."""
        found = [(i, o) for i, o in self.objects.items() if o.kind == kind]
        if kind == "network":
            for ident, (item, left) in list(self.ghosts.items()):
                found.append((ident, item))
                if left <= 1:
                    del self.ghosts[ident]
                else:
                    self.ghosts[ident] = (item, left - 1)
        return found

    def list_stack(self, kind: SwarmKind, stack: str) -> list[ObservedSwarmObject]:
        """Objects of one kind with the stack's namespace label that the stack owns (as
        DockerSwarmClient lists them); a service listing advances rollouts."""
        self.lists += 1
        found = []
        for ident, item in self._listed(kind):
            labels = item.body["Labels"]
            if labels.get(NAMESPACE) != stack:
                continue
            if not owned_by_stack(kind, labels, stack):
                continue
            if kind == "service":
                self._advance(item)
            found.append(
                ObservedSwarmObject(
                    kind,
                    ident,
                    item.body["Name"],
                    item.body["Labels"],
                    item.version,
                    len([t for t in self.tasks([ident]) if t.running]),
                    item.update_state,
                    _refs(item.body),
                    item.update_message,
                    _refs(item.previous),
                    replicas=spec_replicas(item.body) if kind == "service" else None,
                )
            )
        return found

    def _advance(self, item: FakeObject) -> None:
        if item.polls_left > 0:
            item.polls_left -= 1
        if item.polls_left > 0 or item.tasks_version == item.version:
            return
        if item.update_state == "updating":
            item.update_state = self.update_outcome
            item.update_message = self.update_message
            if self.update_outcome == "rollback_completed" and item.previous is not None:
                item.body, item.previous = item.previous, item.body  # swarm swaps them back
            if self.update_outcome != "completed":
                return
        if not self.task_error:
            item.tasks_version = item.version

    def find(self, kind: SwarmKind, names: Sequence[str]) -> dict[str, str]:
        """IDs of the objects with these names (stack-owned or external)."""
        self.calls.append(f"find {kind} {','.join(names)}")
        found = {n: i for n, i in self.external.get(kind, {}).items() if n in names}
        for ident, item in self._listed(kind):
            if item.body["Name"] in names:
                found[item.body["Name"]] = ident
        return found

    def _eligible(self, body: Mapping[str, Any]) -> list[ObservedNode]:
        constraints = body["TaskTemplate"].get("Placement", {}).get("Constraints", [])
        roles = [c.split("==")[1].strip() for c in constraints if c.startswith("node.role")]
        return [n for n in self.node_list if n.ready and all(n.role == r for r in roles)]

    def tasks(self, services: Sequence[str]) -> list[ObservedTask]:
        """The up-to-date tasks of these services."""
        out = []
        for ident in services:
            item = self.objects.get(ident)
            if item is None or item.kind != "service":
                continue
            if self.task_error:
                out.append(ObservedTask(ident, "node1", "failed", "shutdown", self.task_error))
                continue
            if item.tasks_version != item.version:
                continue
            mode = item.body["Mode"]
            if "Global" in mode:
                nodes = [n.id for n in self._eligible(item.body)]
            else:
                nodes = ["node1"] * mode["Replicated"]["Replicas"]
            out += [ObservedTask(ident, node, "running", "running") for node in nodes]
        return out

    def nodes(self) -> list[ObservedNode]:
        """The nodes."""
        self.calls.append("nodes")
        return list(self.node_list)

    def create(self, kind: SwarmKind, body: Mapping[str, Any], data: bytes = b"") -> str:
        """Store an object (a service starts rolling out)."""
        self.calls.append(f"create {kind} {body['Name']}")
        networks = {o.body["Name"] for o in self.objects.values() if o.kind == "network"}
        networks |= set(self.external.get("network", {}))
        for attached in body.get("TaskTemplate", {}).get("Networks", []):
            if attached["Target"] not in networks:
                target = attached["Target"]
                raise EngineError(f"create service {body['Name']}: network {target} not found")
        self.created += 1
        ident = f"id{self.created}"
        if kind == "service" and self.service_error:
            raise EngineError(self.service_error)
        self.objects[ident] = FakeObject(kind, dict(body), polls_left=self.rollout_polls)
        return ident

    def update_service(self, service: str, version: int, body: Mapping[str, Any]) -> None:
        """Replace a service's spec (its tasks roll to it)."""
        self.calls.append(f"update service {body['Name']}")
        item = self.objects[service]
        assert item.version == version
        container = body["TaskTemplate"]["ContainerSpec"]
        known = set(self.objects) | {i for ids in self.external.values() for i in ids.values()}
        refs = [*container.get("Secrets", []), *container.get("Configs", [])]
        assert all((r.get("SecretID") or r["ConfigID"]) in known for r in refs)
        item.previous, item.body = item.body, dict(body)
        item.version += 1
        item.polls_left = self.rollout_polls
        item.update_state = "updating"
        item.update_message = ""

    def remove(self, kind: SwarmKind, ident: str) -> None:
        """Forget an object."""
        self.calls.append(f"remove {kind} {self.objects[ident].body['Name']}")
        removed = self.objects.pop(ident)
        if kind == "network" and self.linger:
            self.ghosts[ident] = (removed, self.linger)

    def update_node(self, node: str, version: int, spec: Mapping[str, Any]) -> None:
        """Replace a node's labels, role and availability (its version must match)."""
        self.calls.append(f"update node {node}")
        for index, seen in enumerate(self.node_list):
            if seen.id == node:
                assert seen.version == version
                availability = str(spec.get("Availability", seen.availability))
                self.node_list[index] = replace(
                    seen,
                    labels=dict(spec.get("Labels") or {}),
                    role=str(spec.get("Role", seen.role)),
                    availability=availability,
                    ready=seen.status == "ready" and availability == "active",
                    version=seen.version + 1,
                )
                return
        raise EngineError(f"node {node} not found")

    @property
    def mutations(self) -> list[str]:
        """The calls that changed something."""
        return [c for c in self.calls if c.split()[0] in ("create", "update", "remove")]
