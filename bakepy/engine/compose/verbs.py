"""Converge a Docker engine to a ComposeProject through the Engine API (the docker SDK):
``plan_runtime`` says what would change, ``apply_runtime`` changes it, ``delete_runtime``
removes what the project owns.

Ownership is by label (``dev.bakepy.project``, ``dev.bakepy.resource``,
``dev.bakepy.spec-hash``); a plan reads the engine with one list call per kind of object.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

from bakepy.engine.compose.anonymous import forget_all
from bakepy.engine.compose.apply import (
    DEFAULT_WORKERS,
    ApplyResult,
    Progress,
    execute,
    orphaned_records,
)
from bakepy.engine.compose.client import DockerEngineClient, EngineClient
from bakepy.engine.compose.desired import DesiredState, desired_state, empty_state
from bakepy.engine.compose.identity import forget_record, write_record
from bakepy.engine.compose.plan import RuntimePlan
from bakepy.engine.compose.planner import plan_with
from bakepy.engine.lock import project_lock
from bakepy.engine.state import remove_project_files, save_digest_keys
from bakepy.errors import BakepyError
from bakepy.models.compose.project import ComposeProject
from bakepy.project import Project
from bakepy.resolution.checks import check_project


def _select(
    project: ComposeProject | Project, compose: str | None
) -> tuple[Project, ComposeProject]:
    """The project that holds the ComposeProject, and the ComposeProject to converge."""
    whole = Project([project]) if isinstance(project, ComposeProject) else project
    found = whole.of_kind(ComposeProject)
    if compose is not None:
        found = [c for c in found if compose in (c.name, c.project_name)]
    if len(found) != 1:
        names = ", ".join(c.project_name for c in whole.of_kind(ComposeProject)) or "none"
        what = f"no ComposeProject named {compose!r}" if compose else "not one ComposeProject"
        hint = "name one with --compose NAME (compose=NAME from Python)"
        raise BakepyError(f"{what} (declared: {names})", hint=hint)
    return whole, found[0]


def _declare(
    whole: Project, chosen: ComposeProject, environment: Mapping[str, str] | None
) -> DesiredState:
    """Check the whole project, then lower the chosen ComposeProject to its engine objects
    (only the services a label selector picked, and what they depend on, as compose's
    ``up SERVICE`` does)."""
    check_project(whole)
    desired = desired_state(whole, chosen, environment=environment)
    picked = whole.service_selections.get(chosen.name)
    if picked is None:
        return desired
    return dataclasses.replace(desired, scope=with_dependencies(desired, picked))


def with_dependencies(desired: DesiredState, services: frozenset[str]) -> frozenset[str]:
    """``services`` and every service they depend on, transitively."""
    found = set(services)
    todo = list(services)
    while todo:
        for dependency in desired.dependencies.get(todo.pop(), []):
            if dependency.service not in found:
                found.add(dependency.service)
                todo.append(dependency.service)
    return frozenset(found)


def _plan(
    whole: Project,
    chosen: ComposeProject,
    engine: EngineClient,
    prune: bool,
    prune_volumes: bool,
    environment: Mapping[str, str] | None,
    declare: Callable[[], DesiredState] | None = None,
) -> RuntimePlan:
    plan = plan_with(
        engine,
        chosen.project_name,
        declare or (lambda: _declare(whole, chosen, environment)),
        prune=prune,
        prune_volumes=prune_volumes,
    )
    if plan.desired is not None:
        plan.warnings[:0] = [w for w in plan.desired.warnings if w not in plan.warnings]
    plan.owners = whole.owners_of(chosen)
    return plan


def _changes_nothing(plan: RuntimePlan) -> bool:
    """Whether applying ``plan`` makes no call that changes the engine: no change, no
    orphaned anonymous volumes to prune, and the record of its containers already kept."""
    if plan.has_changes or plan.recorded is None:
        return False
    return not (plan.prune_volumes and orphaned_records(plan))


def plan_runtime(
    project: ComposeProject | Project,
    *,
    compose: str | None = None,
    client: EngineClient | None = None,
    prune: bool = False,
    prune_volumes: bool = False,
    environment: Mapping[str, str] | None = None,
) -> RuntimePlan:
    """What ``apply_runtime`` would change on the engine; changes nothing.

    ``project`` is a ComposeProject, or a loaded Project holding one (``compose`` names it
    when there are several). ``prune`` plans deletes of containers and networks that carry the
    project's label but are no longer declared; ``prune_volumes`` of volumes too (it implies
    ``prune``). Compose variables (``${VAR}``) are interpolated from ``environment`` (default:
    the process's) over the project folder's ``.env``, as ``docker compose up`` does.
    """
    whole, chosen = _select(project, compose)
    engine = client if client is not None else DockerEngineClient()
    return _plan(whole, chosen, engine, prune, prune_volumes, environment)


def apply_runtime(
    project: ComposeProject | Project,
    *,
    compose: str | None = None,
    client: EngineClient | None = None,
    dry_run: bool = False,
    prune: bool = False,
    prune_volumes: bool = False,
    wait_timeout: float = 120.0,
    lock_timeout: float = 120.0,
    progress: Progress | None = None,
    environment: Mapping[str, str] | None = None,
    workers: int = DEFAULT_WORKERS,
    renew_anonymous_volumes: bool = False,
) -> ApplyResult:
    """Converge the engine to the project: networks and volumes, then containers, each
    service as soon as its dependencies reached their depends_on conditions (waiting up to
    ``wait_timeout`` seconds for each), up to ``workers`` services at once; prune last.

    ``dry_run`` plans and makes no mutating call. Applies of one project take turns (a lock
    file on this host and a lock object on the engine); a second one waits up to
    ``lock_timeout`` seconds, then fails. The lock is taken only when the plan changes
    something, and the plan is made again under it; a no-change apply makes no mutating call.
    ``progress`` receives one line per action as it happens. Compose variables are
    interpolated from ``environment`` (default: the process's) over the project's ``.env``.
    A replaced container's anonymous volumes (an image's ``VOLUME``, a volume without a
    source) are mounted in the new container, as ``docker compose up`` does;
    ``renew_anonymous_volumes`` removes them instead (``up --renew-anon-volumes``).
    """
    whole, chosen = _select(project, compose)
    engine = client if client is not None else DockerEngineClient()
    declare = functools.cache(lambda: _declare(whole, chosen, environment))
    plan = _plan(whole, chosen, engine, prune, prune_volumes, environment, declare)
    if dry_run:
        return ApplyResult(plan, dry_run=True)
    if _changes_nothing(plan):  # nothing to change: no lock either (taking it is a change)
        return execute(engine, plan, wait_timeout=wait_timeout, progress=progress)
    with project_lock(chosen.project_name, timeout=lock_timeout, engine=engine):
        # planned again under the lock: another apply may have changed the engine meanwhile
        plan = _plan(whole, chosen, engine, prune, prune_volumes, environment, declare)
        save_digest_keys()  # the plan's digests are labelled from here on
        result = execute(
            engine,
            plan,
            wait_timeout=wait_timeout,
            progress=progress,
            workers=workers,
            renew_anonymous_volumes=renew_anonymous_volumes,
        )
        if result.changed or plan.recorded is None:
            write_record(engine, plan.project, engine.list_volumes(plan.project))
        return result


def delete_runtime(
    project: ComposeProject | Project | str,
    *,
    compose: str | None = None,
    client: EngineClient | None = None,
    volumes: bool = False,
    lock_timeout: float = 120.0,
    progress: Progress | None = None,
) -> ApplyResult:
    """Remove every container and network carrying the project's label (volumes, and so
    their data, only with ``volumes=True``: the project's named volumes and the containers'
    anonymous volumes, as ``docker compose down -v``); external objects are never touched."""
    name = project if isinstance(project, str) else _select(project, compose)[1].project_name
    engine = client if client is not None else DockerEngineClient()
    if not isinstance(project, str):
        whole, chosen = _select(project, compose)
        picked = whole.service_selections.get(chosen.name)
        if picked is not None:
            return _delete_services(whole, chosen, picked, engine, volumes, lock_timeout, progress)
    with project_lock(name, timeout=lock_timeout, engine=engine):
        plan = plan_with(engine, name, lambda: empty_state(name), prune=True, prune_volumes=volumes)
        result = execute(engine, plan, progress=progress)
        forget_record(engine, name)
        forget_all(name)
    remove_project_files(name)
    result.verb = "Delete"
    return result


def _delete_services(
    whole: Project,
    chosen: ComposeProject,
    services: frozenset[str],
    engine: EngineClient,
    volumes: bool,
    lock_timeout: float,
    progress: Progress | None,
) -> ApplyResult:
    """Remove the containers of ``services`` only (a label selector's pick), as ``docker
    compose rm -s SERVICE``: the project's networks and volumes stay for the other services;
    with ``volumes``, those containers' anonymous volumes go too."""

    def without_them() -> DesiredState:
        desired = _declare(whole, chosen, None)
        return dataclasses.replace(
            desired,
            services=[s for s in desired.services if s not in services],
            containers=[c for c in desired.containers if c.service not in services],
            scope=None,
        )

    name = chosen.project_name
    with project_lock(name, timeout=lock_timeout, engine=engine):
        plan = plan_with(engine, name, without_them, prune=True, prune_volumes=volumes)
        plan.changes = [
            c
            for c in plan.changes
            if c.kind == "container"
            and c.action == "delete"
            and c.resource.removeprefix("service/") in services
        ]
        plan.pulls.clear()
        result = execute(engine, plan, progress=progress)
    result.verb = "Delete"
    return result
