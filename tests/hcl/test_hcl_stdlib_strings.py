"""String functions, checked against the documented Terraform/cty examples."""

from __future__ import annotations

import os
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
        ('upper("hello")', "HELLO"),
        ('upper("алло!")', "АЛЛО!"),
        ('upper("straße")', "STRAßE"),
        ("upper(1)", "1"),
        ('lower("HELLO")', "hello"),
        ('lower("АЛЛО!")', "алло!"),
        ('lower("İ")', "i"),
        ('title("hello world")', "Hello World"),
        ('title("hELLO wORLD-x_y 3d")', "HELLO WORLD-X_y 3d"),
        ('strlen("hello world")', 11),
        ('strlen("")', 0),
        ('strlen("héllo")', 5),
        ('strlen("e\u0301")', 1),
        ('strlen("👩‍👩‍👧")', 1),
        ('strlen("🇫🇷🇩🇪")', 2),
        ('strlen("a\\r\\nb")', 3),
        ('reverse("hello")', "olleh"),
        ('reverse("e\u0301a")', "a\u00e9"),
        ('substr("hello world", 1, 4)', "ello"),
        ('substr("🤔🤷", 0, 1)', "🤔"),
        ('substr("hello world", -5, -1)', "world"),
        ('substr("hello world", 6, 10)', "world"),
        ('substr("hello", 10, 2)', ""),
        ('substr("hello", 1, 0)', ""),
        ('join(", ", ["foo", "bar", "baz"])', "foo, bar, baz"),
        ('join(", ", ["foo"])', "foo"),
        ('join(", ", [])', ""),
        ('join("-", ["a"], ["b", "c"])', "a-b-c"),
        ('join("-", [1, true])', "1-true"),
        ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"]),
        ('split(",", "foo")', ["foo"]),
        ('split(",", "")', [""]),
        ('split("", "abc")', ["a", "b", "c"]),
        ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
        ('replace("hello world", "/", "-")', "hello world"),
        ('replace("abc", "", "-")', "-a-b-c-"),
        ('chomp("hello\\n")', "hello"),
        ('chomp("hello\\r\\n")', "hello"),
        ('chomp("hello\\n\\n")', "hello"),
        ('chomp("hel\\nlo")', "hel\nlo"),
        ('indent(2, "[\\n  foo,\\n  bar,\\n]\\n")', "[\n    foo,\n    bar,\n  ]\n  "),
        ('trim("?!hello?!", "!?")', "hello"),
        ('trim("  hello! world.!  ", "! ")', "hello! world."),
        ('trimprefix("helloworld", "hello")', "world"),
        ('trimprefix("helloworld", "cat")', "helloworld"),
        ('trimprefix("hellohello", "hello")', "hello"),
        ('trimsuffix("helloworld", "world")', "hello"),
        ('trimspace("  hello\\n\\n")', "hello"),
        ('trimspace("\\t x \\u00a0")', "x"),
        ('sanitize("foo/bar")', "foo_bar"),
        ('sanitize("foo/bar!@(ba+z)")', "foo_bar___ba_z_"),
        ('sanitize("foo/🍕bar")', "foo__bar"),
        ('sanitize("v1.2-rc_3")', "v1_2-rc_3"),
        ('sanitize("")', ""),
    ],
)
def test_string_function(text: str, expected: Any) -> None:
    assert call(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('basename("")', "."),
        ('basename("/")', "/"),
        ('basename("/foo/bar")', "bar"),
        ('basename("foo/bar")', "bar"),
        ('basename("/foo/bar/")', "bar"),
        ('basename("/foo/bar...")', "bar..."),
        ('dirname("")', "."),
        ('dirname("/")', "/"),
        ('dirname("/foo/bar")', "/foo"),
        ('dirname("foo/bar")', "foo"),
        ('dirname("foo")', "."),
        ('dirname("/foo/bar.")', "/foo"),
        ('dirname("a//b/../c/d")', "a/c"),
    ],
)
def test_path_function(text: str, expected: str) -> None:
    assert call(text) == expected


def test_homedir_is_absolute() -> None:
    assert os.path.isabs(call("homedir()"))


@pytest.mark.parametrize(
    "text",
    [
        "upper(null)",
        "upper([])",
        'join(",", ["a", null])',
        'join(",")',
        'join(",", "a")',
        'substr("abc", 0.5, 1)',
        'indent("x", "a")',
    ],
)
def test_string_function_errors(text: str) -> None:
    with pytest.raises(HclError, match="call to function"):
        call(text)
