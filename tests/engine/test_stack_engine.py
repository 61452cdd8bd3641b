"""apply_stack / delete_stack on a real single-node swarm: replicas reached, declared policies in
the service spec, a second apply without a mutating request, a changed secret rolled out under
a new content-named secret with the old one kept for a rollback until the next change, and
delete removing everything. Also: the service fields a declaration sets show in ``docker
service inspect``, apply returns once a rolling update completed (and fails on a paused one),
external secrets are used but never managed, and a compose project and a stack of one name
leave each other alone.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.engine.swarm.client import DockerSwarmClient
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import BakepyError, WaitError
from bakepy.models.compose import (
    ComposeConfig,
    ComposeNetwork,
    ComposeSecret,
    Service,
    ServiceConfig,
)
from bakepy.models.compose.project import Stack, StackSpec
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
                    stop_grace_period="1s",  # sleep ignores SIGTERM: do not wait 10 s a task
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
        what, "ls", "--filter", f"label=dev.bakepy.stack={stack}", "--format", "{{.Name}}"
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
        }
        (new,) = _inspect("service", service)["Spec"]["TaskTemplate"]["ContainerSpec"]["Secrets"]
        assert new["SecretName"].startswith(f"{stack}_token-")
        assert new["SecretName"] != old["SecretName"]
        # The previous spec (what `docker service rollback` returns to) still names the old one.
        assert _names("secret", stack) == {old["SecretName"], new["SecretName"]}
        secret.write_text("third")
        fourth = apply_stack(project, client=client, wait_timeout=120)
        assert ("deleted", "secret/token") in [(d.action, d.resource) for d in fourth.done]
        (last,) = _inspect("service", service)["Spec"]["TaskTemplate"]["ContainerSpec"]["Secrets"]
        assert _names("secret", stack) == {new["SecretName"], last["SecretName"]}
    finally:
        delete_stack(stack, client=client)
    for what in ("service", "secret", "config"):
        assert _names(what, stack) == set(), what
    deadline = time.monotonic() + 60
    while _names("network", stack) and time.monotonic() < deadline:
        time.sleep(0.5)  # the node drops its copy of the network once the tasks are gone
    assert _names("network", stack) == set()


def _single(name: str, image: str, base: Path, **fields: Any) -> Project:
    fields.setdefault("stop_grace_period", "1s")  # sleep ignores SIGTERM: a task stops at once
    compose = ComposeProject(
        metadata=name,
        spec=ComposeProjectSpec(services={"web": Service(image=image, **fields)}),
    )
    stack = Stack(metadata=name, spec=StackSpec(project=compose))
    return Project([compose, stack], base_dir=base)


def _api_version() -> tuple[int, ...]:
    text = docker("version", "--format", "{{.Server.APIVersion}}").strip()
    return tuple(int(part) for part in text.split("."))


def test_declared_service_fields_show_in_service_inspect(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bkfields")
    (tmp_path / "app.env").write_text("FROM_FILE=yes\n")
    project = _single(
        stack,
        base_image,
        tmp_path,
        command=["sleep", "3600"],
        env_file=["app.env"],
        environment={"MODE": "prod"},
        ulimits={"nofile": {"soft": 1024, "hard": 2048}},
        sysctls={"net.core.somaxconn": 1024},
        logging={"driver": "json-file", "options": {"max-size": "1m"}},
        extra_hosts=["db.internal:10.0.0.5"],
        dns=["10.0.0.2"],
        dns_search=["svc.local"],
        dns_opt=["ndots:2"],
        cap_add=["NET_ADMIN"],
        cap_drop=["MKNOD"],
        isolation="default",
        hostname="web-host",
        user="nobody",
        working_dir="/tmp",
        init=True,
        read_only=True,
        stop_signal="SIGINT",
        stop_grace_period="7s",
        group_add=["100"],
        oom_score_adj=100,
        pids_limit=99,
        labels={"tier": "web"},
        healthcheck={"test": ["CMD", "true"], "interval": "5s"},
        deploy={"labels": {"team": "shop"}, "replicas": 1},
    )
    client = DockerSwarmClient()
    try:
        apply_stack(project, client=client, wait_timeout=120)
        spec = _inspect("service", f"{stack}_web")["Spec"]
        task = spec["TaskTemplate"]
        container = task["ContainerSpec"]
        assert container["Env"] == ["FROM_FILE=yes", "MODE=prod"]
        assert container["Ulimits"] == [{"Name": "nofile", "Soft": 1024, "Hard": 2048}]
        assert container["Sysctls"] == {"net.core.somaxconn": "1024"}
        assert task["LogDriver"] == {"Name": "json-file", "Options": {"max-size": "1m"}}
        assert container["Hosts"] == ["10.0.0.5 db.internal"]
        assert container["DNSConfig"] == {
            "Nameservers": ["10.0.0.2"],
            "Search": ["svc.local"],
            "Options": ["ndots:2"],
        }
        assert container["CapabilityAdd"] == ["NET_ADMIN"]
        assert container["CapabilityDrop"] == ["MKNOD"]
        assert container["Isolation"] == "default"
        assert container["Hostname"] == "web-host"
        assert container["User"] == "nobody"
        assert container["Dir"] == "/tmp"
        assert container["Init"] is True
        assert container["ReadOnly"] is True
        assert container["StopSignal"] == "SIGINT"
        assert container["StopGracePeriod"] == 7_000_000_000
        assert container["Groups"] == ["100"]
        assert container["Healthcheck"]["Test"] == ["CMD", "true"]
        assert container["Labels"]["tier"] == "web"
        assert task["Resources"]["Limits"]["Pids"] == 99
        assert spec["Labels"]["team"] == "shop"
        assert "tier" not in spec["Labels"]
        if _api_version() >= (1, 46):
            assert container["OomScoreAdj"] == 100
        running = docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={stack}_web"
        ).split()
        (ident,) = running
        host = _inspect("container", ident)["HostConfig"]
        assert host["CapAdd"] == ["CAP_NET_ADMIN"] or host["CapAdd"] == ["NET_ADMIN"]
        assert host["ReadonlyRootfs"] is True
        assert host["Sysctls"] == {"net.core.somaxconn": "1024"}
        assert "10.0.0.5\tdb.internal" in docker("exec", ident, "cat", "/etc/hosts")
        assert not plan_stack(project, client=client).has_changes
    finally:
        delete_stack(stack, client=client)


def test_apply_returns_once_the_rolling_update_completed_and_fails_on_a_paused_one(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bkroll")
    deploy: dict[str, Any] = {
        "replicas": 2,
        "update_config": {
            "parallelism": 1,
            "delay": "1s",
            "monitor": "1s",
            "failure_action": "pause",
        },
    }
    client = DockerSwarmClient()
    service = f"{stack}_web"
    lines: list[str] = []
    try:
        first = _single(
            stack, base_image, tmp_path, command=["sleep", "3600"], environment={"V": "1"},
            deploy=deploy,
        )  # fmt: skip
        apply_stack(first, client=client, wait_timeout=120)
        second = _single(
            stack, base_image, tmp_path, command=["sleep", "3600"], environment={"V": "2"},
            deploy=deploy,
        )  # fmt: skip
        plan = plan_stack(second, client=client)
        change = plan.find(service)
        assert change is not None
        assert change.action == "update"
        assert [(f.path, f.before, f.after) for f in change.fields] == [("environment.V", "1", "2")]
        result = apply_stack(second, client=client, wait_timeout=120, progress=lines.append)
        inspected = _inspect("service", service)
        assert inspected["UpdateStatus"]["State"] == "completed"
        states = docker(
            "service", "ps", service, "--filter", "desired-state=running",
            "--format", "{{.CurrentState}}",
        ).splitlines()  # fmt: skip
        assert len(states) == 2
        assert all(state.startswith("Running") for state in states)
        containers = docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={service}"
        ).split()
        assert len(containers) == 2
        for ident in containers:
            assert "V=2" in _inspect("container", ident)["Config"]["Env"]
        assert ("waited", "service/web") in [(d.action, d.resource) for d in result.done]
        assert any(line.startswith("waited service/web") for line in lines)

        broken = _single(
            stack, base_image, tmp_path, command=["sh", "-c", "exit 3"], environment={"V": "3"},
            deploy=deploy,
        )  # fmt: skip
        with pytest.raises(WaitError) as raised:
            apply_stack(broken, client=client, wait_timeout=120)
        message = str(raised.value)
        assert f"service {service}" in message
        assert "paused" in message
        assert _inspect("service", service)["UpdateStatus"]["State"] == "paused"
        assert _inspect("service", service)["UpdateStatus"]["Message"] in message

        fixed = apply_stack(second, client=client, wait_timeout=120)  # the paused state is gone
        assert ("waited", "service/web") in [(d.action, d.resource) for d in fixed.done]
        assert _inspect("service", service)["UpdateStatus"]["State"] == "completed"
    finally:
        delete_stack(stack, client=client)


def test_external_secrets_are_used_and_never_managed(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bkext")
    shared = unique("bkshared")
    compose = ComposeProject(
        metadata=stack,
        spec=ComposeProjectSpec(
            services={
                "web": Service(
                    image=base_image,
                    command=["sleep", "3600"],
                    stop_grace_period="1s",
                    secrets=["api"],
                    configs=["motd"],
                )
            },
            secrets={"api": ComposeSecret(external=True, name=shared)},
            configs={"motd": ComposeConfig(external=True, name=shared)},
        ),
    )
    project = Project([compose, Stack(metadata=stack, spec=StackSpec(project=compose))])
    client = DockerSwarmClient()
    with pytest.raises(BakepyError, match=rf"stack {stack}: configs\.motd is external"):
        plan_stack(project, client=client)
    value = tmp_path / "value"
    value.write_text("shared-value")
    docker("secret", "create", shared, str(value))
    docker("config", "create", shared, str(value))
    try:
        apply_stack(project, client=client, wait_timeout=120)
        container = _inspect("service", f"{stack}_web")["Spec"]["TaskTemplate"]["ContainerSpec"]
        assert container["Secrets"][0]["SecretName"] == shared
        assert container["Configs"][0]["ConfigName"] == shared
        assert not plan_stack(project, client=client, prune=True).has_changes
        delete_stack(stack, client=client)
        assert _inspect("secret", shared)["Spec"]["Name"] == shared
        assert _inspect("config", shared)["Spec"]["Name"] == shared
    finally:
        delete_stack(stack, client=client)
        docker("secret", "rm", shared, check=False)
        docker("config", "rm", shared, check=False)


def test_a_compose_project_and_a_stack_of_one_name_leave_each_other_alone(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    name = unique("bkboth")

    def compose(network: str) -> ComposeProject:
        return ComposeProject(
            metadata=name,
            spec=ComposeProjectSpec(
                services={
                    "web": Service(
                        image=base_image,
                        command=["sleep", "3600"],
                        stop_grace_period="1s",
                        networks=[network],
                    )
                },
                networks={network: ComposeNetwork()},
            ),
        )

    local = compose("back")
    stacked = compose("front")
    stack = Project([stacked, Stack(metadata=name, spec=StackSpec(project=stacked))])
    client = DockerSwarmClient()
    try:
        apply_runtime(local)
        apply_stack(stack, client=client, wait_timeout=120)
        compose_plan = plan_runtime(local, prune=True, prune_volumes=True)
        assert not compose_plan.has_changes, compose_plan.render()
        stack_plan = plan_stack(stack, client=client, prune=True)
        assert not stack_plan.has_changes, stack_plan.render()
        assert apply_runtime(local, prune=True).changed is False
        assert apply_stack(stack, client=client, prune=True).changed is False
        delete_runtime(name)
        assert _inspect("service", f"{name}_web")["Spec"]["Labels"]["dev.bakepy.stack"] == name
        assert _names("network", name) == {f"{name}_front"}
        assert not plan_stack(stack, client=client, prune=True).has_changes
        apply_runtime(local)
        delete_stack(stack, client=client)
        assert docker("ps", "-q", "--filter", f"name={name}-web-1").strip()
        assert _inspect("network", f"{name}_back")["Labels"]["dev.bakepy.project"] == name
        assert not plan_runtime(local, prune=True, prune_volumes=True).has_changes
    finally:
        delete_stack(name, client=client)
        delete_runtime(name)


def test_stack_variables_are_interpolated_and_a_changed_one_rolls_the_service(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bkvars")
    repository, _, tag = base_image.rpartition(":")
    (tmp_path / ".env").write_text("MODE=from-dotenv\n")
    project = _single(
        stack,
        f"{repository}:${{IMAGE_TAG:-{tag}}}",
        tmp_path,
        command=["sleep", "3600"],
        environment={"MODE": "${MODE}"},
    )
    service = f"{stack}_web"
    engine = DockerEngineClient()
    counting = CountingClient(engine)
    client = DockerSwarmClient(engine)

    def container() -> dict[str, Any]:
        found: dict[str, Any] = _inspect("service", service)["Spec"]["TaskTemplate"]
        return dict(found["ContainerSpec"])

    try:
        apply_stack(project, client=client, wait_timeout=120, environment={})
        assert container()["Image"].startswith(base_image)
        assert "MODE=from-dotenv" in container()["Env"]

        counting.reset()
        same = apply_stack(project, client=client, wait_timeout=120, environment={})
        assert not same.changed
        assert counting.mutating_requests == 0

        changed = {"MODE": "from-shell"}
        plan = plan_stack(project, client=client, environment=changed)
        assert plan.find(service).action == "update"  # type: ignore[union-attr]
        assert "from-shell" not in plan.render() + plan.to_json()
        rolled = apply_stack(project, client=client, wait_timeout=120, environment=changed)
        assert ("updated", "service/web") in [(d.action, d.resource) for d in rolled.done]
        assert "MODE=from-shell" in container()["Env"]
        tasks = docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={service}"
        ).split()
        assert len(tasks) == 1
        assert "MODE=from-shell" in _inspect("container", tasks[0])["Config"]["Env"]
        counting.reset()
        assert not apply_stack(project, client=client, environment=changed).changed
        assert counting.mutating_requests == 0
    finally:
        delete_stack(stack, client=client)


def test_an_apply_right_after_delete_creates_the_stack_again(
    swarm: None, base_image: str, tmp_path: Path
) -> None:
    stack = unique("bkagain")
    secret = tmp_path / "token.txt"
    secret.write_text("first")
    project = _project(stack, base_image, secret)
    client = DockerSwarmClient()
    try:
        for _ in range(2):
            apply_stack(project, client=client, wait_timeout=120)
            delete_stack(stack, client=client)
            assert _names("network", stack) == set()  # delete waited until it was gone
        again = apply_stack(project, client=client, wait_timeout=120)
        assert ("created", "network/front") in [(d.action, d.resource) for d in again.done]
        replicas = docker(
            "service", "ls", "--filter", f"name={stack}_web", "--format", "{{.Replicas}}"
        )
        assert replicas.strip() == "2/2"
    finally:
        delete_stack(stack, client=client)
