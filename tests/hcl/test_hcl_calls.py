"""Function calls: built-ins, user functions, argument expansion, try/can/convert."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate, render_template
from bakepy.hcl.parser import parse_expression
from bakepy.hcl.scope import Scope
from bakepy.hcl.stdlib import BUILTIN_FUNCTIONS


def ev(text: str, scope: Scope | None = None) -> Any:
    return evaluate(text, scope or Scope({"list": ["b", "a"], "m": {"k": "v"}}))


def test_builtin_call() -> None:
    assert ev('upper("x")') == "X"


def test_nested_calls() -> None:
    assert ev('upper(join("-", sort(list)))') == "A-B"


def test_call_arguments_may_span_lines() -> None:
    assert ev('join(\n  ",",\n  ["a", "b"],\n)') == "a,b"


def test_argument_expansion() -> None:
    assert ev("max([3, 9, 4]...)") == 9


def test_argument_expansion_after_fixed_arguments() -> None:
    assert ev('join(",", [["a"], ["b", "c"]]...)') == "a,b,c"


def test_argument_expansion_requires_a_list() -> None:
    with pytest.raises(HclError, match="must be a list"):
        ev('upper("x"...)')


def test_expansion_must_be_last() -> None:
    with pytest.raises(HclError, match="last argument"):
        ev("max([1]..., 2)")


def test_unknown_function() -> None:
    with pytest.raises(HclError, match='call to unknown function "foo"'):
        ev("foo(1)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("upper()", "expected 1 argument, got 0"),
        ('upper("a", "b")', "expected 1 argument, got 2"),
        ("lookup(m, 1)", "expected 3 arguments, got 2"),
        ("join()", "at least 1 argument"),
    ],
)
def test_wrong_argument_count_names_the_function(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message) as info:
        ev(text)
    assert "call to function" in str(info.value)


def test_wrong_argument_type_names_the_function() -> None:
    with pytest.raises(HclError, match='call to function "upper" failed'):
        ev("upper(list)")


def test_user_function_is_callable() -> None:
    scope = Scope({"name": "app"}, functions={"img": lambda n, t="latest": f"{n}:{t}"})
    assert ev('img(name, "v1")', scope) == "app:v1"
    assert ev("img(name)", scope) == "app:latest"


def test_user_function_may_shadow_builtin() -> None:
    scope = Scope(functions={"upper": lambda s: f"<{s}>"})
    assert ev('upper("x")', scope) == "<x>"


def test_user_functions_are_inherited_by_child_scopes() -> None:
    scope = Scope(functions={"twice": lambda x: x * 2}).child({"n": 4})
    assert ev("twice(n)", scope) == 8


def test_user_function_python_errors_become_hcl_errors() -> None:
    missing: dict[str, int] = {}
    scope = Scope(functions={"boom": lambda: missing["key"], "two": lambda a, b: a})
    with pytest.raises(HclError, match='call to function "boom" failed'):
        ev("boom()", scope)
    with pytest.raises(HclError, match='call to function "two" failed'):
        ev("two(1)", scope)


def test_user_function_hcl_errors_are_prefixed() -> None:
    def fail(_value: Any) -> Any:
        raise HclError("bad input")

    with pytest.raises(HclError, match='call to function "check" failed: bad input'):
        ev("check(1)", Scope(functions={"check": fail}))


def test_user_function_in_template() -> None:
    scope = Scope({"REGISTRY": "r.io"}, functions={"tagged": lambda n: f"r.io/{n}:1"})
    assert render_template('${tagged("app")}', scope) == "r.io/app:1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('try(m.missing, "fallback")', "fallback"),
        ('try(m.k, "fallback")', "v"),
        ('try(nosuchvar, "default")', "default"),
        ("try(list[5], list[1], 0)", "a"),
        ('try(upper(list), "x")', "x"),
    ],
)
def test_try_returns_first_success(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_try_with_no_success_is_error() -> None:
    with pytest.raises(HclError, match="no expression succeeded"):
        ev("try(m.x, m.y)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can(m.k)", True),
        ("can(m.missing)", False),
        ("can(list[9])", False),
        ('can(regex("^v", "v1"))', True),
        ("can(nosuchvar)", False),
    ],
)
def test_can(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_can_takes_exactly_one_argument() -> None:
    with pytest.raises(HclError, match="expected 1 argument"):
        ev("can(1, 2)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('convert("5", number)', 5),
        ("convert(5, string)", "5"),
        ('convert("true", bool)', True),
        ('convert("1", bool)', True),
        ('convert([1, "a"], list(string))', ["1", "a"]),
        ('convert(["b", "a", "b"], set(string))', ["a", "b"]),
        ("convert({a = 1}, map(string))", {"a": "1"}),
        ("convert([1, 2], tuple([string, number]))", ["1", 2]),
        ('convert({a = "1", b = 2}, object({a = number}))', {"a": 1}),
        ('convert({}, object({a = optional(string, "x")}))', {"a": "x"}),
        ("convert(null, string)", None),
        ("convert([1, true], any)", [1, True]),
    ],
)
def test_convert(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'convert("x", number)',
        "convert([1], string)",
        "convert(1, widget)",
        "convert({}, object({a = string}))",
        "convert([1, 2], tuple([number]))",
    ],
)
def test_convert_errors(text: str) -> None:
    with pytest.raises(HclError, match='call to function "convert" failed'):
        ev(text)


def test_builtin_table_has_all_bake_functions() -> None:
    assert len(BUILTIN_FUNCTIONS) == 106


def test_builtin_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        BUILTIN_FUNCTIONS["x"] = len  # type: ignore[index]


def test_parse_expression_is_cached() -> None:
    assert parse_expression("a + b") is parse_expression("a + b")
