"""A label selector restricts a Stack's services too: plan_stack and apply_stack on a project
narrowed by `-l` change only the services whose labels match (an in-memory swarm)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.models.compose import ComposeConfig, ComposeNetwork, ComposeSecret, Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.resolution.selection import parse_selector, select_resources
from bakepy.testing.fake_swarm import FakeSwarm


def _project(worker_command: str) -> Project:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={
                "web": Service(image="busybox", command=["sleep", "1"], labels={"tier": "front"}),
                "worker": Service(
                    image="busybox", command=["sleep", worker_command], labels={"tier": "batch"}
                ),
            }
        ),
    )
    return Project([compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


def _service_changes(plan: object) -> dict[str, str]:
    changes = getattr(plan, "changes", [])
    return {c.resource: c.action for c in changes if c.kind == "service"}


def test_selected_stack_services_only() -> None:
    swarm = FakeSwarm()
    front = select_resources(_project("5"), [], parse_selector("tier=front"))
    assert [r.KIND for r in front] == ["ComposeProject", "Stack"]  # the Stack deploying it too
    applied = apply_stack(front, stack="shop", client=swarm)
    assert {d.resource for d in applied.done if d.resource.startswith("service/")} == {
        "service/web"
    }
    everything = apply_stack(_project("5"), stack="shop", client=swarm)
    assert "service/worker" in {d.resource for d in everything.done}

    changed = _project("6")  # only the worker differs now
    front = select_resources(changed, [], parse_selector("tier=front"))
    assert _service_changes(plan_stack(front, stack="shop", client=swarm)) == {
        "service/web": "unchanged"
    }
    batch = select_resources(changed, [], parse_selector("tier=batch"))
    assert _service_changes(plan_stack(batch, stack="shop", client=swarm)) == {
        "service/worker": "update"
    }


def _shared(motd: str, token: Path) -> Project:
    """web (front) and worker (batch) share the motd config and the back network; web alone uses
    the front network, worker alone the token secret."""
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={
                "web": Service(
                    image="busybox",
                    labels={"tier": "front"},
                    networks=["front", "back"],
                    configs=["motd"],
                ),
                "worker": Service(
                    image="busybox",
                    labels={"tier": "batch"},
                    networks=["back"],
                    configs=["motd"],
                    secrets=["token"],
                ),
            },
            networks={"front": ComposeNetwork(), "back": ComposeNetwork()},
            configs={"motd": ComposeConfig(content=motd)},
            secrets={"token": ComposeSecret(file=str(token))},
        ),
    )
    return Project([compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


def _pick(project: Project, selector: str) -> Project:
    return select_resources(project, [], parse_selector(selector))


def _names(swarm: FakeSwarm, kind: str) -> set[str]:
    return {o.body["Name"] for o in swarm.objects.values() if o.kind == kind}


@pytest.fixture
def token(tmp_path: Path) -> Path:
    """The token secret's file."""
    path = tmp_path / "token.txt"
    path.write_text("t0ken", encoding="utf-8")
    return path


def test_a_picked_subset_creates_only_what_its_services_use(token: Path) -> None:
    swarm = FakeSwarm()
    plan = plan_stack(_pick(_shared("hi", token), "tier=front"), client=swarm)
    assert {c.resource: c.action for c in plan.changes} == {
        "network/front": "create",
        "network/back": "create",
        "config/motd": "create",
        "service/web": "create",
    }
    apply_stack(_pick(_shared("hi", token), "tier=front"), client=swarm)
    assert _names(swarm, "network") == {"shop_front", "shop_back"}
    assert _names(swarm, "secret") == set()  # only worker uses it
    assert _names(swarm, "service") == {"shop_web"}
    batch = plan_stack(_pick(_shared("hi", token), "tier=batch"), client=swarm)
    assert {c.resource: c.action for c in batch.changes} == {
        "network/back": "unchanged",
        "config/motd": "unchanged",
        "secret/token": "create",
        "service/worker": "create",
    }


def test_a_picked_subset_never_deletes_what_the_others_still_use(token: Path) -> None:
    swarm = FakeSwarm()
    apply_stack(_shared("hi", token), client=swarm)
    old_motd = _names(swarm, "config")
    front = _pick(_shared("hello", token), "tier=front")  # new content: a new config for web
    applied = apply_stack(front, client=swarm)
    actions = {(d.resource, d.action) for d in applied.done}
    assert ("service/web", "updated") in actions
    assert not [d for d in applied.done if d.resource == "service/worker"]
    assert old_motd < _names(swarm, "config")  # worker (not picked) still runs the old one
    worker = next(o for o in swarm.objects.values() if o.body["Name"] == "shop_worker")
    assert worker.version == 1


def test_prune_with_a_selector_removes_no_network_nor_other_service(token: Path) -> None:
    swarm = FakeSwarm()
    bigger = _shared("hi", token)
    bigger.resources[0].spec.networks["spare"] = ComposeNetwork()  # type: ignore[attr-defined]
    apply_stack(bigger, client=swarm)
    smaller = _shared("hi", token)
    spec = smaller.resources[0].spec  # type: ignore[attr-defined]
    del spec.services["worker"]
    del spec.secrets["token"]
    everything = plan_stack(smaller, client=swarm, prune=True)
    assert {c.resource for c in everything.changes if c.action == "delete"} == {
        "service/worker",
        "secret/token",
        "network/spare",
    }
    picked = plan_stack(_pick(smaller, "tier=front"), client=swarm, prune=True)
    assert [c.resource for c in picked.changes if c.action == "delete"] == []
    assert any(w.startswith("network/spare (shop_spare): not removed") for w in picked.warnings)


def test_deleting_picked_services_leaves_what_others_use(token: Path) -> None:
    swarm = FakeSwarm()
    apply_stack(_shared("hi", token), client=swarm)
    before_networks = _names(swarm, "network")
    result = delete_stack(_pick(_shared("hi", token), "tier=batch"), stack="shop", client=swarm)
    assert {d.resource for d in result.done} == {"service/worker", "secret/token"}
    assert _names(swarm, "service") == {"shop_web"}
    assert _names(swarm, "secret") == set()
    assert len(_names(swarm, "config")) == 1  # web still uses motd
    assert _names(swarm, "network") == before_networks
    assert any("networks kept" in w for w in result.plan.warnings)
