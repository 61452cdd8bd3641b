"""One-pass commands (render, print, ...) run without the cycle collector; the others
(apply, plan, ... which wait on an engine) keep it, collecting rarely."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bakepy.cli.app import ONE_PASS_COMMANDS, _command_word, app


def test_one_pass_commands_are_commands() -> None:
    assert {command.name for command in app.registered_commands} >= ONE_PASS_COMMANDS


@pytest.mark.parametrize(
    ("words", "command"),
    [
        (["render", "::", "--out", "out"], "render"),
        (["--context", "ci", "print", "api"], "print"),
        (["apply", "render"], "apply"),  # a target named after a command
        (["--help"], None),
    ],
)
def test_the_command_word_is_the_first_command_name(words: list[str], command: str | None) -> None:
    assert _command_word(words) == command


@pytest.mark.parametrize(("command", "collects"), [("schema", False), ("plan", True)])
def test_the_collector_runs_for_commands_that_wait(command: str, collects: bool) -> None:
    """The entry point, in a process of its own: ``gc.isenabled()`` as the command runs."""
    script = (
        "import gc, sys\n"
        "import bakepy.cli.app\n"
        "cli = sys.modules['bakepy.cli.app']\n"
        "class Probe:\n"
        "    registered_commands = cli.app.registered_commands\n"
        "    def __call__(self):\n"
        "        print(gc.isenabled(), file=sys.stderr); sys.exit(0)\n"
        "cli.app = Probe()\n"
        f"sys.argv = ['bakepy', {command!r}]\n"
        "cli.main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.stderr.strip() == str(collects), result.stderr
