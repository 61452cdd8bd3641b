"""A target's Dockerfile path the system cannot even look up (a name longer than the file
system allows) is left to BuildKit, as a missing file is: the checks skip it and the command
answers without a traceback (found by the command-line fuzz tier)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.api.bake_dockerfiles import dockerfile_reader
from bakepy.cli import app

LONG = "d" * 1000


def test_the_reader_answers_none_for_a_name_too_long(tmp_path: Path) -> None:
    read = dockerfile_reader(tmp_path)
    assert read({"context": ".", "dockerfile": LONG}) is None


def test_render_of_a_target_with_such_a_dockerfile_writes_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\n"
        f"spec: {{context: ., dockerfile: {LONG}}}\n"
    )
    result = CliRunner().invoke(app, ["render", "-f", "bakepy.yaml", "--out", "out"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert LONG in (tmp_path / "out" / "docker-bake.hcl").read_text()
