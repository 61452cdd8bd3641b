"""On the real engine: a service's anonymous volumes (``volumes: ["/data"]``, and its image's
``VOLUME /cache``) keep their data when a changed environment replaces the container, as
``docker compose up`` does; a reapply changes
nothing; ``--renew-anon-volumes`` gives a new, empty one and removes the old; ``delete`` keeps
anonymous volumes and ``delete --volumes`` removes them.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.api.definitions import load_selected
from bakepy.cli import app
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime

from .buildkit import docker, unique
from .test_runtime_parallel_engine import inspect

pytestmark = pytest.mark.engine

runner = CliRunner()


@pytest.fixture
def name() -> Iterator[str]:
    """A project name of the test's own; whatever it made is removed, pass or fail."""
    chosen = unique("bkanon")
    try:
        yield chosen
    finally:
        delete_runtime(chosen, volumes=True)


@pytest.fixture(scope="module")
def volume_image(base_image: str) -> Iterator[str]:
    """The base image with ``VOLUME /cache``."""
    tag = f"{unique('bkanon-image')}:1"
    subprocess.run(
        ["docker", "build", "-q", "-t", tag, "-"],
        input=f"FROM {base_image}\nVOLUME /cache\n",
        text=True,
        capture_output=True,
        timeout=120,
        check=True,
    )
    try:
        yield tag
    finally:
        docker("image", "rm", tag, check=False)


def compose_file(folder: Path, name: str, image: str) -> Path:
    """One service with an anonymous volume at /data (and the image's at /cache); its
    environment comes from MODE."""
    path = folder / "compose.yaml"
    path.write_text(
        f"name: {name}\n"
        "services:\n"
        "  db:\n"
        f"    image: {image}\n"
        "    init: true\n"
        "    command: [sleep, '86400']\n"
        "    environment: {MODE: '${MODE}'}\n"
        "    volumes: [/data]\n"
    )
    return path


def bakepy(*args: str, mode: str = "a") -> str:
    result = runner.invoke(app, list(args), env={"MODE": mode})
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def anonymous(container: str) -> dict[str, str]:
    """Volume name by destination, of the volumes a container mounts."""
    mounts = inspect(container)["Mounts"]
    return {m["Destination"]: m["Name"] for m in mounts if m["Type"] == "volume"}


def volumes() -> set[str]:
    return set(docker("volume", "ls", "-q").split())


def test_an_anonymous_volume_keeps_its_data_when_the_container_is_replaced(
    volume_image: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = compose_file(tmp_path, name, volume_image)
    container = f"{name}-db-1"
    bakepy("apply", "-f", str(file), "--no-build")
    before = anonymous(container)
    assert set(before) == {"/data", "/cache"}
    assert all(re.fullmatch("[0-9a-f]{64}", v) for v in before.values())  # engine-made
    docker("exec", container, "sh", "-c", "echo kept > /data/hello && echo too > /cache/c")

    out = bakepy("apply", "-f", str(file), "--no-build", mode="b")
    assert "replaced service/db" in out
    assert anonymous(container) == before
    assert docker("exec", container, "cat", "/data/hello", "/cache/c") == "kept\ntoo\n"
    assert inspect(container)["Config"]["Env"].count("MODE=b") == 1

    monkeypatch.setenv("MODE", "b")  # the loader interpolates the file too
    counting = CountingClient(DockerEngineClient())
    project = load_selected([file], [], None)
    same = apply_runtime(project, client=counting, environment=dict(os.environ))
    assert not same.changed, same.plan.render()
    assert counting.mutating_requests == 0

    bakepy("apply", "-f", str(file), "--no-build", "--renew-anon-volumes", mode="c")
    renewed = anonymous(container)
    assert not set(renewed.values()) & set(before.values())
    assert not set(before.values()) & volumes()
    assert docker("exec", container, "ls", "-A", "/data", "/cache").split() == ["/cache:", "/data:"]


def test_delete_keeps_anonymous_volumes_and_delete_volumes_removes_them(
    volume_image: str, name: str, tmp_path: Path
) -> None:
    file = compose_file(tmp_path, name, volume_image)
    container = f"{name}-db-1"
    bakepy("apply", "-f", str(file), "--no-build")
    bakepy("apply", "-f", str(file), "--no-build", mode="b")  # inherited: mounted by name now
    inherited = set(anonymous(container).values())
    assert len(inherited) == 2
    bakepy("delete", "-f", str(file), "--volumes")
    assert not inherited & volumes()

    bakepy("apply", "-f", str(file), "--no-build")
    kept = set(anonymous(container).values())
    try:
        bakepy("delete", "-f", str(file))
        assert kept <= volumes()  # as after docker compose down
        bakepy("apply", "-f", str(file), "--no-build")
        fresh = set(anonymous(container).values())
        assert not fresh & kept  # no container hands them on any more, as with compose
        bakepy("delete", "-f", str(file), "--volumes")
        assert not fresh & volumes()
    finally:
        docker("volume", "rm", "-f", *kept, check=False)
