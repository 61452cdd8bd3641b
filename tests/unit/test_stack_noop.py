"""The no-change ``apply --stack`` answered from the apply cache, against an in-memory swarm:
which command lines it answers, that its answer is what the whole command prints, and that an
edited definition or secret file, a secret file's new mode, or a service scaled or removed by
hand sends the run the whole way (which repairs it). Also: an apply with nothing to change
takes no lock and makes no call that changes the swarm."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bakepy import load
from bakepy.cli import apply_cache
from bakepy.cli.noop_apply import Recording, Request, answer, parse
from bakepy.engine.compose.declared import observing
from bakepy.engine.lock import project_lock
from bakepy.engine.state import digest_key, save_digest_keys
from bakepy.engine.swarm.desired import select_stack, stack_state
from bakepy.engine.swarm.socket_reads import SwarmSocketReads
from bakepy.engine.swarm.state_codec import decode, encode
from bakepy.engine.swarm.verbs import apply_stack, plan_stack
from bakepy.errors import EngineError
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: shop}
spec:
  services:
    web:
      image: busybox
      command: [sleep, "3600"]
      networks: [front]
      secrets: [token]
      configs: [motd]
      deploy: {replicas: 2}
  networks: {front: {}}
  secrets: {token: {file: token.txt}}
  configs: {motd: {content: hi}}
---
apiVersion: bakepy.dev/v1alpha1
kind: Stack
metadata: {name: shop}
spec: {project: ComposeProject/shop}
"""
SOCKET = "/nonexistent/docker.sock"
ENV = {"DOCKER_HOST": f"unix://{SOCKET}", "BAKEPY_APPLY_CACHE_TRACE": "1"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["apply", "--stack", "shop"], Request(stack="shop")),
        (["apply", "-f", "a.yaml", "--stack=shop"], Request(("a.yaml",), stack="shop")),
        (["apply", "--stack", "shop", "--prune"], Request(stack="shop", prune=True)),
        (["apply", "--stack"], None),
        (["apply", "--stack="], None),
        (["apply", "--stack", "a", "--stack", "b"], None),
        (["apply", "--stack", "shop", "--compose", "shop"], None),
        (["apply", "--stack", "shop", "-l", "tier=web"], None),
        (["apply", "--stack", "shop", "--dry-run"], None),
        (["apply", "--stack", "shop", "-o", "json"], None),
    ],
)
def test_only_plain_stack_applies_are_answered(argv: list[str], expected: Request | None) -> None:
    assert parse(argv) == expected


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The definition and its secret file, in the working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bakepy.yaml").write_text(DEFINITION)
    (tmp_path / "token.txt").write_text("s3cr3t")
    os.chmod(tmp_path / "token.txt", 0o600)
    return tmp_path


@pytest.fixture
def swarm(monkeypatch: pytest.MonkeyPatch) -> FakeSwarm:
    """An in-memory swarm the cached answer reads instead of the socket."""
    fake = _Reads()
    monkeypatch.setattr("bakepy.engine.swarm.socket_reads.SwarmSocketReads", lambda path: fake)
    return fake


class _Reads(FakeSwarm):
    """The in-memory swarm, taking the socket client's prefetch (its lists come one by one)."""

    def prefetch(self, stack: str, kinds: object) -> None:
        """Nothing to send ahead."""


def _argv(folder: Path) -> list[str]:
    return ["apply", "-f", str(folder / "bakepy.yaml"), "--stack", "shop"]


def _whole(folder: Path, swarm: FakeSwarm) -> tuple[str, Project]:
    """The whole command: load, apply, and keep its entry as the CLI does at exit; what it
    prints."""
    argv = _argv(folder)
    request = parse(argv)
    assert request is not None
    recording = Recording(
        apply_cache.request_key(argv, ENV), request, apply_cache.InputRecorder(), []
    )
    project = load([folder / "bakepy.yaml"])
    with observing(recording.observe):
        for path in (folder / "bakepy.yaml", folder / "token.txt"):
            recording.recorder.hook("open", (str(path), "r", 0))
        result = apply_stack(project, client=swarm, wait_timeout=1)
    save_digest_keys()
    recording.recorder.started = time.time_ns() + 10**9  # the files were written before it
    recording.finish()
    return result.render(actions=False), project


def _cached(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str | None, str]:
    """What the cache answers (None: the whole command runs), and why not."""
    capsys.readouterr()
    printed = answer(_argv(folder), ENV)
    return printed, capsys.readouterr().err


def test_a_no_change_stack_apply_is_answered_as_the_whole_command_answers(
    folder: Path, swarm: FakeSwarm, capsys: pytest.CaptureFixture[str]
) -> None:
    _whole(folder, swarm)
    swarm.calls.clear()
    lists = swarm.lists
    whole, _ = _whole(folder, swarm)  # nothing to change: the same entry again
    assert swarm.calls == []
    printed, why = _cached(folder, capsys)
    assert printed == whole + "\n", why
    assert printed.startswith("No changes.")
    assert swarm.calls == []
    assert swarm.lists - lists == 8  # the whole command's 4 list calls, then the cache's 4


