"""A command that ends its process keeps what it loaded alive until the process ends (freeing
a large project object by object at the command's return costs a render about 12 ms); a
command run inside a longer-lived process (a test's runner, a program) frees it as usual."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

APP = sys.modules["bakepy.cli.app"]


def test_kept_only_when_the_process_ends_with_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(APP, "_KEPT", [])
    monkeypatch.setattr(APP, "_ENDS_WITH_COMMAND", [])
    first, second = object(), object()
    assert APP.kept_until_exit(first) is first
    assert APP._KEPT == []
    APP._ENDS_WITH_COMMAND.append(True)
    assert APP.kept_until_exit(second) is second
    assert list(APP._KEPT) == [second]


def test_a_render_under_a_runner_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(APP, "_KEPT", [])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: api}\nspec: {}\n"
    )
    result = CliRunner().invoke(app, ["render", "--out", "out"])
    assert result.exit_code == 0, result.output
    assert APP._KEPT == []
