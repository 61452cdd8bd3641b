"""Choose part of a project: named targets and groups, or a label selector, and what they need."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bakepy.errors import SelectionError
from bakepy.models.address import Address, AddressSpec, is_spec
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.targets import Function, Group, Target, Variable
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.resource import Resource
from bakepy.project import Project

BLOCKS = (Target, Group)
"""The bake blocks a name selects (a tuple: ``Target | Group`` makes a union at each test)."""
CARRIED = (Target, Group, Variable, Function, Dockerfile)
"""What ``::`` keeps of a project: every bake block, variable, function and Dockerfile."""


@dataclass(frozen=True)
class Requirement:
    """One requirement of a label selector: ``key OP values`` as kubectl reads it."""

    key: str
    operator: Literal["=", "!=", "in", "notin", "exists", "!"]
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` meet this requirement (a missing key meets ``!=`` and notin)."""
        value = labels.get(self.key)
        if self.operator == "exists":
            return value is not None
        if self.operator == "!":
            return value is None
        if self.operator in ("=", "in"):
            return value in self.values
        return value not in self.values

    def __str__(self) -> str:
        if self.operator == "exists":
            return self.key
        if self.operator == "!":
            return f"!{self.key}"
        if self.operator in ("in", "notin"):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        return f"{self.key}{self.operator}{self.values[0]}"


@dataclass(frozen=True)
class Selector:
    """Label requirements that must all hold (every ``-l`` given, each comma-separated)."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` meet every requirement (an empty selector selects all)."""
        return all(requirement.matches(labels) for requirement in self.requirements)

    def __bool__(self) -> bool:
        return bool(self.requirements)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


_SET = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)\s*$")
_EQUALITY = re.compile(r"^\s*([^\s!=(),]+)\s*(==|=|!=)\s*([^\s=(),]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*$")


def _split_requirements(text: str) -> list[str]:
    """``a=1,b in (x,y),!c`` at the commas outside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _requirement(text: str) -> Requirement:
    if match := _SET.match(text):
        if match.group(1):
            raise SelectionError(f"selector {text.strip()!r}: ! goes before a key alone")
        values = tuple(v.strip() for v in match.group(4).split(",") if v.strip())
        return Requirement(match.group(2), match.group(3), values)  # type: ignore[arg-type]
    if match := _EQUALITY.match(text):
        if match.group(2) == "!=":
            return Requirement(match.group(1), "!=", (match.group(3),))
        return Requirement(match.group(1), "=", (match.group(3),))
    if match := _EXISTS.match(text):
        return Requirement(match.group(2), "!" if match.group(1) else "exists")
    raise SelectionError(
        f"selector {text.strip()!r} is not a label requirement",
        hint="write key=value, key!=value, key in (a,b), key notin (a,b), key or !key",
    )


def parse_selector(text: str | Sequence[str] | None) -> Selector:
    """kubectl's label selector syntax; several selectors (repeated ``-l``) must all hold."""
    texts = [text] if isinstance(text, str) else list(text or [])
    requirements = [
        _requirement(part) for item in texts if item.strip() for part in _split_requirements(item)
    ]
    return Selector(tuple(requirements))


def bake_names(project: Project, names: Sequence[str], *, concrete: bool = False) -> list[str]:
    """The bake names ``names`` mean in ``project``: an address spec (``pkg:name``,
    ``pkg:``, ``pkg::``, ``::``) the targets and groups it selects, a plain name the resource
    of that name in the package the command runs from (else the bake name itself). A spec
    that selects only compose projects, stacks or host files adds no name (those are what
    the spec's packages, loaded for it, hold); one that selects nothing is an error.
    ``concrete`` (what to build): a package spec leaves out abstract targets (``_base``,
    there to be inherited), as ``apply`` does when no name is given; ``pkg:_base`` keeps it."""
    if project.home_package is None or not names:
        return list(names)
    selectable = [(r, a) for r, a in project.addressed() if isinstance(r, BLOCKS)]
    chosen: list[str] = []
    for text in names:
        if not is_spec(text):
            local = Address(project.home_package, text)
            found = [r.name for r, address in selectable if address == local]
            chosen += [n for n in (found or [text]) if n not in chosen]
            continue
        try:
            spec = AddressSpec.parse(text)
        except ValueError as exc:
            raise SelectionError(str(exc)) from None
        every = spec.scope == "below" and not spec.package  # ``::``: no address to test
        matched = [
            r.metadata.name
            for r, address in selectable
            if (every or spec.selects(address))
            and not (concrete and spec.scope != "one" and _abstract(r, address))
        ]
        if not matched and not any(spec.selects(project.address_of(r)) for r in project):
            raise SelectionError(f"nothing matches {spec}")
        if (
            spec.scope != "one"
            and len(names) == 1
            and len(matched) == len(selectable)
            and project.find(Group, "default") is not None
        ):
            return []  # everything loaded is selected, and bake's default group names it
        chosen += [n for n in matched if n not in chosen]
    return chosen


