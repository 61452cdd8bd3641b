"""The resource kinds a manifest may declare, by their ``kind`` name."""

from __future__ import annotations

from bakepy.models.bake.builder import Builder
from bakepy.models.bake.targets import Attribute, Function, Group, Target, Variable
from bakepy.models.compose.project import ComposeProject, Stack
from bakepy.models.compose.swarm_node import SwarmNode
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.host.daemon import DaemonConfig
from bakepy.models.host.systemd import SystemdDropIn
from bakepy.models.resource import Resource

KINDS: dict[str, type[Resource]] = {
    cls.KIND: cls
    for cls in (
        Dockerfile,
        Target,
        Group,
        Variable,
        Function,
        Attribute,
        Builder,
        ComposeProject,
        Stack,
        SwarmNode,
        DaemonConfig,
        SystemdDropIn,
    )
}
