"""Runtime apply interpolates compose variables as ``docker compose up`` does: every form, the
environment over the project folder's ``.env``, on the values the plan compares, with values
of a service's environment (where secrets live) shown only as digests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import ComposeProject, ComposeProjectSpec, load
from bakepy.engine import labels as L
from bakepy.engine.compose.interpolate import interpolate_document
from bakepy.engine.compose.verbs import apply_runtime, plan_runtime
from bakepy.errors import BakepyError
from bakepy.models.compose import Service, ServiceHealthcheck
from bakepy.testing.fake_engine import FakeContainer, FakeEngine

IMAGE = "registry.test/busybox:1"
SECRET = "pa55-from-dotenv-never-shown"

DEFINITION = """
from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.models.compose import ComposeSecret, Service

project = ComposeProject(
    metadata="interp",
    spec=ComposeProjectSpec(
        services={
            "app": Service(
                image="registry.test/busybox:${TAG:-1}",
                command=["echo", "${GREETING}", "$$HOME"],
                environment={"MODE": "${MODE}", "PLAIN": "shown", "FROM_DOTENV": None},
                env_file=["app.env"],
                labels={"tier": "${TIER-back}"},
                secrets=["token"],
                extensions={"x-note": "${NOT_INTERPOLATED:?compose leaves x- keys}"},
            )
        },
        secrets={"token": ComposeSecret(environment="TOKEN")},
    ),
)
"""


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(images={IMAGE: "sha256:one", "registry.test/busybox:2": "sha256:two"})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A definition file with a .env and an env file beside it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.py").write_text(DEFINITION)
    (folder / ".env").write_text(
        f"MODE=from-dotenv\nGREETING=hello\nFROM_DOTENV=dot\nTOKEN={SECRET}\nDIR=/srv\n"
    )
    (folder / "app.env").write_text("IN_FILE=${DIR}/data\nLITERAL='${DIR}'\n")
    return folder


def container(engine: FakeEngine, name: str) -> FakeContainer:
    return next(c for c in engine.containers.values() if c.name == name)


def env_of(found: FakeContainer) -> dict[str, str]:
    return dict(e.split("=", 1) for e in found.body["Env"])


def test_values_are_interpolated_from_the_environment_over_the_dotenv_file(
    folder: Path, engine: FakeEngine
) -> None:
    apply_runtime(load([folder / "bakepy.py"]), client=engine, environment={"MODE": "shell"})
    app = container(engine, "interp-app-1")
    assert app.body["Image"] == IMAGE
    assert app.body["Cmd"] == ["echo", "hello", "$HOME"]
    assert app.body["Labels"]["tier"] == "back"
    assert env_of(app) == {
        "MODE": "shell",  # the shell wins over .env
        "PLAIN": "shown",
        "FROM_DOTENV": "dot",  # a variable without a value takes the project's
        "IN_FILE": "/srv/data",  # env files are interpolated too
        "LITERAL": "${DIR}",  # ... but not in single quotes
    }


def test_a_changed_variable_is_planned_and_an_unchanged_one_is_not(
    folder: Path, engine: FakeEngine
) -> None:
    project = load([folder / "bakepy.py"])
    apply_runtime(project, client=engine, environment={})
    assert not plan_runtime(project, client=engine, environment={}).has_changes
    changed = plan_runtime(project, client=engine, environment={"TAG": "2", "MODE": "other"})
    change = changed.find("interp-app-1")
    assert change is not None
    assert change.action == "replace"
    shown = changed.render() + changed.to_json()
    assert "registry.test/busybox:2" in shown  # interpolated fields are shown ...
    assert "contents.environment/MODE: content changed (hidden)" in shown
    assert "other" not in shown  # ... but a service's environment only as a digest
    apply_runtime(project, client=engine, environment={"TAG": "2", "MODE": "other"})
    assert env_of(container(engine, "interp-app-1"))["MODE"] == "other"


def test_secret_values_from_dotenv_never_appear_in_a_plan_or_the_labels(
    folder: Path, engine: FakeEngine
) -> None:
    project = load([folder / "bakepy.py"])
    plan = plan_runtime(project, client=engine, environment={})
    assert SECRET not in plan.render() + plan.to_json()
    apply_runtime(project, client=engine, environment={})
    app = container(engine, "interp-app-1")
    assert SECRET not in str(app.body["Labels"])
    assert "from-dotenv" not in app.body["Labels"][L.SPEC]
    (folder / ".env").write_text((folder / ".env").read_text().replace(SECRET, "rotated"))
    rotated = plan_runtime(project, client=engine, environment={})
    assert rotated.find("interp-app-1").action == "replace"  # type: ignore[union-attr]
    assert "rotated" not in rotated.render() + rotated.to_json()


def test_an_unset_variable_is_blank_with_a_warning(engine: FakeEngine) -> None:
    project = ComposeProject(
        metadata="blank",
        spec=ComposeProjectSpec(services={"x": Service(image=IMAGE, labels={"a": "[${UNSET}]"})}),
    )
    plan = plan_runtime(project, client=engine, environment={})
    assert plan.warnings == ['The "UNSET" variable is not set. Defaulting to a blank string.']
    apply_runtime(project, client=engine, environment={})
    assert container(engine, "blank-x-1").body["Labels"]["a"] == "[]"


@pytest.mark.parametrize(
    ("value", "environment", "expected"),
    [
        ("$V", {"V": "v"}, "v"),
        ("${V}", {"V": "v"}, "v"),
        ("${V:-d}", {"V": ""}, "d"),
        ("${V-d}", {"V": ""}, ""),
        ("${V-d}", {}, "d"),
        ("${V:+a}", {"V": "v"}, "a"),
        ("${V:+a}", {"V": ""}, ""),
        ("${V+a}", {"V": ""}, "a"),
        ("${V:?e}", {"V": "v"}, "v"),
        ("${V?e}", {"V": ""}, ""),
        ("${V:-${W:-nested}}", {}, "nested"),
        ("${V:-${W}}", {"W": "w"}, "w"),
        ("$$V and $${V}", {"V": "v"}, "$V and ${V}"),
    ],
)
def test_every_compose_form(value: str, environment: dict[str, str], expected: str) -> None:
    document = {"name": "p", "services": {"x": {"image": value}}}
    done = interpolate_document(document, environment, "ComposeProject/p")
    assert done.data["services"]["x"]["image"] == expected


@pytest.mark.parametrize(
    ("value", "environment", "message"),
    [
        ("${V:?must be set}", {"V": ""}, "required variable V is missing a value: must be set"),
        ("${V?must be set}", {}, "required variable V is missing a value: must be set"),
        ("${V", {}, "invalid interpolation format"),
    ],
)
def test_a_required_variable_or_a_bad_form_names_the_field(
    value: str, environment: dict[str, str], message: str
) -> None:
    document = {"name": "p", "services": {"x": {"labels": {"a": value}}}}
    with pytest.raises(BakepyError, match=r"ComposeProject/p: services\.x\.labels\.a: ") as error:
        interpolate_document(document, environment, "ComposeProject/p")
    assert message in str(error.value)


def test_extension_keys_and_keys_are_left_as_written() -> None:
    document = {
        "name": "p",
        "x-top": "${A:?no}",
        "services": {"x": {"x-mine": "${A:?no}", "labels": {"${A}": "${A}"}}},
    }
    done = interpolate_document(document, {"A": "a"}, "ComposeProject/p")
    assert done.data["x-top"] == "${A:?no}"
    assert done.data["services"]["x"] == {"x-mine": "${A:?no}", "labels": {"${A}": "a"}}


def test_a_variable_mount_source_that_is_a_path_becomes_a_bind() -> None:
    # the models keep a short-syntax mount with a variable as written; compose (and apply)
    # read it once interpolated: a path is a bind mount, a name a named volume
    document = {
        "name": "p",
        "services": {"x": {"volumes": ["${DATA}:/t", "${CACHE}:/c:ro"]}},
        "volumes": {"cache": {}},
    }
    done = interpolate_document(document, {"DATA": "./data", "CACHE": "cache"}, "p")
    assert done.data["services"]["x"]["volumes"] == [
        {"type": "bind", "source": "./data", "target": "/t", "bind": {"create_host_path": True}},
        {"type": "volume", "source": "cache", "target": "/c", "read_only": True, "volume": {}},
    ]


def test_interpolated_durations_reach_the_engine_normalized(engine: FakeEngine) -> None:
    check = ServiceHealthcheck(test=["CMD", "true"], interval="${EVERY}")
    project = ComposeProject(
        metadata="durations",
        spec=ComposeProjectSpec(services={"x": Service(image=IMAGE, healthcheck=check)}),
    )
    apply_runtime(project, client=engine, environment={"EVERY": "1m30s"})
    assert container(engine, "durations-x-1").body["Healthcheck"]["Interval"] == 90_000_000_000
