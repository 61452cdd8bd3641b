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
    _without_pydantic_plugins()
    code = None
    if sys.argv[1:2] in (["apply"], ["plan"]):  # the only commands a no-change path answers
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


def _without_pydantic_plugins() -> None:
    """The ``bakepy`` command runs no pydantic plugins. pydantic looks for them in the entry
    points of every installed package when it builds its first model: importing
    ``importlib.metadata`` (with ``email``, ``zipfile``, ``csv``) and reading each package's
    metadata took about 25 ms of every command's start, for bakepy's own models, which use none.
    pydantic asks its plugin loader module for ``get_plugins()`` only, so this process gets a
    loader that finds none (for the models of the definitions it loads too); programs that
    import bakepy keep their plugins (this runs in ``main`` only)."""
    name = "pydantic.plugin._loader"
    if name not in sys.modules and "pydantic" not in sys.modules:
        loader = types.ModuleType(name, "No pydantic plugins in the bakepy command.")
        setattr(loader, "get_plugins", _no_plugins)  # noqa: B010 - a module made here
        setattr(loader, "__getattr__", _real_loader_attribute)  # noqa: B010
        sys.modules[name] = loader


def _real_loader_attribute(name: str) -> Any:
    """Anything else a later pydantic asks its plugin loader for comes from the real module
    (loaded under another name), so the stand-in never breaks a pydantic it does not know."""
    if name.startswith("__"):  # what the import system looks for (__path__, ...)
        raise AttributeError(name)
    import importlib.util

    import pydantic.plugin

    folder = next(iter(pydantic.plugin.__path__))
    spec = importlib.util.spec_from_file_location(
        "pydantic.plugin._real_loader", os.path.join(folder, "_loader.py")
    )
    if spec is None or spec.loader is None:
        raise AttributeError(name)
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    return getattr(real, name)


def _no_plugins() -> tuple[()]:
    """pydantic's ``get_plugins`` in the ``bakepy`` command: none."""
    return ()


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
