"""Project: every declared resource, looked up by kind and name, and the references between them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bakepy.errors import (
    Location,
    UnresolvedReferenceError,
)
from bakepy.models.address import Address
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Function, Group, Target, Variable
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.resource import Resource

R = TypeVar("R", bound=Resource)


@dataclass(frozen=True)
class BakeFile:
    """A bake file read from disk: its path, the folder its paths are relative to, its blocks."""

    path: Path
    base_dir: Path
    native: NativeBake


@dataclass(frozen=True)
class CheckedResources:
    """The resources a project held when its references were found right (by ``id()``, held
    here so that no later resource takes one's id), how many were Targets, and whether bake
    files came with them (names may come from those: then the reference check is theirs)."""

    resources: dict[int, Resource]
    targets: int
    bake_files: bool


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
        self.service_selections: dict[str, frozenset[str]] = {}
        """ComposeProject name -> the services a label selector picked in it (none: all)."""
        self.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        self._resources: list[Resource] = []
        self._keys: list[int] = []
        """Each resource's ``id()``, in the order of ``_resources``: a walk over every resource
        (addresses, a narrowed copy) reads them here instead of calling ``id()`` again (an
        audited event each, which the render cache's hook sees: about 0.2 us a call)."""
        self._of_kind: dict[type[Resource], list[Resource]] = {}
        """``of_kind``'s answers since the resources last changed (a render asks for the
        targets, groups, compose projects ... of thousands of resources dozens of times)."""
        self._ids: set[int] = set()
        self._base_dirs: dict[int, Path] = {}
        self.bake_files: list[BakeFile] = []
        """HCL and JSON bake files read from disk, in native form, in the order given."""
        self.warnings: list[str] = []
        """What loading noticed but did not refuse (unset compose variables, ...), to show."""
        self._by_name: dict[str, list[Resource]] = {}
        """Resources by name, in declaration order: lookups are O(1), not a scan of the project."""
        self._addresses: dict[int, Address] = {}
        """Where each resource of a repository load lives (package and short name)."""
        self._owners: dict[int, tuple[str, ...]] = {}
        self.home_package: str | None = None
        """The package a repository load ran from (plain names mean its resources); None
        when the project was not loaded from a repository's packages."""
        self.imported_files: frozenset[str] = frozenset()
        """Python files a repository's definitions imported from its root (one package's
        definition using another's objects), which ``bakepy affected`` must not skip."""
        self.references_checked: CheckedResources | None = None
        """What ``validate_references`` last found right in this project, or in the one it
        was narrowed from (a load's, which a render checks again); a rename forgets it."""
        resources = tuple(resources)
        if resources:  # resolving the folder costs an lstat per part: not for an empty project
            folder = self.base_dir.resolve() if base_dir is not None else None
            self.add(*resources, base_dir=folder)

    # -- building -----------------------------------------------------------------------------

    def add(self, *resources: Resource, base_dir: Path | None = None) -> Project:
        """Add resources (and what they reference); returns the project for chaining."""
        for resource in resources:
            self._add_one(resource, base_dir)
        return self

    def _add_one(self, resource: Resource, base_dir: Path | None, key: int | None = None) -> None:
        if key is None:  # once: each id() call is an audited event (the render cache's hook)
            key = id(resource)
        if key in self._ids:
            return
        self._ids.add(key)
        self._base_dirs[key] = base_dir or self._source_dir(resource)
        for referenced in resource.references():
            held = id(referenced)
            if held not in self._ids:  # mostly added already: no call to tell
                self._add_one(referenced, base_dir, held)
        self._resources.append(resource)
        self._keys.append(key)
        self._of_kind.clear()
        self._by_name.setdefault(resource.metadata.name, []).append(resource)

    def _source_dir(self, resource: Resource) -> Path:
        source = resource.source_file
        if source and not source.startswith("<"):
            return Path(source).resolve().parent
        return self.base_dir.resolve()

    # -- lookups ------------------------------------------------------------------------------

    @property
    def resources(self) -> list[Resource]:
        """Every resource, in declaration order (referenced ones before their referrers)."""
        return list(self._resources)

    def declares(self, *kinds: str) -> bool:
        """Whether any resource is of one of ``kinds`` (by name: no model import needed)."""
        return any(resource.KIND in kinds for resource in self._resources)

    def narrowed(self, resources: Iterable[Resource]) -> Project:
        """A project of ``resources`` (from this one), keeping their folders, addresses,
        the bake files and the warnings."""
        result = Project(base_dir=self.base_dir)
        result.bake_files = list(self.bake_files)
        result.warnings = list(self.warnings)
        result.home_package = self.home_package
        result.service_selections = dict(self.service_selections)
        result.references_checked = self.references_checked
        result.add_from(self, resources)
        return result

    def kept(self, keep: Callable[[Resource], bool]) -> Project:
        """``narrowed`` to the resources ``keep`` accepts (and what they reference)."""
        result = self.narrowed(())
        chosen = [
            (resource, key)
            for resource, key in zip(self._resources, self._keys, strict=True)
            if keep(resource)
        ]
        if _self_contained(chosen):  # ``::`` keeps every bake block: no walk, one copy
            result._take(self, chosen)
        else:
            for resource, key in chosen:
                result._add_from(self, resource, key)
        return result

    def _take(self, other: Project, chosen: list[tuple[Resource, int]]) -> None:
        """Fill this empty project with ``chosen`` resources of ``other`` (each with its
        ``id()``) as ``_add_from`` one by one would, ``chosen`` holding each resource's
        references before it: their folders, addresses and owners there, in their order."""
        folders, addresses, owners = other._base_dirs, other._addresses, other._owners
        self._resources = [resource for resource, _ in chosen]
        self._keys = [key for _, key in chosen]
        self._ids = set(self._keys)
        self._base_dirs = {key: folders[key] for key in self._keys if key in folders}
        if len(self._base_dirs) < len(self._keys):  # each added resource has one: not seen
            fallback = other.base_dir.resolve()
            self._base_dirs = {key: folders.get(key, fallback) for key in self._keys}
        self._addresses = {key: addresses[key] for key in self._keys if key in addresses}
        self._owners = {key: owners[key] for key in self._keys if key in owners}
        self._of_kind = {}
        by_name: dict[str, list[Resource]] = {}
        for resource in self._resources:
            by_name.setdefault(resource.metadata.name, []).append(resource)
        self._by_name = by_name

    def checked_now(self) -> CheckedResources:
        """This project's resources, as a check that finds them right records them."""
        resources = dict(zip(self._keys, self._resources, strict=True))
        return CheckedResources(resources, len(self.targets), bool(self.bake_files))

    def holds_only(self, resources: Mapping[int, Resource]) -> bool:
        """Whether every resource of this project is one of ``resources`` (by ``id()``)."""
        return resources.keys() >= set(self._keys)

    def add_from(self, other: Project, resources: Iterable[Resource]) -> None:
        """Add resources of ``other`` (and what they reference) with their folders, addresses
        and owners there."""
        for resource in resources:
            self._add_from(other, resource, id(resource))  # once (an audited event each)

    def _add_from(self, other: Project, resource: Resource, key: int) -> None:
        """``add_from`` of one resource whose ``id()`` is ``key``."""
        folder = other._base_dirs.get(key)
        self._add_one(resource, folder if folder is not None else other.base_dir.resolve(), key)
        address = other._addresses.get(key)
        if address is not None:
            self._addresses[key] = address
        owners = other._owners.get(key)
        if owners is not None:
            self._owners[key] = owners

    def add_addressed(
        self,
        resource: Resource,
        base_dir: Path,
        address: Address,
        owners: tuple[str, ...] | None = None,
    ) -> None:
        """``add``, ``set_address`` and (when given) ``set_owners`` of one resource, its
        ``id()`` taken once (an audited event each: a repository's load adds thousands)."""
        key = id(resource)
        self._add_one(resource, base_dir, key)
        self._addresses[key] = address
        if owners is not None:
            self._owners[key] = owners

    def set_owners(self, resource: Resource, owners: tuple[str, ...]) -> None:
        """Record who owns a resource (its package's CODEOWNERS entry)."""
        self._owners[id(resource)] = owners

    def owners_of(self, resource: Resource) -> tuple[str, ...]:
        """Who owns a resource: its ``owner`` label, else its package's CODEOWNERS owners."""
        label = resource.metadata.labels.get("owner")
        if label:
            return (label,)
        return self._owners.get(id(resource), ())

    def set_address(self, resource: Resource, address: Address) -> None:
        """Record the package address of a resource loaded from a repository package."""
        self._addresses[id(resource)] = address

    def address_of(self, resource: Resource) -> Address:
        """``package:name`` of a resource; ``:name`` when it was not loaded from a package."""
        return self._addresses.get(id(resource)) or Address("", resource.name)

    def addressed(self) -> list[tuple[Resource, Address]]:
        """Every resource with its ``address_of``, in declaration order."""
        addresses = self._addresses
        return [
            (resource, addresses.get(key) or Address("", resource.name))
            for resource, key in zip(self._resources, self._keys, strict=True)
        ]

    def placed(self) -> list[tuple[Resource, Path]]:
        """Every resource with its ``base_dir_of``, in declaration order (no ``id()`` a
        resource: lowering thousands of targets asks each one's folder)."""
        folders = self._base_dirs
        fallback: Path | None = None
        placed: list[tuple[Resource, Path]] = []
        for resource, key in zip(self._resources, self._keys, strict=True):
            folder = folders.get(key)
            if folder is None:
                fallback = fallback or self.base_dir.resolve()
                folder = fallback
            placed.append((resource, folder))
        return placed

    def rename(self, resource: Resource, name: str) -> None:
        """Give a resource its bake name (an address's), keeping name lookups right."""
        self.references_checked = None  # names are what the reference check looks at
        metadata = resource.metadata
        entries = self._by_name.get(metadata.name, [])
        if resource in entries:
            entries.remove(resource)
        metadata.name = name
        self._by_name.setdefault(name, []).append(resource)

    def discard(self, resource: Resource) -> None:
        """Leave out a resource (one another package already declared the same)."""
        key = id(resource)
        if key not in self._ids or key not in self._keys:
            return
        index = self._keys.index(key)
        del self._resources[index], self._keys[index]
        self._of_kind.clear()
        entries = self._by_name.get(resource.name, [])
        if resource in entries:
            entries.remove(resource)

    def base_dir_of(self, resource: Resource) -> Path:
        """Folder that relative paths in ``resource`` are relative to (its definition file's)."""
        found = self._base_dirs.get(id(resource))
        return found if found is not None else self.base_dir.resolve()

    def of_kind(self, kind: type[R]) -> list[R]:
        """Resources of one kind, in declaration order."""
        found = self._of_kind.get(kind)
        if found is None:
            found = self._of_kind[kind] = [r for r in self._resources if isinstance(r, kind)]
        return list(found)  # type: ignore[arg-type]

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
        """The resource of ``kind`` called ``name``; UnresolvedReferenceError when there is none."""
        found = self.find(kind, name)
        if found is not None:
            return found
        raise UnresolvedReferenceError(f"no {kind.KIND} named {name!r}")

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


def _self_contained(chosen: list[tuple[Resource, int]]) -> bool:
    """Whether every resource ``chosen`` (each with its ``id()``) references is chosen too,
    and before it: then adding them in order adds nothing else and moves nothing."""
    position = {key: index for index, (_, key) in enumerate(chosen)}
    for index, (resource, _) in enumerate(chosen):
        for held in resource.references():
            if position.get(id(held), index) >= index:
                return False
    return True


__all__ = ["BakeFile", "CheckedResources", "Project", "location_of"]
