"""Build a ProjectGraph from a loaded Project: bake blocks, Dockerfile stages, compose services.

Bake targets and groups come from the project's native bake form, so blocks read from HCL,
JSON and compose files are in the graph as well as declared resources.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Target
from bakepy.models.compose.mounts import ServiceVolume
from bakepy.models.compose.project import ComposeProject, Stack
from bakepy.models.compose.service import Service
from bakepy.models.dockerfile.instructions import (
    BindMount,
    CacheMount,
    Copy,
    Dockerfile,
    Run,
    Stage,
    StageRef,
)
from bakepy.models.resource import ResourceRef
from bakepy.project import Project
from bakepy.resolution.graph.bake import Parts, bake_parts, resource_where
from bakepy.resolution.graph.model import (
    GraphEdge,
    GraphNode,
    NodeKind,
    ProjectGraph,
    Relation,
    node_id,
)

_Used = Literal["network", "volume", "secret", "config"]
"""What a service uses besides other services: node kind and edge relation at once."""


def build_graph(
    project: Project, definition: NativeBake, *, include_resources: bool = False
) -> ProjectGraph:
    """The whole graph of ``project`` (``definition``: its bake definition, for the bake part);
    networks, volumes, secrets and configs of services only with ``include_resources`` (they
    make a large graph hard to read)."""
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    for part in (
        bake_parts(project, definition),
        *(_dockerfile_parts(project, d) for d in project.dockerfiles),
        *(_compose_parts(project, c, include_resources) for c in project.of_kind(ComposeProject)),
        *(_stack_parts(project, s) for s in project.of_kind(Stack)),
    ):
        nodes += part[0]
        edges += part[1]
    return ProjectGraph.of(nodes, edges)


# -- Dockerfiles --------------------------------------------------------------------------------


def _stage_key(stage: Stage, index: int) -> str:
    """A stage's name, or ``#index`` (FROM counts from 0) for an unnamed one."""
    return stage.name if stage.name is not None else f"#{index}"


def _stage_named(value: object, dockerfile: Dockerfile, before: int) -> Stage | None:
    """The stage ``value`` refers to (object, ``{stage: name}`` or an earlier stage's name)."""
    stages = dockerfile.spec.stages
    if isinstance(value, Stage):
        return value if any(s is value for s in stages) else None
    name = value.stage if isinstance(value, StageRef) else value
    if isinstance(name, str):
        for stage in stages[:before] if isinstance(value, str) else stages:
            if stage.name == name:
                return stage
    return None


def _dockerfile_parts(project: Project, dockerfile: Dockerfile) -> Parts:
    """The Dockerfile's node, a node per stage, and from, copy and mount edges between stages."""
    df_id = node_id("dockerfile", dockerfile.name)
    nodes = [
        GraphNode(
            df_id, "dockerfile", dockerfile.name, location=resource_where(project, dockerfile)
        )
    ]
    edges: list[GraphEdge] = []
    stages = dockerfile.spec.stages
    keys = {id(stage): _stage_key(stage, index) for index, stage in enumerate(stages)}
    for index, stage in enumerate(stages):
        here = node_id("stage", keys[id(stage)], dockerfile.name)
        nodes.append(GraphNode(here, "stage", keys[id(stage)], parent=df_id))
        uses: list[tuple[object, Relation]] = [(stage.from_, "from")]
        for instruction in stage.instructions:
            if isinstance(instruction, Copy) and instruction.from_ is not None:
                uses.append((instruction.from_, "copy"))
            if isinstance(instruction, Run):
                uses += [
                    (mount.from_, "mount")
                    for mount in instruction.mounts
                    if isinstance(mount, CacheMount | BindMount) and mount.from_ is not None
                ]
        for value, relation in uses:
            found = _stage_named(value, dockerfile, index)
            if found is not None and found is not stage:
                there = node_id("stage", keys[id(found)], dockerfile.name)
                edges.append(GraphEdge(here, there, relation))
    return nodes, edges


# -- compose and stacks -------------------------------------------------------------------------


def _compose_parts(project: Project, compose: ComposeProject, include_resources: bool) -> Parts:
    """The project's node, a node per service it contains; depends_on, build and (optionally)
    network, volume, secret and config edges."""
    scope = compose.name
    project_id = node_id("compose", scope)
    nodes = [GraphNode(project_id, "compose", scope, location=resource_where(project, compose))]
    edges: list[GraphEdge] = []
    spec = compose.spec
    for name, service in spec.services.items():
        here = node_id("service", name, scope)
        nodes.append(GraphNode(here, "service", name, parent=project_id))
        edges.append(GraphEdge(project_id, here, "contains"))
        for other, depends in service.depends_on.items():
            condition = depends.condition if isinstance(depends.condition, str) else None
            edges.append(
                GraphEdge(here, node_id("service", other, scope), "depends_on", detail=condition)
            )
        build = service.build
        if isinstance(build, Target | ResourceRef):
            edges.append(GraphEdge(here, node_id("target", build.name), "build"))
        if include_resources:
            edges += [GraphEdge(here, node_id(k, n, scope), k) for k, n in _service_uses(service)]
    if include_resources:
        declared: list[tuple[NodeKind, Iterable[str]]] = [
            ("network", spec.networks),
            ("volume", spec.volumes),
            ("secret", spec.secrets),
            ("config", spec.configs),
        ]
        for kind, names in declared:
            nodes += [GraphNode(node_id(kind, n, scope), kind, n, parent=project_id) for n in names]
    return nodes, edges


def _service_uses(service: Service) -> list[tuple[_Used, str]]:
    """The networks, named volumes, secrets and configs a service uses, by name."""
    volumes = [
        v.source
        for v in service.volumes
        if isinstance(v, ServiceVolume) and v.type == "volume" and v.source
    ]
    return [
        *(("network", name) for name in service.networks),
        *(("volume", name) for name in volumes),
        *(("secret", secret.source) for secret in service.secrets),
        *(("config", config.source) for config in service.configs),
    ]


def _stack_parts(project: Project, stack: Stack) -> Parts:
    """The stack's node and its ``deploys`` edge to the compose project."""
    here = node_id("stack", stack.name)
    deployed = stack.spec.project
    node = GraphNode(here, "stack", stack.name, location=resource_where(project, stack))
    return [node], [GraphEdge(here, node_id("compose", deployed.name), "deploys")]


__all__ = ["build_graph"]
