"""Literal values: numbers, strings with escapes, booleans and null."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def ev(text: str) -> Any:
    return evaluate(text, Scope())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("1.5", 1.5),
        ("1e3", 1000),
        ("1E3", 1000),
        ("2.5e-1", 0.25),
        ("1.5e+2", 150),
        ("12345678901234567890123", 12345678901234567890123),
        ("-7", -7),
        ("4.0", 4),
    ],
)
def test_number_literal(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_integral_numbers_stay_int() -> None:
    assert type(ev("4.0")) is int
    assert type(ev("1e2")) is int


def test_fractional_numbers_are_float() -> None:
    assert type(ev("0.5")) is float


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("false", False), ("null", None)])
def test_keyword_literal(text: str, expected: Any) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"hello"', "hello"),
        ('""', ""),
        (r'"a\nb"', "a\nb"),
        (r'"a\tb"', "a\tb"),
        (r'"a\rb"', "a\rb"),
        (r'"say \"hi\""', 'say "hi"'),
        (r'"back\\slash"', "back\\slash"),
        (r'"\u00e9"', "é"),
        (r'"\U0001F600"', "\U0001f600"),
        ('"ünïcödé"', "ünïcödé"),
        ('"100%"', "100%"),
        ('"$5"', "$5"),
    ],
)
def test_string_literal(text: str, expected: str) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize("text", [r'"\q"', r'"\u12"', r'"\x41"'])
def test_invalid_escape_is_error(text: str) -> None:
    with pytest.raises(HclError, match="escape"):
        ev(text)


def test_string_cannot_span_lines() -> None:
    with pytest.raises(HclError, match="newline"):
        ev('"a\nb"')


def test_comments_are_ignored() -> None:
    assert ev("1 + # one\n 2 // two") == 3
    assert ev("1 + /* inline */ 2") == 3


def test_heredoc_is_rejected_in_expressions() -> None:
    with pytest.raises(HclError, match="heredoc"):
        ev("<<EOT\nx\nEOT")


def test_string_literals_are_normalized_to_nfc() -> None:
    assert ev('"e\u0301"') == "\u00e9"
