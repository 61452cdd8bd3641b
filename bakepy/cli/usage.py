"""Usage errors (an unknown option, a missing argument, a bad value) reported as every other
failure is: with ``-o json`` anywhere on the command line, one error object on stdout and exit 2.

Typer (click) reports these before any command runs, so before a command's ``--output`` is
known; the format is therefore read from the raw arguments first (:func:`requested_output`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from bakepy.cli.options import OUTPUT_FORMATS, fail, json_output, set_output
from bakepy.errors import BakepyError, Location


def requested_output(args: Sequence[str]) -> str:
    """The ``-o``/``--output`` format the arguments ask for (the last one wins, as click's
    options do), ``text`` when none or an unknown one is given; nothing after ``--`` counts."""
    found = "text"
    words = list(args)
    for index, word in enumerate(words):
        if word == "--":
            break
        value: str | None = None
        if word in ("-o", "--output"):
            value = words[index + 1] if index + 1 < len(words) else None
        elif word.startswith("--output="):
            value = word.removeprefix("--output=")
        elif word.startswith("-o") and not word.startswith("--"):
            value = word.removeprefix("-o")
        if value in OUTPUT_FORMATS:
            found = value
    return found


def _usage_error_types() -> tuple[type[Exception], ...]:
    """The exceptions click raises for a bad command line: typer's own (its bundled click) and,
    for a typer that uses the click package, click's."""
    kinds: list[type[Exception]] = [typer.TyperException]
    try:
        import click
    except ImportError:  # pragma: no cover - typer without the click package
        return tuple(kinds)
    kinds.append(click.ClickException)
    return tuple(kinds)


def _field(error: Exception) -> str | None:
    """The option or argument the usage error is about (``--bogus``, ``FILE``), when known."""
    option = getattr(error, "option_name", None)
    if isinstance(option, str) and option:
        return option
    param = getattr(error, "param", None)
    if param is None:
        return None
    if getattr(param, "param_type_name", None) == "argument":
        return str(getattr(param, "metavar", None) or param.human_readable_name)
    names = sorted(getattr(param, "opts", []), key=len)
    return str(names[-1]) if names else None


def _hint(error: Exception) -> str | None:
    """What to try next: the options meant (for a misspelt one) or the command's ``--help``."""
    possibilities = getattr(error, "possibilities", None)
    if possibilities:
        *others, last = sorted(possibilities)
        return f"did you mean {', '.join(others) + ' or ' if others else ''}{last}?"
    context = getattr(error, "ctx", None)
    if context is not None:
        return f"`{context.command_path} --help` lists its options and arguments"
    return None


def usage_error(error: Exception) -> BakepyError:
    """A click usage error as a bakepy error: its message, the option or argument it is about as
    the field, and a hint."""
    format_message = getattr(error, "format_message", None)
    message = format_message() if callable(format_message) else str(error)
    field = _field(error)
    return BakepyError(message, Location(field_path=(field,) if field else ()), _hint(error))


class BakepyGroup(TyperGroup):
    """The ``bakepy`` command group: click's usage errors follow ``-o json`` as every other
    failure does (an error object on stdout, exit 2); in text they look as click prints them."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line, then exit (``standalone_mode``) or return its exit code."""
        words = list(sys.argv[1:] if args is None else args)
        set_output(requested_output(words))
        try:
            code = super().main(
                args=words,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except _usage_error_types() as error:
            code = _report(error)
        except typer.Abort:
            typer.echo("Aborted!", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _report(error: Exception) -> int:
    """Show a usage error (an error object under ``-o json``) and return its exit code."""
    if json_output():
        try:
            fail(usage_error(error))
        except typer.Exit as stop:
            return stop.exit_code
    show = getattr(error, "show", None)
    if callable(show):
        show()
    else:  # pragma: no cover - every click exception can show itself
        typer.echo(f"Error: {error}", err=True)
    return int(getattr(error, "exit_code", 2))
