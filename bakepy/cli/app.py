"""The ``bakepy`` command line: a thin layer over the library's public functions."""

from __future__ import annotations

import atexit
import copy
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bakepy.cli import print_cache, render_cache
from bakepy.cli.address_table import address_rows, table_lines
from bakepy.cli.engine import register_engine_commands
from bakepy.cli.lock import register_lock_command
from bakepy.cli.options import (
    AddressesOption,
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
    StrictCredentialsOption,
    SyntaxOption,
    TargetsArgument,
    changed_scope,
    check_output,
    emit_json,
    fail,
    folder_alias,
    print_warnings,
    toolchain,
    use_context,
)
from bakepy.cli.usage import BakepyGroup
from bakepy.errors import BakepyError
from bakepy.loaders.repository import shared_discovery

if TYPE_CHECKING:
    from bakepy.resolution.affected import Affected

# The library is imported inside each command: `bakepy print` answers from its cache before
# pydantic and the models are loaded, and `--help` stays instant.

app = typer.Typer(
    name="bakepy",
    cls=BakepyGroup,  # usage errors follow -o json too
    help="Declare Docker builds and deployments as typed objects: render Dockerfiles, bake, "
    "compose and host files, or plan and apply them on the engine.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: readable in CI logs and pipes
)


@app.callback()
def global_options(context: ContextOption = None) -> None:
    """Options every command takes before its name (``bakepy --context NAME plan``); a failure
    here prints as the command line's ``-o`` asks (``bakepy.cli.usage`` read it already)."""
    use_context(context)


