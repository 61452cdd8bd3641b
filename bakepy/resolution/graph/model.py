"""The project's dependency graph as data: nodes, edges, and the part a selection needs.

Pure and typed: built by ``bakepy.resolution.graph.build`` from a loaded Project, rendered by
``bakepy.generators.graph``. Nodes and edges are kept sorted, so output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal[
    "group",
    "target",
    "dockerfile",
    "stage",
    "stack",
    "compose",
    "service",
    "network",
    "volume",
    "secret",
    "config",
]
Relation = Literal[
    "contains",
    "inherits",
    "context",
    "dockerfile",
    "stage",
    "from",
    "copy",
    "mount",
    "deploys",
    "depends_on",
    "build",
    "network",
    "volume",
    "secret",
    "config",
]


def node_id(kind: NodeKind, name: str, scope: str | None = None) -> str:
    """The id of a node: ``kind:name``, or ``kind:scope/name`` for a stage or compose object."""
    return f"{kind}:{scope}/{name}" if scope is not None else f"{kind}:{name}"


@dataclass(frozen=True, order=True)
class GraphNode:
    """One thing in the project: a bake group or target, a Dockerfile or stage, a service, ..."""

    id: str
    """Unique id, ``kind:name`` (stages and compose objects: ``kind:scope/name``)."""
    kind: NodeKind
    """What it is."""
    name: str
    """Its name as the user wrote it (a stage's name, a service's key, a target's block name)."""
    parent: str | None = None
    """Id of the Dockerfile or compose project it belongs to (a cluster when rendered)."""
    location: str | None = None
    """``file:line`` (or ``file``) where it was declared, relative to the project's folder."""
    matrix: bool = False
    """A bake target with a matrix: shown once, by its block name."""
    owners: tuple[str, ...] = ()
    """Who owns it (CODEOWNERS of its package), shown beside it."""


@dataclass(frozen=True, order=True)
class GraphEdge:
    """``source`` needs ``target``: it inherits, builds, copies, starts after it, ..."""

    source: str
    """Id of the node that depends."""
    target: str
    """Id of the node depended on."""
    relation: Relation
    """How: ``inherits``, ``context``, ``from``, ``copy``, ``depends_on``, ..."""
    detail: str | None = None
    """More about the edge: a depends_on condition, a named context's key."""

    @property
    def label(self) -> str:
        """The relation, with its detail in parentheses when there is one."""
        return f"{self.relation} ({self.detail})" if self.detail else self.relation


@dataclass(frozen=True)
class ProjectGraph:
    """Every node and edge of a project, each sorted (nodes by id, edges by ends and relation)."""

    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
    _index: dict[str, GraphNode] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, nodes: Iterable[GraphNode], edges: Iterable[GraphEdge]) -> ProjectGraph:
        """A graph of ``nodes`` and the ``edges`` between them, sorted and de-duplicated."""
        by_id = {node.id: node for node in nodes}
        kept = sorted({e for e in edges if e.source in by_id and e.target in by_id})
        ordered = tuple(sorted(by_id.values()))
        return cls(ordered, tuple(kept), {node.id: node for node in ordered})

    def node(self, node_id: str) -> GraphNode:
        """The node with ``node_id``; KeyError when there is none."""
        return self._index[node_id]

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def edges_from(self, node_id: str) -> list[GraphEdge]:
        """Edges leaving ``node_id``, in the graph's order."""
        return [edge for edge in self.edges if edge.source == node_id]

    def roots(self) -> list[GraphNode]:
        """Nodes nothing points to, in id order: where a tree of the graph starts."""
        pointed = {edge.target for edge in self.edges}
        return [node for node in self.nodes if node.id not in pointed]

    def selected(self, ids: Iterable[str]) -> ProjectGraph:
        """The nodes ``ids`` name, everything they depend on, and the clusters holding them."""
        keep: set[str] = set()
        pending = [i for i in ids if i in self._index]
        outgoing: dict[str, list[str]] = {}
        for edge in self.edges:
            outgoing.setdefault(edge.source, []).append(edge.target)
        while pending:
            current = pending.pop()
            if current in keep:
                continue
            keep.add(current)
            pending.extend(outgoing.get(current, ()))
        parents = {self._index[i].parent for i in keep} - {None}
        keep |= {p for p in parents if p is not None and p in self._index}
        return ProjectGraph.of(
            (n for n in self.nodes if n.id in keep),
            (e for e in self.edges if e.source in keep and e.target in keep),
        )

    def without_locations(self) -> ProjectGraph:
        """The same graph with no locations: what two declarations of one project share."""
        nodes = (
            GraphNode(n.id, n.kind, n.name, n.parent, None, n.matrix, n.owners) for n in self.nodes
        )
        return ProjectGraph.of(nodes, self.edges)


__all__ = ["GraphEdge", "GraphNode", "NodeKind", "ProjectGraph", "Relation", "node_id"]
