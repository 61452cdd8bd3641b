"""The resource kinds a manifest may declare, by their ``kind`` name.

Each kind's model is imported when a manifest first names it: building the pydantic models of
every kind (compose, swarm, host) costs a render of bake targets alone a tenth of a second.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from bakepy.models.resource import Resource

_WHERE: dict[str, tuple[str, str]] = {
    "Dockerfile": ("bakepy.models.dockerfile.instructions", "Dockerfile"),
    "Target": ("bakepy.models.bake.targets", "Target"),
    "Group": ("bakepy.models.bake.targets", "Group"),
    "Variable": ("bakepy.models.bake.targets", "Variable"),
    "Function": ("bakepy.models.bake.targets", "Function"),
    "Attribute": ("bakepy.models.bake.targets", "Attribute"),
    "Builder": ("bakepy.models.bake.builder", "Builder"),
    "ComposeProject": ("bakepy.models.compose.project", "ComposeProject"),
    "Stack": ("bakepy.models.compose.project", "Stack"),
    "SwarmNode": ("bakepy.models.compose.swarm_node", "SwarmNode"),
    "DaemonConfig": ("bakepy.models.host.daemon", "DaemonConfig"),
    "SystemdDropIn": ("bakepy.models.host.systemd", "SystemdDropIn"),
}
"""Each kind's module and class, in the order the kinds are listed."""


class _Kinds(Mapping[str, type[Resource]]):
    """Kind name to model class, importing a kind's module on first use."""

    def __getitem__(self, kind: str) -> type[Resource]:
        module, name = _WHERE[kind]
        model: type[Resource] = getattr(importlib.import_module(module), name)
        return model

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


KINDS: Mapping[str, type[Resource]] = _Kinds()
