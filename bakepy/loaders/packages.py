"""Load packages of a repository into one Project, every name qualified by its address.

Each package is loaded as a folder is (its Python definition, its manifests, its bake and
compose files). A resource belongs to the package of the file that declared it (a Python
object imported from another package stays that package's). Names are then qualified:
outside the root package a resource takes its address's bake name (``services-payments-api``);
variables, functions and top-level bake attributes stay global, as bake has them (one name
declared differently in two packages is an error naming both). References written as
names (YAML's ``inherits: [base]``, ``target:base``, ``Dockerfile/app``) mean the resource of
that name in the same package, or the one an address names (``services/shared:base``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bakepy.errors import (
    CycleError,
    Diagnostic,
    LoadError,
    Location,
    SelectionError,
    ValidationError,
)
from bakepy.loaders import load_files
from bakepy.loaders.bake.unknown import Unknown
from bakepy.loaders.codeowners import owners_of, rules_for
from bakepy.loaders.package_bake import package_bake_resources
from bakepy.loaders.python import importable_from
from bakepy.loaders.reading import claim_order, import_loaders
from bakepy.loaders.repository import Package, Repository, discover_packages, find_repository
from bakepy.models.address import Address, AddressSpec, is_spec
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.targets import Attribute, Function, Group, Target, Variable
from bakepy.models.resource import Resource, ResourceRef
from bakepy.models.toolchain import NO_LIMITS, Toolchain
from bakepy.project import Project
from bakepy.resolution.checks.references import validate_references
from bakepy.support.forked import forked_map, jobs

SHARED_LOAD_CORES = 2
"""The packages are read by several processes (unless ``BAKEPY_JOBS`` says otherwise) when
this many cores are free to run them: on two cores the 200-package bench's cold render went
from 0.76 to 0.67 s (median, alternating runs). Each child copies the pages of the parent it
touches and the parent unpickles its results, so the CPU time grows by about 0.1 s."""

GLOBAL_KINDS = (Variable, Function, Attribute)
"""Kinds bake keeps in one namespace whatever file declares them."""
BAKE_BLOCKS = (Target, Group)
"""The kinds bake looks up by one name (a tuple: ``Target | Group`` makes a union at each test)."""


def load_packages(
    repository: Repository,
    packages: Sequence[Package],
    toolchain: Toolchain = NO_LIMITS,
    *,
    ignore_unknown: bool = False,
) -> Project:
    """One validated Project of ``packages``, each resource with its address."""
    if not packages:
        raise LoadError(
            f"no package with definitions in {repository.root}", Location(repository.root)
        )
    project = Project(base_dir=repository.root)
    loaded_paths: set[str] = set()
    pending = list(packages)
    with importable_from(repository.root) as imported:
        while pending:
            import_loaders([file for package in pending for file in package.files])

            def read(package: Package) -> _PackageLoad:
                return _read_package(repository, package, toolchain, ignore_unknown)

            shared = forked_map(
                read,
                pending,
                processes=jobs(least=SHARED_LOAD_CORES),
                order=claim_order([package.files for package in pending]),
            )
            for package, loaded in zip(pending, shared, strict=True):
                _add_package(project, loaded)
                loaded_paths.add(package.path)
            pending = _referenced_packages(repository, project, loaded_paths)
    project.imported_files = frozenset(imported)
    _merge_duplicates(project)
    _qualify(project)
    try:
        validate_references(project)
    except CycleError as error:  # name the loop by addresses, which the user wrote
        raise CycleError(_with_addresses(project, error.message), error.location) from None
    return project


def _with_addresses(project: Project, message: str) -> str:
    """``Target/services-a-x`` in a message as ``Target services/a:x``."""
    for resource in project:
        address = project.address_of(resource)
        if address.package:
            message = re.sub(
                rf"\b{re.escape(resource.ref)}\b", f"{resource.KIND} {address}", message
            )
    return message


class _Declared(NamedTuple):
    """One resource a package's files declare, with what the project keeps of it."""

    resource: Resource
    base_dir: Path
    package: str
    """The package of the file that declared it (an import may bring another's)."""
    owners: tuple[str, ...] | None
    """Its owners by CODEOWNERS (None when the repository has none)."""


@dataclass
class _PackageLoad:
    """What one package's files declare: found by whichever process of a shared load
    (:func:`bakepy.support.forked.forked_map`), each resource's package and owners
    included, then added to the project in package order."""

    resources: list[_Declared]
    warnings: list[str]


