"""On the real engine: a first bring-up starts independent services without waiting for a
slow healthy dependency that only its dependent waits for; ``bakepy plan``/``apply`` interpolate
compose variables from the environment, and a missing required one is a two-line error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bakepy import ComposeProject, ComposeProjectSpec, Project
from bakepy.cli import app
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime
from bakepy.models.compose import DependsOn, Service, ServiceHealthcheck

from .buildkit import docker, unique

pytestmark = pytest.mark.engine


@pytest.fixture
def name() -> Iterator[str]:
    """A project name of the test's own; whatever it made is removed, pass or fail."""
    chosen = unique("bkpar")
    try:
        yield chosen
    finally:
        delete_runtime(chosen, volumes=True)


def when(stamp: str) -> datetime:
    """An engine timestamp (nanoseconds, ``Z``) as a datetime."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{whole}.{(fraction + '000000')[:6]}+00:00")


def inspect(container: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(docker("inspect", container))[0]
    return found


def test_independent_services_do_not_wait_for_a_slow_healthy_dependency(
    base_image: str, name: str
) -> None:
    def sleeper(**extra: Any) -> Service:
        return Service(image=base_image, init=True, command=["sleep", "86400"], **extra)

    check = ServiceHealthcheck(
        test=["CMD", "test", "-f", "/tmp/ok"],
        interval="30s",
        start_period="30s",
        start_interval="250ms",
    )
    slow = Service(
        image=base_image,
        init=True,
        command=["sh", "-c", "sleep 3 && touch /tmp/ok && exec sleep 86400"],
        healthcheck=check,
    )
    services = {
        "slow": slow,
        "waiter": sleeper(depends_on={"slow": DependsOn(condition="service_healthy")}),
        "fast": sleeper(),
        "quick": sleeper(depends_on=["fast"]),  # one after the other, it would follow waiter
        **{f"free{i}": sleeper() for i in range(1, 4)},
    }
    project = ComposeProject(metadata=name, spec=ComposeProjectSpec(services=services))
    result = apply_runtime(project, wait_timeout=60)
    created = [
        d.name for d in result.done if d.action == "created" and d.resource != "network/default"
    ]
    order = ["slow", "fast", "free1", "free2", "free3", "waiter", "quick"]  # start order
    assert created == [f"{name}-{s}-1" for s in order]

    states = {s: inspect(f"{name}-{s}-1") for s in services}
    assert {s: i["State"]["Status"] for s, i in states.items()} == dict.fromkeys(
        services, "running"
    )
    probes = states["slow"]["State"]["Health"]["Log"]
    healthy = min(when(p["End"]) for p in probes if p["ExitCode"] == 0)
    assert when(states["waiter"]["Created"]) > healthy  # it waited for the condition
    for other in ("fast", "quick", "free1", "free2", "free3"):
        assert when(states[other]["Created"]) < healthy  # they did not


DEFINITION = """
from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.models.compose import Service

project = ComposeProject(
    metadata={name!r},
    spec=ComposeProjectSpec(
        services={{
            "app": Service(
                image="${{BKPAR_IMAGE}}",
                command=["sleep", "86400"],
                init=True,
                environment={{"MODE": "${{BKPAR_MODE:?set BKPAR_MODE}}", "FROM": "${{FROM}}"}},
            )
        }}
    ),
)
"""


def test_the_cli_interpolates_from_the_environment_and_dotenv(
    base_image: str, name: str, tmp_path: Path
) -> None:
    definition = tmp_path / "bakepy.py"
    definition.write_text(DEFINITION.format(name=name))
    (tmp_path / ".env").write_text(f"BKPAR_IMAGE={base_image}\nFROM=dotenv\n")
    runner = CliRunner()

    missing = runner.invoke(app, ["plan", "-f", str(definition)], env={"BKPAR_MODE": None})
    assert missing.exit_code == 2
    message = missing.stderr.strip()
    assert "Traceback" not in message
    assert len(message.splitlines()) <= 2
    assert "services.app.environment.MODE" in message
    assert "BKPAR_MODE" in message

    env = {"BKPAR_MODE": "one", "FROM": None}
    applied = runner.invoke(app, ["apply", "-f", str(definition)], env=env)
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    config = inspect(f"{name}-app-1")["Config"]
    assert "MODE=one" in config["Env"]
    assert "FROM=dotenv" in config["Env"]
    assert config["Image"] == base_image

    same = runner.invoke(app, ["plan", "-f", str(definition)], env=env)
    assert same.exit_code == 0, same.stdout + same.stderr
    changed = runner.invoke(app, ["plan", "-f", str(definition)], env={**env, "BKPAR_MODE": "2"})
    assert changed.exit_code == 1, changed.stdout + changed.stderr
    assert "replace" in changed.stdout
    assert "MODE: content changed (hidden)" in changed.stdout


def test_a_project_can_be_given_its_environment(base_image: str, name: str) -> None:
    service = Service(image="${IMAGE}", command=["sleep", "86400"], init=True)
    project = ComposeProject(metadata=name, spec=ComposeProjectSpec(services={"x": service}))
    apply_runtime(Project([project]), environment={"IMAGE": base_image})
    assert inspect(f"{name}-x-1")["Config"]["Image"] == base_image
