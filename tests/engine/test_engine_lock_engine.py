"""On the real engine: applies of one project take turns whatever their state folder, because
the lock lives on the engine (a labelled config-only network with an owner and a lease); a
lock whose holder died or whose lease ran out is taken over; a live one makes apply wait, then
fail naming its holder (issue 15)."""

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

from bakepy import ComposeProject, load
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime
from bakepy.engine.engine_lock import EXPIRES, HOLDER, HOST, LOCK, OWNER, PID, lock_name
from bakepy.errors import LockError

from .buildkit import docker, unique

pytestmark = pytest.mark.engine

CHILD = Path(__file__).with_name("runtime_child.py")

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {{name: {name}}}
spec:
  services:
    slow:
      image: {image}
      init: true
      command: [sh, -c, "sleep 2 && touch /tmp/ok && exec sleep 86400"]
      healthcheck:
        test: [CMD, test, -f, /tmp/ok]
        interval: 30s
        start_period: 30s
        start_interval: 250ms
    app:
      image: {image}
      init: true
      command: [sleep, "86400"]
      depends_on: {{slow: {{condition: service_healthy}}}}
"""


def lock_objects(name: str) -> list[str]:
    listed = docker("network", "ls", "--filter", f"label={LOCK}={name}", "--format", "{{.Name}}")
    return sorted(listed.split())


@pytest.fixture
def definition(tmp_path: Path, base_image: str) -> Iterator[Path]:
    """A project of the test's own (a slow healthy dependency: an apply takes seconds);
    whatever it made, lock objects included, is removed pass or fail."""
    name = unique("bklock")
    path = tmp_path / "bakepy.yaml"
    path.write_text(DEFINITION.format(name=name, image=base_image))
    try:
        yield path
    finally:
        for network in lock_objects(name):
            docker("network", "rm", network, check=False)
        delete_runtime(name, volumes=True)


def project_name(definition: Path) -> str:
    return load([definition]).of_kind(ComposeProject)[0].project_name


def child(definition: Path, state: Path, *flags: str) -> subprocess.Popen[str]:
    """``apply`` in a process of its own, with a state folder of its own."""
    env = {**os.environ, "BAKEPY_STATE_DIR": str(state)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(definition), *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err[-4000:]
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return report


def test_two_applies_with_different_state_folders_take_turns(
    definition: Path, tmp_path: Path
) -> None:
    first = child(definition, tmp_path / "state-a")
    time.sleep(0.5)
    second = child(definition, tmp_path / "state-b")
    reports = [finish(first), finish(second)]
    assert reports[0]["changed"]
    assert reports[1]["mutating_requests"] == 0, reports[1]
    assert not reports[1]["changed"]
    # the second waited for the first to finish before its first request that mutates
    assert lock_objects(project_name(definition)) == []


def plant_lock(project: str, *, host: str, pid: int, expires: float) -> None:
    """A lock object as another apply left it."""
    labels = {
        LOCK: project,
        OWNER: "f" * 32,
        HOLDER: f"someone@{host} pid {pid}",
        HOST: host,
        PID: str(pid),
        EXPIRES: f"{expires:.3f}",
    }
    flags = [f"--label={key}={value}" for key, value in labels.items()]
    docker("network", "create", "--config-only", *flags, lock_name(project))


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_lock_whose_holder_died_on_this_host_is_taken_over(definition: Path) -> None:
    import socket

    name = project_name(definition)
    plant_lock(name, host=socket.gethostname(), pid=dead_pid(), expires=time.time() + 3600)
    result = apply_runtime(load([definition]), lock_timeout=5, wait_timeout=60)
    assert result.changed
    assert lock_objects(name) == []


def test_a_lock_whose_lease_ran_out_is_taken_over(definition: Path) -> None:
    name = project_name(definition)
    plant_lock(name, host="elsewhere.example", pid=1, expires=time.time() - 1)
    result = apply_runtime(load([definition]), lock_timeout=5, wait_timeout=60)
    assert result.changed
    assert lock_objects(name) == []


def test_a_live_lock_from_another_host_makes_apply_wait_then_fail(definition: Path) -> None:
    name = project_name(definition)
    plant_lock(name, host="elsewhere.example", pid=4242, expires=time.time() + 3600)
    started = time.monotonic()
    with pytest.raises(LockError, match=r"someone@elsewhere\.example pid 4242"):
        apply_runtime(load([definition]), lock_timeout=1.5, wait_timeout=60)
    assert time.monotonic() - started >= 1.5
    assert docker("ps", "-a", "-q", "--filter", f"label=dev.bakepy.project={name}") == ""
    assert lock_objects(name) == [lock_name(name)]  # someone else's: left alone