def _read_package(
    repository: Repository, package: Package, toolchain: Toolchain, ignore_unknown: bool
) -> _PackageLoad:
    unknown = Unknown(ignore_unknown)
    loaded = load_files(list(package.files), toolchain, unknown, cwd=package.folder)
    # a package's bake and compose files declare its resources, with addresses like any
    # other's (kept as files, two packages' ``app`` or ``default`` would merge into one)
    from_bake = package_bake_resources(loaded.bake_files)
    found = [(resource, loaded.base_dir_of(resource)) for resource in loaded]
    found += [(resource, package.folder) for resource in from_bake]
    rules = list(rules_for(repository.root))
    owners: dict[str, tuple[str, ...]] = {}  # by declaring file: mostly one per package
    folder = str(package.folder)
    declared: list[_Declared] = []
    for resource, base_dir in found:
        source = resource.source_file or ""
        where = _package_of(repository, source, package, folder)
        who: tuple[str, ...] | None = None
        if rules:
            file = source if source and not source.startswith("<") else str(package.files[0])
            if file not in owners:
                path = os.path.relpath(os.path.abspath(file), repository.root)
                owners[file] = owners_of(rules, path.replace(os.sep, "/"))
            who = owners[file]
        declared.append(_Declared(resource, base_dir, where, who))
    return _PackageLoad(declared, loaded.warnings)


def _add_package(project: Project, loaded: _PackageLoad) -> None:
    project.warnings += loaded.warnings
    for resource, base_dir, package, owners in loaded.resources:
        address = Address(package, resource.metadata.name)
        project.add_addressed(resource, base_dir, address, owners)  # one id() for the three


def _referenced_packages(
    repository: Repository, project: Project, loaded: set[str]
) -> list[Package]:
    """Packages not loaded yet that references in ``project`` name by address."""
    wanted: set[str] = set()
    # the package each reference names (None: not an address), once per text: a repository's
    # definitions write the same few thousands of times
    packages: dict[str, str | None] = {}
    for resource in project:
        for reference in _name_references(resource):  # each names its package (a colon)
            if reference not in packages:
                try:
                    packages[reference] = Address.parse(reference).package
                except ValueError:
                    packages[reference] = None
            package = packages[reference]
            if package is not None and package not in loaded:
                wanted.add(package)
    found: list[Package] = []
    for path in sorted(wanted):
        matches = [p for p in discover_packages(repository, path) if p.path == path]
        if not matches:
            raise LoadError(f"no package {path!r} (a reference names it)", Location())
        found.append(matches[0])
    return found


def _name_references(resource: Resource) -> list[str]:
    """The references a resource writes as addresses (YAML's form: a name with a colon). The
    spec's fields are read as they are (``parents``/``named_contexts`` copy them), and a
    target without contexts or Dockerfile references costs no more than its parents."""
    if isinstance(resource, Target):
        spec = resource.spec
        inherits, contexts = spec.inherits, spec.contexts
        names = [] if isinstance(inherits, str) else [p for p in inherits if isinstance(p, str)]
        if contexts and not isinstance(contexts, str):
            names += [
                c.target
                for c in contexts.values()
                if isinstance(c, TargetContext) and isinstance(c.target, str)
            ]
        for value in (spec.dockerfile, spec.dockerfile_inline):
            if value is not None and not isinstance(value, str) and isinstance(value, ResourceRef):
                names.append(value.name)  # None or a path told first: no pydantic class test
    elif isinstance(resource, Group):
        targets = resource.spec.targets
        names = [] if isinstance(targets, str) else [m for m in targets if isinstance(m, str)]
    else:
        return []
    return [name for name in names if ":" in name]


def _merge_duplicates(project: Project) -> None:
    """One resource per address: a Python object imported into another package's definition
    is the same resource as the one its own package declares (equal declarations merge;
    different ones are an error naming both addresses)."""
    canonical: dict[tuple[str, Address], Resource] = {}
    replaced: dict[int, Resource] = {}
    problems: list[Diagnostic] = []
    for resource, address in project.addressed():
        key = (resource.KIND, Address("", resource.name) if _is_global(resource) else address)
        first = canonical.setdefault(key, resource)
        if first is resource:
            continue
        if not _same(first, resource):
            problems.append(_collision(project, first, resource, address))
        replaced[id(resource)] = first
        project.discard(resource)
    if problems:
        raise ValidationError(problems)
    if replaced:
        for resource in project:
            _replace_objects(resource, replaced)


