"""Stack apply interpolates compose variables exactly as compose runtime apply does: the
environment over the project folder's ``.env``, on the values the plan compares and hashes, with
values of a service's environment (where secrets live) shown only as digests; a missing required
variable is a one-line error naming the stack, the field and the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy import load
from bakepy.cli import app
from bakepy.engine import labels as L
from bakepy.engine.state import digest_key
from bakepy.engine.swarm.desired import content_name
from bakepy.engine.swarm.plan import StackPlan
from bakepy.engine.swarm.verbs import apply_stack, plan_stack
from bakepy.errors import BakepyError
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm

SECRET = "pa55-from-dotenv-never-shown"

DEFINITION = """
from bakepy.models.compose import ComposeConfig, Service
from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.models.compose.project import Stack, StackSpec

web = ComposeProject(
    metadata="shop",
    spec=ComposeProjectSpec(
        services={
            "web": Service(
                image="busybox:${IMAGE_TAG:-1.36}",
                command=["echo", "${GREETING}", "$$HOME"],
                environment={"MODE": "${MODE}", "TOKEN": "${TOKEN}", "PLAIN": "shown"},
                labels={"tier": "${TIER-back}"},
                configs=["motd"],
                deploy={"replicas": 1},
            )
        },
        configs={"motd": ComposeConfig(content="costs $$5")},
    ),
)
stack = Stack(metadata="shop", spec=StackSpec(project=web))
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A definition file with a .env beside it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.py").write_text(DEFINITION)
    (folder / ".env").write_text(f"MODE=from-dotenv\nGREETING=hello\nTOKEN={SECRET}\n")
    return folder


def _service(swarm: FakeSwarm) -> dict[str, object]:
    (body,) = [o.body for o in swarm.objects.values() if o.kind == "service"]
    return body


def _container(swarm: FakeSwarm) -> dict[str, object]:
    task = _service(swarm)["TaskTemplate"]
    assert isinstance(task, dict)
    container: dict[str, object] = task["ContainerSpec"]
    return container


def test_values_are_interpolated_from_the_environment_over_the_dotenv_file(
    folder: Path,
) -> None:
    swarm = FakeSwarm()
    apply_stack(load([folder / "bakepy.py"]), client=swarm, environment={"MODE": "shell"})
    container = _container(swarm)
    assert container["Image"] == "busybox:1.36"
    assert container["Args"] == ["echo", "hello", "$HOME"]
    assert container["Labels"] == {"tier": "back", "com.docker.stack.namespace": "shop"}
    assert sorted(container["Env"]) == [  # type: ignore[call-overload]
        "MODE=shell",  # the environment wins over .env
        "PLAIN=shown",
        f"TOKEN={SECRET}",
    ]
    config = content_name("shop", "motd", b"costs $5", digest_key())  # $$ read as $ once
    assert f"create config {config}" in swarm.calls


def test_a_changed_variable_rolls_the_service_and_an_unchanged_one_changes_nothing(
    folder: Path,
) -> None:
    swarm = FakeSwarm()
    project = load([folder / "bakepy.py"])
    apply_stack(project, client=swarm, environment={"MODE": "one"})
    swarm.calls.clear()
    again = apply_stack(project, client=swarm, environment={"MODE": "one"})
    assert not again.changed
    assert swarm.mutations == []

    plan = plan_stack(
        project, client=swarm, environment={"MODE": "mode-two-hidden", "IMAGE_TAG": "1.37"}
    )
    assert isinstance(plan, StackPlan)
    change = plan.find("shop_web")
    assert change is not None
    assert change.action == "update"
    shown = plan.render() + plan.to_json()
    assert "busybox:1.37" in shown  # interpolated fields are shown ...
    assert "contents.environment/MODE: content changed (hidden)" in shown
    assert "mode-two-hidden" not in shown  # ... a service's environment only as a digest
    apply_stack(project, client=swarm, environment={"MODE": "mode-two-hidden", "IMAGE_TAG": "1.37"})
    assert swarm.mutations == ["update service shop_web"]
    container = _container(swarm)
    assert container["Image"] == "busybox:1.37"
    assert "MODE=mode-two-hidden" in container["Env"]  # type: ignore[operator]


def test_a_secret_from_dotenv_never_appears_in_a_plan_or_a_label(folder: Path) -> None:
    swarm = FakeSwarm()
    project = load([folder / "bakepy.py"])
    plan = plan_stack(project, client=swarm, environment={})
    assert SECRET not in plan.render() + plan.to_json()
    apply_stack(project, client=swarm, environment={})
    labels = _service(swarm)["Labels"]
    assert SECRET not in str(labels)
    assert isinstance(labels, dict)
    assert "from-dotenv" not in labels[L.SPEC]
    (folder / ".env").write_text((folder / ".env").read_text().replace(SECRET, "rotated"))
    rotated = plan_stack(project, client=swarm, environment={})
    assert rotated.find("shop_web").action == "update"  # type: ignore[union-attr]
    assert "rotated" not in rotated.render() + rotated.to_json()


def _required(folder: Path) -> Project:
    text = DEFINITION.replace('"${MODE}"', '"${MODE:?set MODE to the mode}"')
    (folder / "bakepy.py").write_text(text)
    return load([folder / "bakepy.py"])


def test_a_missing_required_variable_names_the_stack_the_field_and_the_variable(
    folder: Path,
) -> None:
    (folder / ".env").write_text("TOKEN=x\n")
    swarm = FakeSwarm()
    with pytest.raises(BakepyError) as error:
        plan_stack(_required(folder), client=swarm, environment={})
    message = str(error.value)
    assert message.startswith("Stack/shop: services.web.environment.MODE: ")
    assert "required variable MODE is missing a value: set MODE to the mode" in message
    assert swarm.mutations == []


def test_the_cli_passes_the_environment_and_fails_cleanly_on_a_missing_variable(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / ".env").write_text("TOKEN=x\n")
    _required(folder)
    swarm = FakeSwarm()
    monkeypatch.setattr("bakepy.engine.swarm.verbs.DockerSwarmClient", lambda: swarm)
    runner = CliRunner()
    args = ["plan", "-f", str(folder / "bakepy.py"), "--stack", "shop"]
    result = runner.invoke(app, args, env={"MODE": ""})
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    assert "services.web.environment.MODE" in result.stderr
    assert "required variable MODE is missing a value" in result.stderr

    result = runner.invoke(app, args, env={"MODE": "from-shell"})
    assert result.exit_code == 1  # something would change
    assert "+ service/web" in result.stdout
    apply = runner.invoke(app, ["apply", "--no-build", *args[1:]], env={"MODE": "from-shell"})
    assert apply.exit_code == 0, apply.stderr
    assert "MODE=from-shell" in _container(swarm)["Env"]  # type: ignore[operator]
