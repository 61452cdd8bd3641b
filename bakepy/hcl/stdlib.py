"""The table of docker buildx bake's built-in functions (cty stdlib plus bake additions)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from bakepy.hcl.functions import (
    collections,
    crypto,
    datetime,
    encoding,
    formatting,
    network,
    numeric,
    regex,
    semver,
    special,
    strings,
)
from bakepy.hcl.functions.special import can_function, convert_function, try_function

__all__ = [
    "ARITY",
    "BUILTIN_FUNCTIONS",
    "can_function",
    "convert_function",
    "try_function",
]


def _arity(function: Callable[..., Any]) -> tuple[int, int | None]:
    """(minimum, maximum or None) positional arguments a Python function accepts."""
    minimum = 0
    maximum: int | None = 0
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            maximum = None
        elif parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            if parameter.default is parameter.empty:
                minimum += 1
            if maximum is not None:
                maximum += 1
    return minimum, maximum


def _collect() -> dict[str, Callable[..., Any]]:
    table: dict[str, Callable[..., Any]] = {}
    for module in (
        collections,
        crypto,
        datetime,
        encoding,
        formatting,
        network,
        numeric,
        regex,
        semver,
        special,
        strings,
    ):
        table.update(module.FUNCTIONS)
    return dict(sorted(table.items()))


BUILTIN_FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(_collect())

ARITY: Mapping[Callable[..., Any], tuple[int, int | None]] = MappingProxyType(
    {function: _arity(function) for function in BUILTIN_FUNCTIONS.values()}
)
