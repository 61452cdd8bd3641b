"""Configs, secrets and rolling updates on a 3-node swarm: a secret and a config reach the tasks
on every node, workers included; new secret content rolls the service as its update_config
says, apply waiting and reporting progress per service; the old secret stays while a rollback
could need it, so ``docker service rollback`` (and swarm's own rollback of a failed update that
also changed the secret) starts tasks again; the next apply converges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import WaitError
from bakepy.models.compose import ComposeConfig, ComposeSecret, ServiceConfig

from .stacks import stack_project, unique
from .swarm import Cluster, eventually

READ = "cat /run/secrets/token; echo; cat /etc/motd"


def _project(cluster: Cluster, name: str, base: Path, command: list[str]) -> Any:
    deploy = {
        "replicas": 3,
        # Spread over the nodes (not max_replicas_per_node: start-first needs room for one more).
        "placement": {"preferences": [{"spread": "node.id"}]},
        "update_config": {
            "parallelism": 1,
            "order": "start-first",
            "failure_action": "rollback",
            "monitor": "2s",
            "delay": "0s",
        },
        "rollback_config": {"parallelism": 0, "order": "stop-first"},
        "restart_policy": {"condition": "on-failure", "delay": "1s"},
    }
    service = {
        "image": cluster.image,
        "command": command,
        "secrets": ["token"],
        "configs": [ServiceConfig(source="motd", target="/etc/motd")],
        "deploy": deploy,
    }
    return stack_project(
        name,
        {"app": service},
        base,
        secrets={"token": ComposeSecret(file="token.txt")},
        configs={"motd": ComposeConfig(content="hello from bakepy")},
    )


def _seen(cluster: Cluster, service: str) -> list[tuple[int, str]]:
    """What each running task reads, with its node (a task still stopping reads nothing: left
    out)."""
    read = []
    for node, ident in cluster.containers(service):
        text = cluster.exec(node, ident, READ, check=False).strip()
        if text:
            read.append((node, text))
    return sorted(read)


def _all_read(cluster: Cluster, service: str, secret: str) -> None:
    """All three tasks read ``secret`` and the config, some of them on workers (waiting while
    old tasks stop; start-first may put two tasks on one node for a while)."""
    wanted = f"{secret}\nhello from bakepy"

    def done() -> bool:
        seen = _seen(cluster, service)
        workers = {node for node, _ in seen} - {1}
        return len(seen) == 3 and all(text == wanted for _, text in seen) and bool(workers)

    eventually(done, f"three tasks, some on workers, read secret {secret!r}", timeout=120)


def _secrets(cluster: Cluster, stack: str) -> set[str]:
    listed = cluster.docker(
        "secret", "ls", "--filter", f"label=dev.bakepy.stack={stack}", "--format", "{{.Name}}"
    )
    return set(listed.split())


def test_secrets_on_workers_rolling_updates_and_rollbacks(cluster: Cluster, tmp_path: Path) -> None:
    name = unique("bkroll")
    service = f"{name}_app"
    token = tmp_path / "token.txt"
    token.write_text("one")
    sleep = ["sleep", "3600"]
    project = _project(cluster, name, tmp_path, sleep)
    client = cluster.client()
    lines: list[str] = []
    try:
        apply_stack(project, client=client, wait_timeout=180)
        _all_read(cluster, service, "one")
        assert [node for node, _ in _seen(cluster, service)] == [1, 2, 3]  # spread: one a node
        update = cluster.inspect("service", service)["Spec"]["UpdateConfig"]
        assert update["Parallelism"] == 1
        assert update["Order"] == "start-first"
        assert update["FailureAction"] == "rollback"
        assert update["Monitor"] == 2_000_000_000
        (first,) = _secrets(cluster, name)

        token.write_text("two")
        result = apply_stack(project, client=client, wait_timeout=180, progress=lines.append)
        assert any(line.startswith("waited service/app") for line in lines)
        assert ("waited", "service/app") in [(d.action, d.resource) for d in result.done]
        assert cluster.inspect("service", service)["UpdateStatus"]["State"] == "completed"
        _all_read(cluster, service, "two")
        assert len(_secrets(cluster, name)) == 2  # the first stays: a rollback returns to it

        # A rollback by hand returns to the first secret, which must still exist.
        cluster.docker("service", "rollback", "--detach", service)
        _all_read(cluster, service, "one")
        again = plan_stack(project, client=client)
        assert [c.action for c in again.changes if c.kind == "service"] == ["update"]
        apply_stack(project, client=client, wait_timeout=180)
        _all_read(cluster, service, "two")

        # A failed update that also changed the secret: swarm rolls back to the second one.
        token.write_text("three")
        broken = _project(cluster, name, tmp_path, ["sh", "-c", "exit 3"])
        with pytest.raises(WaitError) as raised:
            apply_stack(broken, client=client, wait_timeout=180)
        assert f"service {service}" in str(raised.value)
        assert "rolls it back" in str(raised.value)
        eventually(
            lambda: (
                cluster.inspect("service", service)["UpdateStatus"]["State"] == "rollback_completed"
            ),
            "swarm finished rolling back",
            timeout=120,
        )
        _all_read(cluster, service, "two")
        cluster.docker("service", "scale", "--detach", f"{service}=2")
        cluster.docker("service", "scale", "--detach", f"{service}=3")
        eventually(
            lambda: len(cluster.placement(service)) == 3,
            "a new task starts with the rolled-back secret",
            timeout=120,
        )

        token.write_text("two")
        apply_stack(project, client=client, wait_timeout=180)
        _all_read(cluster, service, "two")
        assert first not in _secrets(cluster, name)
        assert not plan_stack(project, client=client).has_changes
    finally:
        delete_stack(name, client=client)