@app.command("render")
def render_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.", metavar="DIR")] = Path("."),
    output: OutputOption = "text",
    bake_format: Annotated[
        str,
        typer.Option(
            "--format", help="Bake file format: hcl, json or both.", metavar="hcl|json|both"
        ),
    ] = "both",
    selector: SelectorOption = None,
    recursive: RecursiveOption = False,
    changed_since: ChangedSinceOption = None,
    owner: OwnerOption = None,
    check_only: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if files on disk differ, or if files an earlier "
            "render wrote are no longer rendered (stale).",
        ),
    ] = False,
    syntax_directive: SyntaxOption = True,
    overrides: OverridesOption = None,
    buildx_version: BuildxVersionOption = None,
    ignore_unknown: IgnoreUnknownOption = False,
    strict_credentials: StrictCredentialsOption = False,
    addresses: AddressesOption = False,
) -> None:
    """Render Dockerfiles and bake files into a folder, atomically (all or nothing).

    The files are checked as `print` would resolve them: variables from the environment,
    `--set` overrides applied, the named targets (default: all) resolved. The folder's
    .bakepy-rendered.json records what was written: a full render (no TARGET, no -l) removes
    the files an earlier render wrote that are no longer rendered, unless edited since."""
    aliased, output = folder_alias(out, output, Path("."), "render's output folder")
    out = aliased or out
    check_output(output)
    text = output == "text"
    if bake_format not in ("hcl", "json", "both"):
        fail(BakepyError(f"--format must be hcl, json or both, not {bake_format!r}"))
    try:
        tools = toolchain(buildx_version, engine=True)
    except BakepyError as error:
        fail(error)
    options_key = {
        "format": bake_format,
        "selector": selector,
        "syntax": syntax_directive,
        "set": overrides,
        "toolchain": tools.describe(),
        "ignore_unknown": ignore_unknown,
        "strict": strict_credentials,
        "owner": owner,
        "out": str(out.resolve()),
    }
    with shared_discovery():  # the cache key and the load walk the repository once
        cache_key = None
        if changed_since is None and not addresses:  # --addresses needs the loaded project
            cache_key = render_cache.request_key_importing(
                files or [],
                targets or [],
                options_key,
                os.environ,
                recursive=recursive,
                modules=render_cache.RENDER_MODULES,
            )
        hit = render_cache.lookup(cache_key, out) if cache_key else None
        if hit is not None:  # the same render is on disk already: nothing to load or write
            for warning in hit[0]:
                typer.echo(f"warning: {warning}", err=True)
            done = "up to date" if check_only else "unchanged"
            if not text:
                emit_json({"out": str(out), "check": check_only, "unchanged": hit[1]})
                return
            typer.echo(f"{done}: {hit[1]} file(s) in {out}")
            return
        reading = render_cache.start_reading() if cache_key else None
        from bakepy.api.definitions import load_selected, render
        from bakepy.api.output import diff_files, write_files
        from bakepy.generators.files import RenderOptions

        warned: list[str] = []
        try:
            targets, going_on = changed_scope(changed_since, files, targets)
            if not going_on:
                if not text:
                    emit_json({"out": str(out), "check": check_only, "unchanged": 0})
                return
            project = kept_until_exit(
                load_selected(
                    files or [],
                    targets or [],
                    selector,
                    tools,
                    ignore_unknown=ignore_unknown,
                    recursive=recursive,
                    owner=owner,
                )
            )
            print_warnings(project.warnings)
            warned += project.warnings
            if addresses:
                names = {r.name for r in project.targets + project.groups}
                for line in table_lines(address_rows(project, names=names)):
                    typer.echo(line, err=True)
            options = RenderOptions(bake_format=bake_format, syntax_directive=syntax_directive)  # type: ignore[arg-type]
            rendered = render(
                project,
                out,
                options,
                env=dict(os.environ),
                names=targets or [],
                overrides=overrides or [],
                toolchain=tools,
                strict_credentials=strict_credentials,
            )
        except BakepyError as error:
            fail(error)
    for file in rendered:
        for warning in file.warnings:
            typer.echo(f"warning: {warning}", err=True)
            warned.append(warning)
    prune = not targets and not selector and not owner  # a partial render leaves the rest
    if check_only:
        report = diff_files(rendered, out, prune=prune)
        print_warnings(report.warnings)
        if not text:
            emit_json(
                {
                    "out": str(out),
                    "check": True,
                    "differs": [str(p) for p in report.changed],
                    "stale": [str(p) for p in [*report.removed, *report.kept]],
                    "unchanged": len(report.unchanged),
                }
            )
            raise typer.Exit(1 if report.changed or report.stale else 0)
        for path in report.changed:
            typer.echo(f"differs: {out / path}")
        for path in report.removed:
            typer.echo(f"stale: {out / path} (no longer rendered; render removes it)")
        for path in report.kept:
            typer.echo(f"stale: {out / path} (no longer rendered, edited since: remove it)")
        if report.changed or report.stale:
            raise typer.Exit(1)
        typer.echo(f"up to date: {len(report.unchanged)} file(s) in {out}")
        return
    try:
        report = write_files(rendered, out, prune=prune)
    except BakepyError as error:
        fail(error)
    print_warnings(report.warnings)
    if not text:
        emit_json(
            {
                "out": str(out),
                "check": False,
                "written": [str(p) for p in report.changed],
                "removed": [str(p) for p in report.removed],
                "kept": [str(p) for p in report.kept],
                "unchanged": len(report.unchanged),
            }
        )
    for path in report.changed if text else []:
        typer.echo(f"wrote {out / path}")
    for path in report.removed if text else []:
        typer.echo(f"removed {out / path} (no longer rendered)")
    for path in report.kept:
        typer.echo(
            f"warning: kept {out / path}: no longer rendered, but edited since bakepy wrote "
            "it; remove it by hand",
            err=True,
        )
    if text and not report.changed and not report.removed:
        typer.echo(f"unchanged: {len(report.unchanged)} file(s) in {out}")
    read = render_cache.stamps(reading, out) if reading is not None else None
    if cache_key and read is not None and not report.kept and not report.warnings:
        written = [file.path for file in rendered]
        record = ".bakepy-rendered.json"  # bakepy.api.render_record.RECORD_NAME
        kept = [*written, *([record] if (out / record).is_file() else [])]
        render_cache.store(cache_key, out, kept, warned, read)


