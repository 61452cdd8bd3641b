"""Which configs and secrets a stack must keep after an apply: those its declared services use,
and those a rollback could return to. Swarm keeps one previous spec per service (``docker
service rollback``, or ``failure_action: rollback`` during an update); a secret that spec names
must still exist, else the rolled-back service cannot start a task ("secret not found").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bakepy.engine.swarm.observed import ObservedSwarmObject


def kept_contents(
    declared: Mapping[str, frozenset[str]],
    listed: Iterable[ObservedSwarmObject],
    updated: Iterable[str],
    removed: Iterable[str],
) -> frozenset[str]:
    """The config and secret names some service may still need once an apply is over.

    ``declared``: each declared service's name and the names its new spec uses. ``listed``: the
    stack's services as the engine lists them. ``updated``: the services the apply updates (their
    current spec becomes the previous one, which a rollback returns to). ``removed``: the services
    the apply removes (pruned: they need nothing). Every other listed service keeps what its
    current and its previous spec use.
    """
    changed, gone = set(updated), set(removed)
    needed: set[str] = set()
    for uses in declared.values():
        needed |= uses
    for service in listed:
        if service.name in gone:
            continue
        needed |= service.uses
        if service.name not in changed:
            needed |= service.previous_uses
    return frozenset(needed)
