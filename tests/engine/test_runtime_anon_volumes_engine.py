"""On the real engine: a service's anonymous volume (``volumes: ["/data"]``) keeps its data when
a changed environment replaces the container, as ``docker compose up`` does; a reapply changes
nothing; ``--renew-anon-volumes`` gives a new, empty one and removes the old; ``delete`` keeps
anonymous volumes and ``delete --volumes`` removes them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.api import load_selected
from bakepy.cli import app
from bakepy.engine.runtime import CountingClient, DockerEngineClient, apply_runtime, delete_runtime

from .buildkit import docker, unique
from .test_runtime_parallel_engine import inspect, state  # noqa: F401 (state: autouse fixture)

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


def compose_file(folder: Path, name: str, image: str) -> Path:
    """One service with an anonymous volume at /data; its environment comes from MODE."""
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
    base_image: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = compose_file(tmp_path, name, base_image)
    container = f"{name}-db-1"
    bakepy("apply", "-f", str(file), "--no-build")
    first = anonymous(container)["/data"]
    assert re.fullmatch("[0-9a-f]{64}", first)  # the engine made and named it
    docker("exec", container, "sh", "-c", "echo kept > /data/hello")

    out = bakepy("apply", "-f", str(file), "--no-build", mode="b")
    assert "replaced service/db" in out
    assert anonymous(container) == {"/data": first}
    assert docker("exec", container, "cat", "/data/hello") == "kept\n"
    assert inspect(container)["Config"]["Env"].count("MODE=b") == 1

    monkeypatch.setenv("MODE", "b")  # the loader interpolates the file too
    counting = CountingClient(DockerEngineClient())
    project = load_selected([file], [], None)
    same = apply_runtime(project, client=counting, environment=dict(os.environ))
    assert not same.changed, same.plan.render()
    assert counting.mutating_requests == 0

    bakepy("apply", "-f", str(file), "--no-build", "--renew-anon-volumes", mode="c")
    renewed = anonymous(container)["/data"]
    assert renewed != first
    assert first not in volumes()
    assert docker("exec", container, "ls", "-A", "/data") == ""


def test_delete_keeps_anonymous_volumes_and_delete_volumes_removes_them(
    base_image: str, name: str, tmp_path: Path
) -> None:
    file = compose_file(tmp_path, name, base_image)
    container = f"{name}-db-1"
    bakepy("apply", "-f", str(file), "--no-build")
    bakepy("apply", "-f", str(file), "--no-build", mode="b")  # inherited: mounted by name now
    inherited = anonymous(container)["/data"]
    bakepy("delete", "-f", str(file), "--volumes")
    assert inherited not in volumes()

    bakepy("apply", "-f", str(file), "--no-build")
    kept = anonymous(container)["/data"]
    try:
        bakepy("delete", "-f", str(file))
        assert kept in volumes()  # as after docker compose down
        bakepy("apply", "-f", str(file), "--no-build")
        fresh = anonymous(container)["/data"]
        assert fresh != kept  # no container hands it on any more, as with compose
        bakepy("delete", "-f", str(file), "--volumes")
        assert fresh not in volumes()
    finally:
        docker("volume", "rm", "-f", kept, check=False)
