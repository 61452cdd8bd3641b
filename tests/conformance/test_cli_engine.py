"""``bakepy plan`` and ``apply`` for host files through the command line, into a ``--root``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

REPO = Path(__file__).resolve().parents[2]
ENGINE_HOST = REPO / "examples" / "engine-host" / "bakepy.py"  # bakepy.yaml is beside it


def write_tls_files(root: Path) -> None:
    """The example points dockerd at TLS files; --validate loads them, so make real ones."""
    import subprocess

    tls = root / "etc" / "docker" / "tls"
    tls.mkdir(parents=True)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=bakepy-test",
            "-keyout",
            str(tls / "server-key.pem"),
            "-out",
            str(tls / "server-cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    (tls / "ca.pem").write_bytes((tls / "server-cert.pem").read_bytes())


@pytest.mark.conformance
def test_plan_apply_plan_on_a_host_root(dockerd: str, tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_tls_files(root)
    runner = CliRunner()
    planned = runner.invoke(app, ["plan", "-f", str(ENGINE_HOST), "--root", str(root)])
    assert planned.exit_code == 1, planned.stdout + planned.stderr
    assert "daemon.json" in planned.stdout
    applied = runner.invoke(
        app, ["apply", "-f", str(ENGINE_HOST), "--root", str(root), "--output", "json"]
    )
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    record = json.loads(applied.stdout)
    assert record["builds"] is None
    assert record["runtime"] == []
    assert (root / "etc" / "docker" / "daemon.json").is_file()
    assert (root / "etc" / "systemd" / "system" / "docker.service.d" / "bakepy.conf").is_file()
    again = runner.invoke(app, ["plan", "-f", str(ENGINE_HOST), "--root", str(root)])
    assert again.exit_code == 0, again.stdout + again.stderr


def test_plan_with_nothing_to_plan_says_so(tmp_path: Path) -> None:
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Variable\nmetadata: {name: TAG}\n"
    )
    result = CliRunner().invoke(app, ["plan", "-f", str(tmp_path)])
    assert result.exit_code == 0
    assert "nothing to plan" in result.stdout
