"""apply_stack waits until the services it changed have rolled out: an update completed, the
tasks of the new spec running as many as declared (global: one per eligible node); a paused
update or a rollback fails with the engine's message; a timeout names what is missing."""

from __future__ import annotations

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.swarm.observed import ObservedNode, ObservedSwarmObject, ObservedTask
from bakepy.engine.swarm.verbs import apply_stack
from bakepy.engine.swarm.wait import Rollout, eligible, progress_of
from bakepy.errors import WaitError
from bakepy.models.compose import Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm


def _project(image: str = "busybox:1", deploy: dict[str, object] | None = None) -> Project:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={
                "web": Service(
                    image=image, command=["sleep", "1d"], deploy=deploy or {"replicas": 2}
                )
            }
        ),
    )
    return Project([compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


def test_apply_returns_only_once_the_update_has_rolled_out() -> None:
    swarm = FakeSwarm(rollout_polls=3)
    lines: list[str] = []
    apply_stack(_project(), client=swarm, progress=lines.append, wait_timeout=5)
    swarm.lists = 0
    result = apply_stack(_project("busybox:2"), client=swarm, progress=lines.append, wait_timeout=5)
    (service,) = [o for o in swarm.objects.values() if o.kind == "service"]
    assert service.update_state == "completed"
    assert service.tasks_version == service.version == 2
    assert swarm.lists >= 4 + 3  # the plan's four listings, then the rollout's three
    assert [(d.action, d.resource) for d in result.done] == [
        ("updated", "service/web"),
        ("waited", "service/web"),
    ]
    assert lines[-1].startswith("waited service/web shop_web (")


def test_a_paused_update_is_an_error_naming_the_service_and_the_engines_message() -> None:
    swarm = FakeSwarm()
    apply_stack(_project(), client=swarm, wait_timeout=5)
    swarm.rollout_polls = 1
    swarm.update_outcome = "paused"
    swarm.update_message = "update paused due to failure or early termination of task abc"
    with pytest.raises(WaitError) as raised:
        apply_stack(_project("busybox:2"), client=swarm, wait_timeout=5)
    message = str(raised.value)
    assert "service shop_web" in message
    assert "paused" in message
    assert "early termination of task abc" in message


@pytest.mark.parametrize("outcome", ["rollback_started", "rollback_completed", "rollback_paused"])
def test_a_rollback_is_an_error(outcome: str) -> None:
    swarm = FakeSwarm()
    apply_stack(_project(), client=swarm, wait_timeout=5)
    swarm.rollout_polls = 1
    swarm.update_outcome = outcome
    swarm.update_message = "rollback completed"
    with pytest.raises(WaitError, match=rf"shop_web.*\({outcome}\): rollback completed"):
        apply_stack(_project("busybox:2"), client=swarm, wait_timeout=5)


def test_a_timeout_names_the_service_the_tasks_and_the_last_task_error() -> None:
    swarm = FakeSwarm(task_error="No such image: busybox:nope")
    with pytest.raises(WaitError) as raised:
        apply_stack(_project("busybox:nope"), client=swarm, wait_timeout=0.3)
    message = str(raised.value)
    assert "timed out after 0.3s" in message
    assert "shop_web: 0/2 tasks of the new spec running" in message
    assert "No such image: busybox:nope" in message


def test_an_unchanged_stack_waits_for_nothing() -> None:
    swarm = FakeSwarm()
    apply_stack(_project(), client=swarm, wait_timeout=5)
    swarm.lists = 0
    assert not apply_stack(_project(), client=swarm, wait_timeout=5).done
    assert swarm.lists == 4


def test_a_global_service_waits_for_one_task_per_eligible_node() -> None:
    swarm = FakeSwarm(
        rollout_polls=2,
        node_list=[
            ObservedNode("node1", "one", "manager"),
            ObservedNode("node2", "two", "worker"),
            ObservedNode("node3", "three", "worker", ready=False),
        ],
    )
    deploy = {"mode": "global", "placement": {"constraints": ["node.role == worker"]}}
    result = apply_stack(_project(deploy=deploy), client=swarm, wait_timeout=5)
    assert ("waited", "service/web") in [(d.action, d.resource) for d in result.done]
    assert "nodes" in swarm.calls


def _service(state: str = "", message: str = "") -> ObservedSwarmObject:
    return ObservedSwarmObject("service", "s1", "shop_web", {}, 3, 0, state, frozenset(), message)


def test_progress_counts_only_running_tasks_of_the_new_spec_on_eligible_nodes() -> None:
    nodes = [
        ObservedNode("n1", "one", "manager", labels={"zone": "a"}),
        ObservedNode("n2", "two", "worker", labels={"zone": "b"}),
    ]
    tasks = [
        ObservedTask("s1", "n1", "running", "running"),
        ObservedTask("s1", "n2", "starting", "running"),
        ObservedTask("other", "n2", "running", "running"),
    ]
    rollout = Rollout("service/web", "shop_web", None)
    assert progress_of(rollout, _service(), tasks, nodes) == "1/2 tasks of the new spec running"
    zoned = Rollout("service/web", "shop_web", None, ("node.labels.zone == a",))
    assert progress_of(zoned, _service(), tasks, nodes) is None
    replicated = Rollout("service/web", "shop_web", 1)
    assert progress_of(replicated, _service("updating"), tasks, nodes) == (
        "update updating, 1/1 tasks of the new spec running"
    )
    assert progress_of(replicated, _service("completed"), tasks, nodes) is None
    assert progress_of(replicated, None, tasks, nodes) == "service not listed yet"


def test_eligible_nodes_follow_the_constraints_it_understands() -> None:
    nodes = [
        ObservedNode("n1", "one", "manager", engine_labels={"disk": "ssd"}, os="linux"),
        ObservedNode("n2", "two", "worker", os="linux"),
    ]
    assert eligible(nodes, []) == {"n1", "n2"}
    assert eligible(nodes, ["node.role==manager"]) == {"n1"}
    assert eligible(nodes, ["node.hostname != one", "node.platform.os == linux"]) == {"n2"}
    assert eligible(nodes, ["engine.labels.disk == ssd"]) == {"n1"}
    assert eligible(nodes, ["node.whatever == x"]) is None
