"""bake's regex(), regexall() and regex_replace() against a table that buildx 0.13.1 made.

tests/fixtures/oracles/regex.json holds tricky patterns (anchors, Unicode and POSIX classes,
``(?U)``, empty matches, replacement templates, RE2's refusals, a pattern that backtracks
exponentially in Python's re). bakepy must give each result, or refuse each pattern buildx
refuses; the conformance test asks buildx again, so the table cannot go stale.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import bakepy

TABLE: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "regex.json").read_text()
)
CALLS = {
    "regex": "regex(P, S)",
    "regexall": "regexall(P, S)",
    "regex_replace": "regex_replace(S, P, R)",
}


def _bake_file(folder: Path, case: dict[str, Any]) -> dict[str, str]:
    """The case as a bake file reading the pattern, text and replacement from variables
    (no quoting in the way), and the environment that sets them."""
    (folder / "docker-bake.hcl").write_text(
        'variable "P" {}\nvariable "S" {}\nvariable "R" {}\n'
        f'target "t" {{\n  args = {{ OUT = jsonencode({CALLS[case["function"]]}) }}\n}}\n'
    )
    return {"P": case["pattern"], "S": case["text"], "R": case.get("replace", "")}


def _id(case: dict[str, Any]) -> str:
    return f"{case['function']}:{case['pattern']}"


@pytest.mark.parametrize("case", TABLE, ids=_id)
def test_bakepy_gives_what_buildx_gives(case: dict[str, Any], tmp_path: Path) -> None:
    env = _bake_file(tmp_path, case)
    project = bakepy.load([tmp_path / "docker-bake.hcl"])
    if case.get("error"):
        with pytest.raises(bakepy.BakepyError):
            bakepy.resolve(project, ["t"], env)
        return
    printed = bakepy.resolve(project, ["t"], env).to_dict()
    assert json.loads(printed["target"]["t"]["args"]["OUT"]) == case["result"]


@pytest.mark.conformance
@pytest.mark.parametrize("case", TABLE, ids=_id)
def test_buildx_still_gives_the_table(case: dict[str, Any], buildx: str, tmp_path: Path) -> None:
    env = _bake_file(tmp_path, case)
    result = subprocess.run(
        [buildx, "buildx", "bake", "--print", "t"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if case.get("error"):
        assert result.returncode != 0
        return
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert json.loads(printed["target"]["t"]["args"]["OUT"]) == case["result"]
