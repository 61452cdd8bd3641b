"""A swarm node as a typed resource (``kind: SwarmNode``): the labels, availability and role
bakepy keeps on one node of an existing swarm, so the placement constraints of a stack and the
node labels they need live in one declaration. bakepy never adds or removes a node, and drains
one only when its availability says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, field_validator

from bakepy.models.base import BakepyModel
from bakepy.models.resource import Metadata, Resource

LABEL_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


class SwarmNodeSpec(BakepyModel):
    """What bakepy keeps on a swarm node; a field left unset is left as the swarm has it."""

    hostname: str | None = Field(
        default=None,
        description="The node's hostname as `docker node ls` shows it (default: metadata.name).",
    )
    role: Literal["manager", "worker"] | None = Field(
        default=None, description="The node's role (`docker node promote` / `demote`)."
    )
    availability: Literal["active", "pause", "drain"] | None = Field(
        default=None,
        description="active, pause or drain: `drain` moves the node's tasks away (only when "
        "declared).",
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Node labels (`node.labels.KEY` in placement constraints); labels bakepy set "
        "earlier and no longer declared are removed, others are left alone.",
    )

    @field_validator("labels")
    @classmethod
    def _label_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not LABEL_KEY.match(key):
                raise ValueError(
                    f"node label key {key!r} must be letters, digits, '.', '_', '/', '-'"
                )
        return value


class SwarmNode(Resource):
    """One node of an existing swarm (``kind: SwarmNode``), matched by hostname.

    Example::

        SwarmNode(metadata="worker-1", spec=SwarmNodeSpec(labels={"zone": "b"}))
    """

    KIND: ClassVar[str] = "SwarmNode"
    kind: Literal["SwarmNode"] = Field(default="SwarmNode", description="Resource kind.")
    spec: SwarmNodeSpec = Field(
        default_factory=SwarmNodeSpec, description="Labels, availability and role of the node."
    )

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: SwarmNodeSpec = ..., api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @property
    def hostname(self) -> str:
        """The node's hostname: ``spec.hostname`` or ``metadata.name``."""
        return self.spec.hostname or self.metadata.name
