"""Node faults on a 3-node swarm: a drained node's tasks move away and ``plan`` says how many
replicas run of those declared; a node's dockerd killed during an apply ends the apply with a
message naming the service and the node; once the node is back the next apply converges, and
the data a volume holds on a surviving node is kept throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from bakepy.engine.compose.client import CountingClient
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import WaitError
from bakepy.models.compose import ComposeVolume

from .stacks import stack_project, unique
from .swarm import Cluster, eventually

ROOT = Path(__file__).resolve().parents[2]


def _project(cluster: Cluster, name: str, base: Path, version: str) -> object:
    one_a_node = {"max_replicas_per_node": 1}
    return stack_project(
        name,
        {
            "web": {
                "image": cluster.image,
                "command": ["sleep", "3600"],
                "environment": {"VERSION": version},
                "deploy": {
                    "replicas": 3,
                    "placement": one_a_node,
                    "update_config": {"parallelism": 3, "order": "stop-first"},
                },
            },
            "db": {
                "image": cluster.image,
                "command": ["sh", "-c", "[ -f /data/f ] || date +%s%N > /data/f; sleep 3600"],
                "volumes": ["data:/data"],
                "deploy": {
                    "placement": {"constraints": [f"node.hostname == {cluster.hostnames[1]}"]}
                },
            },
        },
        base,
        volumes={"data": ComposeVolume()},
    )


def _restart_nodes() -> None:
    """Start again any node whose dockerd was killed (cluster-up.sh leaves the others alone)."""
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "cluster-up.sh"), "3"],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip


def _stored(cluster: Cluster, name: str) -> str:
    ((node, ident),) = cluster.containers(f"{name}_db")
    assert node == 2
    return cluster.exec(node, ident, "cat /data/f").strip()


def test_drain_and_a_node_killed_during_an_apply(cluster: Cluster, tmp_path: Path) -> None:
    name = unique("bkfault")
    web = f"{name}_web"
    third = cluster.hostnames[2]
    engine = cluster.engine()
    client = cluster.client(engine)
    try:
        apply_stack(_project(cluster, name, tmp_path, "1"), client=client, wait_timeout=180)
        stored = _stored(cluster, name)
        assert cluster.placement(web) == sorted(cluster.hostnames)

        cluster.docker("node", "update", "--availability", "drain", third)
        eventually(lambda: len(cluster.placement(web)) == 2, "the drained node's task stops")
        short = f"service/web ({web}): 2 of 3 declared replicas running"
        eventually(
            lambda: (
                short in plan_stack(_project(cluster, name, tmp_path, "1"), client=client).warnings
            ),
            "plan reports 2 of 3 replicas running",
        )
        assert not plan_stack(_project(cluster, name, tmp_path, "1"), client=client).has_changes
        cluster.docker("node", "update", "--availability", "active", third)
        eventually(lambda: len(cluster.placement(web)) == 3, "the task returns to the node")

        # Kill the third node's dockerd as soon as the apply changes the service.
        pid = int(cluster.pidfile(3).read_text())
        killed = threading.Event()

        def kill(count: int) -> None:
            if not killed.is_set():
                killed.set()
                os.kill(pid, signal.SIGKILL)

        counting = CountingClient(engine, on_mutation=kill)
        assert counting.http
        with pytest.raises(WaitError) as raised:
            apply_stack(_project(cluster, name, tmp_path, "2"), client=client, wait_timeout=45)
        assert killed.is_set()
        message = str(raised.value)
        assert web in message
        assert f"{third} down" in message
        assert _stored(cluster, name) == stored

        _restart_nodes()
        eventually(
            lambda: cluster.inspect("node", third)["Status"]["State"].title() == "Ready",
            "the restarted node is ready again",
            timeout=120,
        )
        apply_stack(_project(cluster, name, tmp_path, "2"), client=client, wait_timeout=180)
        eventually(lambda: len(cluster.placement(web)) == 3, "three tasks run again")
        plan = plan_stack(_project(cluster, name, tmp_path, "2"), client=client)
        assert not plan.has_changes
        assert plan.warnings == []
        assert _stored(cluster, name) == stored
    finally:
        cluster.docker("node", "update", "--availability", "active", third, check=False)
        _restart_nodes()
        delete_stack(name, client=client)
        for node in (1, 2, 3):
            cluster.docker("volume", "rm", f"{name}_data", node=node, check=False)
