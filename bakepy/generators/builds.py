"""The build side's files: Dockerfiles, their .dockerignore files, docker-bake.hcl and .json."""

from __future__ import annotations

from pathlib import Path

from bakepy.generators.bake_json import render_bake_json
from bakepy.generators.bake_levels import annotations_per_level
from bakepy.generators.definition import bake_definition
from bakepy.generators.dockerignore import render_dockerignore
from bakepy.generators.files import HEADER, RenderedFile, RenderOptions
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Function, Group, Target, Variable
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.project import Project
from bakepy.resolution.bake.lower import dockerfile_filename


def render_build_files(
    project: Project,
    out_dir: Path,
    options: RenderOptions,
    definition: NativeBake | None = None,
) -> list[RenderedFile]:
    """Dockerfiles (unless only used inline), .dockerignore files and the bake files;
    ``definition`` is the project's bake definition for ``out_dir`` when the caller has it."""

    def dockerfile_text(dockerfile: Dockerfile) -> str:
        from bakepy.generators.dockerfile import render_dockerfile  # jinja2: only when needed

        return render_dockerfile(dockerfile, include_syntax=options.syntax_directive)

    files: list[RenderedFile] = []
    dockerfiles = project.dockerfiles
    targets = project.targets if dockerfiles else []  # no Dockerfile to find among them
    inline = {
        id(t.spec.dockerfile_inline)
        for t in targets
        if isinstance(t.spec.dockerfile_inline, Dockerfile)
    }
    referenced = {
        id(t.spec.dockerfile) for t in targets if isinstance(t.spec.dockerfile, Dockerfile)
    }
    for dockerfile in dockerfiles:
        if id(dockerfile) in inline and id(dockerfile) not in referenced:
            continue
        name = dockerfile_filename(dockerfile)
        files.append(RenderedFile(name, dockerfile_text(dockerfile), "Dockerfile"))
        if dockerfile.spec.dockerignore is not None:
            text = render_dockerignore(dockerfile.spec.dockerignore, HEADER)
            files.append(RenderedFile(f"{name}.dockerignore", text, "dockerignore"))
    bake_resources = any(isinstance(r, Target | Group | Variable | Function) for r in project)
    if bake_resources or project.bake_files:
        native = definition or bake_definition(
            project, out_dir, syntax_directive=options.syntax_directive
        )
        native = annotations_per_level(native)  # buildx misplaces index,manifest:k=v
        if options.bake_format in ("hcl", "both"):
            from bakepy.generators.bake_hcl import render_bake_hcl  # only for HCL

            files.append(RenderedFile("docker-bake.hcl", render_bake_hcl(native, HEADER), "hcl"))
        if options.bake_format in ("json", "both"):
            text = render_bake_json(native, HEADER)
            files.append(RenderedFile("docker-bake.json", text, "json"))
    return files
