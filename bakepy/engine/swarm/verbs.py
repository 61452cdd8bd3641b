"""Converge a swarm to a Stack through the Engine API: ``plan_stack`` says what would change,
``apply_stack`` changes it (services, overlay networks, content-named configs and secrets) and
waits for the rollouts, ``delete_stack`` removes what the stack owns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from bakepy.engine.compose.apply import ApplyResult, Progress
from bakepy.engine.compose.plan import RuntimePlan
from bakepy.engine.lock import project_lock
from bakepy.engine.state import save_digest_keys
from bakepy.engine.swarm.apply import execute_stack
from bakepy.engine.swarm.client import DockerSwarmClient, SwarmClient
from bakepy.engine.swarm.desired import StackState, select_stack, stack_state
from bakepy.engine.swarm.picked import restrict_delete, restrict_plan
from bakepy.engine.swarm.plan import StackPlan, plan_stack_with
from bakepy.models.compose.project import Stack
from bakepy.project import Project
from bakepy.resolution.checks import check_project
from bakepy.resolution.compose.references import stack_compose


def _declaration(
    whole: Project, chosen: Stack, environment: Mapping[str, str] | None
) -> Callable[[], StackState]:
    """Check the project and lower the stack, once: a plan made again under the lock reuses
    the lowering."""

    @functools.cache
    def declare() -> StackState:
        check_project(whole)
        return stack_state(whole, chosen, environment)

    return declare


def _stack_plan(
    whole: Project,
    chosen: Stack,
    engine: SwarmClient,
    prune: bool,
    environment: Mapping[str, str] | None,
    declare: Callable[[], StackState] | None = None,
) -> StackPlan:
    lowered = declare or _declaration(whole, chosen, environment)
    plan = plan_stack_with(engine, chosen.stack_name, lowered, prune=prune)
    compose = stack_compose(whole, chosen)
    picked = whole.service_selections.get(compose.name) if compose is not None else None
    if picked is not None:  # a label selector picked some services: leave the others as they are
        restrict_plan(plan, picked)
    plan.owners = whole.owners_of(chosen)
    return plan


def plan_stack(
    project: Stack | Project,
    *,
    stack: str | None = None,
    client: SwarmClient | None = None,
    prune: bool = False,
    environment: Mapping[str, str] | None = None,
) -> RuntimePlan:
    """What ``apply_stack`` would change on the swarm; changes nothing.

    ``project`` is a Stack, or a loaded Project holding one (``stack`` names it when there are
    several). ``prune`` plans deletes of the stack's objects that are no longer declared.
    Compose variables (``${VAR}``) are interpolated from ``environment`` (default: the
    process's) over the project folder's ``.env``, as for ``plan_runtime``.
    """
    whole, chosen = select_stack(project, stack)
    engine = client if client is not None else DockerSwarmClient()
    return _stack_plan(whole, chosen, engine, prune, environment)


def apply_stack(
    project: Stack | Project,
    *,
    stack: str | None = None,
    client: SwarmClient | None = None,
    dry_run: bool = False,
    prune: bool = False,
    wait_timeout: float = 120.0,
    lock_timeout: float = 120.0,
    progress: Progress | None = None,
    environment: Mapping[str, str] | None = None,
) -> ApplyResult:
    """Converge the swarm to the stack: networks, configs, secrets, services (updated in place),
    then old configs and secrets nothing uses, prune last; then wait up to ``wait_timeout``
    seconds until every created or updated service has rolled out (a paused or rolled-back
    update is an error). ``dry_run`` makes no mutating call, nor does an apply with nothing to
    change: the lock (on this host and on the engine) is taken only when the plan changes
    something, and the plan is made again under it. Compose variables are
    interpolated from ``environment`` (default: the process's) over the project's ``.env``."""
    whole, chosen = select_stack(project, stack)
    engine = client if client is not None else DockerSwarmClient()
    declare = _declaration(whole, chosen, environment)
    plan = _stack_plan(whole, chosen, engine, prune, environment, declare)
    if dry_run:
        return ApplyResult(plan, dry_run=True)
    if not plan.has_changes:  # nothing to change: no lock either (taking it is a change)
        return ApplyResult(plan)
    with project_lock(f"stack-{chosen.stack_name}", timeout=lock_timeout, engine=engine):
        # planned again under the lock: another apply may have changed the swarm meanwhile
        plan = _stack_plan(whole, chosen, engine, prune, environment, declare)
        save_digest_keys()  # the plan's digests are labelled from here on
        return execute_stack(engine, plan, wait_timeout=wait_timeout, progress=progress)


def delete_stack(
    project: Stack | Project | str,
    *,
    stack: str | None = None,
    client: SwarmClient | None = None,
    lock_timeout: float = 120.0,
    progress: Progress | None = None,
) -> ApplyResult:
    """Remove every service, network, config and secret the stack owns (its label, or the
    project label an older bakepy put on stack objects); returns once the node no longer lists
    the removed networks, so an apply right after it creates them again. A project narrowed by
    a label selector to some services removes those services and the configs and secrets no
    other service uses (``bakepy.engine.swarm.picked``)."""
    picked: frozenset[str] | None = None
    if not isinstance(project, str):
        whole, chosen = select_stack(project, stack)
        compose = stack_compose(whole, chosen)
        picked = whole.service_selections.get(compose.name) if compose is not None else None
    name = project if isinstance(project, str) else select_stack(project, stack)[1].stack_name
    engine = client if client is not None else DockerSwarmClient()
    with project_lock(f"stack-{name}", timeout=lock_timeout, engine=engine):
        plan = plan_stack_with(engine, name, lambda: StackState(name), prune=True)
        if picked is not None:  # -l picked some services: those, and what only they use
            restrict_delete(plan, picked)
        result = execute_stack(engine, plan, progress=progress)
    result.verb = "Delete"
    return result
