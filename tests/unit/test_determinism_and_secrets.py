"""Output is the same bytes on every run and hash seed; secret values never reach any output."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

REPO = Path(__file__).resolve().parents[2]
SECRETS_EXAMPLE = REPO / "examples" / "secrets-and-annotations"
SECRETS_DEFINITION = SECRETS_EXAMPLE / "bakepy.py"  # bakepy.yaml is beside it


def render_in_subprocess(out_dir: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bakepy",
            "render",
            "-f",
            str(REPO / "examples" / "go-client-server" / "bakepy.py"),
            "--out",
            str(out_dir),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return {p.name: p.read_bytes() for p in sorted(out_dir.iterdir())}


def test_render_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    first = render_in_subprocess(tmp_path / "out", "1")
    shutil.rmtree(tmp_path / "out")
    second = render_in_subprocess(tmp_path / "out", "4242")
    assert first == second


@pytest.fixture
def agent_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A unix socket standing for an ssh agent: buildx needs one to print ``ssh=default``."""
    path = tmp_path_factory.mktemp("ssh") / "agent.sock"
    with socket.socket(socket.AF_UNIX) as agent:
        agent.bind(str(path))
        yield str(path)


def test_secret_values_never_reach_rendered_files_or_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, agent_socket: str
) -> None:
    file_value = (SECRETS_EXAMPLE / "secrets" / "api-key.txt").read_text().strip()
    env_value = "npm_" + "x" * 24
    monkeypatch.setenv("NPM_TOKEN", env_value)
    monkeypatch.setenv("SSH_AUTH_SOCK", agent_socket)
    runner = CliRunner()
    rendered = runner.invoke(app, ["render", "-f", str(SECRETS_DEFINITION), "--out", str(tmp_path)])
    printed = runner.invoke(app, ["print", "-f", str(SECRETS_DEFINITION), "app"])
    assert rendered.exit_code == 0
    assert printed.exit_code == 0
    outputs = [rendered.stdout, printed.stdout] + [p.read_text() for p in tmp_path.iterdir()]
    for text in outputs:
        assert file_value not in text
        assert env_value not in text
    secrets = json.loads(printed.stdout)["target"]["app"]["secret"]
    assert {"id": "npm_token", "env": "NPM_TOKEN"} in secrets  # the id and the source only


def test_a_secret_value_in_a_declaration_is_refused_without_echoing_it(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\n"
        "spec:\n  secret:\n    - {id: tok, value: hunter2-do-not-print}\n"
    )
    result = CliRunner().invoke(app, ["validate", "-f", str(manifest)])
    assert result.exit_code == 2
    assert "never a value" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
