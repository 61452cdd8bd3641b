"""On the real engine: an apply with nothing to change takes no lock, so it makes no change on
the engine at all: with another apply's live lock on the engine (from another host) a no-change
apply of a compose project, and of a stack, returns at once, unchanged, and leaves that lock
and every object alone; an apply with a change still waits for the lock, then fails naming
its holder (the guarantee that applies take turns)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime
from bakepy.engine.engine_lock import EXPIRES, HOLDER, HOST, LOCK, OWNER, PID, lock_name
from bakepy.engine.swarm.verbs import apply_stack, delete_stack
from bakepy.errors import LockError
from bakepy.models.compose import Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project

from .buildkit import docker, unique
from .test_stack_noop_engine import changes_since

pytestmark = pytest.mark.engine


def plant_lock(project: str) -> None:
    """A live lock of another host's apply, its lease an hour long."""
    labels = {
        LOCK: project,
        OWNER: "e" * 32,
        HOLDER: "someone@elsewhere.example pid 4242",
        HOST: "elsewhere.example",
        PID: "4242",
        EXPIRES: f"{time.time() + 3600:.3f}",
    }
    flags = [f"--label={key}={value}" for key, value in labels.items()]
    docker("network", "create", "--config-only", *flags, lock_name(project))


def _project(name: str, image: str, replicas: int = 1) -> Project:
    service = Service(
        image=image,
        init=True,
        command=["sleep", "86400"],
        stop_grace_period="1s",
        deploy={"replicas": replicas},
    )
    compose = ComposeProject(metadata=name, spec=ComposeProjectSpec(services={"app": service}))
    return Project([compose, Stack(metadata=name, spec=StackSpec(project=compose))])


@pytest.fixture
def name() -> Iterator[str]:
    """A name of the test's own; the compose project and lock objects are removed after."""
    chosen = unique("bknolock")
    try:
        yield chosen
    finally:
        docker("network", "rm", lock_name(chosen), check=False)
        delete_runtime(chosen, volumes=True)


def test_a_no_change_compose_apply_takes_no_lock(name: str, base_image: str) -> None:
    project = _project(name, base_image)
    assert apply_runtime(project, wait_timeout=60).changed
    plant_lock(name)
    since = time.time()
    started = time.monotonic()
    result = apply_runtime(project, lock_timeout=5)
    assert not result.changed
    assert time.monotonic() - started < 5  # it did not wait for the lock
    time.sleep(1)
    assert changes_since(since, name) == []
    with pytest.raises(LockError, match=r"someone@elsewhere\.example pid 4242"):
        apply_runtime(_project(name, base_image, replicas=2), lock_timeout=1)


def test_a_no_change_stack_apply_takes_no_lock(swarm: None, name: str, base_image: str) -> None:
    project = _project(name, base_image)
    try:
        assert apply_stack(project, stack=name, wait_timeout=120).changed
        plant_lock(f"stack-{name}")
        since = time.time()
        started = time.monotonic()
        result = apply_stack(project, stack=name, lock_timeout=5)
        assert not result.changed
        assert time.monotonic() - started < 5
        time.sleep(1)
        assert changes_since(since, name) == []
        with pytest.raises(LockError, match=r"someone@elsewhere\.example pid 4242"):
            apply_stack(_project(name, base_image, replicas=2), stack=name, lock_timeout=1)
    finally:
        docker("network", "rm", lock_name(f"stack-{name}"), check=False)
        delete_stack(name)
