"""Compare a stack's declared swarm objects with what the engine lists for its label.

A service whose spec hash changed is updated in place (swarm rolls its tasks); the plan names
the declared fields that differ from those its spec label recorded (values from env files, the
shell and secret contents only as "changed"). A config or secret with new content has a new
name: it is created, the services move to it, and the old one is deleted once no service uses
it, nor could use it again through a rollback (its previous spec: see swarm_retention).
``prune`` deletes what is no longer declared. External networks, configs and secrets must
exist; they are looked up by name and never changed.

Objects an older bakepy made (labelled only ``dev.bakepy.project=<stack>``) are the stack's
like its own: planned for update, replace or prune, and a service update rewrites its labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bakepy.engine import labels as L
from bakepy.engine.compose.plan import Change, FieldChange, RuntimePlan, field_changes
from bakepy.engine.swarm.nodes import NodeUpdate, node_changes
from bakepy.engine.swarm.objects import StackState, SwarmKind, SwarmObject
from bakepy.engine.swarm.observed import ObservedSwarmObject, adopted
from bakepy.engine.swarm.retention import kept_contents
from bakepy.errors import BakepyError

if TYPE_CHECKING:
    from bakepy.engine.swarm.client import SwarmClient

KINDS: tuple[SwarmKind, ...] = ("network", "config", "secret", "service")
"""Apply order; deletes run the other way round."""


@dataclass
class StackPlan(RuntimePlan):
    """A Plan for a stack, with the declared and listed objects apply needs."""

    stack: StackState | None = field(default=None, repr=False)
    observed: dict[str, ObservedSwarmObject] = field(default_factory=dict, repr=False)
    """Listed objects by ``kind/name``."""
    external: dict[str, str] = field(default_factory=dict, repr=False)
    """IDs of the external objects the stack uses, by ``kind/name``."""
    node_updates: list[NodeUpdate] = field(default_factory=list, repr=False)
    """Declared swarm nodes whose labels, availability or role change."""

    def declared(self, change: Change) -> SwarmObject:
        """The declared object a create or update change is for."""
        assert self.stack is not None
        return next(
            o for o in self.stack.objects if o.kind == change.kind and o.name == change.name
        )


def _fields(item: SwarmObject, seen: ObservedSwarmObject) -> list[FieldChange]:
    """The declared fields that differ from those the object's spec label recorded."""
    stored = L.stored_spec(seen.labels)
    if stored is None:
        return [FieldChange("(spec)", "(not recorded)", "(declared)")]
    return field_changes(stored, L.stored_spec(item.body["Labels"]) or {})


def _change(item: SwarmObject, seen: ObservedSwarmObject | None) -> Change:
    kind = item.kind
    if seen is None:
        return Change(kind, item.resource, item.name, "create")
    relabel = kind == "service" and adopted(seen.labels)
    scaled = kind == "service" and _scaled_by_hand(item, seen)
    if seen.hash == item.hash and not relabel and not scaled:
        return Change(kind, item.resource, item.name, "unchanged", existing=seen.id)
    if seen.hash == item.hash and not relabel:
        reason = f"scaled to {seen.replicas} outside bakepy: back to the declared {item.replicas}"
        fields = [FieldChange("deploy.replicas", seen.replicas, item.replicas)]
        return Change(kind, item.resource, item.name, "update", [reason], fields, existing=seen.id)
    fields = _fields(item, seen)
    if kind == "service":
        reason = (
            "spec changed: swarm rolls the tasks"
            if seen.hash != item.hash
            else "made by an older bakepy: its labels are rewritten (the tasks keep running)"
        )
        return Change(kind, item.resource, item.name, "update", [reason], fields, existing=seen.id)
    reason = "settings changed; swarm cannot update it"
    return Change(kind, item.resource, item.name, "replace", [reason], fields, existing=seen.id)


