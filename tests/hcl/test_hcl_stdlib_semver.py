"""semvercmp(version, constraint)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def semvercmp(version: str, constraint: str) -> bool:
    result = evaluate("semvercmp(v, c)", Scope({"v": version, "c": constraint}))
    assert isinstance(result, bool)
    return result


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("3.23", ">= 3.20", True),
        ("3.19", ">= 3.20", False),
        ("1.2.3", "1.2.3", True),
        ("1.2.3", "= 1.2.4", False),
        ("v1.2.3", ">= 1.2.0", True),
        ("1.2.3", "!= 1.2.3", False),
        ("1.2.4", "!= 1.2.3", True),
        ("1.3.0", "> 1.2", True),
        ("1.2.9", "> 1.2", False),
        ("2.0.0", "> 1", True),
        ("1.9.0", "> 1", False),
        ("1.2.0", "< 1.2.1", True),
        ("1.2.1", "<= 1.2", True),
        ("1.3.0", "<= 1.2", False),
        ("1.2.5", "~1.2.3", True),
        ("1.3.0", "~1.2.3", False),
        ("1.2.0", "~1.2", True),
        ("1.9.0", "~1", True),
        ("2.0.0", "~1", False),
        ("1.2.7", "~> 1.2", True),
        ("1.9.9", "^1.2.3", True),
        ("2.0.0", "^1.2.3", False),
        ("0.2.9", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("0.0.3", "^0.0.3", True),
        ("0.0.4", "^0.0.3", False),
        ("1.2.9", "1.2.x", True),
        ("1.3.0", "1.2.x", False),
        ("1.2.9", "1.2", True),
        ("5.0.0", "*", True),
        ("1.5.0", ">= 1.2, < 2.0", True),
        ("2.5.0", ">= 1.2, < 2.0", False),
        ("1.5.0", ">= 1.2 < 2.0", True),
        ("3.1.0", "^1 || ^3", True),
        ("2.1.0", "^1 || ^3", False),
        ("1.5.0", "1.2 - 1.6", True),
        ("1.7.0", "1.2 - 1.6", False),
        ("1.2.3-beta", ">= 1.0.0", False),
        ("1.2.3-beta.2", ">= 1.2.3-beta.1", True),
        ("1.2.3-alpha", ">= 1.2.3-beta", False),
        ("1.2.3+build.5", "= 1.2.3", True),
    ],
)
def test_semvercmp(version: str, constraint: str, expected: bool) -> None:
    assert semvercmp(version, constraint) is expected


@pytest.mark.parametrize(
    ("version", "constraint", "message"),
    [
        ("latest", ">= 1", "invalid semantic version"),
        ("1.2.3", ">>= 1", "improper constraint"),
        ("1.2.3", "", "improper constraint"),
        ("1.2.3", "~ banana", "improper constraint"),
    ],
)
def test_semvercmp_errors(version: str, constraint: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        semvercmp(version, constraint)


ORACLE = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "semver.json").read_text()
)


@pytest.mark.parametrize(
    "case", ORACLE, ids=lambda case: f"{case['version']!r} {case['constraint']!r}"
)
def test_semvercmp_as_masterminds_v3_4(case: dict[str, Any]) -> None:
    """What Masterminds/semver v3.4.0 (buildx's) said (scripts/oracles/semver): spaces around
    a version, a 0-led numeric pre-release and a 64-bit overflow are refused."""
    if "error" in case:
        with pytest.raises(HclError) as info:
            semvercmp(case["version"], case["constraint"])
        assert str(info.value).endswith(case["error"])
    else:
        assert semvercmp(case["version"], case["constraint"]) is case["result"]
