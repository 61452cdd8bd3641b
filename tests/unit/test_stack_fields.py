"""What a stack service declares reaches its swarm ServiceSpec (env files read, ulimits,
sysctls, logging, hosts, DNS, capabilities, ...); plans of a changed service name the fields
that differ, secret values never; external secrets and configs are used, never managed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.swarm.plan import StackPlan
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import BakepyError
from bakepy.models.compose import ComposeConfig, ComposeSecret, Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm

SECRET = "s3cr3t-from-env-file"


def _stack(tmp_path: Path, **fields: Any) -> Project:
    fields.setdefault("image", "busybox:1")
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={"web": Service(**fields)},
            secrets={"token": ComposeSecret(file="token.txt")},
        ),
    )
    (tmp_path / "token.txt").write_text("first-token")
    stack = Stack(metadata="shop", spec=StackSpec(project=compose))
    return Project([compose, stack], base_dir=tmp_path)


def _service_body(plan: Any) -> dict[str, Any]:
    assert isinstance(plan, StackPlan)
    change = next(c for c in plan.changes if c.kind == "service")
    body: dict[str, Any] = plan.declared(change).body
    return body


def test_service_fields_reach_the_service_spec(tmp_path: Path) -> None:
    (tmp_path / "app.env").write_text(f"FROM_FILE=1\nPASSWORD={SECRET}\n")
    project = _stack(
        tmp_path,
        env_file=["app.env", {"path": "missing.env", "required": False}],
        environment={"MODE": "prod"},
        ulimits={"nofile": {"soft": 1024, "hard": 2048}, "nproc": 64},
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
        working_dir="/srv",
        init=True,
        read_only=True,
        tty=True,
        stdin_open=True,
        stop_signal="SIGINT",
        stop_grace_period="7s",
        group_add=["audio"],
        oom_score_adj=100,
        pids_limit=99,
        labels={"tier": "web"},
        healthcheck={"test": ["CMD", "true"], "interval": "5s"},
        deploy={"labels": {"team": "shop"}, "replicas": 1},
    )
    plan = plan_stack(project, client=FakeSwarm())
    body = _service_body(plan)
    task = body["TaskTemplate"]
    container = task["ContainerSpec"]
    assert container["Env"] == ["FROM_FILE=1", f"PASSWORD={SECRET}", "MODE=prod"]
    assert container["Ulimits"] == [
        {"Name": "nofile", "Soft": 1024, "Hard": 2048},
        {"Name": "nproc", "Soft": 64, "Hard": 64},
    ]
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
    assert container["Dir"] == "/srv"
    assert container["Init"] is container["ReadOnly"] is container["TTY"] is True
    assert container["OpenStdin"] is True
    assert container["StopSignal"] == "SIGINT"
    assert container["StopGracePeriod"] == 7_000_000_000
    assert container["Groups"] == ["audio"]
    assert container["OomScoreAdj"] == 100
    assert task["Resources"] == {"Limits": {"Pids": 99}}
    assert container["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 5_000_000_000}
    assert container["Labels"] == {"tier": "web", "com.docker.stack.namespace": "shop"}
    assert body["Labels"]["team"] == "shop"
    assert "tier" not in body["Labels"]
    assert not [w for w in plan.warnings if "dns_opt" in w or "env_file" in w]
    assert SECRET not in plan.to_json() + plan.render()
    assert SECRET not in body["Labels"]["dev.bakepy.spec"]


def test_a_missing_required_env_file_names_the_stack_and_the_field(tmp_path: Path) -> None:
    project = _stack(tmp_path, env_file=["nope.env"])
    with pytest.raises(BakepyError, match=r"stack shop: services\.web\.env_file: .*nope\.env"):
        plan_stack(project, client=FakeSwarm())


def test_swarm_unsupported_keys_still_warn(tmp_path: Path) -> None:
    plan = plan_stack(_stack(tmp_path, privileged=True), client=FakeSwarm())
    assert any("services.web.privileged: left out: swarm ignores it" in w for w in plan.warnings)
    assert "Privileged" not in json.dumps(_service_body(plan))


def test_a_changed_service_plan_names_the_fields_that_differ(tmp_path: Path) -> None:
    swarm = FakeSwarm()
    (tmp_path / "app.env").write_text(f"PASSWORD={SECRET}\n")
    before = _stack(
        tmp_path,
        env_file=["app.env"],
        environment={"MODE": "a"},
        ports=["8080:80"],
        secrets=["token"],
        deploy={"replicas": 1, "resources": {"limits": {"memory": "32M"}}},
    )
    apply_stack(before, client=swarm, wait_timeout=5)
    (tmp_path / "app.env").write_text("PASSWORD=another-secret-value\n")
    after = _stack(
        tmp_path,
        image="busybox:2",
        env_file=["app.env"],
        environment={"MODE": "b"},
        ports=["8081:80"],
        secrets=["token"],
        deploy={"replicas": 3, "resources": {"limits": {"memory": "64M"}}},
    )
    (tmp_path / "token.txt").write_text("second-token")
    plan = plan_stack(after, client=swarm)
    change = plan.find("shop_web")
    assert change is not None
    assert change.action == "update"
    shown = {f.path: f for f in change.fields}
    assert shown["image"].before == "busybox:1"
    assert shown["image"].after == "busybox:2"
    assert (shown["environment.MODE"].before, shown["environment.MODE"].after) == ("a", "b")
    assert (shown["deploy.replicas"].before, shown["deploy.replicas"].after) == (1, 3)
    assert shown["deploy.resources.limits.memory"].after == "64M"
    assert "ports" in shown
    assert shown["contents.environment/PASSWORD"].hidden
    assert shown["contents.secret/token"].hidden
    text = plan.render()
    assert '~ image: "busybox:1" -> "busybox:2"' in text
    assert "contents.secret/token: content changed (hidden)" in text
    data = json.loads(plan.to_json())
    service = next(c for c in data["changes"] if c["name"] == "shop_web")
    assert {"path": "deploy.replicas", "before": 1, "after": 3} in service["fields"]
    everything = plan.to_json() + text
    for secret in (SECRET, "another-secret-value", "first-token", "second-token"):
        assert secret not in everything


def _externals(tmp_path: Path) -> Project:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={"web": Service(image="busybox:1", secrets=["api"], configs=["motd"])},
            secrets={"api": ComposeSecret(external=True, name="shared_api_key")},
            configs={"motd": ComposeConfig(external=True)},
        ),
    )
    stack = Stack(metadata="shop", spec=StackSpec(project=compose))
    return Project([compose, stack], base_dir=tmp_path)


def test_external_secrets_and_configs_are_used_by_name_and_never_managed(tmp_path: Path) -> None:
    swarm = FakeSwarm(external={"secret": {"shared_api_key": "ext-s"}, "config": {"motd": "ext-c"}})
    project = _externals(tmp_path)
    plan = plan_stack(project, client=swarm)
    assert [(c.action, c.kind) for c in plan.changes] == [
        ("create", "network"),
        ("create", "service"),
    ]
    apply_stack(project, client=swarm, wait_timeout=5)
    (service,) = [o for o in swarm.objects.values() if o.kind == "service"]
    container = service.body["TaskTemplate"]["ContainerSpec"]
    assert container["Secrets"][0]["SecretName"] == "shared_api_key"
    assert container["Secrets"][0]["SecretID"] == "ext-s"
    assert container["Configs"][0]["ConfigID"] == "ext-c"
    assert not [c for c in swarm.mutations if "secret" in c or "config" in c]
    swarm.calls.clear()
    apply_stack(project, client=swarm, prune=True, wait_timeout=5)
    delete_stack("shop", client=swarm)
    assert not [c for c in swarm.mutations if "secret" in c or "config" in c]
    assert swarm.external == {"secret": {"shared_api_key": "ext-s"}, "config": {"motd": "ext-c"}}


def test_a_missing_external_secret_fails_plan_and_apply_naming_it(tmp_path: Path) -> None:
    swarm = FakeSwarm(external={"config": {"motd": "ext-c"}})
    project = _externals(tmp_path)
    pattern = r"stack shop: secrets\.api is external, but secret 'shared_api_key' does not exist"
    with pytest.raises(BakepyError, match=pattern):
        plan_stack(project, client=swarm)
    with pytest.raises(BakepyError, match=pattern):
        apply_stack(project, client=swarm)
    assert swarm.mutations == []
