"""A node lists a removed overlay network for a moment after the manager removed it. delete_stack
waits until the networks it removed are no longer listed, so an apply right after it creates
them again; an apply that still planned a gone network as existing (removed behind bakepy's
back) recreates it when the service create says it is not found, and tries once more."""

from __future__ import annotations

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import EngineError
from bakepy.models.compose import ComposeNetwork, Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real sleeping while apply waits for the node to drop a network."""
    monkeypatch.setattr("bakepy.engine.swarm.apply.time.sleep", lambda _: None)


def _project(network: str = "front") -> Project:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={"web": Service(image="busybox", networks=[network])},
            networks={network: ComposeNetwork()},
        ),
    )
    return Project([compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


def test_apply_right_after_delete_creates_the_network_again() -> None:
    swarm = FakeSwarm(linger=3)
    apply_stack(_project(), client=swarm, wait_timeout=1)
    delete_stack("shop", client=swarm)
    assert swarm.ghosts == {}  # delete returned once the network was no longer listed
    swarm.calls.clear()
    apply_stack(_project(), client=swarm, wait_timeout=1)
    assert swarm.mutations == ["create network shop_front", "create service shop_web"]


def test_a_network_planned_as_existing_but_gone_is_recreated_once() -> None:
    swarm = FakeSwarm(linger=3)
    apply_stack(_project(), client=swarm, wait_timeout=1)
    (network, service) = list(swarm.objects)
    swarm.remove("service", service)
    swarm.remove("network", network)  # as `docker stack rm` does, without waiting
    plan = plan_stack(_project(), client=swarm)
    assert plan.find("shop_front").action == "unchanged"  # type: ignore[union-attr]
    swarm.calls.clear()
    result = apply_stack(_project(), client=swarm, wait_timeout=1)
    assert swarm.mutations == [
        "create service shop_web",  # refused: network shop_front not found
        "create network shop_front",
        "create service shop_web",
    ]
    assert "created network/front shop_front" in result.render()


@pytest.mark.parametrize(
    "message",
    ["create service shop_web: secret token not found", "network elsewhere not found"],
)
def test_a_service_create_failing_for_another_reason_is_not_retried(message: str) -> None:
    swarm = FakeSwarm(service_error=message)
    with pytest.raises(EngineError, match=message):
        apply_stack(_project(), client=swarm, wait_timeout=1)
    assert swarm.mutations == ["create network shop_front", "create service shop_web"]
