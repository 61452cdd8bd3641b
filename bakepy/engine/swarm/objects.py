"""The swarm objects a stack declares (``SwarmObject``) and the whole of one stack
(``StackState``): plain records with no model behind them, so that planning against a recorded
stack (``bakepy.cli.noop_apply``) imports no model module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bakepy.models.compose.swarm_node import SwarmNode

SwarmKind = Literal["network", "config", "secret", "service"]
__all__ = ["StackState", "SwarmKind", "SwarmObject"]


@dataclass(frozen=True)
class SwarmObject:
    """One swarm object a stack declares, with the Engine API body it is created from."""

    kind: SwarmKind
    key: str
    """The name in the stack file (``web``, ``db_password``)."""
    name: str
    body: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    data: bytes = field(default=b"", repr=False)
    """A config's or secret's content (never logged or labelled)."""
    replicas: int | None = None
    """Replicated services: the running tasks to wait for."""
    source: str = ""
    """A config's or secret's file on disk, when its content was read from one."""

    @property
    def resource(self) -> str:
        """``service/web``, ``secret/db_password``."""
        return f"{self.kind}/{self.key}"


@dataclass
class StackState:
    """Every swarm object of one stack, in apply order."""

    stack: str
    objects: list[SwarmObject] = field(default_factory=list)
    external: dict[SwarmKind, dict[str, str]] = field(default_factory=dict)
    """External networks, configs and secrets the stack uses (never created): by kind, the
    swarm name and the stack-file key it is declared under."""
    warnings: list[str] = field(default_factory=list)
    nodes: list[SwarmNode] = field(default_factory=list)
    """The swarm nodes the project declares (labels, availability, role to converge)."""

    def of(self, kind: SwarmKind) -> list[SwarmObject]:
        """The declared objects of one kind."""
        return [o for o in self.objects if o.kind == kind]
