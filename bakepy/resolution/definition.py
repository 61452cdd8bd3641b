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
    return native
