"""Label selectors on a Stack, on a real single-node swarm: ``-l`` plans and applies only the
picked services with the networks, configs and secrets they use, and a delete of some services
removes those and what only they use, never what the others still run with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.compose.client import DockerEngineClient
from bakepy.engine.swarm.client import DockerSwarmClient
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.models.compose import ComposeConfig, ComposeNetwork, ComposeSecret, Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.resolution.selection import parse_selector, select_resources

from .buildkit import docker, unique

pytestmark = pytest.mark.engine


def _project(name: str, image: str, token: Path, motd: str) -> Project:
    """web (front) and worker (batch) share the motd config and the back network; web alone is
    on the front network, worker alone reads the token secret."""

    def service(tier: str, **fields: Any) -> Service:
        return Service(
            image=image,
            command=["sleep", "3600"],
            stop_grace_period="1s",  # sleep ignores SIGTERM
            labels={"tier": tier},
            configs=["motd"],
            deploy={"replicas": 1},
            **fields,
        )

    compose = ComposeProject(
        metadata=name,
        spec=ComposeProjectSpec(
            services={
                "web": service("front", networks=["front", "back"]),
                "worker": service("batch", networks=["back"], secrets=["token"]),
            },
            networks={"front": ComposeNetwork(), "back": ComposeNetwork()},
            configs={"motd": ComposeConfig(content=motd)},
            secrets={"token": ComposeSecret(file=str(token))},
        ),
    )
    return Project([compose, Stack(metadata=name, spec=StackSpec(project=compose))])


def _pick(project: Project, selector: str) -> Project:
    return select_resources(project, [], parse_selector(selector))


def _names(what: str, stack: str) -> set[str]:
    listed = docker(
        what, "ls", "--filter", f"label=dev.bakepy.stack={stack}", "--format", "{{.Name}}"
    )
    return set(listed.split())


def _configs_of(service: str) -> set[str]:
    spec = json.loads(docker("service", "inspect", service))[0]["Spec"]
    return {c["ConfigName"] for c in spec["TaskTemplate"]["ContainerSpec"].get("Configs") or []}


def test_selectors_restrict_a_stack_to_what_the_picked_services_use(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bksel")
    token = tmp_path / "token.txt"
    token.write_text("t0ken")
    client = DockerSwarmClient(DockerEngineClient())
    try:
        front = _pick(_project(stack, base_image, token, "hi"), "tier=front")
        planned = plan_stack(front, client=client)
        assert {c.resource for c in planned.changes} == {
            "network/front",
            "network/back",
            "config/motd",
            "service/web",
        }
        apply_stack(front, client=client, wait_timeout=120)
        assert _names("service", stack) == {f"{stack}_web"}
        assert _names("network", stack) == {f"{stack}_front", f"{stack}_back"}
        assert _names("secret", stack) == set()  # only worker reads it

        apply_stack(_project(stack, base_image, token, "hi"), client=client, wait_timeout=120)
        assert _names("service", stack) == {f"{stack}_web", f"{stack}_worker"}
        (first_motd,) = _names("config", stack)

        changed = _pick(_project(stack, base_image, token, "hello"), "tier=front")
        applied = apply_stack(changed, client=client, wait_timeout=120)
        assert {(d.action, d.resource) for d in applied.done if d.action != "waited"} == {
            ("created", "config/motd"),
            ("updated", "service/web"),
        }
        (second_motd,) = _configs_of(f"{stack}_web")
        assert _configs_of(f"{stack}_worker") == {first_motd}  # left as it runs
        assert _names("config", stack) == {first_motd, second_motd}

        batch = _pick(_project(stack, base_image, token, "hello"), "tier=batch")
        deleted = delete_stack(batch, stack=stack, client=client)
        assert {(d.action, d.resource) for d in deleted.done} == {
            ("deleted", "service/worker"),
            ("deleted", "secret/token"),
        }
        assert _names("service", stack) == {f"{stack}_web"}
        assert _names("secret", stack) == set()
        assert _names("network", stack) == {f"{stack}_front", f"{stack}_back"}
        # web's previous spec (a rollback) still names the first motd: kept.
        assert _names("config", stack) == {first_motd, second_motd}
    finally:
        delete_stack(stack, client=client)
    assert _names("service", stack) == set()