def _scaled_by_hand(item: SwarmObject, seen: ObservedSwarmObject) -> bool:
    """A replicated service whose spec's replica count is not the declared one, though its
    labels are (``docker service scale`` leaves the labels as they were)."""
    return None not in (item.replicas, seen.replicas) and seen.replicas != item.replicas


def _externals(client: SwarmClient, state: StackState) -> dict[str, str]:
    """The IDs of the external objects the stack uses; a missing one is an error."""
    ids: dict[str, str] = {}
    for kind, declared in sorted(state.external.items()):
        found = client.find(kind, sorted(declared))
        for name, where in sorted(declared.items()):
            if name not in found:
                raise BakepyError(
                    f"stack {state.stack}: {where} is external, but {kind} {name!r} does not "
                    "exist on the swarm",
                    hint=f"create it first (docker {kind} create {name} ...)",
                )
            ids[f"{kind}/{name}"] = found[name]
    return ids


def plan_stack_with(
    client: SwarmClient, stack: str, declare: Callable[[], StackState], *, prune: bool = False
) -> StackPlan:
    """The plan that converges ``stack``: one list call per kind, then a comparison."""
    listed = {kind: client.list_stack(kind, stack) for kind in KINDS}
    state = declare()
    plan = StackPlan(project=stack, warnings=list(state.warnings), stack=state)
    plan.observed = {f"{o.kind}/{o.name}": o for objects in listed.values() for o in objects}
    plan.external = _externals(client, state)
    declared = {f"{o.kind}/{o.name}" for o in state.objects}
    if state.nodes:  # first: the labels placement constraints need
        nodes, plan.node_updates = node_changes(state.nodes, client.nodes())
        plan.changes += nodes
    for item in state.objects:
        plan.changes.append(_change(item, plan.observed.get(f"{item.kind}/{item.name}")))
    plan.warnings += short_of_replicas(state, plan.observed)
    updated = [c.name for c in plan.changes if c.kind == "service" and c.action == "update"]
    removed = [o.name for o in listed["service"] if prune and f"service/{o.name}" not in declared]
    used = kept_contents(
        {o.name: frozenset(_uses(o)) for o in state.of("service")},
        listed["service"],
        updated,
        removed,
    )
    resources = {o.resource for o in state.objects}
    contents: tuple[SwarmKind, ...] = ("config", "secret")
    for kind in contents:
        for seen in listed[kind]:
            if f"{kind}/{seen.name}" in declared or seen.name in used:
                continue
            if seen.resource in resources:
                reason = "old content: no service, nor a rollback, can use it"
            elif prune:
                reason = "no longer declared"
            else:
                continue
            plan.changes.append(
                Change(kind, seen.resource, seen.name, "delete", [reason], existing=seen.id)
            )
    if prune:
        pruned: tuple[SwarmKind, ...] = ("service", "network")
        for kind in pruned:
            for seen in listed[kind]:
                if f"{kind}/{seen.name}" not in declared:
                    plan.changes.append(
                        Change(
                            kind,
                            seen.resource,
                            seen.name,
                            "delete",
                            ["no longer declared"],
                            existing=seen.id,
                        )
                    )
    return plan


def _uses(service: SwarmObject) -> set[str]:
    container = service.body["TaskTemplate"]["ContainerSpec"]
    names = [r["SecretName"] for r in container.get("Secrets") or []]
    return set(names + [r["ConfigName"] for r in container.get("Configs") or []])


def short_of_replicas(state: StackState, observed: dict[str, ObservedSwarmObject]) -> list[str]:
    """One line per listed service running fewer tasks than declared (replicas, or in global
    mode the engine's count of eligible nodes): what ``plan`` says beside the changes."""
    lines = []
    for item in state.of("service"):
        seen = observed.get(f"service/{item.name}")
        if seen is None:
            continue
        wanted = item.replicas if item.replicas is not None else seen.desired
        if seen.running < wanted:
            lines.append(
                f"{item.resource} ({item.name}): {seen.running} of {wanted} declared "
                "replicas running"
            )
    return lines
