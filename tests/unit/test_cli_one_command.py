"""A command line that starts with a command's name builds only that command's click tree;
its help, usage errors and exit codes are those of the whole app, and anything else (help,
global options, completion, an unknown command) gets the whole app."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bakepy.cli.app import _app_for, app

runner = CliRunner()


@pytest.mark.parametrize(
    "words",
    [
        ["render", "--help"],
        ["render", "--bogus"],
        ["render", "-o", "json", "--bogus"],
        ["render", "--format", "xml", "-o", "json"],
        ["schema", "NoSuchKind"],
        ["plan", "--help"],
    ],
)
def test_one_command_answers_as_the_whole_app(words: list[str]) -> None:
    one = _app_for(words)
    assert [command.name for command in one.registered_commands] == [words[0]]
    alone = runner.invoke(one, words)
    whole = runner.invoke(app, words)
    assert (alone.exit_code, alone.stdout, alone.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )


@pytest.mark.parametrize(
    "words", [[], ["--help"], ["--context", "ci", "render"], ["rendr", "::"], ["::", "render"]]
)
def test_other_command_lines_get_every_command(words: list[str]) -> None:
    assert _app_for(words) is app


def test_shell_completion_gets_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_BAKEPY_COMPLETE", "complete_bash")
    assert _app_for(["render"]) is app


def test_the_app_keeps_every_command() -> None:
    _app_for(["render"])
    assert len(app.registered_commands) > 1
