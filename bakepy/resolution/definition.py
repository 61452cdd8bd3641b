"""A project's whole bake definition, as one bake file written into a folder would hold it.

The one place that computes it: its declared resources lowered to bake's native form, then
every bake file it read, merged in order as bake merges several ``-f`` files, with their paths
rewritten for the folder. Callers compute it once and pass it on (to the checks, to the
generators), so a render does not lower the project twice.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from pathlib import Path

from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Group, Target
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.project import Project
from bakepy.resolution.bake.lower import lower_project
from bakepy.resolution.bake.rebase import rebase

DockerfileText = Callable[[Dockerfile], str]
"""Renders a Dockerfile model as text (for ``dockerfile-inline``); the generators supply it."""


def project_definition(
    project: Project, out_dir: Path, render_dockerfile: DockerfileText
) -> NativeBake:
    """The project's whole bake definition as seen from ``out_dir``: its declared resources,
    then every bake file it read, merged in order as bake merges several ``-f`` files."""
    native = lower_project(project, out_dir, render_dockerfile)
    # files read in one folder are merged before rebasing: a target's context may come from
    # another file (a later block of the same name, or a parent)
    for base, files in itertools.groupby(project.bake_files, key=lambda file: file.base_dir):
        read = functools.reduce(NativeBake.merged_with, [file.native for file in files])
        native = native.merged_with(rebase(read, base, out_dir))
    if "default" not in native.groups and "default" not in native.targets:
        packages_default = package_defaults(project)
        if packages_default:
            # no description: buildx before 0.16 ignores one, which would warn on every render
            native.groups["default"] = {"targets": packages_default}
    return native


def package_defaults(project: Project) -> list[str]:
    """What a repository's bake file, whose root declares no ``default``, builds on a plain
    ``docker buildx bake``: each package's own ``default`` group (``services-web-default``),
    or, in a package without one, its targets not named ``_...`` (as ``bakepy apply`` picks
    them); empty for a project not loaded from a repository's packages."""
    if project.home_package is None:
        return []
    addressed = project.addressed()  # each resource's address, without an id() each
    defaults: dict[str, str] = {}
    for resource, address in addressed:
        if isinstance(resource, Group) and address.name == "default":
            defaults[address.package] = resource.name
    members = set(defaults.values())
    for resource, address in addressed:
        if (
            isinstance(resource, Target)
            and address.package not in defaults
            and not address.name.startswith("_")
        ):
            members.add(resource.name)
    return sorted(members)