@app.command("validate")
def validate_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    recursive: RecursiveOption = False,
    overrides: OverridesOption = None,
    buildx_version: BuildxVersionOption = None,
    ignore_unknown: IgnoreUnknownOption = False,
    strict_credentials: StrictCredentialsOption = False,
    output: OutputOption = "text",
) -> None:
    """Load and check every definition: models, references, cycles, Dockerfile rules, variables.

    Bake files are evaluated as `print` would: variables from the environment, `--set`
    overrides applied, the named targets (default: all) resolved."""
    from bakepy.api.definitions import check, load_for

    check_output(output)
    try:
        tools = toolchain(buildx_version, engine=True)
        loaded = load_for(
            files or [], targets or [], tools, ignore_unknown=ignore_unknown, recursive=recursive
        )
        project = kept_until_exit(loaded)
        print_warnings(project.warnings)
        warnings = check(
            project,
            dict(os.environ),
            names=targets or [],
            overrides=overrides or [],
            toolchain=tools,
            strict_credentials=strict_credentials,
        )
        print_warnings(warnings)
        from bakepy.loaders.image_lock import lock_path, read_lock

        read_lock(lock_path(project.base_dir))  # bakepy.lock beside them: malformed is refused
    except BakepyError as error:
        fail(error)
    blocks = sum(  # a bake file's blocks are no resources, but are checked as well
        len(f.native.targets) + len(f.native.groups) + len(f.native.variables)
        for f in project.bake_files
    )
    if output == "json":
        emit_json(
            {
                "valid": True,
                "resources": len(project),
                "bake_blocks": blocks,
                "warnings": project.warnings + warnings,
            }
        )
        return
    read = f" and {blocks} bake file block(s)" if blocks else ""
    typer.echo(f"ok: {len(project)} resource(s){read} valid")


@app.command("print")
def print_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    selector: SelectorOption = None,
    recursive: RecursiveOption = False,
    changed_since: ChangedSinceOption = None,
    owner: OwnerOption = None,
    overrides: OverridesOption = None,
    buildx_version: BuildxVersionOption = None,
    ignore_unknown: IgnoreUnknownOption = False,
    output: OutputOption = "text",
    addresses: AddressesOption = False,
) -> None:
    """Print resolved targets as JSON, in the shape of `docker buildx bake --print` (JSON
    either way: -o json only makes failures JSON too)."""
    check_output(output)
    paths = list(files or [])
    key = None
    try:
        tools = toolchain(buildx_version)
    except BakepyError as error:
        fail(error)
    cacheable = not selector and not changed_since and not owner and not addresses
    if cacheable and print_cache.cacheable(paths):
        context = f"{tools.buildx}\0{ignore_unknown}"
        key = print_cache.request_key(paths, targets or [], overrides or [], context)
        cached = print_cache.lookup(key, os.environ)
        if cached is not None:
            sys.stdout.write(cached)
            return
    from bakepy.api.definitions import load_for, resolve
    from bakepy.resolution.checks import check_project
    from bakepy.resolution.selection import bake_names, owned_by, parse_selector, requested_names

    try:
        targets, going_on = changed_scope(changed_since, files, targets)
        if not going_on:
            return
        project = kept_until_exit(
            load_for(
                paths, targets or [], tools, ignore_unknown=ignore_unknown, recursive=recursive
            )
        )
        print_warnings(project.warnings)
        check_project(project)
        names = bake_names(project, targets or [])
        wanted = requested_names(project, names, parse_selector(selector))
        if owner is not None:
            wanted = owned_by(project, owner, wanted)
        resolved = resolve(
            project, wanted, dict(os.environ), overrides=overrides or [], toolchain=tools
        )
        print_warnings(resolved.warnings)
        text = resolved.to_json()
        if addresses:  # what was printed: selected targets, their links, the groups
            printed = {*resolved.targets, *resolved.groups}
            for line in table_lines(address_rows(project, names=printed)):
                typer.echo(line, err=True)
    except BakepyError as error:
        fail(error)
    if key is not None and not project.warnings and not resolved.warnings:
        variables = [name for file in project.bake_files for name in file.native.variables]
        print_cache.store(key, variables, os.environ, text)
    sys.stdout.write(text)


