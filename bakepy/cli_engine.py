"""``bakepy plan``, ``apply`` and ``delete``: converge builds, the engine and the host.

apply runs three parts in order, each only when the project declares what it needs: builds
(bake targets, through ``docker buildx bake``), the runtime (each ComposeProject through the
Engine API, or with ``--stack NAME`` that Stack on the swarm) and the host (daemon.json and
docker.service drop-ins, under ``--root``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bakepy.cli_options import (
    FilesOption,
    OverridesOption,
    SelectorOption,
    SyntaxOption,
    TargetsArgument,
    fail,
    print_warnings,
)
from bakepy.errors import BakepyError

if TYPE_CHECKING:
    from bakepy.project import Project

OutputOption = Annotated[
    str, typer.Option("--output", "-o", help="Print text or json.", metavar="text|json")
]
RootOption = Annotated[
    Path,
    typer.Option("--root", help="Apply host files under this folder instead of /.", metavar="DIR"),
]
ComposeOption = Annotated[
    str | None,
    typer.Option("--compose", help="Only this ComposeProject (by name).", metavar="NAME"),
]
StackOption = Annotated[
    str | None,
    typer.Option(
        "--stack",
        help="Work on this Stack on the swarm instead of compose projects.",
        metavar="NAME",
    ),
]
PruneOption = Annotated[
    bool,
    typer.Option(
        "--prune", help="Remove project-owned containers and networks no longer declared."
    ),
]
PruneVolumesOption = Annotated[
    bool,
    typer.Option(
        "--prune-volumes",
        help="Also remove undeclared volumes and removed containers' anonymous volumes, with "
        "their data (implies --prune).",
    ),
]


def _check_output(output: str) -> None:
    if output not in ("text", "json"):
        fail(BakepyError(f"--output must be text or json, not {output!r}"))


def _has_host(project: Project) -> bool:
    """Whether the project declares host files (asked by kind name: no host model import)."""
    return project.declares("DaemonConfig", "SystemdDropIn")


def _composes(project: Project, compose: str | None) -> list[str]:
    from bakepy.models.compose import ComposeProject

    names = [c.project_name for c in project.of_kind(ComposeProject)]
    if compose is not None:
        return [n for n in names if n == compose] or [compose]
    return names


def _build_names(project: Project, targets: list[str]) -> list[str] | None:
    """What apply builds: the named targets; else the default group, or every target that is
    not abstract (``_name``); None when the project declares no targets."""
    from bakepy.models.bake import Group

    if targets:
        return targets
    if project.find(Group, "default") is not None:
        return ["default"]
    concrete = [t.name for t in project.targets if not t.name.startswith("_")]
    return concrete or None


def register_engine_commands(app: typer.Typer) -> None:
    """Add plan, apply and delete to ``app``."""

    @app.command("plan")
    def plan_command(
        files: FilesOption = None,
        compose: ComposeOption = None,
        stack: StackOption = None,
        prune: PruneOption = False,
        prune_volumes: PruneVolumesOption = False,
        root: RootOption = Path("/"),
        output: OutputOption = "text",
    ) -> None:
        """Show what apply would change (engine objects, host files); exit 1 if anything would."""
        from bakepy.api import check, load_selected
        from bakepy.api_engine import plan_host, plan_runtime, plan_stack

        _check_output(output)
        try:
            project = load_selected(files or [], [], None)
            print_warnings(project.warnings)
            check(project, dict(os.environ))
            plans = (
                [plan_stack(project, stack=stack, prune=prune, environment=dict(os.environ))]
                if stack is not None
                else [
                    plan_runtime(
                        project,
                        compose=name,
                        prune=prune,
                        prune_volumes=prune_volumes,
                        environment=dict(os.environ),
                    )
                    for name in _composes(project, compose)
                ]
            )
            host = plan_host(project, root=root) if _has_host(project) else None
        except BakepyError as error:
            fail(error)
        changed = any(p.has_changes for p in plans) or (host is not None and host.changed)
        if output == "json":
            document: dict[str, Any] = {"changes": changed}
            document["runtime"] = [p.to_dict() for p in plans]
            document["host"] = host.to_dict() if host is not None else None
            sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        else:
            for plan in plans:
                typer.echo(plan.render())
            if host is not None:
                typer.echo(host.render())
            if not plans and host is None:
                typer.echo("nothing to plan: the project declares no ComposeProject or host files")
        raise typer.Exit(1 if changed else 0)

    @app.command("apply")
    def apply_command(
        targets: TargetsArgument = None,
        files: FilesOption = None,
        selector: SelectorOption = None,
        overrides: OverridesOption = None,
        compose: ComposeOption = None,
        stack: StackOption = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Plan only: make no change at all.")
        ] = False,
        prune: PruneOption = False,
        prune_volumes: PruneVolumesOption = False,
        renew_anon_volumes: Annotated[
            bool,
            typer.Option(
                "--renew-anon-volumes",
                "-V",
                help="Give replaced containers new anonymous volumes (the old ones and their "
                "data are removed) instead of the old ones.",
            ),
        ] = False,
        root: RootOption = Path("/"),
        yes: Annotated[
            bool,
            typer.Option("--yes", help="Run the systemctl reload/restart a host change needs."),
        ] = False,
        build: Annotated[
            bool, typer.Option("--build/--no-build", help="Build the project's targets first.")
        ] = True,
        progress: Annotated[
            str,
            typer.Option(
                "--progress",
                help="BuildKit progress: auto, plain, tty or quiet.",
                metavar="MODE",
            ),
        ] = "auto",
        output: OutputOption = "text",
        results: Annotated[
            Path | None,
            typer.Option("--results", help="Also write the JSON record here.", metavar="FILE"),
        ] = None,
        syntax_directive: SyntaxOption = True,
    ) -> None:
        """Build the targets, converge each ComposeProject and the host files to the project."""
        from bakepy.api import load_selected
        from bakepy.api_engine import apply_builds, apply_host, apply_runtime, apply_stack

        _check_output(output)
        if progress not in ("auto", "plain", "tty", "quiet"):
            fail(BakepyError("--progress must be auto, plain, tty or quiet"))
        record: dict[str, Any] = {"builds": None, "runtime": [], "host": None}
        try:
            project = load_selected(files or [], [], None)
            print_warnings(project.warnings)
            names = list(targets or []) if selector else _build_names(project, list(targets or []))
            if build and not dry_run and (names is not None or selector):
                report = apply_builds(
                    project,
                    names or [],
                    selector=selector,
                    env=dict(os.environ),
                    overrides=overrides or [],
                    progress=progress,  # type: ignore[arg-type]
                    syntax_directive=syntax_directive,
                )
                record["builds"] = json.loads(report.to_json())
                if output == "text":
                    for built in report.results:
                        where = ", ".join(built.images) or "(no image)"
                        typer.echo(f"built {built.target}: {where} {built.digest or ''}".rstrip())
            live = (lambda line: typer.echo(line)) if output == "text" else None
            applied = (
                [
                    apply_stack(
                        project,
                        stack=stack,
                        dry_run=dry_run,
                        prune=prune,
                        progress=live,
                        environment=dict(os.environ),
                    )
                ]
                if stack is not None
                else [
                    apply_runtime(
                        project,
                        compose=name,
                        dry_run=dry_run,
                        prune=prune,
                        prune_volumes=prune_volumes,
                        progress=live,
                        environment=dict(os.environ),
                        renew_anonymous_volumes=renew_anon_volumes,
                    )
                    for name in _composes(project, compose)
                ]
            )
            for result in applied:
                record["runtime"].append(json.loads(result.to_json()))
                if output == "text":
                    typer.echo(result.render(actions=False))
            if _has_host(project):
                host = apply_host(project, root=root, yes=yes, dry_run=dry_run)
                record["host"] = json.loads(host.to_json())
                if output == "text":
                    typer.echo(host.render())
        except BakepyError as error:
            fail(error)
        text = json.dumps(record, indent=2, sort_keys=True) + "\n"
        if results is not None:
            results.write_text(text, encoding="utf-8")
        if output == "json":
            sys.stdout.write(text)

    @app.command("delete")
    def delete_command(
        files: FilesOption = None,
        compose: ComposeOption = None,
        stack: StackOption = None,
        volumes: Annotated[
            bool,
            typer.Option(
                "--volumes",
                help="Also remove the project's volumes and its containers' anonymous volumes "
                "(and their data).",
            ),
        ] = False,
        output: OutputOption = "text",
    ) -> None:
        """Remove the containers and networks each ComposeProject owns (volumes with --volumes)."""
        from bakepy.api import load_selected
        from bakepy.api_engine import delete_runtime, delete_stack

        _check_output(output)
        try:
            project = load_selected(files or [], [], None)
            print_warnings(project.warnings)
            results = (
                [delete_stack(project, stack=stack)]
                if stack is not None
                else [
                    delete_runtime(project, compose=name, volumes=volumes)
                    for name in _composes(project, compose)
                ]
            )
        except BakepyError as error:
            fail(error)
        if output == "json":
            document = [json.loads(r.to_json()) for r in results]
            sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
            return
        for result in results:
            typer.echo(result.render())
