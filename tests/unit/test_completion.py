"""Shell completion (typer's, through click): the script it installs, and what it completes -
commands, options, option values, Docker contexts from the CLI's store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bakepy.engine.endpoint import context_id

BAKEPY = Path(sys.executable).with_name("bakepy")  # the console script: its name keys completion


def _complete(words: str, tmp_path: Path, **env: str) -> list[str]:
    """What bash completion offers for the command line ``words`` (the last word is completed)."""
    parts = words.split(" ")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    environment |= {
        "_BAKEPY_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
        "DOCKER_CONFIG": str(tmp_path / "docker-config"),
        **env,
    }
    result = subprocess.run(
        [str(BAKEPY)], capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture(autouse=True)
def _console_script() -> None:
    if not BAKEPY.is_file():
        pytest.skip(f"the bakepy console script is not installed beside {sys.executable}")


def test_show_completion_prints_a_bash_script() -> None:
    result = subprocess.run(
        [str(BAKEPY), "--show-completion", "bash"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _bakepy_completion bakepy" in result.stdout
    assert "_BAKEPY_COMPLETE=complete_bash" in result.stdout


def test_commands_complete(tmp_path: Path) -> None:
    assert _complete("bakepy pl", tmp_path) == ["plan"]
    assert set(_complete("bakepy ", tmp_path)) >= {"apply", "plan", "delete", "render"}


def test_options_complete(tmp_path: Path) -> None:
    assert _complete("bakepy apply --pro", tmp_path) == ["--progress"]
    assert "--output" in _complete("bakepy plan --ou", tmp_path)


def test_context_names_complete_from_the_store(tmp_path: Path) -> None:
    meta = tmp_path / "docker-config" / "contexts" / "meta" / context_id("staging")
    meta.mkdir(parents=True)
    document = {"Name": "staging", "Endpoints": {"docker": {"Host": "tcp://10.0.0.2:2376"}}}
    (meta / "meta.json").write_text(json.dumps(document), encoding="utf-8")
    assert _complete("bakepy plan --context ", tmp_path) == ["default", "staging"]
    assert _complete("bakepy --context st", tmp_path) == ["staging"]
