"""The no-change apply cache without an engine: which command lines and engines it answers
for, when an entry stops being valid, and the desired state's round trip through JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from bakepy.cli import apply_cache
from bakepy.cli.noop_apply import Request, local_socket, parse
from bakepy.engine.compose.desired import (
    Dependency,
    DesiredContainer,
    DesiredNetwork,
    DesiredState,
    DesiredVolume,
)
from bakepy.engine.compose.desired_codec import FileCheck, decode, encode
from bakepy.engine.state import StateFile, digest_key, save_digest_keys


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["apply"], Request()),
        (["apply", "-f", "a.yaml", "--file=b.yaml"], Request(("a.yaml", "b.yaml"))),
        (["apply", "-fc.yaml", "--compose", "shop"], Request(("c.yaml",), "shop")),
        (["apply", "--prune", "--compose=shop"], Request((), "shop", prune=True)),
        (["plan"], None),
        (["apply", "web"], None),  # a target: builds
        (["apply", "-o", "json"], None),
        (["apply", "--dry-run"], None),
        (["apply", "--prune-volumes"], None),
        (["apply", "-f"], None),
        (["--context", "remote", "apply"], None),
    ],
)
def test_only_plain_applies_are_answered(argv: list[str], expected: Request | None) -> None:
    assert parse(argv) == expected


def test_only_the_local_socket_is_read_directly(tmp_path: Path) -> None:
    home = {"DOCKER_CONFIG": str(tmp_path)}
    assert local_socket(home) == "/var/run/docker.sock"
    assert local_socket({**home, "DOCKER_HOST": "unix:///run/d.sock"}) == "/run/d.sock"
    assert local_socket({**home, "DOCKER_HOST": "tcp://10.0.0.1:2376"}) is None
    assert local_socket({**home, "DOCKER_HOST": "ssh://me@host"}) is None
    assert local_socket({**home, "DOCKER_CONTEXT": "remote"}) is None
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    assert local_socket(home) is None
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "default"}))
    assert local_socket(home) == "/var/run/docker.sock"


def _entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """An entry made after reading ``compose.yaml`` in a project folder."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "project"
    folder.mkdir()
    compose = folder / "compose.yaml"
    compose.write_text("services: {}\n")
    recorder = apply_cache.InputRecorder()
    recorder.hook("open", (str(compose), "r", 0))
    recorder.started = time.time_ns() + 10**9  # the files were written before it started
    key = apply_cache.request_key(["apply", "-f", str(folder)], {"MODE": "a"})
    inputs = recorder.inputs([str(folder)])
    assert inputs is not None
    apply_cache.store(key, inputs, {"projects": []})
    return key, compose


def test_an_entry_answers_while_its_inputs_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = _entry(tmp_path, monkeypatch)
    assert apply_cache.lookup(key) == ({"projects": []}, "")


def test_a_changed_file_invalidates_an_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, compose = _entry(tmp_path, monkeypatch)
    compose.write_text("services: {a: {image: x}}\n")
    payload, why = apply_cache.lookup(key)
    assert payload is None
    assert why == f"{compose} changed"


def test_a_new_file_beside_the_definitions_invalidates_an_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, compose = _entry(tmp_path, monkeypatch)
    (compose.parent / "compose.override.yaml").write_text("services: {}\n")
    payload, why = apply_cache.lookup(key)
    assert payload is None
    assert why == f"the files in {compose.parent} changed"


def test_a_new_digest_key_invalidates_an_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: Path
) -> None:
    key, _ = _entry(tmp_path, monkeypatch)
    state.mkdir(exist_ok=True)
    (state / "digest.key").write_bytes(b"k" * 32)
    assert apply_cache.lookup(key)[0] is None


def test_the_request_key_follows_the_environment_but_not_the_shell() -> None:
    key = apply_cache.request_key(["apply"], {"MODE": "a", "SHLVL": "1"})
    assert key == apply_cache.request_key(["apply"], {"MODE": "a", "SHLVL": "2"})
    assert key != apply_cache.request_key(["apply"], {"MODE": "b", "SHLVL": "1"})
    assert key != apply_cache.request_key(["apply", "--prune"], {"MODE": "a", "SHLVL": "1"})


