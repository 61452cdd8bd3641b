"""The library's verbs that act on the world: build, converge the engine and the host.

Kept apart from ``bakepy.api`` so that rendering and printing never import the engine code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bakepy.api import check, resolve
from bakepy.engine.builds import BuildReport, Progress, build
from bakepy.engine.commands import CommandRunner, SubprocessRunner
from bakepy.engine.runtime import (
    ApplyResult as ApplyResult,
    Plan as Plan,
    apply_runtime as apply_runtime,
    apply_stack as apply_stack,
    delete_runtime as delete_runtime,
    delete_stack as delete_stack,
    plan_runtime as plan_runtime,
    plan_stack as plan_stack,
)
from bakepy.project import Project
from bakepy.selection import parse_selector, requested_names

if TYPE_CHECKING:  # the host side loads its models only when a command acts on the host
    from bakepy.engine.host import HostResult
    from bakepy.engine.host_plan import HostPlan


def apply_builds(
    project: Project,
    names: Sequence[str] = (),
    *,
    selector: str | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
    runner: CommandRunner | None = None,
    progress: Progress = "auto",
    syntax_directive: bool = True,
) -> BuildReport:
    """Build the chosen targets (default group when none) through ``docker buildx bake``."""
    check(project, env)
    wanted = requested_names(project, names, parse_selector(selector))
    resolved = resolve(project, wanted, env, overrides=overrides)
    return build(
        project,
        resolved,
        runner or SubprocessRunner(),
        progress=progress,
        env=env,
        syntax_directive=syntax_directive,
    )


def plan_host(project: Project, *, root: Path = Path("/")) -> HostPlan:
    """Check the project, then diff its daemon.json and drop-ins against the files under root."""
    from bakepy.engine import host as host_engine

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
    from bakepy.engine import host as host_engine

    check(project)
    return host_engine.apply_host(
        project, root=root, yes=yes, dry_run=dry_run, runner=runner, dockerd=dockerd
    )