@app.command("graph")
def graph_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    selector: SelectorOption = None,
    recursive: RecursiveOption = False,
    changed_since: ChangedSinceOption = None,
    owner: OwnerOption = None,
    graph_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="Output: text (a tree), dot (Graphviz) or mermaid.",
            metavar="text|dot|mermaid",
        ),
    ] = "text",
    resources: Annotated[
        bool,
        typer.Option(
            "--resources", help="Also show services' networks, volumes, secrets, configs."
        ),
    ] = False,
    output: OutputOption = "text",
) -> None:
    """Print the dependency graph: groups, targets, Dockerfile stages, compose services."""
    check_output(output)
    if graph_format not in ("text", "dot", "mermaid"):
        fail(BakepyError(f"--format must be text, dot or mermaid, not {graph_format!r}"))
    from bakepy.api.definitions import graph, load_for
    from bakepy.generators.graph import render_graph
    from bakepy.resolution.selection import bake_names

    try:
        targets, going_on = changed_scope(changed_since, files, targets)
        if not going_on:
            return
        project = kept_until_exit(load_for(files or [], targets or [], recursive=recursive))
        print_warnings(project.warnings)
        names = bake_names(project, targets or [])
        if owner is not None:
            from bakepy.resolution.selection import owned_by

            names = owned_by(project, owner, bake_names(project, names))
        found = graph(project, names, selector, include_resources=resources)
    except BakepyError as error:
        fail(error)
    drawn = render_graph(found, graph_format)  # type: ignore[arg-type]
    if output == "json":
        emit_json({"format": graph_format, "graph": drawn})
        return
    sys.stdout.write(drawn)


@app.command("affected")
def affected_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    since: Annotated[
        str, typer.Option("--since", help="The git revision to compare with.", metavar="REF")
    ] = "HEAD",
    dependents: Annotated[
        str,
        typer.Option(
            "--dependents",
            help="Also list what uses an affected target: none, direct or transitive.",
            metavar="none|direct|transitive",
        ),
    ] = "transitive",
    output: OutputOption = "text",
) -> None:
    """List the targets whose inputs changed since a git revision: context files their
    .dockerignore keeps, Dockerfiles, definitions (inherited ones, variables, functions);
    with dependents, the targets using their results and the compose services building
    them. The whole repository unless specs or -f say which part."""
    check_output(output)
    if dependents not in ("none", "direct", "transitive"):
        fail(BakepyError("--dependents must be none, direct or transitive"))
    try:
        rows = _affected_rows(since, files or [], targets or [], dependents)
    except BakepyError as error:
        fail(error)
    if output == "json":
        sys.stdout.write(json.dumps([row.to_dict() for row in rows], indent=2) + "\n")
        return
    width = max((len(row.address) for row in rows), default=0)
    name_width = max((len(row.name) for row in rows), default=0)
    for row in rows:
        typer.echo(f"{row.address:<{width}}  {row.name:<{name_width}}  ({row.reason})")


