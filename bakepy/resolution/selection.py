"""Choose part of a project: named targets and groups, or a label selector, and what they need."""

from __future__ import annotations

from collections.abc import Sequence

from bakepy.errors import SelectionError
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.targets import Function, Group, Target, Variable
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.models.resource import Resource
from bakepy.project import Project


def parse_selector(text: str | None) -> dict[str, str]:
    """``team=payments,env=prod`` as a dict; an empty selector selects everything."""
    if not text:
        return {}
    selector: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise SelectionError(f"selector {part!r} must be key=value")
        selector[key.strip()] = value.strip()
    return selector


def names_matching(project: Project, selector: dict[str, str]) -> list[str]:
    """Names of the targets and groups whose labels match every ``key=value`` of selector."""
    matched = [
        r.name
        for r in project
        if isinstance(r, Target | Group)
        and all(r.metadata.labels.get(k) == v for k, v in selector.items())
    ]
    if not matched:
        wanted = ",".join(f"{k}={v}" for k, v in selector.items())
        raise SelectionError(f"no target or group matches the selector {wanted}")
    return matched


def requested_names(project: Project, names: Sequence[str], selector: dict[str, str]) -> list[str]:
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
    chosen: dict[int, Resource] = {}

    def take(name: str) -> None:
        found = project.find(Group, name) or project.find(Target, name)
        if found is None:
            raise SelectionError(f"no target or group named {name!r}")
        walk(found)

    def walk(resource: Resource) -> None:
        if id(resource) in chosen:
            return
        chosen[id(resource)] = resource
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
    result = Project(base_dir=project.base_dir)
    for resource in kept:
        result.add(resource, base_dir=project.base_dir_of(resource))
    return result


def _used_by_any_target(project: Project, dockerfile: Dockerfile) -> bool:
    return any(
        t.spec.dockerfile is dockerfile or t.spec.dockerfile_inline is dockerfile
        for t in project.targets
    )