def _replace_objects(resource: Resource, replaced: dict[int, Resource]) -> None:
    """Point a resource's object references at the canonical resources."""

    def one(value: object) -> object:
        return replaced.get(id(value), value) if isinstance(value, Resource) else value

    if isinstance(resource, Target):
        spec = resource.spec
        if isinstance(spec.inherits, list):
            spec.inherits = [one(p) for p in spec.inherits]  # type: ignore[misc]
        for context in spec.named_contexts.values():
            if isinstance(context, TargetContext):
                context.target = one(context.target)  # type: ignore[assignment]
    elif isinstance(resource, Group) and isinstance(resource.spec.targets, list):
        resource.spec.targets = [one(m) for m in resource.spec.targets]  # type: ignore[misc]


def _package_of(repository: Repository, source: str, loaded_from: Package, folder: str) -> str:
    """The package of the file ``source`` that declared a resource (an import may bring
    another's), the package ``loaded_from`` (whose folder is ``folder``) loading it."""
    if not source or source.startswith("<"):
        return loaded_from.path
    if os.path.dirname(source) == folder:
        return loaded_from.path  # the usual case, without resolving the path
    try:
        return repository.package_of(Path(source).resolve().parent)
    except LoadError:
        return loaded_from.path


def _is_global(resource: Resource) -> bool:
    return _global_type(type(resource))


@functools.cache
def _global_type(kind: type[Resource]) -> bool:
    """``_is_global`` once per class: a pydantic class's isinstance that fails runs its
    metaclass's check in Python (three of them for each Target, about 0.4 us)."""
    return issubclass(kind, GLOBAL_KINDS)


def _same(first: Resource, second: Resource) -> bool:
    return first.model_dump(mode="json") == second.model_dump(mode="json")


def _collision(project: Project, first: Resource, second: Resource, address: Address) -> Diagnostic:
    where = second.location() if second.source else Location()
    if _is_global(second):
        other = project.address_of(first)
        return Diagnostic(
            f"{second.KIND} {second.name!r} is declared differently at {other} and {address}; "
            "bake has one namespace for them",
            where,
            hint="declare it once (in a shared package) or give one another name",
        )
    return Diagnostic(f"{address} is declared twice ({second.KIND})", where)


def _qualify(project: Project) -> None:
    """Give every packaged resource its bake name and point name references at them."""
    addressed = project.addressed()  # each resource's address, looked up once
    by_address = {(resource.KIND, address): resource for resource, address in addressed}
    names: dict[str, Address] = {}
    problems: list[Diagnostic] = []
    for resource, address in addressed:
        if _is_global(resource):
            continue
        if resource.KIND in ENGINE_NAMED:
            _claim_engine_name(names, resource, address, problems)
            continue
        bake_name = address.bake_name()
        # bake looks targets and groups up by one name (a group hides a target of its name);
        # the root's names, kept as they are, count too
        namespace = "bake" if isinstance(resource, BAKE_BLOCKS) else resource.KIND
        clash = names.get(f"{namespace}/{bake_name}")
        names[f"{namespace}/{bake_name}"] = address
        if clash is not None and clash != address:
            problems.append(
                Diagnostic(
                    f"{clash} and {address} both become the bake name {bake_name!r}",
                    resource.location() if resource.source else Location(),
                    hint="rename one of them",
                )
            )
        if not address.package:
            continue
        project.rename(resource, bake_name)
        if isinstance(resource, Target) and resource.spec.name is not None:
            # a matrix's variants are named by this template: prefixed, two packages' variants
            # (svc-a) stay apart as their targets do
            resource.spec.name = Address(address.package, resource.spec.name).bake_name()
    if problems:
        raise ValidationError(problems)
    resolved: _Resolved = {}
    for resource, address in addressed:
        _rewrite_references(resource, address.package, by_address, resolved)


ENGINE_NAMED = ("ComposeProject", "Stack")
"""Kinds whose name is the engine's (a compose project's, a swarm stack's): a package's keeps
the name ``docker compose`` or ``docker stack deploy`` in its folder would give it, so bakepy
and those tools converge the same containers and services, never a renamed copy."""


def _claim_engine_name(
    names: dict[str, Address], resource: Resource, address: Address, problems: list[Diagnostic]
) -> None:
    """Note ``resource``'s engine name; two packages' of one kind meeting on it are an error
    naming both addresses (on the engine they would be one project)."""
    key = f"{resource.KIND}/{resource.name}"
    clash = names.setdefault(key, address)
    if clash != address:
        what = "compose project" if resource.KIND == "ComposeProject" else "stack"
        problems.append(
            Diagnostic(
                f"{clash} and {address} are both the {what} {resource.name!r} on the engine",
                resource.location() if resource.source else Location(),
                hint="give one a name of its own (its file's top-level `name:`); compose names "
                "a project after its folder when the file gives none",
            )
        )


_Resolved = dict[tuple[str, tuple[str, ...], str], str]
"""What a name reference, of the kinds it may name, written in a package, means: the
packages of a repository write the same few (``:_base``) thousands of times."""


