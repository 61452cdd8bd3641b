"""On the real engine: a declared project whose short-syntax port, named-volume mount and bind
mount hold compose variables runs with them interpolated from the environment given; changing
a variable replaces the container, the same environment again changes nothing, and a value
still invalid once interpolated is a two-line CLI error (exit 2) before anything is touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy import ComposeProject, ComposeProjectSpec, Project
from bakepy.cli import app
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.models.compose import ComposeVolume, Service

from .buildkit import docker, unique
from .test_runtime_parallel_engine import inspect

pytestmark = pytest.mark.engine


@pytest.fixture
def name() -> Iterator[str]:
    """A project name of the test's own; whatever it made is removed, pass or fail."""
    chosen = unique("bkvar")
    try:
        yield chosen
    finally:
        delete_runtime(chosen, volumes=True)


def declared(name: str, image: str, base: Path) -> Project:
    """Port, named volume and bind mount all given by variables, as a compose file would."""
    service = Service(
        image=image,
        init=True,
        command=["sleep", "86400"],
        ports=["127.0.0.1:${PORT:-18080}:80"],
        volumes=["${DATA}:/data", "${SRC}:/src:ro"],
    )
    spec = ComposeProjectSpec(services={"web": service}, volumes={"store": ComposeVolume()})
    return Project([ComposeProject(metadata=name, spec=spec)], base_dir=base)


def test_variables_in_port_and_mounts_reach_the_container(
    base_image: str, name: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "hello.txt").write_text("hi\n")
    project = declared(name, base_image, tmp_path)
    environment = {"DATA": "store", "SRC": "./src"}  # PORT unset: the default applies

    first = apply_runtime(project, environment=environment)
    assert first.changed
    container = inspect(f"{name}-web-1")
    bindings = container["HostConfig"]["PortBindings"]["80/tcp"]
    assert bindings == [{"HostIp": "127.0.0.1", "HostPort": "18080"}]
    mounts = {m["Destination"]: m for m in container["Mounts"]}
    assert mounts["/data"]["Type"] == "volume"
    assert mounts["/data"]["Name"] == f"{name}_store"
    assert mounts["/src"]["Type"] == "bind"
    assert mounts["/src"]["Source"] == str(source)
    assert mounts["/src"]["RW"] is False
    assert docker("exec", f"{name}-web-1", "cat", "/src/hello.txt") == "hi\n"

    counting = CountingClient(DockerEngineClient())
    same = apply_runtime(project, client=counting, environment=environment)
    assert not same.changed
    assert counting.mutating_requests == 0

    moved = {**environment, "PORT": "18089"}
    plan = plan_runtime(project, environment=moved)
    assert [c.name for c in plan.of("replace")] == [f"{name}-web-1"]
    apply_runtime(project, environment=moved)
    bindings = inspect(f"{name}-web-1")["HostConfig"]["PortBindings"]["80/tcp"]
    assert bindings == [{"HostIp": "127.0.0.1", "HostPort": "18089"}]
    assert not plan_runtime(project, environment=moved).has_changes


def test_a_value_invalid_after_interpolation_is_a_two_line_error(
    base_image: str, name: str, tmp_path: Path
) -> None:
    definition = tmp_path / "bakepy.yaml"
    definition.write_text(
        "apiVersion: bakepy.dev/v1alpha1\n"
        "kind: ComposeProject\n"
        f"metadata: {{name: {name}}}\n"
        "spec:\n"
        "  services:\n"
        f"    web: {{image: {base_image}, ports: ['${{PORT}}:80'], volumes: ['${{DATA}}:/d']}}\n"
    )
    runner = CliRunner()
    for env, field in (
        ({"PORT": "http", "DATA": "/tmp"}, "services.web.ports[0]"),
        ({"PORT": "18090", "DATA": "nowhere"}, "services.web.volumes[0]"),
    ):
        result = runner.invoke(app, ["apply", "-f", str(definition)], env=env)
        assert result.exit_code == 2, result.stdout + result.stderr
        message = result.stderr.strip()
        assert "Traceback" not in message
        assert len(message.splitlines()) <= 2
        assert field in message
    assert docker("ps", "-aq", "--filter", f"name={name}-").strip() == ""