def _affected_rows(
    since: str, files: list[Path], targets: list[str], dependents: str
) -> list[Affected]:
    """``affected``, answered from the snapshot kept for the repository's current state when
    no changed file can change a definition (nothing is loaded then)."""
    from bakepy.engine.git import changed_files, toplevel
    from bakepy.resolution.affected import Snapshot, might_define, touched

    with shared_discovery():  # the cache key and the load walk the repository once
        names = targets or ["::"]
        options = {"for": "affected"}
        key = render_cache.request_key(files, names, options, os.environ, recursive=True)
        kept = render_cache.lookup_snapshot(key) if key else None
        snapshot = Snapshot.from_json(kept) if kept is not None else None
        if snapshot is not None:
            work_tree = toplevel(snapshot.root)
            changed = [work_tree / name for name in changed_files(snapshot.root, since)]
            if not any(might_define(path.name) for path in changed):
                found = touched(snapshot.targets.values(), changed, snapshot.root)
                return snapshot.report(found, dependents)  # type: ignore[arg-type]
        from bakepy.api.affected import affected_and_snapshot

        found, snapshot = affected_and_snapshot(since, files, targets, env=dict(os.environ))
    if key:
        render_cache.store_snapshot(key, snapshot.to_json())
    return snapshot.report(found, dependents)  # type: ignore[arg-type]


@app.command("addresses")
def addresses_command(
    targets: TargetsArgument = None,
    files: FilesOption = None,
    recursive: RecursiveOption = False,
    owner: OwnerOption = None,
    output: OutputOption = "text",
) -> None:
    """List each resource's address, kind, the name bake files give it, and its owners
    (CODEOWNERS) - a repository's packages: `bakepy addresses ::`."""
    from bakepy.api.definitions import load_for

    check_output(output)
    try:
        project = load_for(files or [], targets or [], recursive=recursive)
    except BakepyError as error:
        fail(error)
    rows = address_rows(project, owner)
    if output == "json":
        keys = ("address", "kind", "name", "owners")
        emit_json([dict(zip(keys, (*row[:3], row[3].split()), strict=True)) for row in rows])
        return
    for line in table_lines(rows):
        typer.echo(line)


@app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Bake files (.hcl, .json), Dockerfiles, compose files.", metavar="FILE"
        ),
    ],
    to: Annotated[
        str, typer.Option("--to", help="Write python or yaml.", metavar="python|yaml")
    ] = "python",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write (default: stdout).", metavar="FILE"),
    ] = None,
    ignore_unknown: IgnoreUnknownOption = False,
    buildx_version: BuildxVersionOption = None,
    output: OutputOption = "text",
) -> None:
    """Turn existing bake files, Dockerfiles and compose files into a bakepy definition."""
    out, output = folder_alias(out, output, None, "import's output file")
    check_output(output)
    from bakepy.api.definitions import import_with_notes
    from bakepy.api.output import write_files
    from bakepy.generators.files import RenderedFile

    if to not in ("python", "yaml"):
        fail(BakepyError(f"--to must be python or yaml, not {to!r}"))
    try:
        text, notes = import_with_notes(
            paths,
            to,  # type: ignore[arg-type]
            ignore_unknown=ignore_unknown,
            toolchain=toolchain(buildx_version),
        )
    except BakepyError as error:
        fail(error)
    print_warnings(notes)
    if out is None:
        if output == "json":
            emit_json({"definition": text, "to": to, "notes": notes})
            return
        sys.stdout.write(text)
        return
    try:
        write_files([RenderedFile(out.name, text, to)], out.parent, record=False)
    except BakepyError as error:
        fail(error)
    if output == "json":
        emit_json({"wrote": str(out), "to": to, "notes": notes})
    else:
        typer.echo(f"wrote {out}")
    folders = {path.resolve().parent for path in paths}
    if out.resolve().parent not in folders:
        typer.echo(
            "warning: relative paths in the definition are relative to the imported files' "
            f"folder ({', '.join(sorted(str(f) for f in folders))}); keep it there",
            err=True,
        )


