"""The project-wide reference rules: unique names, references that exist, no cycles.

Run first by every check (and at the end of loading): a later rule may assume that every
name it follows leads somewhere. ``link`` also replaces the ``Kind/name`` references a YAML
manifest writes with the resources they name.
"""

from __future__ import annotations

from bakepy.errors import CycleError, Diagnostic, UnresolvedReferenceError, ValidationError
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.targets import Target
from bakepy.models.bake.values import is_template
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.resource import Resource, ResourceRef
from bakepy.project import Project, location_of


def check_names(project: Project) -> list[Diagnostic]:
    """Two resources of one kind may not share a name. A group and a target may: bake takes
    the group when the name is asked for, as buildx does."""
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, str], Resource] = {}
    for resource in project:
        other = seen.setdefault((resource.KIND, resource.metadata.name), resource)
        if other is not resource:
            problems.append(
                Diagnostic(
                    f"{resource.ref} has the same name as {other.ref}",
                    location_of(resource, "metadata", "name"),
                    hint="rename one of them",
                )
            )
    return problems


def check_references(project: Project) -> list[Diagnostic]:
    """Every name a target uses (inherits, target: contexts) must exist.

    Names a matrix may generate are only known once the matrix is evaluated, and names
    may come from bake files; then unknown names are left to the resolver, which reports them.
    A group may name a target that does not exist: bake minds only when the group is built
    (a stale entry in a group nobody asks for is common), and so does the resolver.
    """
    targets = project.targets
    if project.bake_files or any(target.spec.matrix is not None for target in targets):
        return []  # names may come from a matrix or a bake file: the resolver checks them
    declared = {target.metadata.name for target in targets}  # what project.find would find
    problems: list[Diagnostic] = []
    for target in targets:
        spec = target.spec
        inherits = spec.inherits  # spec.parents and spec.named_contexts, without their copies
        for index, parent in enumerate(() if isinstance(inherits, str) else inherits):
            if (
                isinstance(parent, str)
                and parent not in declared
                and not is_template(parent)  # "${PROFILE}": known once evaluated
            ):
                problems.append(_missing(target, "Target", parent, "inherits", index))
        contexts = spec.contexts
        if not contexts or isinstance(contexts, str):
            continue
        for name, context in contexts.items():
            if (
                isinstance(context, TargetContext)
                and isinstance(context.target, str)
                and context.target not in declared
                and not is_template(context.target)
            ):
                problems.append(_missing(target, "Target", context.target, "contexts", name))
    return problems


def link(project: Project) -> None:
    """Replace ``Kind/name`` references (from YAML) with the resources they name."""
    for target in project.targets:
        for attr in ("dockerfile", "dockerfile_inline"):
            value = getattr(target.spec, attr)
            if value is None or isinstance(value, str):
                continue  # most: told apart before isinstance of a pydantic class
            if isinstance(value, ResourceRef):
                found = project.find(Dockerfile, value.name)
                if found is None:
                    raise UnresolvedReferenceError(
                        f"Dockerfile {value.name!r} does not exist",
                        location_of(target, "spec", attr.replace("_", "-")),
                    )
                setattr(target.spec, attr, found)


def check_cycles(project: Project) -> None:
    """``target:`` contexts must not loop (buildx stops at it); raises CycleError.

    An ``inherits`` loop is not an error: buildx cuts it where it comes back (a target that
    inherits itself, or its own child, inherits nothing through that link), and so does
    bakepy; ``inherits_loops`` names them for a warning. Groups may nest in a loop too.
    """
    edges: dict[str, list[str]] = {}
    for target in project.targets:
        contexts = target.spec.contexts  # as spec.named_contexts, without its copy
        if not contexts or isinstance(contexts, str):
            continue  # a target that links none is in no loop: most are not walked from
        linked = [
            f"Target/{c.target_name}" for c in contexts.values() if isinstance(c, TargetContext)
        ]
        if linked:
            edges[f"Target/{target.name}"] = linked
    cycle = find_cycle(edges)
    if cycle:
        first = cycle[0]
        resource = project.find(Target, first.partition("/")[2])
        raise CycleError(
            "reference cycle: " + " -> ".join(_shown(project, node) for node in cycle),
            location_of(resource) if resource else None,
        )


def _shown(project: Project, node: str) -> str:
    """A cycle's ``Target/name`` as the user wrote it: by address in a repository's package
    (``Target services/a:x``), else as it is."""
    kind, _, name = node.partition("/")
    resource = project.find(Target, name) if kind == "Target" else None
    address = project.address_of(resource) if resource is not None else None
    return f"{kind} {address}" if address is not None and address.package else node


def inherits_loops(project: Project) -> list[str]:
    """Warnings for ``inherits`` chains that come back to a target (buildx cuts them)."""
    parents_of: dict[str, list[str]] = {}
    for target in project.targets:
        inherits = target.spec.inherits  # as spec.parents, without its copy
        if inherits and not isinstance(inherits, str):
            parents_of[target.metadata.name] = [
                parent if type(parent) is str else _name(parent) for parent in inherits
            ]
    # a target whose parents all inherit nothing is in no loop (most of a monorepo's, which
    # inherit a base): left out, the walk finds the same first loop among the others; the
    # nodes are named ``Target/name`` only then
    walked = parents_of.keys()
    edges = {
        f"Target/{name}": [f"Target/{parent}" for parent in parents]
        for name, parents in parents_of.items()
        if not walked.isdisjoint(parents)
    }
    cycle = find_cycle(edges)
    if cycle is None:
        return []
    shown = " -> ".join(_shown(project, node) for node in cycle)
    return [f"inherits loop {shown}: buildx (and bakepy) ignore the link back"]


def validate_references(project: Project) -> None:
    """Names, references, links and cycles; raises ValidationError listing every problem.
    What it found right is recorded (``Project.references_checked``)."""
    problems = check_names(project) + check_references(project)
    if problems:
        raise ValidationError(problems)
    link(project)
    check_cycles(project)
    project.warnings += [w for w in inherits_loops(project) if w not in project.warnings]
    project.references_checked = project.checked_now()


def references_validated(project: Project) -> bool:
    """Whether ``validate_references`` would find nothing new in ``project``: it found right
    a project holding every resource this one holds and as many Targets (so the same ones:
    names still unique, every name a target uses still declared, no ``Kind/name`` left to
    link, the same loops, whose warnings a narrowed copy took along), with bake files as
    then, and no rename since. A resource changed in place is not seen: a loaded project's
    resources are not changed between its load's check and its render's."""
    checked = project.references_checked
    return (
        checked is not None
        and checked.bake_files == bool(project.bake_files)
        and checked.targets == len(project.targets)
        and project.holds_only(checked.resources)
    )


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
