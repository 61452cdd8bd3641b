"""SwarmNode: the labels, availability and role of a swarm's nodes, declared beside the stacks
whose placement needs them; planned and applied with the stack (never adding or removing a
node, draining only when declared), and checked against the stacks' placement constraints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy import ComposeProject, ComposeProjectSpec, Stack, StackSpec, SwarmNode, SwarmNodeSpec
from bakepy.engine.swarm.nodes import MANAGED
from bakepy.engine.swarm.observed import ObservedNode
from bakepy.engine.swarm.verbs import apply_stack, plan_stack
from bakepy.errors import BakepyError, ValidationError
from bakepy.models.compose import Service
from bakepy.project import Project
from bakepy.resolution.checks import check_project
from bakepy.testing.fake_swarm import FakeSwarm


def _project(constraints: list[str], *nodes: SwarmNode) -> Project:
    deploy: dict[str, Any] = {"replicas": 1, "placement": {"constraints": constraints}}
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(services={"web": Service(image="busybox", deploy=deploy)}),
    )
    stack = Stack(metadata="shop", spec=StackSpec(project=compose))
    return Project([compose, stack, *nodes], base_dir=Path("."))


def _swarm() -> FakeSwarm:
    swarm = FakeSwarm()
    swarm.node_list = [
        ObservedNode("id1", "n1", "manager"),
        ObservedNode("id2", "n2", "worker", labels={"owner": "ops"}),
    ]
    return swarm


def test_a_manifest_declares_a_node() -> None:
    node = SwarmNode.model_validate(
        {
            "apiVersion": "bakepy.dev/v1alpha1",
            "kind": "SwarmNode",
            "metadata": {"name": "n2"},
            "spec": {"labels": {"zone": "b"}, "availability": "drain", "role": "worker"},
        }
    )
    assert node.hostname == "n2"
    assert node.spec.availability == "drain"
    with pytest.raises(ValueError, match="availability"):
        SwarmNodeSpec.model_validate({"availability": "gone"})


def test_validate_refuses_a_constraint_no_declared_node_meets() -> None:
    nodes = (
        SwarmNode(metadata="n1", spec=SwarmNodeSpec(role="manager")),
        SwarmNode(metadata="n2", spec=SwarmNodeSpec(role="worker", labels={"zone": "a"})),
    )
    check_project(_project(["node.labels.zone == a", "node.role == worker"], *nodes))
    check_project(_project(["node.labels.zone != b"], *nodes))
    with pytest.raises(ValidationError) as raised:
        check_project(_project(["node.labels.zone == b"], *nodes))
    message = str(raised.value)
    assert "service web can run on no declared node" in message
    assert "node.labels.zone == b" in message
    with pytest.raises(ValidationError, match="no SwarmNode"):
        check_project(_project(["node.labels.zone == a", "node.role == manager"], *nodes))
    check_project(_project(["node.labels.zone == b"]))  # no nodes declared: nothing to judge


def test_plan_shows_label_changes_and_apply_updates_only_the_changed_node() -> None:
    swarm = _swarm()
    nodes = (
        SwarmNode(metadata="n1"),
        SwarmNode(metadata="n2", spec=SwarmNodeSpec(labels={"zone": "b"})),
    )
    project = _project(["node.labels.zone == b"], *nodes)
    plan = plan_stack(project, client=swarm)
    (n1, n2) = [c for c in plan.changes if c.kind == "node"]
    assert (n1.action, n2.action) == ("unchanged", "update")
    assert [(f.path, f.before, f.after) for f in n2.fields] == [("labels.zone", None, "b")]
    assert "node/n2" in plan.render()
    apply_stack(project, client=swarm, wait_timeout=1)
    assert swarm.mutations[0] == "update node id2"
    assert swarm.node_list[1].labels == {"owner": "ops", "zone": "b", MANAGED: "zone"}
    swarm.calls.clear()
    assert not apply_stack(project, client=swarm, wait_timeout=1).changed
    assert swarm.mutations == []


def test_a_label_no_longer_declared_is_removed_and_others_are_kept() -> None:
    swarm = _swarm()
    first = SwarmNode(metadata="n2", spec=SwarmNodeSpec(labels={"zone": "b", "disk": "ssd"}))
    apply_stack(_project([], first), client=swarm, wait_timeout=1)
    second = SwarmNode(metadata="n2", spec=SwarmNodeSpec(labels={"zone": "b"}))
    plan = plan_stack(_project([], second), client=swarm)
    (change,) = [c for c in plan.changes if c.kind == "node"]
    assert [(f.path, f.before, f.after) for f in change.fields] == [("labels.disk", "ssd", None)]
    apply_stack(_project([], second), client=swarm, wait_timeout=1)
    assert swarm.node_list[1].labels == {"owner": "ops", "zone": "b", MANAGED: "zone"}


def test_a_node_drains_only_when_declared_and_is_never_removed() -> None:
    swarm = _swarm()
    apply_stack(_project([], SwarmNode(metadata="n2")), client=swarm, wait_timeout=1)
    assert swarm.node_list[1].availability == "active"
    drained = SwarmNode(metadata="n2", spec=SwarmNodeSpec(availability="drain"))
    plan = plan_stack(_project([], drained), client=swarm)
    (change,) = [c for c in plan.changes if c.kind == "node"]
    assert change.reasons == ["drained: its tasks move to other nodes"]
    apply_stack(_project([], drained), client=swarm, wait_timeout=1)
    assert swarm.node_list[1].availability == "drain"
    assert not [c for c in swarm.calls if c.startswith("remove node")]
    assert len(swarm.node_list) == 2


def test_a_declared_node_the_swarm_lacks_is_an_error() -> None:
    with pytest.raises(BakepyError, match=r"no node named 'n9' in the swarm \(nodes: n1, n2\)"):
        plan_stack(_project([], SwarmNode(metadata="n9")), client=_swarm())
