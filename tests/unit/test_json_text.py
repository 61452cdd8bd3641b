"""indented_json must give exactly the text of json.dumps(indent=2, ensure_ascii=False)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from bakepy.support.json_text import indented_json

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=4), _VALUES, max_size=5))
def test_sorted_keys_as_json_dumps(value: dict[str, Any]) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    assert indented_json(value, sort_keys=True) == expected


def test_tuples_and_non_string_keys_as_json_dumps() -> None:
    value = {1: (1, "é", None), False: {}, None: [], 2.5: [[]], 'q"\n': "\x00\u2028"}
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_unserializable_value_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"a": {1, 2}})
    with pytest.raises(TypeError, match="keys must be"):
        indented_json({(1, 2): "x"})


def test_lists_and_maps_of_strings_as_json_dumps() -> None:
    """The one-join path (lists of strings, maps of strings) and its way out on the first
    entry that is not a string, at several depths."""
    value = {
        "target": {
            "app": {"tags": ["a:1", 'b\n"2'], "args": {"X": "1", "Y": "é"}, "n": 1},
            "odd": {"tags": ["a", 1, None], "args": {"X": "1", "Y": None}, "k": {1: "x"}},
        },
        "top": ["x", ["y", "z"], {"a": "b"}],
    }
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)
    expected = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    assert indented_json(value, sort_keys=True) == expected
