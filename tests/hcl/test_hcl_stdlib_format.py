"""format() and formatlist() with cty's verbs."""

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
        ('format("Hello, %s!", "Ander")', "Hello, Ander!"),
        ('format("There are %d lights", 4)', "There are 4 lights"),
        ('format("%v", "hello")', "hello"),
        ('format("%v", true)', "true"),
        ('format("%v", 5)', "5"),
        ('format("%v", 3.5)', "3.5"),
        ('format("%v", 1000000)', "1e+06"),
        ('format("%v", 123456)', "123456"),
        ('format("%v", 0.00001)', "1e-05"),
        ('format("%v", [1, "a"])', '[1,"a"]'),
        ('format("%v", {b = 1, a = 2})', '{"a":2,"b":1}'),
        ('format("%v", null)', "null"),
        ('format("%#v", "hello")', '"hello"'),
        ('format("%#v", 5)', "5"),
        ('format("%t", true)', "true"),
        ('format("%t", "false")', "false"),
        ('format("%d", "42")', "42"),
        ('format("%5d|%-5d|%05d", 42, 42, 42)', "   42|42   |00042"),
        ('format("%+d % d", 5, 5)', "+5  5"),
        ('format("%05d", -42)', "-0042"),
        ('format("%.3d", 7)', "007"),
        ('format("%b %o %x %X", 5, 8, 255, 255)', "101 10 ff FF"),
        ('format("%#b %#o %#x %#X", 5, 8, 255, 255)', "0b101 010 0xff 0XFF"),
        ('format("%x", -255)', "-ff"),
        ('format("%f", 3.14159)', "3.141590"),
        ('format("%.2f", 3.14159)', "3.14"),
        ('format("%9.2f|", 3.14159)', "     3.14|"),
        ('format("%-9.2f|", 3.14159)', "3.14     |"),
        ('format("%09.2f", -3.14159)', "-00003.14"),
        ('format("%.0f", 2.5)', "2"),
        ('format("%.1f", 0.05)', "0.1"),
        ('format("%e", 0)', "0.000000e+00"),
        ('format("%f", 1e21)', "1000000000000000000000.000000"),
        ('format("%e", 1234.5678)', "1.234568e+03"),
        ('format("%.2E", 1234.5678)', "1.23E+03"),
        ('format("%g", 1234.5678)', "1234.5678"),
        ('format("%g", 0.1)', "0.1"),
        ('format("%.3g", 1234.5678)', "1.23e+03"),
        ('format("%G", 1e21)', "1E+21"),
        ('format("%s", 1.5)', "1.5"),
        ('format("%s", true)', "true"),
        ('format("%5s|%-5s|", "ab", "ab")', "   ab|ab   |"),
        ('format("%.2s", "hello")', "he"),
        ('format("%05s", "ab")', "000ab"),
        ('format("%q", "hi \\"there\\"")', '"hi \\"there\\""'),
        ('format("%q", "<")', '"\\u003c"'),
        ('format("%%")', "%"),
        ('format("100%% %s", "done")', "100% done"),
        ('format("%[2]s %[1]s", "a", "b")', "b a"),
        ('format("%[2]s %s", "a", "b", "c")', "b c"),
        ('format("%3s", "é")', "  é"),
        ('format("no verbs")', "no verbs"),
    ],
)
def test_format(text: str, expected: str) -> None:
    assert call(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('format("%s")', "not enough arguments"),
        ('format("%[3]s", 1)', "need index 3"),
        ('format("%s", 1, 2)', "too many arguments; only 1 used"),
        ('format("x", 1)', "no verbs"),
        ('format("%y", 1)', "unsupported format verb"),
        ('format("%d", 1.5)', "integer is required"),
        ('format("%d", "x")', "number is required"),
        ('format("%s", null)', "null value cannot be formatted"),
        ('format("%s", [1])', "string required"),
        ('format("%t", 1)', "bool"),
        ('format("%", 1)', "invalid format string"),
        ('format("%*d", 1, 2)', "unsupported"),
    ],
)
def test_format_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])',
            ["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"],
        ),
        (
            'formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])',
            ["Salutations, Valentina!", "Salutations, Ander!"],
        ),
        ('formatlist("%s=%d", ["a", "b"], [1, 2])', ["a=1", "b=2"]),
        ('formatlist("%s", [])', []),
        ('formatlist("x%s", "y")', ["xy"]),
        ('formatlist("none")', ["none"]),
    ],
)
def test_formatlist(text: str, expected: list[str]) -> None:
    assert call(text) == expected


def test_formatlist_requires_equal_lengths() -> None:
    with pytest.raises(HclError, match="inconsistent"):
        call('formatlist("%s%s", ["a"], ["b", "c"])')
