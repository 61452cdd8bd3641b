"""Evaluation scopes: layered variables, the function table and a lazy-variable resolver hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bakepy.errors import HclError

_MISSING = object()

Resolver = Callable[[str], Any]


class Scope:
    """An evaluation context: variables (layered over a parent scope) and callable functions.

    The scope reads `variables` live and never writes to it. Names missing from every layer
    are passed to the nearest `resolver` (which raises KeyError for unknown names), so callers
    can evaluate variables lazily and detect reference cycles.
    """

    __slots__ = ("_extra", "_functions", "_parent", "_resolver", "_table", "_variables")

    def __init__(
        self,
        variables: Mapping[str, Any] | None = None,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        parent: Scope | None = None,
        resolver: Resolver | None = None,
        table: Callable[[], Mapping[str, Callable[..., Any]]] | None = None,
    ) -> None:
        self._variables: Mapping[str, Any] = variables if variables is not None else {}
        self._parent = parent
        self._resolver = resolver
        self._extra: Mapping[str, Callable[..., Any]] | None = functions
        self._table = table
        """Builds the whole function table on first use, in place of bake's built-ins plus
        ``functions`` (a caller that knows which buildx it evaluates for)."""
        self._functions: Mapping[str, Callable[..., Any]] | None = None

    def child(self, variables: Mapping[str, Any]) -> Scope:
        """A scope with `variables` layered on top of this one (matrix values, params...)."""
        return Scope(variables, parent=self)

    def lookup(self, name: str) -> Any:
        """The value of variable `name`, or HclError when no layer or resolver knows it."""
        scope: Scope | None = self
        while scope is not None:
            value = scope._variables.get(name, _MISSING)
            if value is not _MISSING:
                return value
            if scope._resolver is not None:
                try:
                    return scope._resolver(name)
                except KeyError:
                    pass
            scope = scope._parent
        raise HclError(f'unknown variable "{name}"')

    def function(self, name: str) -> Callable[..., Any]:
        """The function called `name`, or HclError for an unknown function."""
        function = self.functions.get(name)
        if function is None:
            raise HclError(f'call to unknown function "{name}"')
        return function

    @property
    def functions(self) -> Mapping[str, Callable[..., Any]]:
        """Every function callable in this scope (built-ins plus user functions).

        Built on first use: most bake files call no function, and loading the built-in table
        costs a noticeable part of a small command's start-up.
        """
        if self._functions is None:
            if self._parent is not None:
                base = self._parent.functions
            elif self._table is not None:
                base = self._table()
            else:
                from bakepy.hcl.stdlib import BUILTIN_FUNCTIONS

                base = BUILTIN_FUNCTIONS
            self._functions = {**base, **self._extra} if self._extra else base
        return self._functions
