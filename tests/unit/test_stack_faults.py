"""What plan and apply say when a swarm cannot run what a stack declares: plan names each
service running fewer tasks than declared, and an apply that times out names the nodes that
take no tasks (down or drained)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy.engine.swarm.observed import ObservedNode
from bakepy.engine.swarm.verbs import apply_stack, plan_stack
from bakepy.errors import WaitError
from bakepy.testing.fake_swarm import FakeSwarm

from .test_stack_plan import _project


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A secret file."""
    path = tmp_path / "token.txt"
    path.write_text("s3cr3t-one")
    return path


def test_plan_reports_declared_against_running_replicas(secret: Path) -> None:
    swarm = FakeSwarm()
    apply_stack(_project(secret), client=swarm, wait_timeout=1)
    assert plan_stack(_project(secret), client=swarm).warnings == []
    swarm.task_error = "node is down"
    plan = plan_stack(_project(secret), client=swarm)
    assert not plan.has_changes
    assert plan.warnings == ["service/web (shop_web): 0 of 2 declared replicas running"]
    assert "0 of 2 declared replicas running" in plan.render()


def test_a_timed_out_apply_names_the_service_and_the_nodes_taking_no_tasks(secret: Path) -> None:
    swarm = FakeSwarm(task_error="task: non-zero exit")
    swarm.node_list = [
        ObservedNode("n1", "bakepy-n1", "manager"),
        ObservedNode("n2", "bakepy-n2", availability="drain", ready=False),
        ObservedNode("n3", "bakepy-n3", status="down", ready=False),
    ]
    with pytest.raises(WaitError) as raised:
        apply_stack(_project(secret), client=swarm, wait_timeout=0)
    message = str(raised.value)
    assert "shop_web: 0/2 tasks of the new spec running" in message
    assert "(nodes taking no tasks: bakepy-n2 drain, bakepy-n3 down)" in message
