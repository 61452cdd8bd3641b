"""The verbs that act on the world: plan, apply and delete a whole project, and each part alone.

``apply`` decides what the command line does: builds first (the named targets; else the default
group, or every target that is not abstract), then each ComposeProject through the Engine API
(or, with ``stack=``, that Stack on the swarm), then the host files when the project declares
them. ``plan`` covers the engine and the host; ``delete`` removes what compose projects or a
stack own. The parts (``apply_builds``, ``plan_host``, ``apply_host`` here; ``plan_runtime`` and
the rest in ``bakepy.engine``) are verbs of their own.

Kept apart from ``bakepy.api.definitions`` so that rendering and printing never import engine code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from bakepy.api.definitions import check, resolve
from bakepy.engine.build_plan import BuildPlan, PlannedBuilder
from bakepy.engine.builders import delete_builder, inspect_builder
from bakepy.engine.builds import (
    BuildReport,
    Progress,
    build,
    observed,
    plan_builds as engine_plan_builds,
    write_build_files,
)
from bakepy.engine.commands import CommandRunner, SubprocessRunner
from bakepy.loaders.image_lock import ImageLock, lock_path, read_lock
from bakepy.models.bake.builder import Builder
from bakepy.models.bake.targets import Group
from bakepy.models.toolchain import NO_LIMITS, Toolchain
from bakepy.project import Project
from bakepy.resolution.bake.evaluate import ResolvedBake
from bakepy.resolution.selection import bake_names, parse_selector, requested_names
from bakepy.support.atomic import FileWrite, write_file

if TYPE_CHECKING:  # the host, compose and swarm sides load only when a command acts on them
    from bakepy.engine.compose.apply import ApplyResult
    from bakepy.engine.compose.client import EngineClient
    from bakepy.engine.compose.plan import RuntimePlan
    from bakepy.engine.host.apply import HostResult
    from bakepy.engine.host.plan import HostPlan
    from bakepy.engine.swarm.client import SwarmClient

ApplyStep: TypeAlias = "BuildReport | BuildPlan | ApplyResult | HostResult"
"""What ``apply`` hands to ``on_step`` as each part finishes: the builds (their plan on a dry
run), each compose project (or the stack), the host."""


def _wanted(
    project: Project,
    names: Sequence[str],
    selector: str | Sequence[str] | None,
    env: Mapping[str, str] | None,
    overrides: Sequence[str],
    toolchain: Toolchain,
    syntax_directive: bool,
) -> list[str]:
    """The targets to build (checked as ``toolchain``'s buildx reads them)."""
    built = bake_names(project, names, concrete=True)
    wanted = requested_names(project, built, parse_selector(selector))
    if not _declares_targets(project):
        check(project, env, toolchain=toolchain, syntax_directive=syntax_directive)
        return []
    check(
        project,
        env,
        names=wanted or ["default"],
        overrides=overrides,
        toolchain=toolchain,
        syntax_directive=syntax_directive,
    )
    return wanted


def _declares_targets(project: Project) -> bool:
    return bool(project.targets or project.bake_files)


def _resolved(
    project: Project,
    wanted: Sequence[str],
    env: Mapping[str, str] | None,
    workdir: Path,
    overrides: Sequence[str],
    toolchain: Toolchain,
) -> ResolvedBake:
    """The targets resolved with paths from ``workdir``; none for a project that declares
    only builders."""
    if not _declares_targets(project):
        return ResolvedBake()
    return resolve(project, wanted, env, workdir, overrides, toolchain)


def project_lock(project: Project) -> ImageLock | None:
    """The project's ``bakepy.lock`` (beside its definitions), if it has one."""
    return read_lock(lock_path(project.base_dir))


def plan_builds(
    project: Project,
    names: Sequence[str] = (),
    *,
    selector: str | Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
    runner: CommandRunner | None = None,
    syntax_directive: bool = True,
    toolchain: Toolchain = NO_LIMITS,
) -> BuildPlan:
    """What applying the chosen targets would do: each builder to create, replace or leave,
    each target to build or leave as it is (up to date), and why; builds nothing."""
    wanted = _wanted(project, names, selector, env, overrides, toolchain, syntax_directive)
    lock = project_lock(project)
    with tempfile.TemporaryDirectory(prefix="bakepy-build-") as work:
        workdir = Path(work)
        write_build_files(project, workdir, syntax_directive=syntax_directive)
        resolved = _resolved(project, wanted, env, workdir, overrides, toolchain)
        return engine_plan_builds(
            project, resolved, runner or SubprocessRunner(), workdir, lock=lock
        )


def apply_builds(
    project: Project,
    names: Sequence[str] = (),
    *,
    selector: str | Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
    runner: CommandRunner | None = None,
    progress: Progress = "auto",
    syntax_directive: bool = True,
    toolchain: Toolchain = NO_LIMITS,
    lock_timeout: float = 120.0,
) -> BuildReport:
    """Build the chosen targets (default group when none) through ``docker buildx bake``,
    checked as ``toolchain``'s buildx reads them; a target whose inputs are unchanged since
    its last build here, with its result still in place, is left as it is. Builds of one
    project take turns on the engine (``_builds_take_turns``), waiting up to ``lock_timeout``
    seconds."""
    wanted = _wanted(project, names, selector, env, overrides, toolchain, syntax_directive)
    lock = project_lock(project)
    runner = runner or SubprocessRunner()
    with tempfile.TemporaryDirectory(prefix="bakepy-build-") as work:
        workdir = Path(work)
        write_build_files(project, workdir, syntax_directive=syntax_directive)
        resolved = _resolved(project, wanted, env, workdir, overrides, toolchain)
        planned = engine_plan_builds(project, resolved, runner, workdir, lock=lock)
        with _builds_take_turns(project, runner, planned.has_changes, lock_timeout):
            if planned.has_changes:  # planned again under the lock: another apply may have built
                planned = engine_plan_builds(project, resolved, runner, workdir, lock=lock)
            report = build(
                project, resolved, runner, workdir, planned, progress=progress, env=env, lock=lock
            )
            if lock is not None:
                _keep_pushed_pins(project, lock, report)
    observed(project, planned, report)
    return report


@contextlib.contextmanager
def _builds_take_turns(
    project: Project, runner: CommandRunner, changes: bool, timeout: float
) -> Iterator[None]:
    """Builds and builder changes of one project take turns on the engine (and on this host),
    whatever the state folder: the engine lock ``build-<folder>``, taken only when there is
    something to change, and only when buildx runs for real (not a test's runner)."""
    if not changes or not isinstance(runner, SubprocessRunner):
        yield
        return
    from bakepy.engine.lock import build_lock_name, project_lock as engine_project_lock

    name = build_lock_name(project.base_dir)
    with engine_project_lock(name, timeout=timeout, on_current_engine=True):
        yield


def _keep_pushed_pins(project: Project, lock: ImageLock, report: BuildReport) -> None:
    """Record in ``bakepy.lock`` the new digest of each pinned image this apply pushed."""
    pushed = dict(lock.pushed)
    for result in report.results:
        if result.action == "built" and result.digest:
            for image in result.images:
                if image in pushed:
                    pushed[image] = result.digest
    if pushed != lock.pushed:
        updated = ImageLock(lock.base, pushed)
        write_file(FileWrite(lock_path(project.base_dir), updated.to_text().encode()))


def plan_host(project: Project, *, root: Path = Path("/")) -> HostPlan:
    """Check the project, then diff its daemon.json and drop-ins against the files under root."""
    from bakepy.engine.host import apply as host_engine

    check(project)
    return host_engine.plan_host(project, root=root)


def apply_host(
    project: Project,
    *,
    root: Path = Path("/"),
    yes: bool = False,
    dry_run: bool = False,
    runner: CommandRunner | None = None,
    dockerd: str | None = None,
) -> HostResult:
    """Check, ``dockerd --validate``, back up and write the host files under root; with ``yes``
    on the real root, run the systemctl daemon-reload / reload / restart the change needs."""
    from bakepy.engine.host import apply as host_engine

    check(project)
    return host_engine.apply_host(
        project, root=root, yes=yes, dry_run=dry_run, runner=runner, dockerd=dockerd
    )


# -- the whole project ----------------------------------------------------------------------------


def _declares_builders(project: Project) -> bool:
    """Whether the project declares builders (converged even when it declares no target)."""
    return bool(project.of_kind(Builder))


def has_host_files(project: Project) -> bool:
    """Whether the project declares host files (asked by kind name: no host model import)."""
    return project.declares("DaemonConfig", "SystemdDropIn")


def compose_names(project: Project, compose: str | None) -> list[str]:
    """The compose projects a plan, apply or delete works on: every declared one, or the one
    named ``compose`` (its name is kept when none matches, so the error names it)."""
    if not project.declares("ComposeProject"):  # a build-only project loads no compose model
        return [compose] if compose is not None else []
    from bakepy.models.compose.project import ComposeProject

    names = [c.project_name for c in project.of_kind(ComposeProject)]
    if compose is not None:
        return [n for n in names if n == compose] or [compose]
    return names


def default_builds(project: Project, targets: Sequence[str]) -> list[str] | None:
    """What apply builds: the named targets; else the default group, or every target that is
    not abstract (``_name``); None when the project declares no targets."""
    if targets:
        return list(targets)
    if project.find(Group, "default") is not None:
        return ["default"]
    concrete = [t.name for t in project.targets if not t.name.startswith("_")]
    return concrete or None


@dataclass
class ProjectPlan:
    """What ``apply`` would change: the builds and builders, each compose project's plan (or
    the stack's), the host's."""

    runtime: list[RuntimePlan] = field(default_factory=list)
    host: HostPlan | None = None
    builds: BuildPlan | None = None

    @property
    def has_changes(self) -> bool:
        """True when applying would build, or change a builder, the engine or a host file."""
        return (
            any(p.has_changes for p in self.runtime)
            or (self.host is not None and self.host.changed)
            or (self.builds is not None and self.builds.has_changes)
        )

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable plan (``plan --output json``)."""
        return {
            "changes": self.has_changes,
            "builds": self.builds.to_dict() if self.builds is not None else None,
            "runtime": [p.to_dict() for p in self.runtime],
            "host": self.host.to_dict() if self.host is not None else None,
        }

    def render(self) -> str:
        """The plan for people: the builds, each runtime plan, then the host's."""
        parts = [self.builds.render()] if self.builds is not None else []
        parts += [p.render() for p in self.runtime]
        if self.host is not None:
            parts.append(self.host.render())
        if not parts:
            return (
                "nothing to plan: no target to build (or --no-build), no compose project, "
                "no host file"
            )
        return "\n".join(parts)


@dataclass
class ProjectResult:
    """What ``apply`` did: the builds (None when nothing was built), each compose project's
    result (or the stack's), the host's (None when the project declares no host files)."""

    builds: BuildReport | None = None
    runtime: list[ApplyResult] = field(default_factory=list)
    host: HostResult | None = None
    build_plan: BuildPlan | None = None
    """What the builds would do (a dry run: nothing is built)."""

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable record (``apply --output json`` and ``--results``)."""
        document = {
            "builds": json.loads(self.builds.to_json()) if self.builds is not None else None,
            "runtime": [json.loads(r.to_json()) for r in self.runtime],
            "host": json.loads(self.host.to_json()) if self.host is not None else None,
        }
        if self.build_plan is not None:  # a dry run: what the builds would do
            document["build_plan"] = self.build_plan.to_dict()
        return document


def plan(
    project: Project,
    targets: Sequence[str] = (),
    *,
    selector: str | Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    build: bool = True,
    syntax_directive: bool = True,
    runner: CommandRunner | None = None,
    compose: str | None = None,
    stack: str | None = None,
    prune: bool = False,
    prune_volumes: bool = False,
    root: Path = Path("/"),
    environment: Mapping[str, str] | None = None,
    client: EngineClient | None = None,
    swarm_client: SwarmClient | None = None,
    toolchain: Toolchain = NO_LIMITS,
) -> ProjectPlan:
    """What ``apply`` would change: the builds it would run (``targets`` or those ``selector``
    picks, else :func:`default_builds`; none without ``build``) and their builders, the engine
    (each ComposeProject, or the Stack named ``stack``) and the host files under ``root``;
    changes nothing. ``environment`` is what compose variables and bake variables are read
    from (default: the process's)."""
    check(project, environment, toolchain=toolchain)
    builds = None
    names = list(targets) if selector else default_builds(project, targets)
    if build and (names is not None or selector or _declares_builders(project)):
        builds = plan_builds(
            project,
            names or [],
            selector=selector,
            env=environment,
            overrides=overrides,
            runner=runner,
            syntax_directive=syntax_directive,
            toolchain=toolchain,
        )
    if stack is not None:
        from bakepy.engine.swarm.verbs import plan_stack

        runtime = [
            plan_stack(
                project, stack=stack, client=swarm_client, prune=prune, environment=environment
            )
        ]
    else:
        from bakepy.engine.compose.verbs import plan_runtime

        runtime = [
            plan_runtime(
                project,
                compose=name,
                client=client,
                prune=prune,
                prune_volumes=prune_volumes,
                environment=environment,
            )
            for name in compose_names(project, compose)
        ]
    if builds is not None:  # apply builds these before it converges the compose projects
        for planned in runtime:
            planned.built_first(_built_images(builds))
    host = plan_host(project, root=root) if has_host_files(project) else None
    return ProjectPlan(runtime, host, builds)


def _built_images(builds: BuildPlan) -> set[str]:
    """The images the planned builds make (a compose service may run one before it exists)."""
    return {
        image for target in builds.targets if target.action == "build" for image in target.images
    }


def apply(
    project: Project,
    targets: Sequence[str] = (),
    *,
    selector: str | Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    compose: str | None = None,
    stack: str | None = None,
    build: bool = True,
    dry_run: bool = False,
    prune: bool = False,
    prune_volumes: bool = False,
    renew_anonymous_volumes: bool = False,
    root: Path | None = None,
    yes: bool = False,
    environment: Mapping[str, str] | None = None,
    build_progress: Progress = "auto",
    syntax_directive: bool = True,
    runner: CommandRunner | None = None,
    client: EngineClient | None = None,
    swarm_client: SwarmClient | None = None,
    progress: Callable[[str], None] | None = None,
    on_step: Callable[[ApplyStep], None] | None = None,
    toolchain: Toolchain = NO_LIMITS,
) -> ProjectResult:
    """Converge everything the project declares, in order: build the targets (``targets``, or
    those ``selector`` picks; else :func:`default_builds`; never on ``dry_run`` or without
    ``build``), then each ComposeProject (or the Stack named ``stack``), then the host files
    under ``root`` (systemctl runs only with ``yes``); without ``root`` the host files are
    planned against / and nothing is written: writing to a machine's / is asked for explicitly.
    ``progress`` receives one line per engine action as it happens; ``on_step`` each part's
    result as soon as that part is done."""
    result = ProjectResult()
    names = list(targets) if selector else default_builds(project, targets)
    if build and dry_run and (names is not None or selector or _declares_builders(project)):
        result.build_plan = plan_builds(
            project,
            names or [],
            selector=selector,
            env=environment,
            overrides=overrides,
            runner=runner,
            syntax_directive=syntax_directive,
            toolchain=toolchain,
        )
        if on_step is not None:
            on_step(result.build_plan)
    if build and not dry_run and (names is not None or selector or _declares_builders(project)):
        result.builds = apply_builds(
            project,
            names or [],
            selector=selector,
            env=environment,
            overrides=overrides,
            runner=runner,
            progress=build_progress,
            syntax_directive=syntax_directive,
            toolchain=toolchain,
        )
        if on_step is not None:
            on_step(result.builds)
    for name in [stack] if stack is not None else compose_names(project, compose):
        if stack is not None:
            from bakepy.engine.swarm.verbs import apply_stack

            applied = apply_stack(
                project,
                stack=name,
                client=swarm_client,
                dry_run=dry_run,
                prune=prune,
                progress=progress,
                environment=environment,
            )
        else:
            from bakepy.engine.compose.verbs import apply_runtime

            applied = apply_runtime(
                project,
                compose=name,
                client=client,
                dry_run=dry_run,
                prune=prune,
                prune_volumes=prune_volumes,
                progress=progress,
                environment=environment,
                renew_anonymous_volumes=renew_anonymous_volumes,
            )
        if result.build_plan is not None:  # a dry run: apply would build these first
            applied.plan.built_first(_built_images(result.build_plan))
        result.runtime.append(applied)
        if on_step is not None:
            on_step(applied)
    if has_host_files(project):
        if root is None:
            planned = apply_host(project, root=Path("/"), dry_run=True)
            result.host = dataclasses.replace(planned, planned_only=True)
        else:
            result.host = apply_host(project, root=root, yes=yes, dry_run=dry_run)
        if on_step is not None:
            on_step(result.host)
    return result


def delete(
    project: Project,
    *,
    compose: str | None = None,
    stack: str | None = None,
    volumes: bool = False,
    client: EngineClient | None = None,
    swarm_client: SwarmClient | None = None,
) -> list[ApplyResult]:
    """Remove what each ComposeProject owns on the engine (its volumes and their data only with
    ``volumes``), or what the Stack named ``stack`` owns on the swarm."""
    if stack is not None:
        from bakepy.engine.swarm.verbs import delete_stack

        return [delete_stack(project, stack=stack, client=swarm_client)]
    from bakepy.engine.compose.verbs import delete_runtime

    return [
        delete_runtime(project, compose=name, client=client, volumes=volumes)
        for name in compose_names(project, compose)
    ]


def delete_builders(
    project: Project,
    *,
    runner: CommandRunner | None = None,
    dry_run: bool = False,
    lock_timeout: float = 120.0,
) -> list[PlannedBuilder]:
    """Remove the builders the project declares (``docker buildx rm``; one of the docker
    driver is kept: buildx makes those per Docker context), taking turns with the project's
    builds; on ``dry_run``, say which would go."""
    runner = runner or SubprocessRunner()
    builders = project.of_kind(Builder)
    with _builds_take_turns(project, runner, bool(builders) and not dry_run, lock_timeout):
        return [_delete_builder(builder, runner, dry_run) for builder in builders]


def _delete_builder(builder: Builder, runner: CommandRunner, dry_run: bool) -> PlannedBuilder:
    """Remove one builder, or on ``dry_run`` say whether it would go."""
    if dry_run:
        exists = inspect_builder(runner, builder.name) is not None
        if exists and builder.spec.driver != "docker":
            return PlannedBuilder(builder.name, "delete")
        reason = "docker driver: kept" if exists else "not there"
        return PlannedBuilder(builder.name, "unchanged", [reason])
    outcome = delete_builder(runner, builder)
    why = {"absent": ["not there"], "kept": ["docker driver: kept"]}.get(outcome, [])
    return PlannedBuilder(builder.name, "delete" if outcome == "delete" else "unchanged", why)
