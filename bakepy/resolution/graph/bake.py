"""The bake part of a project's graph: groups, targets and what links them.

Read from the project's native bake form, so blocks of HCL, JSON and compose files are in it
as well as declared resources. A target's Dockerfile is a declared Dockerfile resource, or a
loaded Dockerfile whose file is the one its ``context``/``dockerfile`` paths name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from bakepy.errors import Location
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Target
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.resource import Resource, ResourceRef
from bakepy.project import Project
from bakepy.resolution.graph.model import GraphEdge, GraphNode, NodeKind, node_id

V = TypeVar("V")
Parts = tuple[list[GraphNode], list[GraphEdge]]


def where(location: Location | None, base: Path) -> str | None:
    """``file:line`` relative to the project's folder, so that output does not depend on it."""
    if location is None or location.file is None:
        return None
    path = Path(location.file)
    try:
        shown = os.path.relpath(path, base) if path.is_absolute() else str(path)
    except ValueError:  # another drive on Windows
        shown = str(path)
    shown = shown.replace(os.sep, "/")
    return f"{shown}:{location.line}" if location.line else shown


def resource_where(project: Project, resource: Resource) -> str | None:
    """Where a resource was declared, relative to the project's folder."""
    return where(resource.location(), project.base_dir)


def _literal(value: Any) -> bool:
    """A plain string: no ``${...}`` template whose value is only known after evaluation."""
    return isinstance(value, str) and "${" not in value and "%{" not in value


def _literal_names(value: Any) -> list[str]:
    """The entries of a list attribute that are plain strings (templates are left out)."""
    return [v for v in value if _literal(v)] if isinstance(value, list) else []


def _literal_attribute(key: str) -> Callable[[str, dict[str, Any]], str | None]:
    """Picks attribute ``key`` of a block when it is a plain string."""

    def pick(_name: str, body: dict[str, Any]) -> str | None:
        value = body.get(key)
        return value if isinstance(value, str) and _literal(value) else None

    return pick


