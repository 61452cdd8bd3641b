"""Project-wide checks beyond the models: each output domain contributes its own rules."""

from __future__ import annotations

from collections.abc import Callable

from bakepy.errors import Diagnostic
from bakepy.models.compose_rules import check_compose
from bakepy.models.dockerfile_rules import check_dockerfile
from bakepy.models.host_rules import check_host
from bakepy.project import Project

Check = Callable[[Project], list[Diagnostic]]


def check_dockerfiles(project: Project) -> list[Diagnostic]:
    """Every Dockerfile's rules (stage order, ARG scope, credentials, ONBUILD, SHELL, ...)."""
    return [
        problem for dockerfile in project.dockerfiles for problem in check_dockerfile(dockerfile)
    ]


CHECKS: tuple[Check, ...] = (check_dockerfiles, check_compose, check_host)
"""Every domain's project checks, run by ``bakepy validate`` and before every render."""
