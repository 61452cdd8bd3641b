"""bake functions whose edge cases the docs do not settle, against tables buildx 0.13.1 made.

Each table in tests/fixtures/oracles (regex.json: anchors, Unicode and POSIX classes,
``(?U)``, empty matches, replacement templates, RE2's refusals, a pattern that backtracks
exponentially in Python's re; timeadd.json: fractions of seconds and nanosecond durations
either way, offsets, Go's truncating format; strings.json: grapheme clusters in strlen,
substr and strrev, Hangul, emoji sequences, regional indicators, Unicode 15.0's conjuncts)
lists calls, the variables they read and what
buildx printed (or that it refused). bakepy must give each result, or refuse what buildx
refuses; the conformance test asks buildx again, so a table cannot go stale.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import bakepy

ORACLES = Path(__file__).resolve().parents[1] / "fixtures" / "oracles"
TABLE: list[dict[str, Any]] = [
    case
    for name in ("regex.json", "timeadd.json", "strings.json")
    for case in json.loads((ORACLES / name).read_text())
]


def _bake_file(folder: Path, case: dict[str, Any]) -> dict[str, str]:
    """The case as a bake file whose call reads its arguments from variables (no quoting in
    the way), and the environment that sets them."""
    variables = "".join(f'variable "{name}" {{}}\n' for name in sorted(case["env"]))
    (folder / "docker-bake.hcl").write_text(
        f'{variables}target "t" {{\n  args = {{ OUT = jsonencode({case["call"]}) }}\n}}\n'
    )
    return dict(case["env"])


def _id(case: dict[str, Any]) -> str:
    return f"{case['call']}:{json.dumps(case['env'], ensure_ascii=False)}"


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
