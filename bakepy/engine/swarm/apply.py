"""Carry out a StackPlan: declared swarm nodes (labels, availability, role), networks,
configs, secrets, then services created or updated in place; then wait until each created or
updated service has rolled out (see swarm_wait); only then remove old configs and secrets
nothing (nor a rollback) needs, and what prune removes (services first), waiting until removed
networks are no longer listed. A service create that fails because a network the stack
declares was removed a moment ago recreates it and tries once more (see swarm_networks).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from bakepy.engine.compose.apply import ApplyResult, Done, Progress
from bakepy.engine.compose.plan import Change
from bakepy.engine.progress import Status
from bakepy.engine.swarm.client import SwarmClient
from bakepy.engine.swarm.networks import missing_networks, wait_unlisted
from bakepy.engine.swarm.objects import SwarmKind, SwarmObject
from bakepy.engine.swarm.plan import KINDS, StackPlan
from bakepy.engine.swarm.wait import Rollout, wait_rollouts
from bakepy.errors import BakepyError, EngineError

_NETWORK_GRACE = 60.0
"""Seconds a network removal is retried while tasks detach from it."""
_DELETE_ORDER: tuple[SwarmKind, ...] = ("service", "config", "secret", "network")


def _with_ids(body: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A service body whose secret and config references carry the IDs swarm needs."""
    out = copy.deepcopy(body)
    container = out["TaskTemplate"]["ContainerSpec"]
    for key, name_key, id_key in (
        ("Secrets", "SecretName", "SecretID"),
        ("Configs", "ConfigName", "ConfigID"),
    ):
        for ref in container.get(key) or []:
            kind = "secret" if key == "Secrets" else "config"
            found = ids.get(f"{kind}/{ref[name_key]}")
            if found is None:
                raise BakepyError(f"{kind} {ref[name_key]} does not exist on the swarm")
            ref[id_key] = found
    return out


class _StackExecutor:
    def __init__(
        self,
        client: SwarmClient,
        plan: StackPlan,
        progress: Progress | None,
        sleep: Callable[[float], None],
    ) -> None:
        self.client = client
        self.plan = plan
        self.progress = progress
        self.sleep = sleep
        self.done: list[Done] = []
        self.ids = {key: o.id for key, o in plan.observed.items()}
        self.ids.update(plan.external)
        self.rollouts: list[Rollout] = []

    def record(self, action: str, change: Change, started: float) -> None:
        done = Done(action, change.resource, change.name, round(time.monotonic() - started, 3))
        self.done.append(done)
        if self.progress is not None:
            self.progress(done.describe())

    def run(self, wait_timeout: float) -> list[Done]:
        sleep = self.sleep
        replaced = self.plan.of("replace")
        if replaced:
            names = ", ".join(c.name for c in replaced)
            raise BakepyError(
                f"cannot change {names} in place on a swarm",
                hint="delete the stack (delete_stack) or rename the object, then apply",
            )
        nodes = [c for c in self.plan.changes if c.kind == "node" and c.action == "update"]
        for change, update in zip(nodes, self.plan.node_updates, strict=True):
            started = time.monotonic()
            self.client.update_node(update.id, update.version, update.spec)
            self.record("updated", change, started)
        for kind in KINDS:
            for change in self.plan.changes:
                if change.kind == kind and change.action in ("create", "update"):
                    self.apply(change)
        # Nothing is removed before every changed service has converged: a failed update rolls
        # back to a spec that may name the old config or secret.
        self.wait(wait_timeout, sleep)
        removed = []
        for kind in _DELETE_ORDER:
            for change in self.plan.changes:
                if change.kind == kind and change.action == "delete" and change.existing:
                    started = time.monotonic()
                    self.remove(kind, change.existing, sleep)
                    self.record("deleted", change, started)
                    removed += [change.name] if kind == "network" else []
        wait_unlisted(self.client, removed, sleep)
        return self.done

    def remove(self, kind: SwarmKind, ident: str, sleep: Callable[[float], None]) -> None:
        """Remove one object; a network is retried while the tasks of removed services leave."""
        deadline = time.monotonic() + (_NETWORK_GRACE if kind == "network" else 0)
        while True:
            try:
                self.client.remove(kind, ident)
                return
            except EngineError:
                if time.monotonic() > deadline:
                    raise
                sleep(0.5)

    def apply(self, change: Change) -> None:
        item = self.plan.declared(change)
        started = time.monotonic()
        body = _with_ids(item.body, self.ids) if item.kind == "service" else item.body
        if item.kind == "service":
            placement = body["TaskTemplate"].get("Placement") or {}
            constraints = tuple(placement.get("Constraints") or [])
            self.rollouts.append(Rollout(item.resource, item.name, item.replicas, constraints))
        if change.action == "update" and change.existing:
            seen = self.plan.observed[f"service/{item.name}"]
            self.client.update_service(change.existing, seen.version, body)
            self.record("updated", change, started)
            return
        if item.kind == "service":
            self.ids[f"service/{item.name}"] = self.create_service(body)
        else:
            self.ids[f"{item.kind}/{item.name}"] = self.client.create(item.kind, body, item.data)
        self.record("created", change, started)

    def create_service(self, body: dict[str, Any]) -> str:
        """Create a service; if a network the stack declares turns out to be gone (removed a
        moment ago, still listed when planned), create that network and try once more."""
        try:
            return self.client.create("service", body)
        except EngineError as error:
            declared = {n.name: n for n in self.plan.stack.of("network")} if self.plan.stack else {}
            targets = [str(t["Target"]) for t in body["TaskTemplate"].get("Networks") or []]
            gone = missing_networks(str(error), [t for t in targets if t in declared])
            if not gone:
                raise
        for name in gone:
            self.recreate(declared[name])
        return self.client.create("service", body)

    def recreate(self, network: SwarmObject) -> None:
        """Create a network the plan found but the swarm no longer has."""
        started = time.monotonic()
        wait_unlisted(self.client, [network.name], self.sleep)
        self.ids[f"network/{network.name}"] = self.client.create("network", network.body)
        change = Change("network", network.resource, network.name, "create")
        self.record("created", change, started)

    def wait(self, timeout: float, sleep: Callable[[float], None]) -> None:
        """Until every service created or updated here has rolled out."""

        def finished(rollout: Rollout, seconds: float) -> None:
            done = Done("waited", rollout.resource, rollout.name, round(seconds, 3))
            self.done.append(done)
            if self.progress is not None:
                self.progress(done.describe())

        def waiting(text: str) -> None:
            if self.progress is not None:
                self.progress(Status(f"stack/{self.plan.project}", text))

        if self.rollouts:
            wait_rollouts(
                self.client,
                self.plan.project,
                self.rollouts,
                timeout,
                finished,
                sleep=sleep,
                on_wait=waiting,
            )


def execute_stack(
    client: SwarmClient,
    plan: StackPlan,
    *,
    wait_timeout: float = 120.0,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Carry out ``plan``; nothing is called when it has no changes."""
    executor = _StackExecutor(client, plan, progress, sleep)
    if not plan.has_changes:
        return ApplyResult(plan)
    return ApplyResult(plan, executor.run(wait_timeout))
