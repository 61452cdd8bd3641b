"""On a real single-node swarm: a no-change ``bakepy apply --stack`` is answered from the apply
cache (no model, docker SDK or typer imported), prints what the whole command prints, and
neither it nor the whole command makes a change on the engine (the engine's event stream shows
none for the stack, its lock object included); a service scaled or removed by hand, or a new
secret content, is seen and repaired by the whole command.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakepy.engine.swarm.verbs import delete_stack

from .buildkit import docker, unique
from .test_noop_apply_engine import isolated, package, run_traced

pytestmark = pytest.mark.engine
__all__ = ["isolated", "package"]  # fixtures: commands import bakepy from a copy

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {{name: {name}}}
spec:
  services:
    web:
      image: {image}
      command: [sleep, "86400"]
      stop_grace_period: 1s
      networks: [front]
      secrets: [token]
      configs: [motd]
      deploy: {{replicas: 1}}
  networks: {{front: {{}}}}
  secrets: {{token: {{file: token.txt}}}}
  configs: {{motd: {{content: hello}}}}
---
apiVersion: bakepy.dev/v1alpha1
kind: Stack
metadata: {{name: {name}}}
spec: {{project: ComposeProject/{name}}}
"""


@pytest.fixture
def stack(swarm: None, base_image: str, tmp_path: Path) -> Iterator[Path]:
    """The definition of a stack of the test's own, in its folder; whatever the stack made
    is removed, pass or fail."""
    name = unique("bknoopstack")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(DEFINITION.format(name=name, image=base_image))
    (folder / "token.txt").write_text(unique("s3cret"))
    try:
        yield folder
    finally:
        delete_stack(name)


def apply(folder: Path, verb: str = "apply", **env: str) -> tuple[str, bool]:
    """``bakepy apply -f bakepy.yaml --stack NAME`` (or ``plan``) in a fresh process: its
    stdout, and whether it was answered from the cache (none of ``HEAVY`` was imported)."""
    name = folder.joinpath("bakepy.yaml").read_text().split("name: ", 1)[1].split("}")[0]
    return run_traced(folder, [verb, "-f", "bakepy.yaml", "--stack", name], **env)


def changes_since(since: float, name: str) -> list[str]:
    """What the engine reports was created, updated or removed since ``since`` among the
    objects whose name has ``name`` in it (the stack's, and its lock's)."""
    listed = docker(
        "events", "--since", f"{since:.3f}", "--until", f"{time.time():.3f}",
        "--format", "{{json .}}",
    )  # fmt: skip
    found = []
    for line in listed.splitlines():
        event = json.loads(line)
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        if name in attributes.get("name", "") and event.get("Action") != "exec_die":
            found.append(f"{event['Type']} {event['Action']} {attributes['name']}")
    return found


def service(name: str) -> dict[str, object]:
    found: dict[str, object] = json.loads(docker("service", "inspect", f"{name}_web"))[0]
    return found


def test_a_no_change_stack_apply_is_answered_from_the_cache_and_changes_nothing(
    stack: Path,
) -> None:
    name = stack.joinpath("bakepy.yaml").read_text().split("name: ", 1)[1].split("}")[0]
    first, cached = apply(stack)
    assert not cached
    assert "created service/web" in first
    version = service(name)["Version"]

    since = time.time()
    second, cached = apply(stack)
    assert cached
    whole, cached_too = apply(stack, BAKEPY_APPLY_CACHE="0")
    assert not cached_too
    assert second == whole
    assert second.startswith("No changes.")
    time.sleep(1)  # the engine's event stream is read up to now
    assert changes_since(since, name) == []  # no lock object either
    assert service(name)["Version"] == version
    assert apply(stack)[1]


def test_a_no_change_stack_plan_is_answered_from_the_apply_entry(stack: Path) -> None:
    apply(stack)
    planned, cached = apply(stack, "plan")
    assert cached
    whole, cached_too = apply(stack, "plan", BAKEPY_APPLY_CACHE="0")
    assert not cached_too
    assert planned == whole


def test_drift_and_a_new_secret_are_seen_and_repaired_by_the_whole_command(
    stack: Path,
) -> None:
    name = stack.joinpath("bakepy.yaml").read_text().split("name: ", 1)[1].split("}")[0]
    apply(stack)
    assert apply(stack)[1]

    docker("service", "scale", "--detach", f"{name}_web=2")
    output, cached = apply(stack)
    assert not cached
    assert "updated service/web" in output
    assert service(name)["Spec"]["Mode"] == {"Replicated": {"Replicas": 1}}  # type: ignore[index]
    assert apply(stack)[1]

    docker("service", "rm", f"{name}_web")
    output, cached = apply(stack)
    assert not cached
    assert "created service/web" in output
    assert apply(stack)[1]

    (stack / "token.txt").write_text(unique("rotated"))
    output, cached = apply(stack)
    assert not cached
    assert "created secret/token" in output
    assert "updated service/web" in output
    assert apply(stack)[1]
