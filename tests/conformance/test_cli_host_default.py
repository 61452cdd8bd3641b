"""``bakepy apply`` writes host files only when asked: without ``--root`` it plans them against
this machine's / and writes nothing; with ``--root DIR`` it writes them there."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bakepy.cli import app

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: DaemonConfig
metadata: {name: engine}
spec:
  log-driver: local
  live-restore: true
"""
SYSTEM_FILE = Path("/etc/docker/daemon.json")


def _snapshot() -> bytes | None:
    return SYSTEM_FILE.read_bytes() if SYSTEM_FILE.is_file() else None


def test_apply_without_root_plans_host_files_and_writes_nothing(
    dockerd: str, tmp_path: Path
) -> None:
    (tmp_path / "bakepy.yaml").write_text(DEFINITION, encoding="utf-8")
    before = _snapshot()
    result = CliRunner().invoke(app, ["apply", "-f", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "planned only, nothing written" in result.output
    assert "--root / for this machine" in result.output
    assert _snapshot() == before
    as_json = CliRunner().invoke(app, ["apply", "-f", str(tmp_path), "-o", "json"])
    assert as_json.exit_code == 0, as_json.output
    host = json.loads(as_json.stdout)["host"]
    assert host["planned_only"] is True
    assert host["written"] == []
    assert _snapshot() == before


def test_apply_with_root_writes_there(dockerd: str, tmp_path: Path) -> None:
    (tmp_path / "bakepy.yaml").write_text(DEFINITION, encoding="utf-8")
    root = tmp_path / "root"
    result = CliRunner().invoke(app, ["apply", "-f", str(tmp_path), "--root", str(root)])
    assert result.exit_code == 0, result.output
    written = json.loads((root / "etc" / "docker" / "daemon.json").read_text(encoding="utf-8"))
    assert written["log-driver"] == "local"
    assert "planned only" not in result.output
