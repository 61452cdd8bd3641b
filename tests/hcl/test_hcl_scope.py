"""Scopes: layered variables, resolver hook and function tables."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def test_lookup_returns_value() -> None:
    assert Scope({"a": 1}).lookup("a") == 1


def test_lookup_of_null_value_is_not_unknown() -> None:
    assert Scope({"a": None}).lookup("a") is None


def test_unknown_variable_message() -> None:
    with pytest.raises(HclError, match=r'^unknown variable "x"$'):
        Scope().lookup("x")


def test_child_layers_over_parent() -> None:
    child = Scope({"a": 1, "b": 2}).child({"b": 3})
    assert (child.lookup("a"), child.lookup("b")) == (1, 3)


def test_child_does_not_change_parent() -> None:
    parent = Scope({"b": 2})
    parent.child({"b": 3})
    assert parent.lookup("b") == 2


def test_resolver_is_used_for_missing_names() -> None:
    calls: list[str] = []

    def resolve(name: str) -> Any:
        calls.append(name)
        if name == "LAZY":
            return "value"
        raise KeyError(name)

    scope = Scope({"a": 1}, resolver=resolve)
    assert evaluate('"${a}-${LAZY}"', scope) == "1-value"
    assert calls == ["LAZY"]


def test_resolver_key_error_means_unknown() -> None:
    def resolve(name: str) -> Any:
        raise KeyError(name)

    with pytest.raises(HclError, match='unknown variable "nope"'):
        evaluate("nope", Scope(resolver=resolve))


def test_resolver_errors_propagate() -> None:
    def resolve(name: str) -> Any:
        raise HclError(f"reference cycle through {name}")

    with pytest.raises(HclError, match="reference cycle"):
        evaluate("A", Scope(resolver=resolve))


def test_child_scope_falls_back_to_parent_resolver() -> None:
    scope = Scope(resolver=lambda name: name.lower()).child({"x": 1})
    assert evaluate("X", scope) == "x"


def test_child_variables_win_over_parent_resolver() -> None:
    scope = Scope(resolver=lambda name: "resolved").child({"X": "child"})
    assert evaluate("X", scope) == "child"


def test_function_lookup() -> None:
    assert Scope().function("upper")("a") == "A"


def test_unknown_function_lookup() -> None:
    with pytest.raises(HclError, match='call to unknown function "zzz"'):
        Scope().function("zzz")


def test_functions_property_lists_builtins_and_user_functions() -> None:
    scope = Scope(functions={"mine": lambda: 1})
    assert "mine" in scope.functions
    assert "upper" in scope.functions


def test_scope_reads_variables_live() -> None:
    variables: dict[str, Any] = {}
    scope = Scope(variables)
    variables["late"] = 5
    assert evaluate("late", scope) == 5
