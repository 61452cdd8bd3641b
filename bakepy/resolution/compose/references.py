"""What a compose service or a stack holds by name or by object, looked up in the project."""

from __future__ import annotations

from bakepy.models.bake.targets import Target
from bakepy.models.compose.project import ComposeProject, Stack
from bakepy.models.compose.service import Service
from bakepy.models.resource import ResourceRef
from bakepy.project import Project


def service_target(project: Project, service: Service) -> Target | None:
    """The bake Target a service is built from (object or ``Target/name``), if any."""
    if isinstance(service.build, Target):
        return service.build
    if isinstance(service.build, ResourceRef) and service.build.kind == "Target":
        return project.find(Target, service.build.name)
    return None


def stack_compose(project: Project, stack: Stack) -> ComposeProject | None:
    """The ComposeProject a stack deploys (held by object or named ``ComposeProject/name``)."""
    if isinstance(stack.spec.project, ComposeProject):
        return stack.spec.project
    return project.find(ComposeProject, stack.spec.project.name)
