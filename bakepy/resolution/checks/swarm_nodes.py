"""Placement constraints against the declared swarm nodes: when a project declares its nodes
(``SwarmNode``), a service whose ``deploy.placement.constraints`` no declared node meets could
never start a task, and is refused before anything is applied. A node's unset role or an
attribute bakepy does not model (``node.id``, ``engine.labels.*``, platform) is taken as able
to meet the constraint."""

from __future__ import annotations

import re

from bakepy.errors import Diagnostic
from bakepy.models.compose.project import Stack
from bakepy.models.compose.swarm_node import SwarmNode
from bakepy.project import Project
from bakepy.resolution.compose.references import stack_compose

CONSTRAINT = re.compile(r"^\s*([\w.\-/]+)\s*(==|!=)\s*(.*?)\s*$")


def _value(node: SwarmNode, attribute: str) -> str | None:
    """What ``attribute`` is on ``node``; None when the declaration does not say."""
    if attribute == "node.hostname":
        return node.hostname
    if attribute == "node.role":
        return node.spec.role
    if attribute.startswith("node.labels."):
        return node.spec.labels.get(attribute.removeprefix("node.labels."), "")
    return None


def meets(node: SwarmNode, constraint: str) -> bool:
    """Whether ``node`` as declared can meet one placement constraint."""
    match = CONSTRAINT.match(constraint)
    if match is None:
        return True  # the compose checks judge its syntax
    attribute, operator, wanted = match.groups()
    value = _value(node, attribute)
    if value is None:
        return True
    equal = value.lower() == wanted.lower()  # swarm compares case-insensitively
    return equal if operator == "==" else not equal


def check_swarm_nodes(project: Project) -> list[Diagnostic]:
    """Every stack service whose placement constraints no declared node meets."""
    nodes = project.of_kind(SwarmNode)
    if not nodes:
        return []
    problems = []
    hostnames = ", ".join(sorted(n.hostname for n in nodes))
    for stack in project.of_kind(Stack):
        compose = stack_compose(project, stack)
        if compose is None:
            continue
        for key, service in compose.spec.services.items():
            placement = service.deploy.placement if service.deploy else None
            constraints = list(placement.constraints) if placement else []
            if not constraints or any(all(meets(n, c) for c in constraints) for n in nodes):
                continue
            where = compose.location("spec", "services", key, "deploy", "placement", "constraints")
            problems.append(
                Diagnostic(
                    f"{stack.ref}: service {key} can run on no declared node: no SwarmNode "
                    f"({hostnames}) meets {' and '.join(constraints)}",
                    where,
                    hint="fix the constraint, or give a SwarmNode the labels or role it needs",
                )
            )
    return problems
