"""has_interpolation() and escape_template()."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from bakepy.hcl.escaping import escape_template, has_interpolation
from bakepy.hcl.evaluator import render_template
from bakepy.hcl.scope import Scope


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", False),
        ("${x}", True),
        ("a %{ if x }b%{ endif }", True),
        ("$${x}", False),
        ("%%{x}", False),
        ("$$${x}", False),
        ("$${a}${b}", True),
        ("$x {y}", False),
        ("${", True),
        ("{}", False),
        ("", False),
    ],
)
def test_has_interpolation(text: str, expected: bool) -> None:
    assert has_interpolation(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("${x}", "$${x}"), ("%{x}", "%%{x}"), ("$${x}", "$$${x}"), ("plain $ % {}", "plain $ % {}")],
)
def test_escape_template(text: str, expected: str) -> None:
    assert escape_template(text) == expected


def test_escaped_text_has_no_interpolation() -> None:
    assert not has_interpolation(escape_template("a ${b} %{c} $${d}"))


@settings(max_examples=300, database=None)
@given(st.text(alphabet='ab${}%~\\"\n ', max_size=30))
def test_escape_template_round_trips(text: str) -> None:
    assert render_template(escape_template(text), Scope(), quoted=False) == text
