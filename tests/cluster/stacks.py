"""Stacks the cluster tests declare: a ComposeProject of services and the Stack that deploys it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from bakepy import ComposeProject, ComposeProjectSpec, SwarmNode
from bakepy.models.compose import Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project


def unique(prefix: str) -> str:
    """A stack name no other test run uses."""
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def stack_project(
    name: str,
    services: dict[str, dict[str, Any]],
    base: Path,
    *,
    nodes: tuple[SwarmNode, ...] = (),
    **spec: Any,
) -> Project:
    """A project of one stack: ``services`` by name (``stop_grace_period`` 1s unless given, as
    ``sleep`` ignores SIGTERM), plus the compose project's other fields (networks, secrets...),
    and the swarm nodes the project declares."""
    declared = {
        key: Service(**{"stop_grace_period": "1s", **fields}) for key, fields in services.items()
    }
    compose = ComposeProject(metadata=name, spec=ComposeProjectSpec(services=declared, **spec))
    stack = Stack(metadata=name, spec=StackSpec(project=compose))
    return Project([compose, stack, *nodes], base_dir=base)