def _abstract(resource: Resource, address: Address) -> bool:
    """A target named ``_...`` in its package: a base to inherit, not an image to build."""
    return isinstance(resource, Target) and address.name.startswith("_")


def with_specified(project: Project, narrowed: Project, names: Sequence[str]) -> Project:
    """``narrowed`` (the targets and groups ``names`` chose: ``subset``'s copy of ``project``,
    which this adds to) with the other resources (compose projects, stacks, host files) whose
    addresses the address specs among ``names`` select: ``services/web:`` renders that
    package's compose file too."""
    if project.home_package is None or narrowed is project:
        return narrowed
    try:
        specs = [AddressSpec.parse(text) for text in names if is_spec(text)]
    except ValueError as exc:
        raise SelectionError(str(exc)) from None
    kept = {id(r) for r in narrowed if r.KIND not in BAKE_KINDS}  # the only ones asked about
    extra = [
        r
        for r in project
        if r.KIND not in BAKE_KINDS
        and id(r) not in kept
        and any(spec.selects(project.address_of(r)) for spec in specs)
    ]
    narrowed.add_from(project, extra)  # a copy ``subset`` made: no second copy of it all
    return narrowed


def still_selected(
    project: Project, names: Sequence[str], selector: Selector, owner: str | None = None
) -> list[str]:
    """``names`` without the targets and groups of ``project`` that ``selector`` or ``owner``
    leaves out, as ``select_resources`` leaves them (``::`` names every target; ``--owner``
    keeps a team's). A name no resource has (a bake file's block) stays: resolving the files
    judges it."""
    chosen = _chooser(project, selector, owner)
    return [
        name
        for name in names
        if (found := project.find(Target, name) or project.find(Group, name)) is None
        or chosen(found)
    ]


def _chooser(project: Project, selector: Selector, owner: str | None) -> Callable[[Resource], bool]:
    """Whether a resource meets ``selector`` and belongs to ``owner`` (when given)."""

    def chosen(resource: Resource) -> bool:
        mine = owner is None or owner in project.owners_of(resource)
        return mine and selector.matches(resource.metadata.labels)

    return chosen


def owned_by(project: Project, owner: str, names: Sequence[str] = ()) -> list[str]:
    """The targets and groups (among ``names``, default all) ``owner`` owns (CODEOWNERS, or
    an ``owner`` label)."""
    owned = [r.name for r in project if isinstance(r, BLOCKS) and owner in project.owners_of(r)]
    chosen = [n for n in names if n in owned] if names else owned
    if not chosen:
        raise SelectionError(f"no target or group owned by {owner}")
    return chosen


def names_matching(project: Project, selector: Selector) -> list[str]:
    """Names of the targets and groups whose labels meet the selector."""
    matched = [
        r.name for r in project if isinstance(r, BLOCKS) and selector.matches(r.metadata.labels)
    ]
    if not matched:
        raise SelectionError(f"no target or group matches the selector {selector}")
    return matched


def requested_names(project: Project, names: Sequence[str], selector: Selector) -> list[str]:
    """Names asked for on the command line, narrowed (or given) by the label selector."""
    if not selector:
        return list(names)
    matched = names_matching(project, selector)
    return [n for n in names if n in matched] if names else matched