@app.command("schema")
def schema_command(
    kind: Annotated[
        str | None, typer.Argument(help="A kind, e.g. Target (default: all).", metavar="KIND")
    ] = None,
    output: OutputOption = "text",
) -> None:
    """Print the JSON Schema of manifests (one kind, or all kinds) for editors and CI (JSON
    either way: -o json only makes failures JSON too).

    The all-kinds schema is also committed as docs/reference/bakepy.schema.json, for
    yaml-language-server: `# yaml-language-server: $schema=<path or URL of that file>`."""
    from bakepy.models.schema import schema_text

    check_output(output)
    try:
        text = schema_text(kind)
    except BakepyError as error:
        fail(error)
    sys.stdout.write(text)


register_engine_commands(app)
register_lock_command(app)


ONE_PASS_COMMANDS = frozenset(
    {"render", "validate", "print", "graph", "affected", "addresses", "import", "schema"}
)
"""Commands that load, compute and write once, then exit (no engine to wait on)."""


def main() -> None:
    """Entry point of the ``bakepy`` console script."""
    # A command is one short process whose objects (imported schemas and functions, then the
    # loaded project) live until it exits; it makes little cyclic garbage. Freezing what the
    # imports made and collecting rarely (as mypy does) keeps the cycle collector from
    # rescanning them all, which otherwise costs a quarter of a large render. A one-pass
    # command does not collect at all: its one collection (of the 200,000 objects a large
    # load makes) cost 4% of a render, to free a few megabytes just before the process ends.
    gc.freeze()
    _ENDS_WITH_COMMAND.append(True)
    if _command_word(sys.argv[1:]) in ONE_PASS_COMMANDS:
        gc.disable()
    else:
        gc.set_threshold(200_000, 30, 30)
    try:
        _app_for(sys.argv[1:])()
    except SystemExit as stop:
        _exit_now(stop.code)
    _exit_now(0)


def _app_for(words: list[str]) -> typer.Typer:
    """The app to run for a command line: only the command it starts with, when it starts
    with one; the whole app otherwise.

    Typer builds the click command of every registered command (their options, from each
    function's signature) before it runs one: 12 ms of every command's start, for the one it
    runs. A command line whose first word names a command can only run that one (the global
    options come before it), and its help, usage errors and exit codes do not depend on the
    others. Anything else (no words, ``--help``, global options, shell completion, which
    reads its words from the environment, or an unknown command) gets every command, to list
    or suggest them.
    """
    if not words or words[0] not in {command.name for command in app.registered_commands}:
        return app
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return app  # click's completion variable (_BAKEPY_COMPLETE): complete from them all
    one = copy.copy(app)  # app's own list of commands stays whole
    one.registered_commands = [c for c in app.registered_commands if c.name == words[0]]
    return one


def _command_word(words: list[str]) -> str | None:
    """The command a command line names (its first word that names one), if any."""
    names = {command.name for command in app.registered_commands}
    return next((word for word in words if word in names), None)


T = TypeVar("T")

_KEPT: list[object] = []
"""What the running command loaded, alive until the process ends (see :func:`kept_until_exit`)."""
_ENDS_WITH_COMMAND: list[bool] = []
"""Set by :func:`main`: this process exits with its command (not so under a test's runner)."""


def kept_until_exit(value: T) -> T:
    """``value``, kept alive until the process ends when it ends with this command: freed
    object by object at the command's return, a loaded project of 2,000 targets cost 12 ms
    of a render; :func:`_exit_now` then leaves without freeing it. A program or test that
    runs commands in its own process frees it as usual."""
    if _ENDS_WITH_COMMAND:
        _KEPT.append(value)
    return value


def _exit_now(code: object) -> None:
    """Leave without tearing down every object the command made, as mypy does.

    Freeing a large loaded project object by object at interpreter exit costs as much as a
    third of a big render. Output is flushed and ``atexit`` handlers run first; work the
    command started (thread pools, temporary files) is finished inside the command.
    """
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        status = status or 1
    atexit._run_exitfuncs()
    os._exit(status)
