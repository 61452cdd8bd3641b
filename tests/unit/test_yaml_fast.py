"""The direct YAML writer gives PyYAML's bytes for every value it takes, and hands the rest to
PyYAML (``dump_yaml`` then writes what PyYAML writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings, strategies as st

from bakepy.generators.yaml_fast import fast_yaml
from bakepy.generators.yaml_text import pyyaml_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ09 _./:@=+,$(){}[]%&*!|>'\"?~^<;\\-#\t\nyes~é")),
    max_size=12,
)
_WORDS = st.sampled_from(
    [
        "",
        "yes",
        "No",
        "on",
        "null",
        "~",
        "1",
        "0o7",
        "0x1F",
        "1.5",
        "8080:80",
        "12:30:00",
        "true",
        "-",
        "- x",
        "-c",
        "...",
        "---",
        "a: b",
        "a #b",
        "a:",
        "a#b",
        "${X:-1}",
        "2024-01-01",
        ".inf",
        "=",
        "<<",
        "x" * 130,
        "y " * 2100,
    ]
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(), _TEXT, _WORDS
)
_KEYS = st.one_of(_TEXT, _WORDS)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


# values in the direct writer's reach: most are taken, so the comparison is not vacuous
_IN_REACH_TEXT = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(list("aZ09_./$(-")),
    st.text(alphabet=st.sampled_from(list("aZ09 _./:@=+,$(){}[]%&*!|>'\"?~^<;\\-")), max_size=10),
)
_IN_REACH_KEYS = st.one_of(_IN_REACH_TEXT, _WORDS.filter(lambda word: 0 < len(word) < 100))
_IN_REACH_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), _IN_REACH_TEXT, _WORDS.filter(lambda w: len(w) < 100)
)
_IN_REACH = st.recursive(
    _IN_REACH_SCALARS,
    lambda inner: st.one_of(
        st.lists(
            st.one_of(_IN_REACH_SCALARS, st.dictionaries(_IN_REACH_KEYS, inner, max_size=3)),
            max_size=3,
        ),
        st.dictionaries(_IN_REACH_KEYS, inner, max_size=3),
    ),
    max_leaves=15,
)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=5))
def test_the_direct_writer_gives_pyyamls_bytes_or_passes(data: dict[Any, Any]) -> None:
    text = fast_yaml(data)
    if text is not None:
        assert text == pyyaml_text(data)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(_IN_REACH_KEYS, _IN_REACH, min_size=1, max_size=4))
def test_values_in_reach_are_written_as_pyyaml_writes_them(data: dict[Any, Any]) -> None:
    text = fast_yaml(data)
    if text is not None:
        assert text == pyyaml_text(data)


def test_the_examples_compose_files_are_written_the_same(tmp_path: Path) -> None:
    """The examples' compose and stack files: the same bytes from both writers wherever the
    direct one takes them (one holds an inline config, a block scalar: PyYAML writes it)."""
    from bakepy import load, render

    taken = 0
    for definition in sorted(EXAMPLES.glob("*/bakepy.yaml")):
        for rendered in render(load([definition]), tmp_path / definition.parent.name):
            if rendered.path.endswith((".yaml", ".yml")):
                data = yaml.safe_load(rendered.text)
                text = fast_yaml(data)
                if text is not None:
                    assert text == pyyaml_text(data), rendered.path
                    taken += 1
    assert taken >= 1


def test_what_it_does_not_take_is_left_to_pyyaml() -> None:
    assert fast_yaml({"a": 1.5}) is None  # floats: PyYAML's own spelling
    assert fast_yaml({"a": "two\nlines"}) is None  # a block scalar
    assert fast_yaml({"a": [[1]]}) is None  # a list in a list
    assert fast_yaml({"a": "é"}) is None  # non-ASCII
    assert fast_yaml({"a": "yes", "b": "12:30", "c": "-c"}) == "a: 'yes'\nb: '12:30'\nc: -c\n"
