"""Numeric, comparison and boolean functions."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def call(text: str) -> Any:
    return evaluate(text, Scope())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("absolute(23)", 23),
        ("absolute(0)", 0),
        ("absolute(-12.4)", 12.4),
        ("add(1, 2)", 3),
        ('add("1", 2.5)', 3.5),
        ("subtract(5, 7)", -2),
        ("multiply(3, 4)", 12),
        ("divide(7, 2)", 3.5),
        ("modulo(7, 3)", 1),
        ("negate(5)", -5),
        ("ceil(5)", 5),
        ("ceil(5.1)", 6),
        ("ceil(-5.1)", -5),
        ("floor(5)", 5),
        ("floor(4.9)", 4),
        ("floor(-4.1)", -5),
        ("int(1.9)", 1),
        ("int(-1.9)", -1),
        ("log(16, 2)", 4),
        ("log(50, 10)", 1.6989700043360185),
        ("pow(3, 2)", 9),
        ("pow(4, 0)", 1),
        ("pow(2, 0.5)", 1.4142135623730951),
        ("pow(2, -1)", 0.5),
        ("signum(-13)", -1),
        ("signum(0)", 0),
        ("signum(344)", 1),
        ("max(12, 54, 3)", 54),
        ("min(12, 54, 3)", 3),
        ("max([12, 54, 3]...)", 54),
        ('max("7", 2)', 7),
        ('parseint("100", 10)', 100),
        ('parseint("FF", 16)', 255),
        ('parseint("ff", 16)', 255),
        ('parseint("-10", 16)', -16),
        ('parseint("1011111011101111", 2)', 48879),
        ('parseint("aA", 62)', 656),
        ('parseint("zz", 36)', 1295),
        ("greaterthan(2, 1)", True),
        ("greaterthanorequalto(1, 1)", True),
        ("lessthan(2, 1)", False),
        ("lessthanorequalto(1, 2)", True),
        ("equal(1, 1)", True),
        ('equal(1, "1")', False),
        ("equal([1, 2], [1, 2])", True),
        ("notequal(1, 2)", True),
        ("and(true, false)", False),
        ('and(true, "true")', True),
        ("or(false, true)", True),
        ("not(false)", True),
    ],
)
def test_numeric_function(text: str, expected: Any) -> None:
    assert call(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('parseint("12", 2)', "cannot parse"),
        ('parseint("", 10)', "cannot parse"),
        ('parseint("1_000", 10)', "cannot parse"),
        ('parseint("10", 63)', "between 2 and 62"),
        ("parseint(10, 10)", "must be a string"),
        ("max()", "at least one"),
        ("min()", "at least one"),
        ('ceil("x")', "number is required"),
        ("divide(1, 0)", "zero"),
        ("signum(1.5)", "whole number"),
        ("log(0, 10)", "undefined"),
        ("and(1, true)", "bool"),
        ("not(null)", "bool"),
    ],
)
def test_numeric_function_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(text)
