"""The project-wide reference rules: unique names, references that exist, no cycles.

Run first by every check (and at the end of loading): a later rule may assume that every
name it follows leads somewhere. ``link`` also replaces the ``Kind/name`` references a YAML
manifest writes with the resources they name.
"""

from __future__ import annotations

from bakepy.errors import CycleError, Diagnostic, UnresolvedReferenceError, ValidationError
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.targets import Group, Target
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.resource import Resource, ResourceRef
from bakepy.project import Project, location_of


def check_names(project: Project) -> list[Diagnostic]:
    """Two resources of one kind may not share a name (a target and a group may not either)."""
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, str], Resource] = {}
    for resource in project:
        kind = "bake" if isinstance(resource, Target | Group) else resource.KIND
        key = (kind, resource.name)
        if key in seen:
            other = seen[key]
            problems.append(
                Diagnostic(
                    f"{resource.ref} has the same name as {other.ref}",
                    location_of(resource, "metadata", "name"),
                    hint="targets and groups share one namespace in bake; rename one",
                )
            )
        else:
            seen[key] = resource
    return problems


def check_references(project: Project) -> list[Diagnostic]:
    """Every name a resource uses (inherits, group members, target: contexts) must exist.

    Names a matrix may generate are only known once the matrix is evaluated, and names
    may come from bake files; then unknown names are left to the resolver, which reports them.
    """
    if project.bake_files or any(target.spec.matrix is not None for target in project.targets):
        return []  # names may come from a matrix or a bake file: the resolver checks them
    problems: list[Diagnostic] = []
    for target in project.targets:
        for index, parent in enumerate(target.spec.inherits):
            if isinstance(parent, str) and project.find(Target, parent) is None:
                problems.append(_missing(target, "Target", parent, "inherits", index))
        for name, context in target.spec.contexts.items():
            if (
                isinstance(context, TargetContext)
                and isinstance(context.target, str)
                and project.find(Target, context.target) is None
            ):
                problems.append(_missing(target, "Target", context.target, "contexts", name))
    for group in project.groups:
        for index, member in enumerate(group.spec.targets):
            if isinstance(member, str) and not (
                project.find(Target, member) or project.find(Group, member)
            ):
                problems.append(_missing(group, "Target or Group", member, "targets", index))
    return problems


def link(project: Project) -> None:
    """Replace ``Kind/name`` references (from YAML) with the resources they name."""
    for target in project.targets:
        for attr in ("dockerfile", "dockerfile_inline"):
            value = getattr(target.spec, attr)
            if isinstance(value, ResourceRef):
                found = project.find(Dockerfile, value.name)
                if found is None:
                    raise UnresolvedReferenceError(
                        f"Dockerfile {value.name!r} does not exist",
                        location_of(target, "spec", attr.replace("_", "-")),
                    )
                setattr(target.spec, attr, found)


def check_cycles(project: Project) -> None:
    """Inherits, ``target:`` contexts and nested groups must not loop; raises CycleError."""
    edges: dict[str, list[str]] = {}
    for target in project.targets:
        names = [_name(p) for p in target.spec.inherits]
        names += [
            c.target_name for c in target.spec.contexts.values() if isinstance(c, TargetContext)
        ]
        edges[f"Target/{target.name}"] = [f"Target/{n}" for n in names]
    for group in project.groups:
        edges[f"Group/{group.name}"] = [
            f"Group/{_name(m)}" if project.find(Group, _name(m)) else f"Target/{_name(m)}"
            for m in group.spec.targets
        ]
    cycle = find_cycle(edges)
    if cycle:
        first = cycle[0]
        kind, _, name = first.partition("/")
        resource = project.find(Group if kind == "Group" else Target, name)
        raise CycleError(
            "reference cycle: " + " -> ".join(cycle),
            location_of(resource) if resource else None,
        )


def validate_references(project: Project) -> None:
    """Names, references, links and cycles; raises ValidationError listing every problem."""
    problems = check_names(project) + check_references(project)
    if problems:
        raise ValidationError(problems)
    link(project)
    check_cycles(project)


def _name(value: object) -> str:
    return value.name if isinstance(value, Resource) else str(value)


def _missing(resource: Resource, kind: str, name: str, *field_path: str | int) -> Diagnostic:
    return Diagnostic(f"{kind} {name!r} does not exist", location_of(resource, "spec", *field_path))


def find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """The first cycle in a directed graph, as a path that ends where it starts; None if acyclic.

    Nodes are visited in sorted order so that the reported cycle is the same on every run.
    """
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None
