"""``bakepy plan``, ``apply`` and ``delete``: options in, ``bakepy.api.converge``, results out.

What apply does and in which order (builds, then each ComposeProject or the ``--stack``, then
the host files under ``--root``) is the library's decision (``bakepy.apply``), not the CLI's.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bakepy.cli.options import (
    BuildxVersionOption,
    ChangedSinceOption,
    ContextOption,
    FilesOption,
    IgnoreUnknownOption,
    OutputOption,
    OverridesOption,
    OwnerOption,
    RecursiveOption,
    SelectorOption,
    SyntaxOption,
    TargetsArgument,
    changed_targets,
    check_output,
    concrete_only,
    fail,
    print_warnings,
    toolchain,
    use_context,
)
from bakepy.errors import BakepyError

if TYPE_CHECKING:
    from bakepy.models.toolchain import Toolchain
    from bakepy.project import Project


def _load_with_changes(
    files: list[Path] | None,
    targets: list[str] | None,
    changed_since: str | None,
    tools: Toolchain,
    ignore_unknown: bool,
    recursive: bool,
) -> tuple[Project, list[str] | None]:
    """What plan and apply load (the TARGETs' packages, and those of the targets
    ``--changed-since`` leaves) and those changed targets (None without the option)."""
    from bakepy.api.definitions import load_for

    changed = changed_targets(changed_since, files, targets)
    names = [*(targets or []), *(changed or [])]
    loaded = load_for(files or [], names, tools, ignore_unknown=ignore_unknown, recursive=recursive)
    return loaded, changed


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Write the host files (daemon.json, drop-ins) under this folder: --root / for this "
        "machine. Without it apply only plans them (plan reads them under /).",
        metavar="DIR",
    ),
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


def register_engine_commands(app: typer.Typer) -> None:
    """Add plan, apply and delete to ``app``."""

    @app.command("plan")
    def plan_command(
        targets: TargetsArgument = None,
        files: FilesOption = None,
        selector: SelectorOption = None,
        recursive: RecursiveOption = False,
        changed_since: ChangedSinceOption = None,
        owner: OwnerOption = None,
        compose: ComposeOption = None,
        stack: StackOption = None,
        prune: PruneOption = False,
        prune_volumes: PruneVolumesOption = False,
        root: RootOption = None,
        output: OutputOption = "text",
        buildx_version: BuildxVersionOption = None,
        context: ContextOption = None,
        overrides: OverridesOption = None,
        build: Annotated[
            bool,
            typer.Option("--build/--no-build", help="Plan the project's builds and builders too."),
        ] = True,
        syntax_directive: SyntaxOption = True,
        ignore_unknown: IgnoreUnknownOption = False,
    ) -> None:
        """Show what apply would change (builds and builders, engine objects, host files);
        exit 1 if anything would."""
        from bakepy.api.converge import plan
        from bakepy.resolution.selection import (
            bake_names,
            parse_selector,
            select_resources,
            still_selected,
        )

        check_output(output)
        use_context(context)
        try:
            tools = toolchain(buildx_version, engine=True)
            loaded, changed = _load_with_changes(
                files, targets, changed_since, tools, ignore_unknown, recursive
            )
            names = bake_names(loaded, targets or [], concrete=True)
            project = select_resources(loaded, names, parse_selector(selector), owner)
            names = still_selected(loaded, names, parse_selector(selector), owner)
            if changed is not None:  # as apply: only the builds narrow, compose and host stay
                changed_names = bake_names(loaded, concrete_only(changed))
                names = still_selected(loaded, changed_names, parse_selector(selector), owner)
                build = build and bool(names)
                if not names:
                    typer.echo(f"no target changed since {changed_since}", err=True)
            print_warnings(project.warnings)
            planned = plan(
                project,
                names,
                selector=selector if project.targets else None,  # it may pick services only
                overrides=overrides or [],
                build=build,
                syntax_directive=syntax_directive,
                compose=compose,
                stack=stack,
                prune=prune,
                prune_volumes=prune_volumes,
                root=root or Path("/"),
                environment=dict(os.environ),
                toolchain=tools,
            )
        except BakepyError as error:
            fail(error)
        if output == "json":
            sys.stdout.write(json.dumps(planned.to_dict(), indent=2, sort_keys=True) + "\n")
        else:
            typer.echo(planned.render())
        raise typer.Exit(1 if planned.has_changes else 0)

    @app.command("apply")
    def apply_command(
        targets: TargetsArgument = None,
        files: FilesOption = None,
        selector: SelectorOption = None,
        recursive: RecursiveOption = False,
        changed_since: ChangedSinceOption = None,
        owner: OwnerOption = None,
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
        root: RootOption = None,
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
                help="Progress of builds (BuildKit's) and of long waits (health checks, "
                "rollouts, pulls): auto (live on a terminal, plain lines otherwise), plain, tty "
                "or quiet.",
                metavar="MODE",
            ),
        ] = "auto",
        output: OutputOption = "text",
        results: Annotated[
            Path | None,
            typer.Option("--results", help="Also write the JSON record here.", metavar="FILE"),
        ] = None,
        syntax_directive: SyntaxOption = True,
        buildx_version: BuildxVersionOption = None,
        context: ContextOption = None,
        ignore_unknown: IgnoreUnknownOption = False,
    ) -> None:
        """Build the targets, converge each ComposeProject and the host files to the project."""
        from bakepy.api.converge import ApplyStep, apply
        from bakepy.engine.build_plan import BuildPlan
        from bakepy.engine.builds import BuildReport
        from bakepy.resolution.selection import (
            bake_names,
            parse_selector,
            select_resources,
            still_selected,
        )

        check_output(output)
        use_context(context)
        if progress not in ("auto", "plain", "tty", "quiet"):
            fail(BakepyError("--progress must be auto, plain, tty or quiet"))

        from bakepy.cli.progress import LivePrinter, is_terminal

        live = LivePrinter(live=is_terminal(sys.stdout, progress), quiet=progress == "quiet")

        def show(step: ApplyStep) -> None:
            """Each part's outcome as soon as it is done (text output only)."""
            if isinstance(step, BuildReport):
                for built in step.results:
                    where = ", ".join(built.images) or "(no image)"
                    verb = "built" if built.action == "built" else "up to date"
                    live(f"{verb} {built.target}: {where} {built.digest or ''}".rstrip())
            elif isinstance(step, BuildPlan):  # a dry run's builds
                live(step.render())
            else:  # compose and host results load their modules only when a project has them
                from bakepy.engine.compose.apply import ApplyResult

                if isinstance(step, ApplyResult):  # a compose project's or the stack's
                    live(step.render(actions=False))
                else:
                    live(step.render())

        text = output == "text"
        try:
            tools = toolchain(buildx_version, engine=True)
            loaded, changed = _load_with_changes(
                files, targets, changed_since, tools, ignore_unknown, recursive
            )
            names = bake_names(loaded, targets or [], concrete=True)
            if changed is not None:  # only the builds change: compose and host converge as ever
                names = bake_names(loaded, concrete_only(changed))
                build = build and bool(names)
                if not names:
                    typer.echo(f"no target changed since {changed_since}", err=True)
            project = select_resources(loaded, [], parse_selector(selector), owner)
            names = still_selected(loaded, names, parse_selector(selector), owner)
            print_warnings(project.warnings)
            result = apply(
                project,
                names,
                selector=selector if project.targets else None,  # it may pick services only
                overrides=overrides or [],
                compose=compose,
                stack=stack,
                build=build,
                dry_run=dry_run,
                prune=prune,
                prune_volumes=prune_volumes,
                renew_anonymous_volumes=renew_anon_volumes,
                root=root,
                yes=yes,
                environment=dict(os.environ),
                build_progress=progress,  # type: ignore[arg-type]
                syntax_directive=syntax_directive,
                progress=live if text else None,
                on_step=show if text else None,
                toolchain=tools,
            )
        except BakepyError as error:
            live.close()
            fail(error)
        live.close()
        record = json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n"
        if results is not None:
            from bakepy.support.atomic import FileWrite, write_file

            try:
                write_file(FileWrite(results, record.encode()))
            except OSError as exc:
                fail(BakepyError(f"cannot write {results}: {exc.strerror or exc}"))
        if output == "json":
            sys.stdout.write(record)

    @app.command("delete")
    def delete_command(
        specs: Annotated[
            list[str] | None,
            typer.Argument(
                help="Address specs of the packages whose compose projects and stacks to "
                "remove (services/web:, services::; default: the folder's).",
                metavar="SPEC",
            ),
        ] = None,
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
        selector: SelectorOption = None,
        output: OutputOption = "text",
        context: ContextOption = None,
        ignore_unknown: IgnoreUnknownOption = False,
    ) -> None:
        """Remove the containers and networks each ComposeProject owns (volumes with --volumes);
        with -l, only the containers of the services it selects (of a --stack: those services,
        and the configs and secrets no other service uses)."""
        from bakepy.api.converge import delete, delete_builders
        from bakepy.api.definitions import load_selected
        from bakepy.errors import SelectionError
        from bakepy.models.address import is_spec
        from bakepy.resolution.selection import parse_selector, select_resources

        check_output(output)
        use_context(context)
        try:
            bad = [spec for spec in specs or [] if not is_spec(spec)]
            if bad:
                raise SelectionError(
                    f"{bad[0]!r} is no address spec: delete removes packages' compose "
                    "projects and stacks",
                    hint="name a package as services/web: (or services:: for those below it)",
                )
            project = load_selected(files or [], specs or [], None, ignore_unknown=ignore_unknown)
            print_warnings(project.warnings)
            if selector:
                project = select_resources(project, [], parse_selector(selector))
            results = delete(project, compose=compose, stack=stack, volumes=volumes)
            whole = stack is None and compose is None and not selector
            builders = delete_builders(project) if whole else []
        except BakepyError as error:
            fail(error)
        if output == "json":
            document = [json.loads(r.to_json()) for r in results]
            if builders:
                document.append({"builders": [asdict(b) for b in builders]})
            sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
            return
        for result in results:
            typer.echo(result.render())
        for builder in builders:
            why = f" ({', '.join(builder.changes)})" if builder.changes else ""
            verb = "deleted" if builder.action == "delete" else "left"
            typer.echo(f"builder/{builder.name}: {verb}{why}")
