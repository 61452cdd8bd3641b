"""Placement on a 3-node swarm as declared: the node labels declared as SwarmNodes (planned,
then applied before the services), constraints on node labels and roles, spread over a node
label, at most N replicas per node, one task per eligible node in global mode; and a second
apply of the same stack makes no mutating request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakepy import SwarmNode, SwarmNodeSpec
from bakepy.engine.compose.client import CountingClient
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack

from .stacks import stack_project, unique
from .swarm import Cluster


@pytest.fixture
def clean_labels(cluster: Cluster) -> Iterator[None]:
    """The node labels the test declares are gone afterwards."""
    cluster.set_labels({host: {} for host in cluster.hostnames})
    yield
    cluster.set_labels({host: {} for host in cluster.hostnames})


def test_constraints_spread_max_per_node_and_global_mode(
    cluster: Cluster, clean_labels: None, tmp_path: Path
) -> None:
    name = unique("bkplace")
    one, two, three = cluster.hostnames[:3]

    def sleeper(**deploy: object) -> dict[str, object]:
        return {"image": cluster.image, "command": ["sleep", "3600"], "deploy": deploy}

    project = stack_project(
        name,
        {
            "ssd": sleeper(replicas=2, placement={"constraints": ["node.labels.t.disk == ssd"]}),
            "workers": sleeper(replicas=2, placement={"constraints": ["node.role == worker"]}),
            "spread": sleeper(
                replicas=4, placement={"preferences": [{"spread": "node.labels.t.zone"}]}
            ),
            "capped": sleeper(replicas=3, placement={"max_replicas_per_node": 1}),
            "everywhere": sleeper(
                mode="global", placement={"constraints": ["node.role == worker"]}
            ),
            "all": sleeper(mode="global"),
        },
        tmp_path,
        nodes=(  # nodes 1 and 2 in zone a, node 3 in zone b with an ssd
            SwarmNode(metadata=one, spec=SwarmNodeSpec(labels={"t.zone": "a"})),
            SwarmNode(metadata=two, spec=SwarmNodeSpec(labels={"t.zone": "a"})),
            SwarmNode(metadata=three, spec=SwarmNodeSpec(labels={"t.zone": "b", "t.disk": "ssd"})),
        ),
    )
    engine = cluster.engine()
    counting = CountingClient(engine)
    client = cluster.client(engine)
    try:
        plan = plan_stack(project, client=client)
        labelled = [c for c in plan.changes if c.kind == "node" and c.action == "update"]
        assert [c.name for c in labelled] == [one, two, three]
        assert [(f.path, f.after) for f in labelled[2].fields] == [
            ("labels.t.disk", "ssd"),
            ("labels.t.zone", "b"),
        ]
        first = apply_stack(project, client=client, wait_timeout=180)
        assert cluster.inspect("node", three)["Spec"]["Labels"]["t.disk"] == "ssd"
        assert {d.resource for d in first.done if d.action == "waited"} == {
            f"service/{s}" for s in ("ssd", "workers", "spread", "capped", "everywhere", "all")
        }
        assert cluster.placement(f"{name}_ssd") == [three, three]
        assert set(cluster.placement(f"{name}_workers")) <= {two, three}
        assert len(cluster.placement(f"{name}_workers")) == 2
        zone = {one: "a", two: "a", three: "b"}
        assert Counter(zone[h] for h in cluster.placement(f"{name}_spread")) == {"a": 2, "b": 2}
        assert cluster.placement(f"{name}_capped") == [one, two, three]
        assert cluster.placement(f"{name}_everywhere") == [two, three]
        assert cluster.placement(f"{name}_all") == [one, two, three]

        counting.reset()
        again = apply_stack(project, client=client, wait_timeout=180)
        assert not again.changed
        assert counting.mutating_requests == 0
        assert not plan_stack(project, client=client).has_changes
    finally:
        delete_stack(name, client=client)
