"""A repository of compose packages applied from its root, on the real engine: each package's
service image is built from its own folder, each compose project is named as ``docker
compose`` names it in that folder, a second apply changes nothing, and ``delete`` removes what
one package's project owns and leaves the other's (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakepy.engine import labels as L

from .buildkit import docker, unique
from .test_noop_apply_engine import run_traced

pytestmark = pytest.mark.engine

BUILT = """\
services:
  api:
    build:
      context: .
      args: {{GREETING: "${{GREETING:-hello}}"}}
    image: {image}
    init: true
"""

PULLED = """\
services:
  worker:
    image: {image}
    command: ["sleep", "600"]
    init: true
"""


def _bakepy(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-P", "-m", "bakepy", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=root,
        env={**os.environ, **env},
    )


@pytest.fixture(name="repo")
def repo_fixture(tmp_path: Path, base_image: str) -> Iterator[tuple[Path, str, str, str]]:
    """Two compose packages in folders no other run uses (compose names a project after
    its folder); whatever they leave on the engine is removed afterwards."""
    root = tmp_path / "repo"
    api, worker = unique("bkrepo-api"), unique("bkrepo-worker")
    image = f"{api}:dev"
    files = {
        "bakepy.toml": 'packages = ["services/*"]\n',
        f"services/{api}/compose.yaml": BUILT.format(image=image),
        f"services/{api}/.env": "GREETING=from-the-package\n",
        f"services/{api}/Dockerfile": (
            f"FROM {base_image}\nARG GREETING\n"
            'RUN --network=none echo "$GREETING" > /greeting\nCMD ["sleep", "600"]\n'
        ),
        f"services/{worker}/compose.yaml": PULLED.format(image=base_image),
        "CODEOWNERS": "/services/ @org/platform\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    yield root, api, worker, image
    for project in (api, worker):
        found = docker("ps", "-aq", "--filter", f"label={L.PROJECT}={project}", check=False)
        if found.split():
            docker("rm", "-f", *found.split(), check=False)
        docker("network", "rm", f"{project}_default", check=False)
    docker("rmi", "-f", image, check=False)


def _containers(project: str) -> list[str]:
    listed = docker("ps", "--filter", f"label={L.PROJECT}={project}", "--format", "{{.Names}}")
    return sorted(listed.split())


def test_a_repository_of_compose_packages_applies_from_its_root(
    repo: tuple[Path, str, str, str],
) -> None:
    root, api, worker, image = repo
    applied = _bakepy(root, "apply", "::", "--no-syntax-directive")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Traceback" not in applied.stderr
    assert _containers(api) == [f"{api}-api-1"]  # named as compose names it in the folder
    assert _containers(worker) == [f"{worker}-worker-1"]
    # the build took the package's .env, as docker compose build in that folder does
    greeting = docker("run", "--rm", image, "cat", "/greeting").strip()
    assert greeting == "from-the-package"

    planned = _bakepy(root, "plan", "::", "--no-syntax-directive")
    assert planned.returncode == 0, planned.stdout + planned.stderr  # 0: nothing to change
    assert "0 to build; 1 up to date." in planned.stdout
    assert f"project {api} (@org/platform)\nNo changes." in planned.stdout  # with owners
    assert f"project {worker} (@org/platform)\nNo changes." in planned.stdout
    assert "target/services-bkrepo-api-" in planned.stdout
    assert " (@org/platform): up to date" in planned.stdout

    again = _bakepy(root, "apply", "::", "--no-syntax-directive")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("No changes. 2 resources unchanged; no mutating call") == 2
    assert "up to date services-" in again.stdout

    # a compose-only package's no-change plan is answered from the apply's cache entry: the
    # same text, owners included, as the whole command prints
    package = f"services/{worker}"
    assert _bakepy(root, "apply", "-f", package).returncode == 0
    whole = _bakepy(root, "plan", "-f", package, BAKEPY_APPLY_CACHE="0")
    cached, answered = run_traced(root, ["plan", "-f", package])
    assert answered  # no model was imported
    assert cached == whole.stdout
    assert cached.startswith(f"project {worker} (@org/platform)\n")

    deleted = _bakepy(root, "delete", f"services/{api}:")  # an address spec, as elsewhere
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert _containers(api) == []
    assert _containers(worker) == [f"{worker}-worker-1"]
