"""Every rule over a whole project, in one place: the reference rules, then each domain's.

A single resource's fields are validated by its pydantic model (``bakepy.models``); whatever
needs more than one resource, or a whole Dockerfile, is checked here: ``references`` (names,
references, cycles), ``dockerfile`` (stage order, ARG scope, ONBUILD, ...), ``from_lines``
(variables on FROM lines), ``credentials`` (secrets written into a Dockerfile), ``targets``
(what a bake Target asks of its Dockerfile), ``compose`` (declared networks, volumes, secrets;
depends_on; what swarm refuses), ``host`` (daemon.json against docker.service's flags) and
``swarm_nodes`` (placement constraints no declared SwarmNode meets).
``check_project`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable

from bakepy.errors import Diagnostic, ValidationError
from bakepy.models.toolchain import NO_LIMITS, Toolchain
from bakepy.project import Project
from bakepy.resolution.checks.credentials import check_credentials, check_target_credentials
from bakepy.resolution.checks.from_lines import check_from_lines
from bakepy.resolution.checks.references import references_validated, validate_references
from bakepy.resolution.checks.targets import Findings, check_targets

Check = Callable[[Project], list[Diagnostic]]


def check_dockerfiles(project: Project, *, strict_credentials: bool = False) -> Findings:
    """Every Dockerfile's rules (stage order, ARG scope, FROM lines, ONBUILD, SHELL, ...), its
    credentials, and what each Target asks of the Dockerfile it builds. In a file the user
    already has, what BuildKit builds anyway (a global ARG out of scope, a credential unless
    ``strict_credentials``) is a warning."""
    findings = Findings()
    if project.dockerfiles:  # else the whole-Dockerfile rules need not be imported
        _check_each_dockerfile(project, findings, strict_credentials=strict_credentials)
    target_credentials = check_target_credentials(project.targets, strict=strict_credentials)
    findings.errors += target_credentials.errors
    findings.warnings += target_credentials.warnings
    if project.dockerfiles and project.targets:
        targets = check_targets(project)
        findings.errors += targets.errors
        findings.warnings += targets.warnings
    return findings


def _check_each_dockerfile(
    project: Project, findings: Findings, *, strict_credentials: bool
) -> None:
    """Add each Dockerfile's own rules, FROM lines and credentials to ``findings``."""
    from bakepy.resolution.checks.dockerfile import check_dockerfile, silent_problems

    for dockerfile in project.dockerfiles:
        if dockerfile.imported:  # the user's own file: what BuildKit builds anyway, warns
            findings.errors += check_dockerfile(dockerfile, refused_only=True)
            findings.warnings += silent_problems(dockerfile)
        else:
            findings.errors += check_dockerfile(dockerfile)
        errors, warnings = check_from_lines(dockerfile)
        credentials = check_credentials(dockerfile, strict=strict_credentials)
        findings.errors += errors + credentials.errors
        findings.warnings += warnings + credentials.warnings


def check_compose_projects(project: Project) -> list[Diagnostic]:
    """Compose projects and stacks: declared secrets, networks and volumes, depends_on, ..."""
    if not project.declares("ComposeProject", "Stack"):
        return []  # nothing to check, and its rules need not be imported
    from bakepy.resolution.checks.compose import check_compose

    return check_compose(project)


def check_host_files(project: Project) -> list[Diagnostic]:
    """daemon.json and drop-ins: keys that conflict with the unit's flags, file collisions."""
    if not project.declares("DaemonConfig", "SystemdDropIn"):
        return []
    from bakepy.resolution.checks.host import check_host

    return check_host(project)


def check_placement(project: Project) -> list[Diagnostic]:
    """Stack placement constraints that no declared SwarmNode meets."""
    if not project.declares("SwarmNode"):
        return []
    from bakepy.resolution.checks.swarm_nodes import check_swarm_nodes

    return check_swarm_nodes(project)


CHECKS: tuple[Check, ...] = (check_compose_projects, check_host_files, check_placement)
"""The other domains' project checks, in a fixed order (Dockerfiles' run first)."""


def check_versions(
    project: Project, toolchain: Toolchain, *, syntax_directive: bool = True
) -> Findings:
    """What the targeted tools would refuse: Dockerfile features the frontend that reads each
    Dockerfile lacks (the engine's built-in one, unless its ``# syntax=`` line is kept and
    names another). In a file the user already has, a feature that frontend ignores without a
    word (it builds) is a warning. Bake files are checked where they are resolved."""
    findings = Findings()
    if toolchain.dockerfile is None or not project.dockerfiles:
        return findings  # nothing to check, and its rules need not be imported
    from bakepy.resolution.checks.dockerfile_versions import dockerfile_version_findings

    for dockerfile in project.dockerfiles:
        refused, ignored = dockerfile_version_findings(
            dockerfile, toolchain.dockerfile, syntax_directive=syntax_directive
        )
        findings.errors += refused
        if dockerfile.imported:
            findings.warnings += ignored
        else:
            findings.errors += ignored
    return findings


def check_project(
    project: Project,
    toolchain: Toolchain = NO_LIMITS,
    *,
    syntax_directive: bool = True,
    strict_credentials: bool = False,
) -> list[str]:
    """The reference rules, then every domain's rules and what ``toolchain`` refuses; raises
    ValidationError listing every problem a domain finds (the reference rules stop at their
    first kind of problem), and returns the warnings (what would build, but not as meant).
    ``strict_credentials`` makes a credential in the user's own Dockerfile an error."""
    if not references_validated(project):  # a loaded project's were, by its load
        validate_references(project)
    dockerfiles = check_dockerfiles(project, strict_credentials=strict_credentials)
    problems = dockerfiles.errors + [problem for rule in CHECKS for problem in rule(project)]
    versions = check_versions(project, toolchain, syntax_directive=syntax_directive)
    problems += versions.errors
    if problems:
        raise ValidationError(problems)
    return [str(warning) for warning in dockerfiles.warnings + versions.warnings]
