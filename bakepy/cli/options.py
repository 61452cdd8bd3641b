"""Options and error reporting every ``bakepy`` command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bakepy.errors import BakepyError, ValidationError

FilesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "-f",
        "--file",
        help="Definition file (.py, .yaml) or folder to search; repeatable. Default: .",
        metavar="PATH",
    ),
]
TargetsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Targets or groups (default: everything).", metavar="TARGET"),
]
SelectorOption = Annotated[
    str | None,
    typer.Option(
        "-l", "--selector", help="Label selector, e.g. team=payments.", metavar="KEY=VALUE"
    ),
]


def fail(error: BakepyError) -> NoReturn:
    """Print every problem as ``error: where: what`` (plus its hint) and exit 2."""
    diagnostics = error.diagnostics if isinstance(error, ValidationError) else [error.diagnostic]
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
