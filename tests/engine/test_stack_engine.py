"""apply_stack / delete_stack on a real single-node swarm: replicas reached, declared policies in
the service spec, a second apply without a mutating request, a changed secret rolled out under
a new content-named secret with the old one removed, and delete removing everything.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bakepy import (
    ComposeConfig,
    ComposeNetwork,
    ComposeProject,
    ComposeProjectSpec,
    ComposeSecret,
    Service,
    ServiceConfig,
)
from bakepy.engine.runtime import (
    CountingClient,
    DockerEngineClient,
    DockerSwarmClient,
    apply_stack,
    delete_stack,
    plan_stack,
)
from bakepy.models.compose import Stack, StackSpec
from bakepy.project import Project

from .buildkit import docker, unique

pytestmark = pytest.mark.engine


def _project(name: str, image: str, secret: Path) -> Project:
    deploy: dict[str, Any] = {
        "replicas": 2,
        "resources": {"limits": {"cpus": "0.25", "memory": "32M"}},
        "update_config": {"parallelism": 1, "delay": "1s", "order": "start-first"},
        "restart_policy": {"condition": "on-failure", "max_attempts": 3},
        "placement": {"constraints": ["node.role == manager"]},
    }
    compose = ComposeProject(
        metadata=name,
        spec=ComposeProjectSpec(
            services={
                "web": Service(
                    image=image,
                    command=["sleep", "3600"],
                    networks=["front"],
                    secrets=["token"],
                    configs=[ServiceConfig(source="motd", target="/etc/motd")],
                    deploy=deploy,
                )
            },
            networks={"front": ComposeNetwork()},
            secrets={"token": ComposeSecret(file=str(secret))},
            configs={"motd": ComposeConfig(content="hello")},
        ),
    )
    return Project([compose, Stack(metadata=name, spec=StackSpec(project=compose))])


def _inspect(what: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(docker(what, "inspect", name))[0]
    return found


def _names(what: str, stack: str) -> set[str]:
    listed = docker(
        what, "ls", "--filter", f"label=dev.bakepy.project={stack}", "--format", "{{.Name}}"
    )
    return set(listed.split())


def test_stack_apply_rolls_a_changed_secret_and_deletes_everything(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bkstack")
    secret = tmp_path / "token.txt"
    secret.write_text("first")
    project = _project(stack, base_image, secret)
    engine = DockerEngineClient()
    counting = CountingClient(engine)
    client = DockerSwarmClient(engine)
    try:
        first = apply_stack(project, client=client, wait_timeout=120)
        assert first.changed
        service = f"{stack}_web"
        replicas = docker(
            "service", "ls", "--filter", f"name={service}", "--format", "{{.Replicas}}"
        )
        assert replicas.strip() == "2/2"
        spec = _inspect("service", service)["Spec"]
        task = spec["TaskTemplate"]
        assert spec["Mode"] == {"Replicated": {"Replicas": 2}}
        assert task["Resources"]["Limits"] == {"NanoCPUs": 250_000_000, "MemoryBytes": 32 << 20}
        assert spec["UpdateConfig"]["Order"] == "start-first"
        assert spec["UpdateConfig"]["Delay"] == 1_000_000_000
        assert task["RestartPolicy"]["Condition"] == "on-failure"
        assert task["Placement"]["Constraints"] == ["node.role == manager"]
        (old,) = task["ContainerSpec"]["Secrets"]
        assert old["SecretName"].startswith(f"{stack}_token-")
        assert task["ContainerSpec"]["Configs"][0]["File"]["Name"] == "/etc/motd"
        network = _inspect("network", f"{stack}_front")
        assert network["Driver"] == "overlay"
        assert network["Labels"]["com.docker.stack.namespace"] == stack

        counting.reset()
        second = apply_stack(project, client=client)
        assert not second.changed
        assert counting.mutating_requests == 0
        assert not plan_stack(project, client=client).has_changes

        secret.write_text("second")
        counting.reset()
        dry = apply_stack(project, client=client, dry_run=True)
        assert dry.plan.has_changes
        assert counting.mutating_requests == 0
        third = apply_stack(project, client=client, wait_timeout=120)
        assert {(d.action, d.resource) for d in third.done if d.action != "waited"} == {
            ("created", "secret/token"),
            ("updated", "service/web"),
            ("deleted", "secret/token"),
        }
        (new,) = _inspect("service", service)["Spec"]["TaskTemplate"]["ContainerSpec"]["Secrets"]
        assert new["SecretName"].startswith(f"{stack}_token-")
        assert new["SecretName"] != old["SecretName"]
        assert _names("secret", stack) == {new["SecretName"]}
    finally:
        delete_stack(stack, client=client)
    for what in ("service", "secret", "config"):
        assert _names(what, stack) == set(), what
    deadline = time.monotonic() + 60
    while _names("network", stack) and time.monotonic() < deadline:
        time.sleep(0.5)  # the node drops its copy of the network once the tasks are gone
    assert _names("network", stack) == set()
