"""The project's bake definition with inline Dockerfiles rendered by this package's generator.

Callers (``bakepy.api``, the build files) compute it once per output folder and pass it on.
"""

from __future__ import annotations

from pathlib import Path

from bakepy.models.bake.definition import NativeBake
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.project import Project
from bakepy.resolution.definition import project_definition


def bake_definition(
    project: Project, out_dir: Path, *, syntax_directive: bool = True
) -> NativeBake:
    """``project_definition`` for ``out_dir``; ``syntax_directive`` keeps ``# syntax=`` lines
    in the Dockerfiles a target inlines."""

    def dockerfile_text(dockerfile: Dockerfile) -> str:
        """Imported on first use: a project of Dockerfile paths (or none) never needs the
        templates."""
        from bakepy.generators.dockerfile import render_dockerfile

        return render_dockerfile(dockerfile, include_syntax=syntax_directive)

    return project_definition(project, out_dir, dockerfile_text)
