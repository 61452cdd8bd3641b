"""Lazy public names for a package (PEP 562): a name's module is imported on first use.

Importing ``bakepy`` or ``bakepy.hcl`` stays cheap, so a command pays only for the parts it
touches (the CLI's ``print`` answers from its cache before any model is built).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose public names live in the
    modules ``exports`` maps them to; a loaded name is kept in ``namespace``."""

    def __getattr__(name: str) -> Any:
        """Import a public name's module the first time the name is used."""
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        """The public names, for completion and ``dir()``."""
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
