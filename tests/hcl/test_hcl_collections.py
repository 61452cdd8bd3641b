"""Tuples, objects, indexing, attribute access, splats and for expressions."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope

SCOPE = Scope(
    {
        "list": ["a", "b", "c"],
        "map": {"b": 2, "a": 1},
        "key": "a",
        "users": [{"name": "ann", "roles": ["x", "y"]}, {"name": "bob", "roles": ["z"]}],
        "single": {"name": "solo"},
        "nothing": None,
        "nested": [[1, 2], [3]],
    }
)


def ev(text: str) -> Any:
    return evaluate(text, SCOPE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", []),
        ("[1, 2, 3]", [1, 2, 3]),
        ("[1, 2,]", [1, 2]),
        ('[1, "a", true, null]', [1, "a", True, None]),
        ("[[1], [2, [3]]]", [[1], [2, [3]]]),
        ("[\n  1,\n  2\n]", [1, 2]),
    ],
)
def test_tuple(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{}", {}),
        ("{a = 1}", {"a": 1}),
        ("{a = 1, b = 2}", {"a": 1, "b": 2}),
        ("{a: 1, b: 2}", {"a": 1, "b": 2}),
        ('{"quoted key" = 1}', {"quoted key": 1}),
        ("{(key) = 1}", {"a": 1}),
        ('{"${key}x" = 1}', {"ax": 1}),
        ("{key = 1}", {"key": 1}),
        ("{a-b = 1}", {"a-b": 1}),
        ("{1 = 2}", {"1": 2}),
        ("{a = 1,}", {"a": 1}),
        ("{\n  a = 1\n  b = 2\n}", {"a": 1, "b": 2}),
        ("{\n  a = 1,\n  b = [\n    1,\n    2,\n  ]\n}", {"a": 1, "b": [1, 2]}),
        ("{a = {b = {c = 1}}}", {"a": {"b": {"c": 1}}}),
        ("{a = 1, a = 2}", {"a": 2}),
    ],
)
def test_object(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_object_items_need_separator() -> None:
    with pytest.raises(HclError, match="between object items"):
        ev("{a = 1 b = 2}")


def test_newline_ends_object_value() -> None:
    with pytest.raises(HclError):
        ev("{a = 1\n+ 2}")


def test_null_object_key_is_error() -> None:
    with pytest.raises(HclError, match="null"):
        ev("{(nothing) = 1}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list[0]", "a"),
        ("list[2]", "c"),
        ('list["1"]', "b"),
        ("list[1.0]", "b"),
        ("list.1", "b"),
        ("nested.0.1", 2),
        ("nested[0][1]", 2),
        ("map.a", 1),
        ('map["b"]', 2),
        ("map[key]", 1),
        ("users[1].name", "bob"),
        ("users[0].roles[1]", "y"),
        ("[10, 20][1]", 20),
        ("{x = 5}.x", 5),
    ],
)
def test_index_and_attribute_access(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("list[3]", "out of range"),
        ("list[-1]", "out of range"),
        ("list[0.5]", "whole number"),
        ('list["x"]', "number is required"),
        ('map["zzz"]', "does not exist"),
        ("map.zzz", "no attribute"),
        ("nothing.a", "null"),
        ("nothing[0]", "null"),
        ("list.name", "no attributes"),
        ('"str"[0]', "cannot index"),
    ],
)
def test_bad_access_is_error(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        ev(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("users[*].name", ["ann", "bob"]),
        ("users.*.name", ["ann", "bob"]),
        ("users[*].roles[0]", ["x", "z"]),
        ("users.*.roles[0]", ["x", "y"]),
        ("users.*.roles.0", ["x", "z"]),
        ("users[*]", SCOPE.lookup("users")),
        ("single[*].name", ["solo"]),
        ("nothing[*]", []),
        ("nothing[*].name", []),
        ("nested[*][0]", [1, 3]),
        ("length(users[*].name)", 2),
    ],
)
def test_splat(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[for x in list : upper(x)]", ["A", "B", "C"]),
        ("[for i, x in list : i]", [0, 1, 2]),
        ('[for i, x in list : "${i}${x}" if i != 1]', ["0a", "2c"]),
        ("[for v in map : v]", [1, 2]),
        ("[for k, v in map : k]", ["a", "b"]),
        ("[for x in [] : x]", []),
        ("[for u in users : u.name if length(u.roles) > 1]", ["ann"]),
        ("[for x in nested : [for y in x : y * 10]]", [[10, 20], [30]]),
        ("{for x in list : x => upper(x)}", {"a": "A", "b": "B", "c": "C"}),
        ("{for k, v in map : v => k}", {"1": "a", "2": "b"}),
        ("{for i, x in list : x => i if i > 0}", {"b": 1, "c": 2}),
        ('{for x in ["a", "b", "a"] : x => x...}', {"a": ["a", "a"], "b": ["b"]}),
        ("{for u in users : u.name => u.roles}", {"ann": ["x", "y"], "bob": ["z"]}),
        ("[\n  for x in list :\n  x\n]", ["a", "b", "c"]),
    ],
)
def test_for_expression(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_for_over_map_iterates_in_sorted_key_order() -> None:
    assert evaluate("[for k, v in m : k]", Scope({"m": {"z": 1, "a": 2, "m": 3}})) == [
        "a",
        "m",
        "z",
    ]


def test_for_expression_duplicate_keys_need_grouping() -> None:
    with pytest.raises(HclError, match="duplicate key"):
        ev('{for x in ["a", "a"] : x => x}')


def test_for_expression_variables_do_not_leak() -> None:
    with pytest.raises(HclError, match='unknown variable "x"'):
        ev("[for x in list : x][0] == x")


def test_for_variable_shadows_outer_variable() -> None:
    assert ev("[for key in list : key]") == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[for x in nothing : x]", "null"),
        ('[for x in "abc" : x]', "iterate"),
        ("[for x in list : x if x]", "bool"),
        ("{for x in list : nothing => x}", "null"),
    ],
)
def test_for_expression_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        ev(text)
