"""Go's path.Match, as bake's --set target patterns use it: the table is what Go's own
path.Match gave (scripts/oracles/pathmatch.go), run through bakepy's port and through
``--set`` on a bake definition with those target names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bakepy.errors import OverrideError
from bakepy.resolution.bake.overrides import Override
from bakepy.support.gomatch import SYNTAX_ERROR, path_match

ORACLE: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "pathmatch.json").read_text()
)
NAMES: list[str] = ORACLE["names"]


@pytest.mark.parametrize("case", ORACLE["cases"], ids=lambda case: case["pattern"])
def test_path_match_as_go(case: dict[str, Any]) -> None:
    if "error" in case:
        assert case["error"] == SYNTAX_ERROR
        for name in NAMES:
            with pytest.raises(ValueError, match=SYNTAX_ERROR):
                path_match(case["pattern"], name)
        return
    assert [name for name in NAMES if path_match(case["pattern"], name)] == case["matches"]


@pytest.mark.parametrize(
    "case",
    [case for case in ORACLE["cases"] if "." not in case["pattern"]],  # --set splits at "."
    ids=lambda case: case["pattern"],
)
def test_set_patterns_pick_the_targets_buildx_picks(case: dict[str, Any]) -> None:
    override = Override.parse(f"{case['pattern']}.tags=x")
    if "error" in case:
        with pytest.raises(OverrideError, match="could not match targets with"):
            [override.matches(name) for name in NAMES]
        return
    assert [name for name in NAMES if override.matches(name)] == case["matches"]
