"""The resource kinds a manifest may declare, by their ``kind`` name."""

from __future__ import annotations

from bakepy.models.bake import Function, Group, Target, Variable
from bakepy.models.builder import Builder
from bakepy.models.compose import ComposeProject, Stack
from bakepy.models.daemon import DaemonConfig
from bakepy.models.dockerfile import Dockerfile
from bakepy.models.resource import Resource
from bakepy.models.systemd import SystemdDropIn

KINDS: dict[str, type[Resource]] = {
    cls.KIND: cls
    for cls in (
        Dockerfile,
        Target,
        Group,
        Variable,
        Function,
        Builder,
        ComposeProject,
        Stack,
        DaemonConfig,
        SystemdDropIn,
    )
}
