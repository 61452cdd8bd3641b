"""A stack plan narrowed to the services a label selector picked (``-l`` with ``--stack``).

The picked services are planned as declared, with the networks, configs and secrets they use;
the other services, and whatever only they use, are left as the swarm runs them. Nothing is
deleted that a service left on the swarm still uses (its current spec, or its previous one, which
a rollback returns to). Networks are never deleted for a part of a stack: the engine lists no
network uses per service, and an overlay network in use cannot be removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from bakepy.engine.compose.plan import Change
from bakepy.engine.swarm.objects import SwarmObject
from bakepy.engine.swarm.observed import ObservedSwarmObject
from bakepy.engine.swarm.plan import StackPlan

_CONTENTS = ("config", "secret")


def service_key(resource: str) -> str:
    """``web`` for ``service/web``: the service's name in the stack file."""
    return resource.removeprefix("service/")


def declared_uses(service: SwarmObject) -> frozenset[str]:
    """The swarm names of the networks, configs and secrets a declared service's spec uses."""
    task = service.body.get("TaskTemplate") or {}
    container = task.get("ContainerSpec") or {}
    names = [str(n.get("Target")) for n in task.get("Networks") or []]
    names += [str(s.get("SecretName")) for s in container.get("Secrets") or []]
    names += [str(c.get("ConfigName")) for c in container.get("Configs") or []]
    return frozenset(names)


def _left_uses(services: Iterable[ObservedSwarmObject], picked: frozenset[str]) -> set[str]:
    """Configs and secrets the services the selector left alone use now or after a rollback."""
    used: set[str] = set()
    for service in services:
        if service_key(service.resource) not in picked:
            used |= service.uses | service.previous_uses
    return used


def restrict_plan(plan: StackPlan, picked: frozenset[str]) -> None:
    """Keep the changes of the picked services and of the objects they use; drop the rest, and
    every delete that a service left on the swarm (or a picked one) still needs."""
    assert plan.stack is not None
    services = [s for s in plan.stack.of("service") if s.key in picked]
    needed = frozenset().union(*(declared_uses(s) for s in services))
    listed = [o for o in plan.observed.values() if o.kind == "service"]
    updated = {c.name for c in plan.changes if c.kind == "service" and c.action != "unchanged"}
    kept = _left_uses(listed, picked) | set(needed)
    for service in listed:  # a picked one keeps its current spec's (a rollback's) while updated
        if service_key(service.resource) in picked:
            kept |= service.uses | (service.previous_uses if service.name not in updated else set())
    plan.changes = [c for c in plan.changes if _kept(c, picked, needed, kept, plan)]


def _kept(
    change: Change, picked: frozenset[str], needed: frozenset[str], kept: set[str], plan: StackPlan
) -> bool:
    """Whether ``change`` stays in a plan narrowed to the ``picked`` services."""
    if change.kind == "service":
        return service_key(change.resource) in picked and change.action != "delete"
    if change.kind not in ("network", *_CONTENTS):
        return True  # swarm nodes: the project's, whatever the selector
    if change.action != "delete":
        return change.name in needed
    if change.kind == "network":
        plan.warnings.append(
            f"{change.resource} ({change.name}): not removed, since -l picked only some "
            "services; apply without -l to remove it"
        )
        return False
    return change.name not in kept


def restrict_delete(plan: StackPlan, picked: frozenset[str]) -> None:
    """Narrow a plan deleting the whole stack to the picked services and the configs and secrets
    they use that no other service of the stack uses; networks stay (see the module's
    docstring)."""
    listed = [o for o in plan.observed.values() if o.kind == "service"]
    left = _left_uses(listed, picked)
    theirs: set[str] = set()
    for service in listed:
        if service_key(service.resource) in picked:
            theirs |= service.uses | service.previous_uses
    kept: list[Change] = []
    for change in plan.changes:
        if change.kind == "service":
            if service_key(change.resource) in picked:
                kept.append(change)
        elif change.kind in _CONTENTS and change.name in theirs and change.name not in left:
            kept.append(change)
    networks = sorted(c.resource for c in plan.changes if c.kind == "network")
    if networks:
        plan.warnings.append(
            f"networks kept ({', '.join(networks)}): -l picked only some services; delete "
            "without -l to remove them"
        )
    plan.changes = kept
