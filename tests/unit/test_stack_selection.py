"""A label selector restricts a Stack's services too: plan_stack and apply_stack on a project
narrowed by `-l` change only the services whose labels match (an in-memory swarm)."""

from __future__ import annotations

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.errors import BakepyError
from bakepy.models.compose import Service
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


def test_deleting_some_services_of_a_stack_is_refused_not_widened() -> None:
    swarm = FakeSwarm()
    apply_stack(_project("5"), stack="shop", client=swarm)
    before = dict(swarm.objects)
    batch = select_resources(_project("5"), [], parse_selector("tier=batch"))
    with pytest.raises(BakepyError, match="deleting only those from a stack is not supported"):
        delete_stack(batch, stack="shop", client=swarm)
    assert swarm.objects == before
