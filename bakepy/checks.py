"""Project-wide checks beyond the models: each output domain contributes its own rules."""

from __future__ import annotations

from collections.abc import Callable

from bakepy.errors import Diagnostic
from bakepy.models.dockerfile_rules import check_dockerfile
from bakepy.project import Project

Check = Callable[[Project], list[Diagnostic]]


def check_dockerfiles(project: Project) -> list[Diagnostic]:
    """Every Dockerfile's rules (stage order, ARG scope, credentials, ONBUILD, SHELL, ...)."""
    return [
        problem for dockerfile in project.dockerfiles for problem in check_dockerfile(dockerfile)
    ]


def check_compose_projects(project: Project) -> list[Diagnostic]:
    """Compose projects and stacks: declared secrets, networks and volumes, depends_on, ..."""
    if not project.declares("ComposeProject", "Stack"):
        return []  # nothing to check, and its rules need not be imported
    from bakepy.models.compose_rules import check_compose

    return check_compose(project)


def check_host_files(project: Project) -> list[Diagnostic]:
    """daemon.json and drop-ins: keys that conflict with the unit's flags, file collisions."""
    if not project.declares("DaemonConfig", "SystemdDropIn"):
        return []
    from bakepy.models.host_rules import check_host

    return check_host(project)


CHECKS: tuple[Check, ...] = (check_dockerfiles, check_compose_projects, check_host_files)
"""Every domain's project checks, run by ``bakepy validate`` and before every render."""
