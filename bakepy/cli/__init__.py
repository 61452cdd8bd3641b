"""The ``bakepy`` command line: ``app`` (typer) and ``main``, the console script's entry point.

Commands parse options, call the library's verbs (``bakepy.api``) and print; they decide nothing
the library would not decide for a Python caller. ``app`` is imported on first use, so that a
no-change ``apply`` answered from its cache (``bakepy.cli.noop_apply``) never imports typer.
"""

from __future__ import annotations

import os
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bakepy.cli.app import app as app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``bakepy`` console script."""
    from bakepy.cli import noop_apply

    code = noop_apply.run(sys.argv[1:])
    if code is None:  # a no-change apply of builds, answered the same way
        from bakepy.cli import noop_build

        code = noop_build.run(sys.argv[1:], os.environ)
    if code is not None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            code = 1
        os._exit(code)
    from bakepy.cli.app import main as run_command

    run_command()


def __getattr__(name: str) -> Any:
    """``app``, imported when first asked for."""
    if name == "app":
        import bakepy.cli.app  # noqa: F401 - its import sets ``app`` (see _Package)

        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """This package: importing the ``bakepy.cli.app`` module binds ``app`` here to the typer
    app it defines (as an eager ``from bakepy.cli.app import app`` did), not to the module."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "app" and isinstance(value, types.ModuleType):
            value = value.app
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