def test_a_desired_state_survives_its_round_trip_without_its_secret(tmp_path: Path) -> None:
    secret = tmp_path / "files" / "token"
    file = StateFile(secret, b"hunter2", mode=0o600)
    container = DesiredContainer(
        service="app",
        replica=1,
        name="shop-app-1",
        image="busybox",
        body={"Image": "busybox", "HostConfig": {"RestartPolicy": {"Name": "no"}}},
        spec={"image": "busybox"},
        hash="sha256:1",
        networks=("shop_default",),
        volumes=("shop_data",),
        files=(file,),
    )
    desired = DesiredState(
        "shop",
        networks=[DesiredNetwork("default", "shop_default", hash="sha256:2")],
        volumes=[DesiredVolume("data", "shop_data", hash="sha256:3")],
        containers=[container],
        services=["app"],
        dependencies={"app": [Dependency("db", "service_healthy")]},
        warnings=["MODE is not set"],
    )
    data = json.loads(json.dumps(encode(desired, tmp_path)))
    assert "hunter2" not in json.dumps(data)
    back, checks = decode(data)
    assert back.containers[0].files == ()
    without_files = DesiredContainer(**{**container.__dict__, "files": ()})
    assert back == DesiredState(**{**desired.__dict__, "containers": [without_files]})
    key = digest_key(tmp_path)
    assert checks == [FileCheck(str(secret), 0o600, checks[0].digest)]
    assert not checks[0].is_current(key)
    file.write()
    assert checks[0].is_current(key)
    secret.chmod(0o644)
    assert not checks[0].is_current(key)
    save_digest_keys()


def test_only_the_newest_entries_are_kept(state: Path) -> None:
    for number in range(apply_cache.KEPT + 3):
        apply_cache.store(f"{number:04d}", {"files": {}, "folders": {}}, {"n": number})
    kept = sorted(p.stem for p in (state / "apply-cache").iterdir())
    assert len(kept) == apply_cache.KEPT
    assert apply_cache.lookup(f"{apply_cache.KEPT + 2:04d}")[0] == {"n": apply_cache.KEPT + 2}


def test_no_entry_when_an_input_changed_while_the_command_ran(tmp_path: Path) -> None:
    recorder = apply_cache.InputRecorder()
    compose = tmp_path / "compose.yaml"
    compose.write_text("services: {}\n")  # after the command started: maybe read before
    recorder.hook("open", (str(compose), "r", 0))
    assert recorder.inputs([str(compose)]) is None


def test_an_optional_env_file_that_appears_later_invalidates_an_entry(tmp_path: Path) -> None:
    from bakepy.engine.compose.env_files import service_environment

    recorder = apply_cache.InputRecorder()
    recorder.started = time.time_ns() + 10**9
    sys.addaudithook(recorder.hook)  # stays installed, inactive once ``inputs`` is called
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    service = {"env_file": [{"path": "config/extra.env", "required": False}]}
    assert service_environment(service, project, {}) == {}
    inputs = recorder.inputs([str(project)])
    assert inputs is not None
    assert inputs["files"][str(project / "config" / "extra.env")] is None
    apply_cache.store("probe", inputs, {"projects": []})
    assert apply_cache.lookup("probe") == ({"projects": []}, "")
    (project / "config" / "extra.env").write_text("EXTRA=1\n")
    assert apply_cache.lookup("probe")[0] is None


TWO_PROJECTS = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: one}
spec: {services: {web: {image: busybox, command: [sleep, "60"]}}}
---
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: two}
spec: {services: {web: {image: busybox, command: [sleep, "60"]}}}
"""


@pytest.mark.parametrize(
    ("argv", "kept"),
    [
        (["--compose", "one"], True),  # the one project asked for was lowered
        ([], False),  # both are applied: one lowered state is not the whole answer
    ],
)
def test_an_entry_is_kept_only_when_every_project_applied_was_lowered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], kept: bool
) -> None:
    from bakepy import load
    from bakepy.cli.noop_apply import Recording
    from bakepy.engine.compose.declared import observing
    from bakepy.engine.compose.desired import desired_state
    from bakepy.models.compose.project import ComposeProject

    folder = tmp_path / "project"  # the state folder is made in tmp_path meanwhile
    folder.mkdir()
    monkeypatch.chdir(folder)
    definition = folder / "bakepy.yaml"
    definition.write_text(TWO_PROJECTS)
    command = ["apply", "-f", str(definition), *argv]
    request = parse(command)
    assert request is not None
    key = apply_cache.request_key(command, {})
    recording = Recording(key, request, apply_cache.InputRecorder(), [])
    project = load([definition])
    with observing(recording.observe):
        recording.recorder.hook("open", (str(definition), "r", 0))
        desired_state(project, project.of_kind(ComposeProject)[0])
    recording.recorder.started = time.time_ns() + 10**9  # written before it started
    recording.finish()
    payload, why = apply_cache.lookup(key)
    assert (payload is not None) == kept, why
    if payload is not None:
        assert [p["project"] for p in payload["projects"]] == ["one"]
