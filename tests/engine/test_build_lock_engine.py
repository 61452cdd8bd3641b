"""On the real engine: builds of one project take turns whatever their state folder, as
compose applies do: ``docker buildx bake`` runs under the engine lock ``build-<folder>``
(issue 15). A live lock held elsewhere makes the build wait, then fail naming its holder,
with nothing built."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bakepy import apply_builds, load
from bakepy.engine.engine_lock import EXPIRES, HOLDER, HOST, LOCK, OWNER, PID, lock_name
from bakepy.engine.lock import build_lock_name
from bakepy.errors import LockError

from .buildkit import docker, unique

pytestmark = pytest.mark.engine

CHILD = Path(__file__).with_name("build_child.py")

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: Dockerfile
metadata: {{name: slow}}
spec:
  stages:
    - from: {image}
      instructions:
        - instruction: RUN
          command: sleep 3 && date > /built-at.txt
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {{name: slow}}
spec:
  dockerfile: {{kind: Dockerfile, name: slow}}
  tags: ["{tag}"]
  output: ["type=docker"]
---
apiVersion: bakepy.dev/v1alpha1
kind: Group
metadata: {{name: default}}
spec:
  targets: [slow]
"""


def lock_objects(name: str) -> list[str]:
    listed = docker("network", "ls", "--filter", f"label={LOCK}={name}", "--format", "{{.Name}}")
    return sorted(listed.split())


@pytest.fixture
def folder(tmp_path: Path, base_image: str) -> Iterator[Path]:
    """A project folder of the test's own (its name is the lock's); the image it builds and
    any lock object are removed pass or fail."""
    project = tmp_path / unique("bklock")
    project.mkdir()
    tag = f"{unique('bakepy-build-lock')}:1"
    (project / "bakepy.yaml").write_text(DEFINITION.format(image=base_image, tag=tag))
    name = build_lock_name(project)
    try:
        yield project
    finally:
        for network in lock_objects(name):
            docker("network", "rm", network, check=False)
        docker("image", "rm", "-f", tag, check=False)


def child(folder: Path, state: Path) -> subprocess.Popen[str]:
    """``apply`` of the builds in a process of its own, with a state folder of its own."""
    env = {**os.environ, "BAKEPY_STATE_DIR": str(state)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-4000:]
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return report


def test_two_builds_with_different_state_folders_take_turns(folder: Path, tmp_path: Path) -> None:
    first = child(folder, tmp_path / "state-a")
    second: subprocess.Popen[str] | None = None
    try:
        deadline = time.monotonic() + 60
        while not lock_objects(build_lock_name(folder)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock_objects(build_lock_name(folder)), "the first build never took the lock"
        second = child(folder, tmp_path / "state-b")
        reports = [finish(first), finish(second)]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert reports[0]["built"] == ["slow"]
    assert reports[0]["bakes"]
    assert reports[1]["bakes"]  # its own state folder has no record: it builds too...
    first_end = max(end for _, end in reports[0]["bakes"])
    second_start = min(start for start, _ in reports[1]["bakes"])
    assert second_start >= first_end  # ...but only once the first one's build is over
    assert lock_objects(build_lock_name(folder)) == []


def test_a_live_build_lock_held_elsewhere_makes_the_build_wait_then_fail(folder: Path) -> None:
    name = build_lock_name(folder)
    labels = {
        LOCK: name,
        OWNER: "f" * 32,
        HOLDER: "someone@elsewhere.example pid 4242",
        HOST: "elsewhere.example",
        PID: "4242",
        EXPIRES: f"{time.time() + 3600:.3f}",
    }
    flags = [f"--label={key}={value}" for key, value in labels.items()]
    docker("network", "create", "--config-only", *flags, lock_name(name))
    started = time.monotonic()
    with pytest.raises(LockError, match=r"someone@elsewhere\.example pid 4242"):
        apply_builds(load([folder]), progress="quiet", lock_timeout=1.5)
    assert time.monotonic() - started >= 1.5
    tag = load([folder]).targets[0].spec.tags[0]
    assert docker("image", "ls", "-q", tag) == ""  # nothing was built
    assert lock_objects(name) == [lock_name(name)]  # someone else's: left alone
