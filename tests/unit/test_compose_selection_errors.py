"""Naming a ComposeProject the definitions lack is refused listing the declared ones, with a hint
that fits the command line and Python alike (plan and delete, not only apply)."""

from __future__ import annotations

import pytest

from bakepy import ComposeProject, ComposeProjectSpec, Stack, StackSpec, plan_runtime
from bakepy.engine.swarm.desired import select_stack
from bakepy.errors import BakepyError
from bakepy.models.compose import Service
from bakepy.project import Project
from bakepy.testing import FakeEngine


def _project() -> Project:
    web = ComposeProject(
        metadata="web", spec=ComposeProjectSpec(services={"app": Service(image="busybox")})
    )
    return Project([web])


def test_an_unknown_compose_name_lists_the_declared_ones_and_both_ways_to_name_one() -> None:
    with pytest.raises(BakepyError) as caught:
        plan_runtime(_project(), compose="nope", client=FakeEngine())
    assert caught.value.message == "no ComposeProject named 'nope' (declared: web)"
    assert caught.value.diagnostic.hint == "name one with --compose NAME (compose=NAME from Python)"


def test_an_unknown_stack_name_lists_the_declared_ones_and_both_ways_to_name_one() -> None:
    web = ComposeProject(
        metadata="web", spec=ComposeProjectSpec(services={"app": Service(image="busybox")})
    )
    stack = Stack(metadata="shop", spec=StackSpec(project=web))
    with pytest.raises(BakepyError) as caught:
        select_stack(Project([web, stack]), "nope")
    assert caught.value.message == "no Stack named 'nope' (declared: shop)"
    assert caught.value.diagnostic.hint == "name one with --stack NAME (stack=NAME from Python)"