def _blocks(native: NativeBake) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every target block in merge order, repeated blocks of one name included."""
    yield from native.targets.items()
    yield from native.repeated_targets


def _inherited(
    name: str, own: dict[str, V], parents: dict[str, list[str]], visiting: frozenset[str]
) -> V | None:
    """A target's value after inherits, as bake merges it: its own, else the last parent's."""
    if name in own:
        return own[name]
    found: V | None = None
    for parent in parents.get(name, []):
        if parent not in visiting:
            value = _inherited(parent, own, parents, visiting | {name})
            found = value if value is not None else found
    return found


def _declared_dockerfile(project: Project, target: Target) -> Dockerfile | None:
    """The Dockerfile resource a declared target renders (object or ``Dockerfile/name``)."""
    for value in (target.spec.dockerfile, target.spec.dockerfile_inline):
        if isinstance(value, Dockerfile):
            return value
        if isinstance(value, ResourceRef):
            return project.find(Dockerfile, value.name)
    return None


def _dockerfiles_by_path(project: Project) -> dict[str, Dockerfile]:
    """Dockerfiles read from files (``-f Dockerfile``), by their normalized absolute path."""
    found: dict[str, Dockerfile] = {}
    for dockerfile in project.dockerfiles:
        source = dockerfile.source
        if (
            source
            and not source[0].startswith("<")
            and not source[0].endswith((".py", ".yaml", ".yml"))
        ):
            found[os.path.normpath(os.path.abspath(source[0]))] = dockerfile
    return found


class _BakeGraph:
    """One pass over a native bake definition, collecting nodes and edges."""

    def __init__(self, project: Project, native: NativeBake) -> None:
        self.project = project
        self.native = native
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []
        self.parents: dict[str, list[str]] = {}
        for name, body in _blocks(native):
            self.parents.setdefault(name, []).extend(_literal_names(body.get("inherits")))

    def owners(self, block: str, name: str) -> tuple[str, ...]:
        """Who owns a block's resource (nobody known for a bake file's block)."""
        source = self.native.sources.get((block, name))
        return self.project.owners_of(source) if source is not None else ()

    def located(self, block: str, name: str) -> str | None:
        """Where a block was declared: its resource's file and line, or its bake file's."""
        source = self.native.sources.get((block, name))
        if source is not None:
            return resource_where(self.project, source)
        return where(self.native.locations.get((block, name)), self.project.base_dir)

    def groups(self) -> None:
        """A node per group, a ``contains`` edge per member (target or group)."""
        for name, body in self.native.groups.items():
            here = node_id("group", name)
            self.nodes.append(
                GraphNode(
                    here,
                    "group",
                    name,
                    location=self.located("group", name),
                    owners=self.owners("group", name),
                )
            )
            for member in _literal_names(body.get("targets")):
                kind: NodeKind = "group" if member in self.native.groups else "target"
                self.edges.append(GraphEdge(here, node_id(kind, member), "contains"))

    def targets(self) -> None:
        """A node per target (a matrix once, by block name); inherits and context edges."""
        for name in self.native.targets:
            matrix = any(b.get("matrix") is not None for n, b in _blocks(self.native) if n == name)
            location = self.located("target", name)
            self.nodes.append(
                GraphNode(
                    node_id("target", name),
                    "target",
                    name,
                    location=location,
                    matrix=matrix,
                    owners=self.owners("target", name),
                )
            )
        for name, body in _blocks(self.native):
            here = node_id("target", name)
            for parent in _literal_names(body.get("inherits")):
                self.edges.append(GraphEdge(here, node_id("target", parent), "inherits"))
            contexts = body.get("contexts")
            for key, value in contexts.items() if isinstance(contexts, dict) else ():
                if _literal(value) and value.startswith("target:"):
                    other = node_id("target", value.removeprefix("target:"))
                    self.edges.append(GraphEdge(here, other, "context", detail=str(key)))

    def own(self, pick: Callable[[str, dict[str, Any]], V | None]) -> dict[str, V]:
        """What each target's own blocks set (a later block of one name wins), by name."""
        found: dict[str, V] = {}
        for name, body in _blocks(self.native):
            value = pick(name, body)
            if value is not None:
                found[name] = value
        return found

    def dockerfiles(self) -> None:
        """``dockerfile`` edges where a target sets one, ``stage`` edges for its ``target``."""
        by_path = _dockerfiles_by_path(self.project)
        resources = self.own(self._resource_dockerfile)
        paths = self.own(
            lambda _, body: body["dockerfile"] if _literal(body.get("dockerfile")) else None
        )
        contexts = self.own(
            lambda _, body: body["context"] if _literal(body.get("context")) else None
        )
        base = self.project.base_dir

        def dockerfile_of(name: str) -> Dockerfile | None:
            resource = resources.get(name)
            if resource is not None:
                return resource
            path = paths.get(name)
            if path is None:
                return None
            context = _inherited(name, contexts, self.parents, frozenset()) or "."
            full = os.path.join(base, context, path) if "://" not in context else path
            return by_path.get(os.path.normpath(os.path.abspath(full)))

        owner = {name: name for name in {*resources, *paths}}
        for name, body in _blocks(self.native):
            declared = dockerfile_of(name) if name in owner else None
            if declared is not None:
                self.edges.append(
                    GraphEdge(
                        node_id("target", name), node_id("dockerfile", declared.name), "dockerfile"
                    )
                )
            declarer = _inherited(name, owner, self.parents, frozenset())
            dockerfile = dockerfile_of(declarer) if declarer is not None else None
            stage = body.get("target")
            if (
                isinstance(stage, str)
                and _literal(stage)
                and dockerfile is not None
                and any(s.name == stage for s in dockerfile.spec.stages)
            ):
                stage_id = node_id("stage", stage, dockerfile.name)
                self.edges.append(GraphEdge(node_id("target", name), stage_id, "stage"))

    def _resource_dockerfile(self, name: str, body: dict[str, Any]) -> Dockerfile | None:
        """The Dockerfile resource of a declared Target block (None for bake-file blocks)."""
        source = self.native.sources.get(("target", name))
        return _declared_dockerfile(self.project, source) if isinstance(source, Target) else None


def bake_parts(project: Project, native: NativeBake) -> Parts:
    """Group and target nodes; contains, inherits, context, dockerfile and stage edges."""
    graph = _BakeGraph(project, native)
    graph.groups()
    graph.targets()
    graph.dockerfiles()
    return graph.nodes, graph.edges


__all__ = ["Parts", "bake_parts", "resource_where", "where"]
