"""A real health wait through `bakepy apply`: plain lines in a pipe (CI), a line rewritten in
place on a terminal (a pseudo-terminal here), and nothing silent for seconds either way."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakepy.engine import labels as L

from .buildkit import docker, unique

pytestmark = pytest.mark.engine

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {{name: {name}}}
spec:
  services:
    db:
      image: {image}
      command: ["sh", "-c", "sleep 3; touch /tmp/ready; exec sleep 600"]
      healthcheck:
        test: ["CMD", "test", "-f", "/tmp/ready"]
        interval: 1s
        timeout: 1s
        retries: 30
    app:
      image: {image}
      command: ["sleep", "600"]
      depends_on:
        db: {{condition: service_healthy}}
"""


@pytest.fixture
def project(tmp_path: Path, base_image: str) -> Iterator[tuple[Path, str]]:
    name = unique("bakepy-wait")
    folder = tmp_path / "project"
    folder.mkdir()
    text = DEFINITION.format(name=name, image=base_image)
    (folder / "bakepy.yaml").write_text(text, encoding="utf-8")
    yield folder, name
    subprocess.run(
        [sys.executable, "-m", "bakepy", "delete", "-f", str(folder)],
        capture_output=True,
        timeout=300,
    )
    ids = docker("ps", "-aq", "--filter", f"label={L.PROJECT}={name}", check=False).split()
    if ids:
        docker("rm", "-f", *ids, check=False)


def test_plain_lines_in_a_pipe(project: tuple[Path, str]) -> None:
    folder, name = project
    result = subprocess.run(
        [sys.executable, "-m", "bakepy", "apply", "-f", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    waits = [line for line in result.stdout.splitlines() if line.startswith("waiting for")]
    assert waits, result.stdout
    assert waits[0].startswith(f"waiting for {name}-db-1 to be healthy (")
    assert len(waits) <= 2  # a 3 s wait: its first line (and at most one 10 s later)
    assert "\r" not in result.stdout
    assert f"waited service/db {name}-db-1" in result.stdout


def test_live_line_on_a_terminal(project: tuple[Path, str]) -> None:
    folder, name = project
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bakepy", "apply", "-f", str(folder), "--progress", "auto"],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process is gone
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=300) == 0, seen.decode(errors="replace")
    text = seen.decode(errors="replace")
    live = text.count(f"\r\x1b[Kwaiting for {name}-db-1 to be healthy (")
    assert live >= 3, text  # rewritten in place as the wait goes on (polls every second)
    assert f"waited service/db {name}-db-1" in text
