"""The compose side's files: compose files, stack files, and config content a stack needs.

One ComposeProject renders to ``compose.yaml``; several render to ``<project>.compose.yaml``.
A Stack renders to ``<stack>.stack.yaml`` (plus ``<stack>.<config>.config`` for each inline
config). What a stack file had to leave out comes back as the file's warnings.
"""

from __future__ import annotations

from pathlib import Path

from bakepy.generators.files import RenderedFile, RenderOptions
from bakepy.generators.yaml_text import dump_yaml
from bakepy.models.compose.project import ComposeProject, Stack
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.project import Project
from bakepy.resolution.compose.lower import ComposeDocument, lower_compose_projects


def compose_filename(compose: ComposeProject, project: Project) -> str:
    """``compose.yaml`` for the only ComposeProject, else ``<project name>.compose.yaml``."""
    if len(project.of_kind(ComposeProject)) == 1:
        return "compose.yaml"
    return f"{compose.project_name}.compose.yaml"


def stack_filename(stack: Stack) -> str:
    """``<stack name>.stack.yaml``."""
    return f"{stack.stack_name}.stack.yaml"


def _dotenv_file(project: Project, out_dir: Path) -> RenderedFile | None:
    """The ``.env`` of the compose projects loaded with one (all must agree: they share the
    output folder); a project whose ``.env`` differs from the first one's is named in a
    warning, and compose reads the first one's there. None when the output folder is the
    project's own folder: its ``.env`` is there already, and stays the user's file."""
    carried = [
        (c, c.dotenv)
        for c in project.of_kind(ComposeProject)
        if c.dotenv is not None and project.base_dir_of(c).resolve() != out_dir.resolve()
    ]
    if not carried:
        return None
    from bakepy.generators.dotenv import render_dotenv  # only for a project that has a .env

    first = carried[0][1]
    assert first is not None
    warnings = tuple(
        f"{compose.ref}: its .env differs from {carried[0][0].ref}'s; the rendered .env is the "
        "latter's"
        for compose, text in carried[1:]
        if text != first
    )
    return RenderedFile(".env", render_dotenv(first), "dotenv", warnings)


def compose_documents(
    project: Project, out_dir: Path, options: RenderOptions | None = None
) -> list[ComposeDocument]:
    """Every ComposeProject lowered for ``out_dir``: the content of its compose file."""
    options = options or RenderOptions()

    def dockerfile_text(dockerfile: Dockerfile) -> str:
        """Imported on first use: only a build derived from a Target that inlines a
        Dockerfile resource needs the Dockerfile generator."""
        from bakepy.generators.dockerfile import render_dockerfile

        return render_dockerfile(dockerfile, include_syntax=options.syntax_directive)

    return lower_compose_projects(project, out_dir, dockerfile_text)


def render_compose_files(
    project: Project, out_dir: Path, options: RenderOptions
) -> list[RenderedFile]:
    """Compose files, stack files and the config files stacks refer to."""
    documents = compose_documents(project, out_dir, options)
    by_project = {id(document.compose): document for document in documents}
    files: list[RenderedFile] = []
    for document in documents:
        name = compose_filename(document.compose, project)
        text = dump_yaml(document.data)
        files.append(RenderedFile(name, text, "compose", tuple(document.warnings)))
    dotenv = _dotenv_file(project, out_dir)
    if dotenv is not None:
        files.append(dotenv)
    stacks = project.of_kind(Stack)
    if stacks:
        files += _stack_files(project, stacks, by_project)
    return files


def _stack_files(
    project: Project, stacks: list[Stack], by_project: dict[int, ComposeDocument]
) -> list[RenderedFile]:
    """Each Stack's file and the config files it refers to; the swarm conversion is imported
    only for a project that declares a Stack (most render compose files alone)."""
    from bakepy.resolution.compose.references import stack_compose
    from bakepy.resolution.compose.stack import stack_document

    files: list[RenderedFile] = []
    for stack in stacks:
        compose = stack_compose(project, stack)
        if compose is None:
            continue  # reported by the compose rules
        converted = stack_document(stack, by_project[id(compose)])
        text = dump_yaml(converted.data)
        warnings = tuple(converted.warnings)
        files.append(RenderedFile(stack_filename(stack), text, "stack", warnings))
        for path, content in sorted(converted.files.items()):
            files.append(RenderedFile(path, content, "config"))
    return files
