"""Wait until the services an apply changed have rolled out, as ``docker service update``
follows a rollout: the update is completed (or there was none), and the tasks that run the
current spec are running, as many as the declared replicas (a global service: one on every node
that takes its tasks). A paused update or a rollback is an error with the engine's message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bakepy.engine.swarm.client import SwarmClient
from bakepy.engine.swarm.observed import ObservedNode, ObservedSwarmObject, ObservedTask
from bakepy.errors import WaitError

_CONSTRAINT = re.compile(r"^\s*([\w.\-/]+)\s*(==|!=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Rollout:
    """A service to wait for."""

    resource: str
    """``service/web``."""
    name: str
    replicas: int | None
    """None in global mode."""
    constraints: tuple[str, ...] = ()
    """Placement constraints (global mode: which nodes get a task)."""


def _node_value(node: ObservedNode, key: str) -> str | None:
    """The value a constraint's left side names on ``node`` (None: unknown to bakepy)."""
    fixed = {
        "node.id": node.id,
        "node.hostname": node.hostname,
        "node.role": node.role,
        "node.platform.os": node.os,
        "node.platform.arch": node.arch,
    }
    if key in fixed:
        return fixed[key]
    for prefix, labels in (("node.labels.", node.labels), ("engine.labels.", node.engine_labels)):
        if key.startswith(prefix):
            return labels.get(key.removeprefix(prefix), "")
    return None


def eligible(nodes: Iterable[ObservedNode], constraints: Sequence[str]) -> set[str] | None:
    """The ready nodes that meet every constraint; None when a constraint is not understood."""
    found = set()
    for node in nodes:
        if not node.ready:
            continue
        meets = True
        for constraint in constraints:
            match = _CONSTRAINT.match(constraint)
            value = _node_value(node, match.group(1)) if match else None
            if match is None or value is None:
                return None
            equal = value.lower() == match.group(3).lower()
            meets = meets and (equal if match.group(2) == "==" else not equal)
        if meets:
            found.add(node.id)
    return found


def progress_of(
    rollout: Rollout,
    seen: ObservedSwarmObject | None,
    tasks: Sequence[ObservedTask],
    nodes: Sequence[ObservedNode] | None,
) -> str | None:
    """What ``rollout`` still waits for (``2/3 tasks running``), None when it is done; raises
    when it never will be (its update paused, or swarm rolls it back)."""
    if seen is None:
        return "service not listed yet"
    state = seen.update_state
    message = f": {seen.update_message}" if seen.update_message else ""
    if state == "paused":
        raise WaitError(
            f"service {rollout.name}: swarm paused its rolling update{message}",
            hint=f"see docker service ps {rollout.name}; fix the declaration and apply again",
        )
    if state.startswith("rollback"):
        raise WaitError(
            f"service {rollout.name}: its rolling update failed and swarm rolls it back "
            f"({state}){message}",
            hint=f"see docker service ps {rollout.name}; fix the declaration and apply again",
        )
    mine = [t for t in tasks if t.service == seen.id]
    running = [t for t in mine if t.running]
    if rollout.replicas is not None:
        wanted = rollout.replicas
        have = len(running)
    else:
        targets = eligible(nodes or [], rollout.constraints)
        if targets is None:
            targets = {t.node for t in mine if t.desired_state == "running"}
        wanted = len(targets)
        have = len(targets & {t.node for t in running})
    if state not in ("", "completed"):
        return f"update {state}, {have}/{wanted} tasks of the new spec running"
    if have < wanted:
        errors = sorted((t for t in mine if t.error), key=lambda t: t.timestamp)
        last = f" (last task error: {errors[-1].error})" if errors else ""
        return f"{have}/{wanted} tasks of the new spec running{last}"
    return None


def wait_rollouts(
    client: SwarmClient,
    stack: str,
    rollouts: Sequence[Rollout],
    timeout: float,
    on_done: Callable[[Rollout, float], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """Poll until every rollout is done (``on_done`` is called for each as it finishes): one
    list of services, one of tasks and, for global services, one of nodes per round.
    ``on_wait`` hears, after each round, what is still awaited."""
    started = clock()
    pending = list(rollouts)
    pause = 0.2
    while pending:
        listed: Mapping[str, ObservedSwarmObject] = {
            o.name: o for o in client.list_stack("service", stack)
        }
        ids = [listed[r.name].id for r in pending if r.name in listed]
        tasks = client.tasks(ids) if ids else []
        nodes = client.nodes() if any(r.replicas is None for r in pending) else None
        waiting = []
        for rollout in list(pending):
            left = progress_of(rollout, listed.get(rollout.name), tasks, nodes)
            if left is None:
                pending.remove(rollout)
                on_done(rollout, clock() - started)
            else:
                waiting.append(f"{rollout.name}: {left}")
        if not pending:
            return
        if clock() - started > timeout:
            raise WaitError(
                f"stack {stack}: timed out after {timeout:g}s waiting for "
                + "; ".join(waiting)
                + _unavailable(client.nodes()),
                hint="raise wait_timeout, or look at docker service ps <service>",
            )
        if on_wait is not None:
            on_wait(f"rolling out stack {stack} ({clock() - started:.0f}s): " + "; ".join(waiting))
        sleep(pause)
        pause = min(pause * 1.5, 2.0)


def _unavailable(nodes: Sequence[ObservedNode]) -> str:
    """`` (nodes taking no tasks: bakepy-n3 down)``, or nothing when every node takes tasks."""
    out = sorted(f"{n.hostname or n.id} {n.condition}" for n in nodes if n.condition)
    return f" (nodes taking no tasks: {', '.join(out)})" if out else ""
