"""Replica counts beyond what compose reads are refused (issue 15): compose keeps replicas in a
64-bit signed integer, so ``docker compose config`` turns 2**63 into -9223372036854775808 and
2**64-1 into -1; bakepy refuses them with the line, as it refuses a negative count."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

LARGEST = 2**63 - 1


def validate(folder: Path, monkeypatch: pytest.MonkeyPatch, service: str) -> tuple[int, str]:
    (folder / "compose.yaml").write_text(f"services:\n  a:\n    image: busybox\n{service}")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["validate"])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def service_body(field: str, count: int) -> str:
    if field == "deploy":
        return f"    deploy:\n      replicas: {count}\n"
    return f"    scale: {count}\n"


@pytest.mark.parametrize("count", [2**63, 2**64 - 1])
@pytest.mark.parametrize("field", ["deploy", "scale"])
def test_a_count_compose_cannot_hold_is_refused_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, field: str
) -> None:
    body = service_body(field, count)
    code, output = validate(tmp_path, monkeypatch, body)
    assert code == 2, output
    line = 5 if field == "deploy" else 4
    assert f"compose.yaml:{line}:" in output
    assert f"at most {LARGEST}" in output


@pytest.mark.parametrize("field", ["deploy", "scale"])
def test_the_largest_count_compose_holds_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    body = service_body(field, LARGEST)
    code, output = validate(tmp_path, monkeypatch, body)
    assert code == 0, output
