"""Label selectors restrict compose services, not only bake targets: `plan`, `apply` and
`delete -l` work on the services whose labels match (with what they depend on, as compose's
`up SERVICE`), and leave the project's other services alone, on the real engine."""

from __future__ import annotations

import json
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
    web:
      image: {image}
      command: ["sleep", "600"]
      labels: {{tier: front}}
      depends_on: [api]
    api:
      image: {image}
      command: ["sleep", "600"]
      labels: {{tier: back}}
    worker:
      image: {image}
      command: ["sleep", "{worker_sleep}"]
      labels: {{tier: batch}}
"""


@pytest.fixture
def project(tmp_path: Path, base_image: str) -> Iterator[tuple[Path, str]]:
    """A three-service project; whatever it leaves on the engine is removed afterwards."""
    name = unique("bakepy-sel")
    folder = tmp_path / "project"
    folder.mkdir()
    _write(folder, name, base_image, 600)
    yield folder, name
    _bakepy(folder, "delete", "--volumes")
    ids = docker("ps", "-aq", "--filter", f"label={L.PROJECT}={name}", check=False).split()
    if ids:
        docker("rm", "-f", *ids, check=False)


def _write(folder: Path, name: str, image: str, worker_sleep: int) -> None:
    text = DEFINITION.format(name=name, image=image, worker_sleep=worker_sleep)
    (folder / "bakepy.yaml").write_text(text, encoding="utf-8")


def _bakepy(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bakepy", *args, "-f", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=folder,
    )


def _running(name: str) -> set[str]:
    found = docker(
        "ps", "--filter", f"label={L.PROJECT}={name}", "--format", '{{.Label "' + L.RESOURCE + '"}}'
    )
    return {line.removeprefix("service/") for line in found.split()}


def test_selectors_restrict_services(project: tuple[Path, str], base_image: str) -> None:
    folder, name = project
    applied = _bakepy(folder, "apply", "-l", "tier=front")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert _running(name) == {"web", "api"}  # api: web depends on it
    assert "worker" not in applied.stdout + applied.stderr

    planned = _bakepy(folder, "plan", "-l", "tier=batch", "-o", "json")
    assert planned.returncode == 1, planned.stdout + planned.stderr
    document = json.loads(planned.stdout)
    changes = [c for p in document["runtime"] for c in p["changes"] if c["action"] != "unchanged"]
    assert {c["resource"] for c in changes} == {"service/worker"}

    everything = _bakepy(folder, "apply")
    assert everything.returncode == 0, everything.stderr
    assert _running(name) == {"web", "api", "worker"}

    _write(folder, name, base_image, 700)  # only the worker changes
    assert _bakepy(folder, "plan", "-l", "tier=front").returncode == 0
    assert _bakepy(folder, "plan", "-l", "tier in (back,front)").returncode == 0
    assert _bakepy(folder, "plan", "-l", "tier=batch").returncode == 1

    deleted = _bakepy(folder, "delete", "-l", "tier=batch")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert _running(name) == {"web", "api"}
    assert _bakepy(folder, "plan", "-l", "tier=front").returncode == 0


def test_a_selector_matching_nothing_is_an_error(project: tuple[Path, str]) -> None:
    folder, _ = project
    result = _bakepy(folder, "plan", "-l", "tier=nowhere")
    assert result.returncode == 2
    assert "nothing matches the selector tier=nowhere" in result.stderr
