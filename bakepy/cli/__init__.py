"""The ``bakepy`` command line: ``app`` (typer) and ``main``, the console script's entry point.

Commands parse options, call the library's verbs (``bakepy.api``) and print; they decide nothing
the library would not decide for a Python caller.
"""

from __future__ import annotations

from bakepy.cli.app import app, main

__all__ = ["app", "main"]
