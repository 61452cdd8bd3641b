"""Options and error reporting every ``bakepy`` command shares."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bakepy.errors import BakepyError, Diagnostic, ValidationError, format_field_path

if TYPE_CHECKING:
    from bakepy.models.toolchain import Toolchain

FilesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "-f",
        "--file",
        help="Definition file (.py, .yaml) or folder to search; repeatable. Default: . "
        "(a folder holds one of bakepy.py, bakepy.yaml, bakepy.yml). A bakepy.py is run "
        "(Python code, with your permissions) for every command, validate and print too.",
        metavar="PATH",
    ),
]
TargetsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Targets or groups (default: everything).", metavar="TARGET"),
]
SelectorOption = Annotated[
    list[str] | None,
    typer.Option(
        "-l",
        "--selector",
        help="Label selector as kubectl's: k=v, k!=v, 'k in (a,b)', 'k notin (a,b)', k, !k; "
        "comma-separated, repeatable (all must hold).",
        metavar="SELECTOR",
    ),
]
RecursiveOption = Annotated[
    bool,
    typer.Option(
        "-R",
        "--recursive",
        help="Read every package below the given folders (a repository's packages).",
    ),
]


OUTPUT_FORMATS = ("text", "json")
OutputOption = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        help="Print text or json (a failure too: an error object on stdout).",
        metavar="text|json",
    ),
]


def emit_json(document: object) -> None:
    """A command's result for machines: indented, keys sorted, on stdout."""
    import json

    typer.echo(json.dumps(document, indent=2, sort_keys=True))


def folder_alias(
    place: Path | None, output: str, default: Path | None, what: str
) -> tuple[Path | None, str]:
    """The old ``-o PLACE`` of render and import (now ``--out``; ``-o`` is the output format in
    every command, as kubectl's): a value that is no format is taken as the place, with a
    deprecation warning, when ``--out`` was not given too."""
    if output in OUTPUT_FORMATS or place != default:
        return place, output
    typer.echo(
        f"warning: -o {output} for {what} is deprecated: use --out {output} "
        "(-o/--output is the output format, text or json, in every command)",
        err=True,
    )
    return Path(output), "text"


_FORMAT = {"output": "text"}
"""The running command's ``--output`` (set by :func:`check_output`): how :func:`fail` prints."""


def check_output(output: str) -> None:
    """Refuse an ``--output`` other than text or json; else make it how failures print."""
    _FORMAT["output"] = "text"
    if output not in OUTPUT_FORMATS:
        fail(BakepyError(f"--output must be text or json, not {output!r}"))
    _FORMAT["output"] = output


def set_output(output: str) -> None:
    """Make ``output`` (text or json) how failures print until a command says otherwise: the
    command line's ``-o``, read before click parses it (``bakepy.cli.usage``)."""
    _FORMAT["output"] = output if output in OUTPUT_FORMATS else "text"


def json_output() -> bool:
    """Whether the running command was asked for ``-o json``."""
    return _FORMAT["output"] == "json"


def diagnostic_object(diagnostic: Diagnostic) -> dict[str, object]:
    """One problem for machines: message, file, line, column, resource, field and hint."""
    where = diagnostic.location
    return {
        "message": diagnostic.message,
        "file": str(where.file) if where.file is not None else None,
        "line": where.line,
        "column": where.column,
        "resource": where.resource,
        "field": format_field_path(where.field_path) or None,
        "hint": diagnostic.hint,
    }


def fail(error: BakepyError) -> NoReturn:
    """Print every problem as ``error: where: what`` (plus its hint) and exit 2; with ``-o
    json``, an ``{"errors": [...]}`` object on stdout instead (see :func:`diagnostic_object`)."""
    diagnostics = error.diagnostics if isinstance(error, ValidationError) else [error.diagnostic]
    if json_output():
        import json

        document = {"errors": [diagnostic_object(d) for d in diagnostics]}
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
        raise typer.Exit(2)
    for diagnostic in diagnostics:
        typer.echo(f"error: {diagnostic}", err=True)
    raise typer.Exit(2)


SyntaxOption = Annotated[
    bool,
    typer.Option(
        "--syntax-directive/--no-syntax-directive",
        help="Keep `# syntax=` lines (drop them for engines that cannot pull the frontend).",
    ),
]
StrictCredentialsOption = Annotated[
    bool,
    typer.Option(
        "--strict-credentials",
        help="A credential written into a Dockerfile read from a file is an error, not a warning.",
    ),
]
OverridesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a target attribute: pattern.key=value or +=; repeatable.",
        metavar="PATTERN.KEY=VALUE",
    ),
]


