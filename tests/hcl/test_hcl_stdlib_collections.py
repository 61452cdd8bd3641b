"""Collection functions, checked against the documented Terraform/cty examples."""

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
        ('length(["a", "b"])', 2),
        ("length([])", 0),
        ("length(convert({a = 1, b = 2}, map(number)))", 2),
        ('chunklist(["a", "b", "c", "d", "e"], 2)', [["a", "b"], ["c", "d"], ["e"]]),
        ('chunklist(["a", "b", "c", "d", "e"], 1)', [["a"], ["b"], ["c"], ["d"], ["e"]]),
        ('chunklist(["a", "b"], 0)', [["a", "b"]]),
        ("chunklist([], 3)", []),
        ('coalesce("a", "b")', "a"),
        ('coalesce("", "b")', ""),
        ("coalesce(1, 2)", 1),
        ('coalesce(null, "", "c")', ""),
        ('coalesce(null, "c")', "c"),
        ('coalesce(1, "x")', "1"),
        ('coalescelist(["a", "b"], ["c", "d"])', ["a", "b"]),
        ('coalescelist([], ["c", "d"])', ["c", "d"]),
        ('coalescelist(null, [], ["e"])', ["e"]),
        ('compact(["a", "", "b", null, "c"])', ["a", "b", "c"]),
        ('concat(["a", ""], ["b", "c"])', ["a", "", "b", "c"]),
        ("concat([], [1], [[2]])", [1, [2]]),
        ('contains(["a", "b", "c"], "a")', True),
        ('contains(["a", "b", "c"], "d")', False),
        ('contains([1, 2], "1")', False),
        ("contains([[1]], [1])", True),
        ('distinct(["a", "b", "a", "c", "d", "b"])', ["a", "b", "c", "d"]),
        ("distinct([1, 1.0, 2])", [1, 2]),
        ('distinct([1, "1", 2])', ["1", "2"]),
        ('element(["a", "b", "c"], 1)', "b"),
        ('element(["a", "b", "c"], 3)', "a"),
        ('element(["a", "b", "c"], 5)', "c"),
        ('flatten([["a", "b"], [], ["c"]])', ["a", "b", "c"]),
        ('flatten([[["a", "b"], []], ["c"]])', ["a", "b", "c"]),
        ("flatten([1, [2, [3, [4]]]])", [1, 2, 3, 4]),
        ('hasindex(["a"], 0)', True),
        ('hasindex(["a"], 1)', False),
        ('hasindex(convert({a = 1}, map(number)), "a")', True),
        ('hasindex(convert({a = 1}, map(number)), "b")', False),
        ('index(["a", "b"], 1)', "b"),
        ('index(convert({a = "x"}, map(string)), "a")', "x"),
        ('indexof(["one", 2, 3, "four"], "one")', 0),
        ('indexof(["one", 2, 3, "four"], "four")', 3),
        ("indexof([1, 2, 3], 2)", 1),
        ("keys({a = 1, c = 2, d = 3})", ["a", "c", "d"]),
        ("keys({d = 1, a = 2})", ["a", "d"]),
        ("values({a = 3, c = 2, d = 1})", [3, 2, 1]),
        ("values({z = 1, a = 2})", [2, 1]),
        ('lookup({a = "ay", b = "bee"}, "a", "what?")', "ay"),
        ('lookup({a = "ay", b = "bee"}, "c", "what?")', "what?"),
        ('merge({a = "b", c = "d"}, {e = "f", c = "z"})', {"a": "b", "c": "z", "e": "f"}),
        ('merge({a = "b"}, null, {})', {"a": "b"}),
        ("merge()", {}),
        ("range(3)", [0, 1, 2]),
        ("range(1, 4)", [1, 2, 3]),
        ("range(1, 8, 2)", [1, 3, 5, 7]),
        ("range(1, 4, 0.5)", [1, 1.5, 2, 2.5, 3, 3.5]),
        ("range(4, 1)", [4, 3, 2]),
        ("range(10, 5, -2)", [10, 8, 6]),
        ("range(-3)", [0, -1, -2]),
        ("range(0)", []),
        ("range(1, 2, 0.3)", [1, 1.3, 1.6, 1.9]),
        ("reverselist([1, 2, 3])", [3, 2, 1]),
        ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
        ('slice(["a"], 1, 1)', []),
        ('sort(["e", "d", "a", "x"])', ["a", "d", "e", "x"]),
        ("sort([10, 9, 1])", ["1", "10", "9"]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("zipmap([], [])", {}),
    ],
)
def test_collection_function(text: str, expected: Any) -> None:
    assert call(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ["b"]),
        ('setsubtract(["a", "b", "c"], ["a", "c"])', ["b"]),
        ('setunion(["a", "b"], ["b", "c"], ["d"])', ["a", "b", "c", "d"]),
        ("setsymmetricdifference([1, 2, 3], [1, 2], [1, 5])", [1, 3, 5]),
        ('sethaselement(["a", "b"], "b")', True),
        ('sethaselement(["a", "b"], "z")', False),
        ('setunion(["b", "a", "b"])', ["a", "b"]),
        (
            'setproduct(["development", "staging", "production"], ["app1", "app2"])',
            [
                ["development", "app1"],
                ["development", "app2"],
                ["staging", "app1"],
                ["staging", "app2"],
                ["production", "app1"],
                ["production", "app2"],
            ],
        ),
        ('setproduct(["a"], [])', []),
        ('setproduct(["a"], [1], [true])', [["a", 1, True]]),
    ],
)
def test_set_function(text: str, expected: Any) -> None:
    assert call(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('length("abc")', "collection"),
        ("length(null)", "collection"),
        ("element([], 0)", "empty list"),
        ('element(["a"], -1)', "negative"),
        ('chunklist(["a"], -1)', "positive"),
        ("coalesce(null, null)", "no non-null"),
        ("length({a = 1})", "got an object"),
        ('index({a = 1}, "a")', "got an object"),
        ('hasindex({a = 1}, "a")', "got an object"),
        ("coalescelist([], [])", "no non-null"),
        ('coalescelist("a")', "lists or tuples"),
        ('concat(["a"], "b")', "lists or tuples"),
        ('contains(null, "a")', "nil"),
        ('flatten("a")', "flatten"),
        ('index(["a"], 5)', "out of range"),
        ('indexof([], "a")', "empty list"),
        ('indexof(["a"], "b")', "not found"),
        ("keys([1])", "map"),
        ('lookup(["a"], "a", 1)', "map"),
        ("merge({}, [1])", "maps or objects"),
        ("range()", "one, two, or three"),
        ("range(1, 2, 0)", "zero"),
        ("range(5, 1, 1)", "greater than start"),
        ("range(1, 5, -1)", "less than start"),
        ("range(2000)", "1024"),
        ('slice(["a"], 0, 2)', "length of the list"),
        ('slice(["a", "b"], 2, 1)', "greater than end"),
        ('slice(["a"], -1, 1)', "less than zero"),
        ('sort(["a", null])', "null"),
        ('zipmap(["a"], [1, 2])', "does not match"),
        ('setproduct(["a"])', "at least two"),
        ("distinct([[1], {a = 1}])", "same type"),
        ("distinct([1, true])", "same type"),
        ('lookup({a = 1}, "b", null)', "must not be null"),
        ("setunion()", "at least one"),
    ],
)
def test_collection_function_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(text)
