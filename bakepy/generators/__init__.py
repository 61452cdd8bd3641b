"""Generators: pure functions from a resolved project to file texts (no I/O, no clock, no env).

Each output domain contributes one renderer to ``RENDERERS``; ``render_project`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bakepy.generators.build_files import render_build_files
from bakepy.generators.compose_files import render_compose_files
from bakepy.generators.files import HEADER, BakeFormat, RenderedFile, RenderOptions
from bakepy.generators.host_files import render_host_files
from bakepy.project import Project

Renderer = Callable[[Project, Path, RenderOptions], list[RenderedFile]]

RENDERERS: tuple[Renderer, ...] = (render_build_files, render_compose_files, render_host_files)
"""Every output domain's renderer, in a fixed order."""


def render_project(
    project: Project, out_dir: Path, options: RenderOptions | None = None
) -> list[RenderedFile]:
    """Every file the project renders into ``out_dir``, sorted by path."""
    options = options or RenderOptions()
    files = [file for renderer in RENDERERS for file in renderer(project, out_dir, options)]
    return sorted(files, key=lambda f: f.path)


__all__ = ["HEADER", "BakeFormat", "RenderOptions", "RenderedFile", "render_project"]
