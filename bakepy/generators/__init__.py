"""Generators: pure functions from a resolved project to file texts (no I/O, no clock, no env).

Each output domain contributes one renderer to ``RENDERERS``; ``render_project`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bakepy.generators.files import HEADER, BakeFormat, RenderedFile, RenderOptions
from bakepy.models.bake.definition import NativeBake
from bakepy.project import Project

Renderer = Callable[[Project, Path, RenderOptions, NativeBake | None], list[RenderedFile]]
"""One output domain: the project, the output folder, the options, the bake definition if known."""


def render_builds(
    project: Project, out_dir: Path, options: RenderOptions, definition: NativeBake | None
) -> list[RenderedFile]:
    """Dockerfiles and bake files; the templates load only when a command renders."""
    from bakepy.generators.builds import render_build_files

    return render_build_files(project, out_dir, options, definition)


def render_compose(
    project: Project, out_dir: Path, options: RenderOptions, definition: NativeBake | None
) -> list[RenderedFile]:
    """compose.yaml and stack files; their models are imported only when declared."""
    if not project.declares("ComposeProject", "Stack"):
        return []
    from bakepy.generators.compose import render_compose_files

    return render_compose_files(project, out_dir, options)


def render_host(
    project: Project, out_dir: Path, options: RenderOptions, definition: NativeBake | None
) -> list[RenderedFile]:
    """daemon.json and docker.service drop-ins; imported only when declared."""
    if not project.declares("DaemonConfig", "SystemdDropIn"):
        return []
    from bakepy.generators.host import render_host_files

    return render_host_files(project, out_dir, options)


RENDERERS: tuple[Renderer, ...] = (render_builds, render_compose, render_host)
"""Every output domain's renderer, in a fixed order."""


def render_project(
    project: Project,
    out_dir: Path,
    options: RenderOptions | None = None,
    *,
    definition: NativeBake | None = None,
) -> list[RenderedFile]:
    """Every file the project renders into ``out_dir``, sorted by path. ``definition`` is the
    project's bake definition for ``out_dir`` (``generators.definition``) when the caller
    already computed it, as ``bakepy.render`` does to check it first."""
    options = options or RenderOptions()
    files = [
        file for renderer in RENDERERS for file in renderer(project, out_dir, options, definition)
    ]
    return sorted(files, key=lambda f: f.path)


__all__ = ["HEADER", "BakeFormat", "RenderOptions", "RenderedFile", "render_project"]