def print_warnings(warnings: list[str]) -> None:
    """Loader warnings (unset compose variables, ``version`` keys) as ``warning:`` lines."""
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


BuildxVersionOption = Annotated[
    str | None,
    typer.Option(
        "--buildx-version",
        help="Read and check bake files as this buildx does (e.g. 0.13, or latest). "
        "Default: $BAKEPY_BUILDX_VERSION, else the installed docker buildx.",
        metavar="VERSION",
    ),
]
IgnoreUnknownOption = Annotated[
    bool,
    typer.Option(
        "--ignore-unknown",
        help="Read bake files as buildx does: drop attributes and blocks bake does not know "
        "(with a warning) instead of refusing them.",
    ),
]


def toolchain(buildx_version: str | None, *, engine: bool = False) -> Toolchain:
    """The versions a command reads and checks files for (see ``--buildx-version``); with
    ``engine``, also the engine's built-in Dockerfile frontend (commands that render or build
    Dockerfiles)."""
    from bakepy.engine.toolchain import detect_toolchain

    return detect_toolchain(buildx_version, engine=engine)


ChangedSinceOption = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        help="Only the targets whose inputs changed since this git revision (and the targets "
        "that use them), as `bakepy affected --since` lists them.",
        metavar="REF",
    ),
]


def changed_targets(
    since: str | None, files: list[Path] | None, targets: list[str] | None
) -> list[str] | None:
    """The targets ``--changed-since`` leaves, as names that load and select exactly them:
    in a repository their addresses (``services/a:api``, each loads its package), else their
    bake names. Among ``targets`` when some are named (names or address specs); else the
    whole repository, as ``affected``. None without the option; an empty list means nothing
    changed: the caller says so and stops."""
    if since is None:
        return None
    from bakepy.api.affected import affected

    rows = [a for a in affected(since, files or [], targets or []) if a.kind == "Target"]
    return [row.address or row.name for row in rows if _asked(row.name, row.address, targets)]


def changed_scope(
    since: str | None, files: list[Path] | None, targets: list[str] | None
) -> tuple[list[str] | None, bool]:
    """What a command that takes ``--changed-since`` works on, and whether it goes on: the
    ``targets`` given, or the changed ones (``changed_targets``); False, said on stderr,
    when none changed."""
    changed = changed_targets(since, files, targets)
    if changed == []:
        typer.echo(f"no target changed since {since}", err=True)
        return targets, False
    return (targets if changed is None else changed), True


def concrete_only(changed: list[str]) -> list[str]:
    """The changed targets to build: not those named ``_...`` (bases to inherit, built only
    as part of what inherits them), as ``apply`` leaves them out when no name is given."""
    return [name for name in changed if not name.rpartition(":")[2].startswith("_")]


def _asked(name: str, address: str, targets: list[str] | None) -> bool:
    """Whether a changed target (bake ``name``, ``address`` in a repository) is among the
    ``targets`` a command names: by its name or address, a spec that selects it, or its
    short name."""
    if not targets:
        return True
    from bakepy.models.address import Address, AddressSpec, is_spec

    for text in targets:
        if text in (name, address):
            return True
        if address and is_spec(text):
            try:
                if AddressSpec.parse(text).selects(Address.parse(address)):
                    return True
            except ValueError:
                continue
        elif address and address.rpartition(":")[2] == text:
            return True
    return False


AddressesOption = Annotated[
    bool,
    typer.Option(
        "--addresses",
        help="Also list, on stderr, each target's and group's address and the bake name "
        "derived from it.",
    ),
]
OwnerOption = Annotated[
    str | None,
    typer.Option(
        "--owner",
        help="Only what this owner owns (CODEOWNERS at the repository root, or an owner label).",
        metavar="OWNER",
    ),
]


ContextOption = Annotated[
    str | None,
    typer.Option(
        "--context",
        help="The Docker context to use (as docker's --context; overrides DOCKER_HOST, "
        "DOCKER_CONTEXT and `docker context use`). Builds and Engine API calls both go there.",
        metavar="NAME",
        autocompletion=lambda incomplete: _context_names(incomplete),
    ),
]


def _context_names(incomplete: str) -> list[str]:
    """The Docker contexts starting with ``incomplete`` (shell completion of ``--context``)."""
    import os

    from bakepy.engine.endpoint import context_names

    return [name for name in context_names(os.environ) if name.startswith(incomplete)]


def use_context(name: str | None) -> None:
    """Make ``--context NAME`` this process's engine (buildx inherits it); refuse an unknown
    context with exit code 2 before anything runs."""
    if name is None:
        return
    import os

    from bakepy.engine.endpoint import select_context

    try:
        select_context(name, os.environ)
    except BakepyError as error:
        fail(error)
