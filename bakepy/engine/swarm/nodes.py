"""Converge a swarm's nodes to the declared ``SwarmNode`` resources: labels, availability and
role, each node updated in place (``docker node update``). A node is matched by hostname and
never added or removed; one not in the swarm is an error. Labels bakepy set earlier and no
longer declared are removed (their keys are recorded in a node label); others are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bakepy.engine.compose.plan import Change, FieldChange
from bakepy.engine.swarm.observed import ObservedNode
from bakepy.errors import BakepyError

if TYPE_CHECKING:
    from bakepy.models.compose.swarm_node import SwarmNode

MANAGED = "dev.bakepy.node-labels"
"""The node label that records which label keys bakepy keeps on the node."""


@dataclass(frozen=True)
class NodeUpdate:
    """A node spec to send, with the version the update must name."""

    id: str
    version: int
    spec: dict[str, Any] = field(default_factory=dict)


def _labels(node: SwarmNode, seen: ObservedNode) -> dict[str, str]:
    """The node's labels after the update: declared ones set, earlier managed ones dropped."""
    earlier = [k for k in seen.labels.get(MANAGED, "").split(",") if k]
    labels = {k: v for k, v in seen.labels.items() if k not in earlier and k != MANAGED}
    labels.update(node.spec.labels)
    if node.spec.labels:
        labels[MANAGED] = ",".join(sorted(node.spec.labels))
    return labels


def node_changes(
    declared: Sequence[SwarmNode], listed: Sequence[ObservedNode]
) -> tuple[list[Change], list[NodeUpdate]]:
    """The changes (for the plan) and updates (for apply) that converge the declared nodes."""
    by_host = {n.hostname.lower(): n for n in listed}
    changes, updates = [], []
    for node in declared:
        seen = by_host.get(node.hostname.lower())
        if seen is None:
            known = ", ".join(sorted(n.hostname for n in listed)) or "none"
            raise BakepyError(
                f"{node.ref}: no node named {node.hostname!r} in the swarm (nodes: {known})",
                location=node.location("metadata", "name"),
                hint="join the node first (docker swarm join); bakepy never adds or removes nodes",
            )
        role = node.spec.role or seen.role
        availability = node.spec.availability or seen.availability
        labels = _labels(node, seen)
        fields = [
            FieldChange(f"labels.{k}", seen.labels.get(k), labels.get(k))
            for k in sorted(set(labels) | set(seen.labels))
            if k != MANAGED and labels.get(k) != seen.labels.get(k)
        ]
        if role != seen.role:
            fields.append(FieldChange("role", seen.role, role))
        if availability != seen.availability:
            fields.append(FieldChange("availability", seen.availability, availability))
        resource = f"node/{node.metadata.name}"
        if not fields and labels == seen.labels:
            changes.append(Change("node", resource, seen.hostname, "unchanged", existing=seen.id))
            continue
        reason = "drained: its tasks move to other nodes" if availability == "drain" else ""
        reasons = [reason] if reason and seen.availability != "drain" else ["declared changes"]
        changes.append(
            Change("node", resource, seen.hostname, "update", reasons, fields, existing=seen.id)
        )
        spec = {"Labels": labels, "Role": role, "Availability": availability}
        if seen.name:
            spec["Name"] = seen.name
        updates.append(NodeUpdate(seen.id, seen.version, spec))
    return changes, updates
