"""Go durations, parsed and printed exactly as Go does: tests/fixtures/oracles/durations.json
is what Go's time.ParseDuration and Duration.String gave (scripts/oracles/durations.go)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bakepy.support.durations import DurationError, format_duration, parse_duration

TABLE: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "durations.json").read_text()
)


@pytest.mark.parametrize("case", TABLE, ids=lambda case: repr(case["text"]))
def test_go_parses_and_prints_it_so(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(DurationError) as info:
            parse_duration(case["text"])
        assert str(info.value) == case["error"]
        return
    nanos = parse_duration(case["text"])
    assert nanos == case["nanoseconds"]
    assert format_duration(nanos) == case["string"]
