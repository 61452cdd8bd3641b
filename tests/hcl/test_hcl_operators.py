"""Operators: arithmetic, comparison, equality, logic, precedence and conditionals."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope

SCOPE = Scope(
    {"s": "2", "word": "abc", "t": True, "f": False, "nothing": None, "items": ["x"], "empty": []}
)


def ev(text: str) -> Any:
    return evaluate(text, SCOPE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2", 3),
        ("5 - 7", -2),
        ("3 * 4", 12),
        ("7 / 2", 3.5),
        ("8 / 2", 4),
        ("7 % 3", 1),
        ("-7 % 3", -1),
        ("7 % -3", 1),
        ("7.5 % 2", 1.5),
        ("0.1 + 0.2", 0.3),
        ("1.5 * 2", 3),
        ("-(2 + 3)", -5),
        ("- -4", 4),
        ("2 * -3", -6),
        ("10000000000000000000000 + 1", 10000000000000000000001),
    ],
)
def test_arithmetic(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_integer_division_result_is_int() -> None:
    assert type(ev("8 / 2")) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [('"2" + 1', 3), ("s * s", 4), ('"1.5" + "1.5"', 3), ('"-3" - 1', -4), ("s > 1", True)],
)
def test_numeric_strings_are_converted(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize("text", ["word + 1", "true + 1", "null + 1", "items + 1", '" 2" + 1'])
def test_non_numeric_operand_is_error(text: str) -> None:
    with pytest.raises(HclError, match="number is required"):
        ev(text)


@pytest.mark.parametrize("text", ["1 / 0", "1 % 0", "1.5 / 0"])
def test_division_by_zero_is_error(text: str) -> None:
    with pytest.raises(HclError, match="by zero"):
        ev(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 4", False),
        ("4 >= 4", True),
        ("1.5 < 2", True),
        ('"10" > 9', True),
    ],
)
def test_comparison(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 == 1", True),
        ("1 == 1.0", True),
        ('1 == "1"', False),
        ('"a" == "a"', True),
        ("true == true", True),
        ('true == "true"', False),
        ("1 == true", False),
        ("null == null", True),
        ('null == ""', False),
        ("[1, 2] == [1, 2]", True),
        ("[1, 2] == [2, 1]", False),
        ("{a = 1} == {a = 1}", True),
        ("{a = 1} == {a = 2}", False),
        ("[] == {}", False),
        ('1 != "1"', True),
        ("1 != 1", False),
    ],
)
def test_equality(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true && true", True),
        ("true && false", False),
        ("false || true", True),
        ("false || false", False),
        ("!true", False),
        ("!f", True),
        ('"true" && t', True),
        ('!"false"', True),
        ('!"1"', False),
        ('"0" || false', False),
    ],
)
def test_logic(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "false && items[5] == 1",
        "true || nosuch",
        "length(empty) > 0 && empty[0] == 1",
        "nosuch && false",
    ],
)
def test_decisive_side_hides_errors_on_the_other(text: str) -> None:
    assert ev(text) in (True, False)


def test_logic_still_reports_errors_when_not_decided() -> None:
    with pytest.raises(HclError, match="unknown variable"):
        ev("true && nosuch")


@pytest.mark.parametrize("text", ['true && "yes"', "1 || true", "!1", "!null"])
def test_logic_requires_bools(text: str) -> None:
    with pytest.raises(HclError, match="bool"):
        ev(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2),
        ("1 + 2 < 4", True),
        ("1 < 2 == true", True),
        ("true || false && false", True),
        ("(true || false) && false", False),
        ("!false && false", False),
        ("-2 * -2", 4),
        ("1 == 1 && 2 == 2", True),
        ("false ? 1 : true ? 2 : 3", 2),
        ('1 + 1 == 2 ? "y" : "n"', "y"),
    ],
)
def test_precedence(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("t ? 1 : 2", 1),
        ("f ? 1 : 2", 2),
        ('"true" ? "a" : "b"', "a"),
        ('length(items) > 0 ? items[0] : "none"', "x"),
    ],
)
def test_conditional(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_conditional_only_evaluates_chosen_branch() -> None:
    assert ev('length(empty) > 0 ? empty[0] : "default"') == "default"


@pytest.mark.parametrize(
    ("text", "expected"),
    [('t ? 1 : "x"', "1"), ('f ? "x" : 2.5', "2.5"), ('t ? true : ""', "true")],
)
def test_conditional_unifies_number_with_string_branch(text: str, expected: str) -> None:
    assert ev(text) == expected


def test_conditional_null_condition_is_error() -> None:
    with pytest.raises(HclError, match="null"):
        ev("nothing ? 1 : 2")


def test_conditional_non_bool_condition_is_error() -> None:
    with pytest.raises(HclError, match="bool"):
        ev("word ? 1 : 2")


def test_multiline_conditional_expression() -> None:
    text = 'length(items) > 0 ? [\n  "a",\n  "b",\n] : [\n  "c"\n]'
    assert ev(text) == ["a", "b"]


def test_identifier_may_contain_dash() -> None:
    assert evaluate("a-b", Scope({"a-b": 5})) == 5


def test_spaced_minus_is_subtraction() -> None:
    assert evaluate("a - b", Scope({"a": 5, "b": 2})) == 3


@pytest.mark.parametrize("text", ["t ? [1] : {a = 1}", 't ? {} : "x"', "t ? 1 : true"])
def test_conditional_with_inconsistent_types_is_error(text: str) -> None:
    with pytest.raises(HclError, match="inconsistent conditional result types"):
        ev(text)
