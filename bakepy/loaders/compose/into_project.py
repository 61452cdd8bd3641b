"""Add a compose file to a Project: its ComposeProject, and the bake targets of its builds.

Compose and bake read ``.env`` from different folders: compose from the project folder, bake
from the folder it runs in. The ComposeProject follows compose; the bake targets follow bake,
so the file is read a second time when the two sets of variables differ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from bakepy.interpolation.environment import project_environment
from bakepy.loaders.compose.bake_targets import compose_bake
from bakepy.loaders.compose.pipeline import load_compose
from bakepy.project import BakeFile, Project
from bakepy.support.files import is_file


def add_compose_files(
    project: Project,
    files: Sequence[Path],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> None:
    """Load compose ``files`` (merged, as ``-f a -f b``) into ``project``, with bake targets."""
    shell = dict(os.environ if environ is None else environ)
    loaded = load_compose(files, environ=shell)
    project.add(loaded.project, base_dir=loaded.directory)
    for warning in loaded.warnings:
        if warning not in project.warnings:
            project.warnings.append(warning)
    bake_loaded = loaded
    here = None if _same_folder(cwd, files[0]) else (cwd or Path.cwd()).resolve()
    if here is not None and project_environment(here, shell) != loaded.environment:
        dotenv = here / ".env"
        env_files = [dotenv] if is_file(dotenv) else []
        bake_loaded = load_compose(files, environ=shell, env_files=env_files)
    native = compose_bake(bake_loaded.project, bake_loaded.environment)
    if native.targets:
        project.bake_files.append(BakeFile(files[0], loaded.directory, native))


def _same_folder(cwd: Path | None, file: Path) -> bool:
    """Whether bake would run in the compose file's own folder (as a repository package's
    load does): its ``.env`` is then the one the project was read with, so the variables are
    the same without reading them again (a resolved path and an ``.env`` read a file)."""
    return cwd is not None and cwd == Path(file).parent
