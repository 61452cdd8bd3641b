"""The models: pure data, a package per domain, and nothing above them imported.

``dockerfile/`` (Dockerfile, stages, instructions, .dockerignore), ``bake/`` (Target, Group,
Variable, Function, Builder, the values buildx takes as strings, a bake file's native form),
``compose/`` (ComposeProject, Stack, services and their sections) and ``host/`` (DaemonConfig,
SystemdDropIn). Every value type is importable from its domain package; the resource kinds, the
envelope they share (``resource``) and the kinds by name (``kinds``) also from here. A field is
validated where it is declared (pydantic); rules over several resources live in
``bakepy.resolution.checks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.models.bake.builder import Builder as Builder, BuilderSpec as BuilderSpec
    from bakepy.models.bake.targets import (
        Attribute as Attribute,
        AttributeSpec as AttributeSpec,
        Function as Function,
        FunctionSpec as FunctionSpec,
        Group as Group,
        GroupSpec as GroupSpec,
        Target as Target,
        TargetSpec as TargetSpec,
        Variable as Variable,
        VariableSpec as VariableSpec,
    )
    from bakepy.models.compose.project import (
        ComposeProject as ComposeProject,
        ComposeProjectSpec as ComposeProjectSpec,
        Stack as Stack,
        StackSpec as StackSpec,
    )
    from bakepy.models.compose.swarm_node import (
        SwarmNode as SwarmNode,
        SwarmNodeSpec as SwarmNodeSpec,
    )
    from bakepy.models.dockerfile.instructions import (
        Dockerfile as Dockerfile,
        DockerfileSpec as DockerfileSpec,
    )
    from bakepy.models.host.daemon import (
        DaemonConfig as DaemonConfig,
        DaemonConfigSpec as DaemonConfigSpec,
    )
    from bakepy.models.host.systemd import (
        SystemdDropIn as SystemdDropIn,
        SystemdDropInSpec as SystemdDropInSpec,
    )
    from bakepy.models.resource import (
        Metadata as Metadata,
        Resource as Resource,
        ResourceRef as ResourceRef,
    )

_EXPORTS = {
    "Attribute": "bakepy.models.bake.targets",
    "AttributeSpec": "bakepy.models.bake.targets",
    "Builder": "bakepy.models.bake.builder",
    "BuilderSpec": "bakepy.models.bake.builder",
    "ComposeProject": "bakepy.models.compose.project",
    "ComposeProjectSpec": "bakepy.models.compose.project",
    "DaemonConfig": "bakepy.models.host.daemon",
    "DaemonConfigSpec": "bakepy.models.host.daemon",
    "Dockerfile": "bakepy.models.dockerfile.instructions",
    "DockerfileSpec": "bakepy.models.dockerfile.instructions",
    "Function": "bakepy.models.bake.targets",
    "FunctionSpec": "bakepy.models.bake.targets",
    "Group": "bakepy.models.bake.targets",
    "GroupSpec": "bakepy.models.bake.targets",
    "Metadata": "bakepy.models.resource",
    "Resource": "bakepy.models.resource",
    "ResourceRef": "bakepy.models.resource",
    "Stack": "bakepy.models.compose.project",
    "StackSpec": "bakepy.models.compose.project",
    "SwarmNode": "bakepy.models.compose.swarm_node",
    "SwarmNodeSpec": "bakepy.models.compose.swarm_node",
    "SystemdDropIn": "bakepy.models.host.systemd",
    "SystemdDropInSpec": "bakepy.models.host.systemd",
    "Target": "bakepy.models.bake.targets",
    "TargetSpec": "bakepy.models.bake.targets",
    "Variable": "bakepy.models.bake.targets",
    "VariableSpec": "bakepy.models.bake.targets",
}
"""The resource kinds (and their specs), the envelope's parts, and where each is defined."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
