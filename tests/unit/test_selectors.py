"""Label selectors as kubectl reads them, repeatable (every -l must hold)."""

from __future__ import annotations

import pytest

from bakepy.errors import SelectionError
from bakepy.resolution.selection import parse_selector

LABELS = {"team": "payments", "tier": "web", "canary": "true"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("team=payments", True),
        ("team==payments", True),
        ("team=search", False),
        ("team!=search", True),
        ("owner!=x", True),  # a missing key differs from every value
        ("team in (payments, search)", True),
        ("team notin (payments)", False),
        ("owner notin (x)", True),
        ("canary", True),
        ("!canary", False),
        ("!owner", True),
        ("team=payments,tier in (web,api),!owner", True),
        ("team=payments,tier=api", False),
        ("", True),
    ],
)
def test_kubectl_forms(selector: str, matches: bool) -> None:
    assert parse_selector(selector).matches(LABELS) is matches


def test_repeated_selectors_must_all_hold() -> None:
    assert parse_selector(["team=payments", "tier=web"]).matches(LABELS)
    assert not parse_selector(["team=payments", "tier=api"]).matches(LABELS)
    assert str(parse_selector(["team=payments", "tier in (a,b)"])) == "team=payments,tier in (a,b)"


@pytest.mark.parametrize("selector", ["=x", "team in payments", "!team in (a)", "a b"])
def test_what_is_no_requirement(selector: str) -> None:
    with pytest.raises(SelectionError):
        parse_selector(selector)
