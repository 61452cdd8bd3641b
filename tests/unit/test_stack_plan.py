"""plan_stack / apply_stack against an in-memory swarm: content-named secrets, services updated
in place, old secrets removed once neither a service nor a rollback can use them, prune, dry
runs and no-change applies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.state import digest_key
from bakepy.engine.swarm.desired import content_name
from bakepy.engine.swarm.plan import StackPlan
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import WaitError
from bakepy.models.compose import ComposeConfig, ComposeNetwork, ComposeSecret, Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm


def _project(secret: Path, services: tuple[str, ...] = ("web",)) -> Project:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={
                name: Service(
                    image="busybox",
                    command=["sleep", "3600"],
                    networks=["front"],
                    secrets=["token"],
                    configs=["motd"],
                    deploy={"replicas": 2},
                )
                for name in services
            },
            networks={"front": ComposeNetwork()},
            secrets={"token": ComposeSecret(file=str(secret))},
            configs={"motd": ComposeConfig(content="hi")},
        ),
    )
    return Project([compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A secret file."""
    path = tmp_path / "token.txt"
    path.write_text("s3cr3t-one")
    return path


def test_first_apply_creates_in_order_and_second_changes_nothing(secret: Path) -> None:
    swarm = FakeSwarm()
    project = _project(secret)
    plan = plan_stack(project, client=swarm)
    assert plan.counts()["create"] == 4
    assert swarm.lists == 4
    assert apply_stack(project, client=swarm, dry_run=True).dry_run
    assert swarm.calls == []
    apply_stack(project, client=swarm, wait_timeout=1)
    token = content_name("shop", "token", b"s3cr3t-one", digest_key())
    assert swarm.calls == [
        "create network shop_front",
        f"create config {content_name('shop', 'motd', b'hi', digest_key())}",
        f"create secret {token}",
        "create service shop_web",
    ]
    swarm.calls.clear()
    again = apply_stack(project, client=swarm)
    assert not again.changed
    assert swarm.calls == []


def test_new_secret_content_rolls_the_service_and_keeps_the_old_secret_for_a_rollback(
    secret: Path,
) -> None:
    swarm = FakeSwarm()
    project = _project(secret)
    apply_stack(project, client=swarm, wait_timeout=1)
    swarm.calls.clear()
    one, two, three = (
        content_name("shop", "token", value, digest_key())
        for value in (b"s3cr3t-one", b"s3cr3t-two", b"s3cr3t-three")
    )
    secret.write_text("s3cr3t-two")
    plan = plan_stack(project, client=swarm)
    assert [(c.action, c.resource) for c in plan.changes if c.action != "unchanged"] == [
        ("create", "secret/token"),
        ("update", "service/web"),
    ]
    assert "s3cr3t" not in plan.to_json() + plan.render()
    apply_stack(project, client=swarm, wait_timeout=1)
    assert swarm.calls == [f"create secret {two}", "update service shop_web"]
    assert not plan_stack(project, client=swarm).has_changes  # one is the rollback's secret

    swarm.calls.clear()
    secret.write_text("s3cr3t-three")
    apply_stack(project, client=swarm, wait_timeout=1)
    assert swarm.calls == [
        f"create secret {three}",
        "update service shop_web",
        f"remove secret {one}",  # after the update converged; two is now the rollback's
    ]
    names = {o.body["Name"] for o in swarm.objects.values() if o.kind == "secret"}
    assert names == {two, three}


def test_a_rolled_back_update_keeps_the_secret_the_service_returned_to(secret: Path) -> None:
    swarm = FakeSwarm()
    project = _project(secret)
    apply_stack(project, client=swarm, wait_timeout=1)
    one = content_name("shop", "token", b"s3cr3t-one", digest_key())
    swarm.update_outcome = "rollback_completed"
    swarm.update_message = "update rolled back due to failure"
    secret.write_text("s3cr3t-two")
    swarm.calls.clear()
    with pytest.raises(WaitError, match="rolled back"):
        apply_stack(project, client=swarm, wait_timeout=1)
    assert not [c for c in swarm.calls if c.startswith("remove")]
    (web,) = [o for o in swarm.objects.values() if o.kind == "service"]
    refs = web.body["TaskTemplate"]["ContainerSpec"]["Secrets"]
    assert [r["SecretName"] for r in refs] == [one]
    assert one in {o.body["Name"] for o in swarm.objects.values() if o.kind == "secret"}
    swarm.update_outcome = "completed"
    again = plan_stack(project, client=swarm)
    assert not again.of("delete")  # neither secret: one runs, two is the previous spec's


def test_secret_names_are_keyed_not_a_plain_content_hash() -> None:
    plain = hashlib.sha256(b"hunter2").hexdigest()[:12]
    name = content_name("shop", "token", b"hunter2", b"k" * 32)
    assert name.startswith("shop_token-")
    assert plain not in name
    assert name == content_name("shop", "token", b"hunter2", b"k" * 32)
    assert name != content_name("shop", "token", b"hunter2", b"j" * 32)
    assert name != content_name("shop", "token", b"hunter3", b"k" * 32)


def test_prune_and_delete(secret: Path) -> None:
    swarm = FakeSwarm()
    apply_stack(_project(secret, ("web", "worker")), client=swarm, wait_timeout=1)
    smaller = _project(secret)
    assert not plan_stack(smaller, client=swarm).of("delete")
    swarm.calls.clear()
    apply_stack(smaller, client=swarm, prune=True, wait_timeout=1)
    assert swarm.calls == ["remove service shop_worker"]
    deleted = delete_stack("shop", client=swarm)
    assert deleted.verb == "Delete"
    assert swarm.objects == {}


def test_service_body_follows_the_stack_file(secret: Path) -> None:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={
                "api": Service(
                    image="busybox",
                    environment={"PRICE": "$$5"},
                    ports=["8080:80"],
                    deploy={
                        "replicas": 3,
                        "resources": {"reservations": {"cpus": "0.5", "memory": "1G"}},
                        "placement": {"preferences": [{"spread": "node.labels.zone"}]},
                        "rollback_config": {"order": "stop-first"},
                        "endpoint_mode": "vip",
                    },
                )
            }
        ),
    )
    plan = plan_stack(Stack(metadata="shop", spec=StackSpec(project=compose)), client=FakeSwarm())
    assert [(c.action, c.name) for c in plan.changes] == [
        ("create", "shop_default"),
        ("create", "shop_api"),
    ]
    assert isinstance(plan, StackPlan)
    body = plan.declared(plan.changes[1]).body
    task = body["TaskTemplate"]
    assert task["ContainerSpec"]["Env"] == ["PRICE=$5"]
    assert task["Resources"] == {"Reservations": {"NanoCPUs": 500_000_000, "MemoryBytes": 1 << 30}}
    assert task["Placement"] == {
        "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}]
    }
    assert task["Networks"] == [{"Target": "shop_default", "Aliases": ["api"]}]
    assert body["Mode"] == {"Replicated": {"Replicas": 3}}
    assert body["RollbackConfig"] == {"Parallelism": 1, "Order": "stop-first"}
    assert body["EndpointSpec"]["Ports"] == [
        {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}
    ]
    assert body["Labels"]["com.docker.stack.namespace"] == "shop"
