"""The ``bakepy`` command line: a thin layer over the library's public functions."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bakepy.api import (
    apply_builds,
    bake_print,
    check,
    import_definitions,
    load_selected,
    render,
)
from bakepy.errors import BakepyError, ValidationError
from bakepy.generators import RenderedFile, RenderOptions
from bakepy.output import diff_files, write_files
from bakepy.schema import KIND_NAMES, manifest_schema

app = typer.Typer(
    name="bakepy",
    help="Declare Docker builds as typed objects; render and check Dockerfiles and bake files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FilesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "-f",
        "--file",
        help="Definition file (.py, .yaml) or folder to search; repeatable. Default: .",
    ),
]
TargetsArgument = Annotated[
    list[str] | None, typer.Argument(help="Targets or groups (default: everything).")
]
SelectorOption = Annotated[
    str | None, typer.Option("-l", "--selector", help="Label selector, e.g. team=payments.")
]


def _fail(error: BakepyError) -> NoReturn:
    """Print every problem as ``error: where: what`` (plus its hint) and exit 2."""
    diagnostics = error.diagnostics if isinstance(error, ValidationError) else [error.diagnostic]
    for diagnostic in diagnostics:
        typer.echo(f"error: {diagnostic}", err=True)
    raise typer.Exit(2)


@app.command("render")
def render_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("."),
    bake_format: Annotated[
        str, typer.Option("--format", help="Bake file format: hcl, json or both.")
    ] = "both",
    selector: SelectorOption = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if files on disk differ.")
    ] = False,
    syntax_directive: Annotated[
        bool,
        typer.Option(
            "--syntax-directive/--no-syntax-directive",
            help="Keep `# syntax=` lines (drop them for engines that cannot pull the frontend).",
        ),
    ] = True,
) -> None:
    """Render Dockerfiles and bake files into a folder, atomically (all or nothing)."""
    if bake_format not in ("hcl", "json", "both"):
        _fail(BakepyError(f"--format must be hcl, json or both, not {bake_format!r}"))
    try:
        project = load_selected(files or [], targets or [], selector)
        options = RenderOptions(bake_format=bake_format, syntax_directive=syntax_directive)  # type: ignore[arg-type]
        rendered = render(project, out, options)
    except BakepyError as error:
        _fail(error)
    for file in rendered:
        for warning in file.warnings:
            typer.echo(f"warning: {warning}", err=True)
    if check_only:
        report = diff_files(rendered, out)
        for path in report.changed:
            typer.echo(f"differs: {out / path}")
        if report.changed:
            raise typer.Exit(1)
        typer.echo(f"up to date: {len(report.unchanged)} file(s) in {out}")
        return
    try:
        report = write_files(rendered, out)
    except BakepyError as error:
        _fail(error)
    for path in report.changed:
        typer.echo(f"wrote {out / path}")
    if not report.changed:
        typer.echo(f"unchanged: {len(report.unchanged)} file(s) in {out}")


@app.command("validate")
def validate_command(files: FilesOption = None) -> None:
    """Load and check every definition: models, references, cycles, Dockerfile rules, variables."""
    try:
        project = load_selected(files or [], [], None)
        check(project)
    except BakepyError as error:
        _fail(error)
    typer.echo(f"ok: {len(project)} resource(s) valid")


@app.command("print")
def print_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    selector: SelectorOption = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override an attribute: pattern.key=value or key+=value; repeatable."
        ),
    ] = None,
) -> None:
    """Print resolved targets as JSON, in the shape of `docker buildx bake --print`."""
    try:
        project = load_selected(files or [], [], None)
        text = bake_print(
            project, targets or [], selector, env=dict(os.environ), overrides=overrides or []
        )
    except BakepyError as error:
        _fail(error)
    sys.stdout.write(text)


@app.command("apply")
def apply_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    selector: SelectorOption = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a target attribute: pattern.key=value; repeatable."),
    ] = None,
    progress: Annotated[
        str, typer.Option("--progress", help="BuildKit progress: auto, plain, tty or quiet.")
    ] = "auto",
    output: Annotated[
        str, typer.Option("--output", "-o", help="What to print when done: text or json.")
    ] = "text",
    results: Annotated[
        Path | None, typer.Option("--results", help="Also write the JSON record to this file.")
    ] = None,
    syntax_directive: Annotated[
        bool,
        typer.Option(
            "--syntax-directive/--no-syntax-directive",
            help="Keep `# syntax=` lines (drop them for engines that cannot pull the frontend).",
        ),
    ] = True,
) -> None:
    """Build the chosen targets through docker buildx bake and report image digests."""
    if progress not in ("auto", "plain", "tty", "quiet") or output not in ("text", "json"):
        _fail(BakepyError("--progress must be auto|plain|tty|quiet and --output text|json"))
    try:
        project = load_selected(files or [], [], None)
        report = apply_builds(
            project,
            targets or [],
            selector=selector,
            env=dict(os.environ),
            overrides=overrides or [],
            progress=progress,  # type: ignore[arg-type]
            syntax_directive=syntax_directive,
        )
    except BakepyError as error:
        _fail(error)
    if results is not None:
        results.write_text(report.to_json(), encoding="utf-8")
    if output == "json":
        sys.stdout.write(report.to_json())
        return
    for name, action in report.builders.items():
        typer.echo(f"builder {name}: {action}")
    for result in report.results:
        where = ", ".join(result.images) or "(no image)"
        platforms = f" [{', '.join(result.platforms)}]" if result.platforms else ""
        typer.echo(f"built {result.target}: {where} {result.digest or ''}{platforms}".rstrip())


@app.command("import")
def import_command(
    paths: Annotated[list[Path], typer.Argument(help="Bake files (.hcl, .json) to import.")],
    to: Annotated[str, typer.Option("--to", help="Write python or yaml.")] = "python",
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Turn existing bake files into a bakepy definition: Python code or YAML manifests."""
    if to not in ("python", "yaml"):
        _fail(BakepyError(f"--to must be python or yaml, not {to!r}"))
    try:
        text = import_definitions(paths, to)  # type: ignore[arg-type]
    except BakepyError as error:
        _fail(error)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        write_files([RenderedFile(out.name, text, to)], out.parent)
    except BakepyError as error:
        _fail(error)
    typer.echo(f"wrote {out}")


@app.command("schema")
def schema_command(
    kind: Annotated[str | None, typer.Argument(help=f"One of {', '.join(KIND_NAMES)}.")] = None,
) -> None:
    """Print the JSON Schema of manifests (one kind, or all kinds) for editors and CI."""
    try:
        schema = manifest_schema(kind)
    except BakepyError as error:
        _fail(error)
    typer.echo(json.dumps(schema, indent=2, sort_keys=True))


def main() -> None:
    """Entry point of the ``bakepy`` console script."""
    # A command is one short process whose objects (imported schemas and functions, then the
    # loaded project) live until it exits; it makes little cyclic garbage. Freezing what the
    # imports made and collecting rarely (as mypy does) keeps the cycle collector from
    # rescanning them all, which otherwise costs a quarter of a large render.
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)
    app()
