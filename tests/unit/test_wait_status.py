"""A stack rollout says how it is going while apply waits (Status lines, which the CLI shows
in place on a terminal), then what it waited for (an in-memory swarm)."""

from __future__ import annotations

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.progress import Status
from bakepy.engine.swarm.verbs import apply_stack
from bakepy.models.compose import Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.testing.fake_swarm import FakeSwarm


def _project(image: str) -> Project:
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={"web": Service(image=image, command=["sleep", "1d"], deploy={"replicas": 2})}
        ),
    )
    return Project([compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


def test_a_rollout_reports_while_it_waits() -> None:
    swarm = FakeSwarm(rollout_polls=3)
    apply_stack(_project("busybox:1"), client=swarm, wait_timeout=5)
    lines: list[str] = []
    apply_stack(_project("busybox:2"), client=swarm, progress=lines.append, wait_timeout=5)
    statuses = [line for line in lines if isinstance(line, Status)]
    assert statuses
    assert {s.key for s in statuses} == {"stack/shop"}
    assert all(s.startswith("rolling out stack shop (") for s in statuses)
    assert "web: " in statuses[0]
    results = [line for line in lines if not isinstance(line, Status)]
    assert results[-1].startswith("waited service/web shop_web (")
