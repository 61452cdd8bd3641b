"""Project: every declared resource, looked up by kind and name, and the references between them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bakepy.bake.definition import NativeBake
from bakepy.errors import (
    BakepyError,
    CycleError,
    Diagnostic,
    Location,
    ReferenceError_,
    SelectionError,
    ValidationError,
)
from bakepy.models.bake import Function, Group, Target, Variable
from bakepy.models.build_contexts import TargetContext
from bakepy.models.dockerfile import Dockerfile
from bakepy.models.resource import Resource, ResourceRef

R = TypeVar("R", bound=Resource)


@dataclass(frozen=True)
class BakeFile:
    """A bake file read from disk: its path, the folder its paths are relative to, its blocks."""

    path: Path
    base_dir: Path
    native: NativeBake


def location_of(resource: Resource, *field_path: str | int) -> Location:
    """Where a resource was declared (file and line when known), pointing into ``field_path``."""
    return resource.location(*field_path)


class Project:
    """The set of declared resources: the one intermediate model every loader produces.

    Relative paths in a resource (contexts, secret files, outputs) are relative to ``base_dir``
    when one is given, else to the folder of the Python file that declared the resource.
    Resources keep declaration order. Adding a Target also adds what it references (inherited
    targets, ``target:`` contexts, Dockerfiles), so a Python file may expose only its leaves.
    """

    def __init__(
        self, resources: Iterable[Resource] = (), *, base_dir: Path | str | None = None
    ) -> None:
        self.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        self._resources: list[Resource] = []
        self._ids: set[int] = set()
        self._base_dirs: dict[int, Path] = {}
        self.bake_files: list[BakeFile] = []
        """HCL and JSON bake files read from disk, in native form, in the order given."""
        self.warnings: list[str] = []
        """What loading noticed but did not refuse (unset compose variables, ...), to show."""
        self._by_name: dict[str, list[Resource]] = {}
        """Resources by name, in declaration order: lookups are O(1), not a scan of the project."""
        self.add(*resources, base_dir=self.base_dir.resolve() if base_dir is not None else None)

    # -- building -----------------------------------------------------------------------------

    def add(self, *resources: Resource, base_dir: Path | None = None) -> Project:
        """Add resources (and what they reference); returns the project for chaining."""
        for resource in resources:
            self._add_one(resource, base_dir)
        return self

    def _add_one(self, resource: Resource, base_dir: Path | None) -> None:
        if id(resource) in self._ids:
            return
        self._ids.add(id(resource))
        self._base_dirs[id(resource)] = base_dir or self._source_dir(resource)
        for referenced in resource.references():
            self._add_one(referenced, base_dir)
        self._resources.append(resource)
        self._by_name.setdefault(resource.name, []).append(resource)

    def _source_dir(self, resource: Resource) -> Path:
        source = resource.source
        if source and not source[0].startswith("<"):
            return Path(source[0]).resolve().parent
        return self.base_dir.resolve()

    # -- lookups ------------------------------------------------------------------------------

    @property
    def resources(self) -> list[Resource]:
        """Every resource, in declaration order (referenced ones before their referrers)."""
        return list(self._resources)

    def declares(self, *kinds: str) -> bool:
        """Whether any resource is of one of ``kinds`` (by name: no model import needed)."""
        return any(resource.KIND in kinds for resource in self._resources)

    def base_dir_of(self, resource: Resource) -> Path:
        """Folder that relative paths in ``resource`` are relative to (its definition file's)."""
        found = self._base_dirs.get(id(resource))
        return found if found is not None else self.base_dir.resolve()

    def of_kind(self, kind: type[R]) -> list[R]:
        """Resources of one kind, in declaration order."""
        return [r for r in self._resources if isinstance(r, kind)]

    @property
    def targets(self) -> list[Target]:
        """Declared bake targets."""
        return self.of_kind(Target)

    @property
    def groups(self) -> list[Group]:
        """Declared bake groups."""
        return self.of_kind(Group)

    @property
    def variables(self) -> list[Variable]:
        """Declared bake variables."""
        return self.of_kind(Variable)

    @property
    def functions(self) -> list[Function]:
        """Declared bake functions."""
        return self.of_kind(Function)

    @property
    def dockerfiles(self) -> list[Dockerfile]:
        """Declared Dockerfiles."""
        return self.of_kind(Dockerfile)

    def get(self, kind: type[R], name: str) -> R:
        """The resource of ``kind`` called ``name``; ReferenceError_ when there is none."""
        found = self.find(kind, name)
        if found is not None:
            return found
        raise ReferenceError_(f"no {kind.KIND} named {name!r}")

    def find(self, kind: type[R], name: str) -> R | None:
        """The resource of ``kind`` called ``name``, or None."""
        for resource in self._by_name.get(name, ()):
            if isinstance(resource, kind) and resource.name == name:
                return resource
        return None

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._resources)

    def __len__(self) -> int:
        return len(self._resources)

    # -- checks -------------------------------------------------------------------------------

    def check_names(self) -> list[Diagnostic]:
        """Two resources of one kind may not share a name (a target and a group may not either)."""
        problems: list[Diagnostic] = []
        seen: dict[tuple[str, str], Resource] = {}
        for resource in self._resources:
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

    def check_references(self) -> list[Diagnostic]:
        """Every name a resource uses (inherits, group members, target: contexts) must exist.

        Names a matrix may generate are only known once the matrix is evaluated, and names
        may come from bake files; then unknown names are left to the resolver, which reports them.
        """
        if self.bake_files or any(target.spec.matrix is not None for target in self.targets):
            return []  # names may come from a matrix or a bake file: the resolver checks them
        problems: list[Diagnostic] = []
        for target in self.targets:
            for index, parent in enumerate(target.spec.inherits):
                if isinstance(parent, str) and self.find(Target, parent) is None:
                    problems.append(_missing(target, "Target", parent, "inherits", index))
            for name, context in target.spec.contexts.items():
                if (
                    isinstance(context, TargetContext)
                    and isinstance(context.target, str)
                    and self.find(Target, context.target) is None
                ):
                    problems.append(_missing(target, "Target", context.target, "contexts", name))
        for group in self.groups:
            for index, member in enumerate(group.spec.targets):
                if isinstance(member, str) and not (
                    self.find(Target, member) or self.find(Group, member)
                ):
                    problems.append(_missing(group, "Target or Group", member, "targets", index))
        return problems

    def link(self) -> None:
        """Replace ``Kind/name`` references (from YAML) with the resources they name."""
        for target in self.targets:
            for attr in ("dockerfile", "dockerfile_inline"):
                value = getattr(target.spec, attr)
                if isinstance(value, ResourceRef):
                    found = self.find(Dockerfile, value.name)
                    if found is None:
                        raise ReferenceError_(
                            f"Dockerfile {value.name!r} does not exist",
                            location_of(target, "spec", attr.replace("_", "-")),
                        )
                    setattr(target.spec, attr, found)

    def check_cycles(self) -> None:
        """Inherits, ``target:`` contexts and nested groups must not loop; raises CycleError."""
        edges: dict[str, list[str]] = {}
        for target in self.targets:
            names = [_name(p) for p in target.spec.inherits]
            names += [
                c.target_name for c in target.spec.contexts.values() if isinstance(c, TargetContext)
            ]
            edges[f"Target/{target.name}"] = [f"Target/{n}" for n in names]
        for group in self.groups:
            edges[f"Group/{group.name}"] = [
                f"Group/{_name(m)}" if self.find(Group, _name(m)) else f"Target/{_name(m)}"
                for m in group.spec.targets
            ]
        cycle = find_cycle(edges)
        if cycle:
            first = cycle[0]
            kind, _, name = first.partition("/")
            resource = self.find(Group if kind == "Group" else Target, name)
            raise CycleError(
                "reference cycle: " + " -> ".join(cycle),
                location_of(resource) if resource else None,
            )

    def validate(self) -> None:
        """Run the project-level checks; raises ValidationError listing every problem."""
        problems = self.check_names() + self.check_references()
        if problems:
            raise ValidationError(problems)
        self.link()
        self.check_cycles()

    # -- selection ----------------------------------------------------------------------------

    def names_matching(self, selector: dict[str, str]) -> list[str]:
        """Names of the targets and groups whose labels match every ``key=value`` of selector."""
        matched = [
            r.name
            for r in self._resources
            if isinstance(r, Target | Group)
            and all(r.metadata.labels.get(k) == v for k, v in selector.items())
        ]
        if not matched:
            wanted = ",".join(f"{k}={v}" for k, v in selector.items())
            raise SelectionError(f"no target or group matches the selector {wanted}")
        return matched


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


__all__ = ["BakepyError", "Project", "find_cycle", "location_of"]
