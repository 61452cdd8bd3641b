"""Errors: syntax errors carry a column, and nothing but HclError ever escapes."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate, render_template
from bakepy.hcl.parser import parse_expression, parse_template
from bakepy.hcl.scope import Scope
from bakepy.hcl.stdlib import BUILTIN_FUNCTIONS


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("1 +", 4),
        ("[1, 2", 6),
        ("foo(1 2)", 7),
        ("a.", 3),
        ("a ? b", 6),
        ("{a = 1 b = 2}", 8),
        ("1 2", 3),
        ("@", 1),
        ('"abc', 5),
        ("a ~ b", 3),
        ("}", 1),
    ],
)
def test_syntax_error_reports_column(text: str, column: int) -> None:
    with pytest.raises(HclError) as info:
        parse_expression(text)
    assert info.value.column == column
    assert f"column {column}" in str(info.value)


def test_syntax_error_on_later_line_reports_line_and_column() -> None:
    with pytest.raises(HclError) as info:
        parse_expression("[\n  1,\n  @\n]")
    assert (info.value.line, info.value.column) == (3, 3)
    assert "line 3, column 3" in str(info.value)


def test_error_message_is_one_line() -> None:
    with pytest.raises(HclError) as info:
        parse_expression('"a\nb"')
    assert "\n" not in str(info.value)


def test_runtime_error_has_no_column() -> None:
    with pytest.raises(HclError) as info:
        evaluate("nosuch", Scope())
    assert info.value.column is None
    assert str(info.value) == 'unknown variable "nosuch"'


def test_hcl_error_is_an_exception_with_message() -> None:
    error = HclError("boom", column=3)
    assert isinstance(error, Exception)
    assert error.message == "boom"
    assert str(error) == "boom (column 3)"


def test_non_string_source_is_hcl_error() -> None:
    with pytest.raises(HclError):
        parse_expression(42)


def test_deep_recursion_is_hcl_error() -> None:
    def recurse(n: Any) -> Any:
        return evaluate("again(n)", Scope({"n": n}, functions={"again": recurse}))

    with pytest.raises(HclError, match=r"too deeply|failed"):
        recurse(1)


_EXPRESSION_ALPHABET = st.sampled_from(
    [
        *"abxyz019._-+*/%!<>=&|?:,()[]{}\"'$~#\\ \n",
        *["${", "%{", "}", "for ", " in ", "if ", "=>", "...", "null", "true", "[*]", ".*"],
        *["upper(", "join(", "try(", "can(", "convert(", "string", "length(", "\\n", "\\u"],
    ]
)


@settings(max_examples=400, database=None, deadline=None)
@given(st.lists(_EXPRESSION_ALPHABET, max_size=25).map("".join))
def test_random_expressions_only_raise_hcl_error(text: str) -> None:
    scope = Scope({"a": [1, "2", None], "b": {"x": 1}, "x": "s", "y": None, "z": True})
    with contextlib.suppress(HclError):
        evaluate(text, scope)


@settings(max_examples=300, database=None, deadline=None)
@given(st.lists(_EXPRESSION_ALPHABET, max_size=25).map("".join), st.booleans())
def test_random_templates_only_raise_hcl_error(text: str, quoted: bool) -> None:
    scope = Scope({"a": [1, 2], "b": {"x": 1}, "x": "s", "y": None, "z": True})
    with contextlib.suppress(HclError):
        parse_template(text, quoted=quoted)
        render_template(text, Scope({"a": [1]}, parent=scope), quoted=quoted)


_FUNCTION_NAMES = sorted(set(BUILTIN_FUNCTIONS) - {"timestamp", "uuidv4", "homedir"})
_VALUES = st.sampled_from(
    [
        '"a"',
        '""',
        "1",
        "-1",
        "0",
        "2.5",
        "true",
        "null",
        "[]",
        '["a", "b"]',
        "[1, [2]]",
        "{}",
        "{a = 1}",
        '"10.0.0.0/8"',
        '"2018-01-02T23:12:01Z"',
        '"%s %d"',
        '"1.2.3"',
        '"^1"',
        '"(a)"',
        '"1h"',
        '"dns"',
        "16",
        "1000000",
    ]
)


@settings(max_examples=600, database=None, deadline=None)
@given(st.sampled_from(_FUNCTION_NAMES), st.lists(_VALUES, max_size=4))
def test_random_builtin_calls_only_raise_hcl_error(name: str, args: list[str]) -> None:
    with contextlib.suppress(HclError):
        evaluate(f"{name}({', '.join(args)})", Scope())