def test_an_edited_definition_is_not_answered(
    folder: Path, swarm: FakeSwarm, capsys: pytest.CaptureFixture[str]
) -> None:
    _whole(folder, swarm)
    assert _cached(folder, capsys)[0] is not None
    definition = folder / "bakepy.yaml"
    definition.write_text(definition.read_text().replace("replicas: 2", "replicas: 3"))
    printed, why = _cached(folder, capsys)
    assert printed is None
    assert f"{definition} changed" in why


def test_an_edited_secret_file_is_not_answered(
    folder: Path, swarm: FakeSwarm, capsys: pytest.CaptureFixture[str]
) -> None:
    _whole(folder, swarm)
    (folder / "token.txt").write_text("another")
    printed, why = _cached(folder, capsys)
    assert printed is None
    assert "token.txt changed" in why
    assert "another" not in why
    assert "s3cr3t" not in why


def test_a_recorded_secret_file_is_checked_for_content_and_mode(
    folder: Path, swarm: FakeSwarm
) -> None:
    encoded = encode(stack_state(*select_stack(load([folder / "bakepy.yaml"]), "shop")))
    assert encoded is not None
    assert "s3cr3t" not in str(encoded)
    state, files = decode(encoded)
    assert [o.name for o in state.objects] == [o["name"] for o in encoded["objects"]]
    assert all(not o.data for o in state.objects)
    assert [Path(f.path).name for f in files] == ["token.txt"]
    save_digest_keys()
    key = digest_key()
    assert files[0].is_current(key)
    os.chmod(folder / "token.txt", 0o644)
    assert not files[0].is_current(key)
    os.chmod(folder / "token.txt", 0o600)
    (folder / "token.txt").write_text("another")
    os.chmod(folder / "token.txt", 0o600)
    assert not files[0].is_current(key)


def test_a_secret_file_whose_mode_changed_is_not_answered(
    folder: Path, swarm: FakeSwarm, capsys: pytest.CaptureFixture[str]
) -> None:
    _whole(folder, swarm)
    os.chmod(folder / "token.txt", 0o640)
    printed, why = _cached(folder, capsys)
    assert printed is None
    assert "secret or config file is missing or changed" in why


def _service(swarm: FakeSwarm, name: str) -> tuple[str, dict[str, object]]:
    found = [
        (i, o.body)
        for i, o in swarm.objects.items()
        if o.kind == "service" and o.body["Name"] == name
    ]
    assert len(found) == 1
    return found[0]


def test_a_service_scaled_by_hand_is_seen_and_the_whole_command_scales_it_back(
    folder: Path, swarm: FakeSwarm, capsys: pytest.CaptureFixture[str]
) -> None:
    _, project = _whole(folder, swarm)
    _, body = _service(swarm, "shop_web")
    body["Mode"] = {"Replicated": {"Replicas": 5}}  # docker service scale shop_web=5
    printed, why = _cached(folder, capsys)
    assert printed is None
    assert "the swarm differs from stack shop" in why
    plan = plan_stack(project, client=swarm)
    [change] = [c for c in plan.changes if c.action != "unchanged"]
    assert change.resource == "service/web"
    assert change.reasons == ["scaled to 5 outside bakepy: back to the declared 2"]
    swarm.calls.clear()
    assert apply_stack(project, client=swarm, wait_timeout=1).changed
    assert swarm.calls == ["update service shop_web"]
    assert _service(swarm, "shop_web")[1]["Mode"] == {"Replicated": {"Replicas": 2}}
    assert _cached(folder, capsys)[0] is not None


def test_a_service_removed_by_hand_is_seen_and_the_whole_command_creates_it(
    folder: Path, swarm: FakeSwarm, capsys: pytest.CaptureFixture[str]
) -> None:
    _, project = _whole(folder, swarm)
    ident, _ = _service(swarm, "shop_web")
    swarm.remove("service", ident)  # docker service rm shop_web
    printed, why = _cached(folder, capsys)
    assert printed is None
    assert "the swarm differs from stack shop" in why
    swarm.calls.clear()
    assert apply_stack(project, client=swarm, wait_timeout=1).changed
    assert swarm.calls == ["create service shop_web"]


def test_a_no_change_apply_takes_no_lock_and_changes_nothing(
    folder: Path, swarm: FakeSwarm
) -> None:
    project = load([folder / "bakepy.yaml"])
    apply_stack(project, client=swarm, wait_timeout=1)
    swarm.calls.clear()
    with project_lock("stack-shop", timeout=1):  # held by another apply
        result = apply_stack(project, client=swarm, lock_timeout=0.2)
    assert not result.changed
    assert swarm.calls == []


def test_the_socket_client_refuses_every_change() -> None:
    client = SwarmSocketReads(SOCKET)
    with pytest.raises(EngineError, match="only reads"):
        client.create("network", {"Name": "n"})
    with pytest.raises(EngineError, match="only reads"):
        client.update_service("s", 1, {})
    with pytest.raises(EngineError, match="only reads"):
        client.remove("secret", "x")
    with pytest.raises(EngineError, match="only reads"):
        client.update_node("n", 1, {})
    with pytest.raises(EngineError, match="list services"):
        client.list_stack("service", "shop")