def subset(project: Project, names: Sequence[str]) -> Project:
    """The resources ``names`` need: the targets and groups, their parents, links, Dockerfiles.

    Variables, functions and standalone Dockerfiles are always kept; they cost nothing to carry.
    """
    if not names:
        return project
    if _names_every_one(project, names):  # ``::``: they need all there is, no walk to tell
        return project.kept(lambda r: isinstance(r, CARRIED))
    chosen: dict[int, Resource] = {}
    taken: set[str] = set()  # names already taken: a shared base is named by thousands

    def take(name: str) -> None:
        if name in taken:
            return
        taken.add(name)
        found = project.find(Group, name) or project.find(Target, name)
        if found is None and project.bake_files:
            return  # a bake file's block (or matrix variant): resolving the files checks it
        if found is None:
            raise SelectionError(f"no target or group named {name!r}")
        walk(found)

    def walk(resource: Resource) -> None:
        key = id(resource)
        if key in chosen:
            return
        chosen[key] = resource
        if isinstance(resource, Group):
            for member in resource.spec.members:
                walk(member) if isinstance(member, Resource) else take(member)
        elif isinstance(resource, Target):
            for parent in resource.spec.parents:
                walk(parent) if isinstance(parent, Resource) else take(parent)
            for context in resource.spec.named_contexts.values():
                if isinstance(context, TargetContext):
                    target = context.target
                    walk(target) if isinstance(target, Resource) else take(target)
            for dockerfile in (resource.spec.dockerfile, resource.spec.dockerfile_inline):
                if isinstance(dockerfile, Resource):
                    walk(dockerfile)

    for name in names:
        take(name)
    kept = [
        r
        for r in project.resources
        if id(r) in chosen
        or isinstance(r, Variable | Function)
        or (isinstance(r, Dockerfile) and not _used_by_any_target(project, r))
    ]
    return project.narrowed(kept)


def _names_every_one(project: Project, names: Sequence[str]) -> bool:
    """Whether ``names`` are the names of every target and group of ``project``, each the
    name of one of them: they then need every target, group and Dockerfile (a walk from each
    name would reach them all, and a Dockerfile no target uses is kept anyway). A loaded
    project's name references were checked by the load (``validate_references``): no walk is
    needed to find one that names nothing."""
    declared = [r.name for r in project if isinstance(r, BLOCKS)]
    unique = set(declared)
    return len(unique) == len(declared) and unique == set(names)


BAKE_KINDS = ("Target", "Group", "Variable", "Function", "Attribute", "Dockerfile")


def select_resources(
    project: Project, names: Sequence[str], selector: Selector, owner: str | None = None
) -> Project:
    """What ``plan`` and ``apply`` act on: the targets and groups ``names`` and ``selector``
    choose (with what they need), and the engine and host resources (compose projects,
    stacks, daemon.json, drop-ins) whose labels meet ``selector``, as kubectl selects."""
    if not names and not selector and owner is None:
        return project
    chosen = _chooser(project, selector, owner)
    matched = [r.name for r in project if isinstance(r, BLOCKS) and chosen(r)]
    bake_names = [n for n in names if n in matched] if names else matched
    bake = subset(project, bake_names) if bake_names else project.narrowed([])
    others = [r for r in project.resources if r.KIND not in BAKE_KINDS and chosen(r)]
    picked = _picked_services(project, selector, owner, others)
    taken = {id(r) for r in others}
    others += [
        r
        for r in project.resources
        if r.KIND not in BAKE_KINDS
        and (r.name in picked or _deployed_name(r) in picked)
        and id(r) not in taken
    ]
    if (selector or owner) and not bake_names and not others:
        raise SelectionError(f"nothing matches the selector {selector or ''} {owner or ''}".strip())
    narrowed = project.narrowed([*bake.resources, *others])
    narrowed.service_selections.update(picked)
    return narrowed


def _deployed_name(resource: Resource) -> str | None:
    """The name of the ComposeProject a Stack deploys (None for other kinds)."""
    deployed = getattr(getattr(resource, "spec", None), "project", None)
    name = getattr(deployed, "name", None)
    return name if resource.KIND == "Stack" and isinstance(name, str) else None


def _picked_services(
    project: Project, selector: Selector, owner: str | None, whole: Sequence[Resource]
) -> dict[str, frozenset[str]]:
    """For each ComposeProject the selector does not take whole, the services whose own labels
    meet it (by resource name): plan, apply and delete work on those services only."""
    if not selector:
        return {}
    picked: dict[str, frozenset[str]] = {}
    for resource in project.resources:
        if any(resource is taken for taken in whole):
            continue
        if owner is not None and owner not in project.owners_of(resource):
            continue
        services = getattr(getattr(resource, "spec", None), "services", None)
        if not isinstance(services, dict):
            continue
        chosen = frozenset(
            name
            for name, service in services.items()
            if selector.matches(getattr(service, "labels", None) or {})
        )
        if chosen:
            picked[resource.name] = chosen
    return picked


def _used_by_any_target(project: Project, dockerfile: Dockerfile) -> bool:
    return any(
        t.spec.dockerfile is dockerfile or t.spec.dockerfile_inline is dockerfile
        for t in project.targets
    )