def _resolve(
    reference: str,
    kinds: tuple[str, ...],
    package: str,
    by_address: dict[tuple[str, Address], Resource],
    resolved: _Resolved,
) -> str:
    """The bake name a name reference written in ``package`` means (unchanged if unknown:
    the reference check reports it, or it names something a bake file declares); each
    reference worked out once (``resolved``)."""
    key = (reference, kinds, package)
    found = resolved.get(key)
    if found is None:
        found = resolved[key] = _resolve_once(reference, kinds, package, by_address)
    return found


def _resolve_once(
    reference: str,
    kinds: tuple[str, ...],
    package: str,
    by_address: dict[tuple[str, Address], Resource],
) -> str:
    """``_resolve``, worked out."""
    try:
        address = Address.parse(reference, relative_to=package)
    except ValueError:
        return reference
    for kind in kinds:
        found = by_address.get((kind, address))
        if found is not None:
            return found.name
    return reference


def _rewrite_references(
    resource: Resource,
    package: str,
    by_address: dict[tuple[str, Address], Resource],
    resolved: _Resolved,
) -> None:
    """Point the name references ``resource`` (of ``package``) writes at bake names."""

    def bake_name(reference: str, kinds: tuple[str, ...]) -> str:
        return _resolve(reference, kinds, package, by_address, resolved)

    if isinstance(resource, Target):
        spec = resource.spec
        inherits, contexts = spec.inherits, spec.contexts
        if isinstance(inherits, list):
            spec.inherits = [
                bake_name(p, ("Target",)) if isinstance(p, str) else p for p in inherits
            ]
        if contexts and not isinstance(contexts, str):  # most targets have none: no loop
            for context in contexts.values():
                if isinstance(context, TargetContext) and isinstance(context.target, str):
                    context.target = bake_name(context.target, ("Target",))
        for value in (spec.dockerfile, spec.dockerfile_inline):
            if value is not None and not isinstance(value, str) and isinstance(value, ResourceRef):
                value.name = bake_name(value.name, ("Dockerfile",))
    elif isinstance(resource, Group) and isinstance(resource.spec.targets, list):
        resource.spec.targets = [
            bake_name(m, ("Group", "Target")) if isinstance(m, str) else m
            for m in resource.spec.targets
        ]


def packages_for(
    repository: Repository,
    specs: Sequence[AddressSpec],
    folders: Sequence[Path],
    *,
    recursive: bool = False,
) -> list[Package]:
    """The packages specs and folders select: a spec's package (and those below it for
    ``pkg::``), each folder's package (and those below it with ``recursive``)."""
    chosen: dict[str, Package] = {}

    def take(below: str, deep: bool) -> None:
        for package in discover_packages(repository, below):
            if deep or package.path == below:
                chosen.setdefault(package.path, package)

    for spec in specs:
        take(spec.package, spec.scope == "below")
        if spec.scope != "below" and spec.package not in chosen:
            raise SelectionError(
                f"no package {spec.package or '(the root)'!r} for {spec}",
                hint="a package is a folder with bakepy definitions, a bake or a compose file",
            )
    for folder in folders:
        take(repository.package_of(folder), recursive)
    return [chosen[path] for path in sorted(chosen)]


def load_repository_selection(
    files: Sequence[Path | str],
    names: Sequence[str],
    toolchain: Toolchain = NO_LIMITS,
    *,
    ignore_unknown: bool = False,
    recursive: bool = False,
) -> Project | None:
    """The project a command line asks for, when it is about packages of a repository (its
    ``home_package`` the one it runs from); None when it is about one folder outside any
    configured repository (the plain ``load`` then reads it)."""
    try:
        specs = [AddressSpec.parse(name) for name in names if is_spec(name)]
    except ValueError as exc:
        raise SelectionError(str(exc)) from None
    paths = [Path(p) for p in files] or [Path.cwd()]
    asked = bool(specs or recursive)
    start = paths[0] if paths[0].is_dir() else paths[0].parent
    repository = find_repository(start, git_fallback=asked)
    if repository is None or not (asked or repository.config_file is not None):
        return None
    folders = [p for p in paths if p.is_dir()] if (files or not specs) else []
    packages = packages_for(repository, specs, folders, recursive=recursive)
    packages += [_file_package(repository, p) for p in paths if p.is_file()]
    project = load_packages(repository, packages, toolchain, ignore_unknown=ignore_unknown)
    project.home_package = repository.package_of(start)
    return project


def _file_package(repository: Repository, file: Path) -> Package:
    folder = file.resolve().parent
    return Package(repository.package_of(folder), folder, (file,))
