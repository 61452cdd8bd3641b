"""Load compose files as compose does, phase by phase (compose-go's order).

read (YAML with compose's scalar rules, documents and files merged) -> environment (shell over
``.env``, and the project name) -> interpolate values -> include -> extends -> ``!reset`` and
``!override`` applied -> unicity of indexed lists -> ``external: {name}`` read -> drop
``version`` -> validate into a ComposeProject -> the env and label files checked. Warnings
(unset variables, ``version``) are collected and handed back, never printed here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.interpolation.environment import project_env_files, project_environment
from bakepy.loaders.compose.booleans import yaml11_booleans
from bakepy.loaders.compose.extends import apply_extends
from bakepy.loaders.compose.include import apply_include
from bakepy.loaders.compose.interpolate_values import interpolate_model
from bakepy.loaders.compose.legacy import external_names
from bakepy.loaders.compose.raw import LoadContext, RawModel
from bakepy.loaders.compose.reading import dotenv_text, read_model
from bakepy.loaders.compose.service_files import check_service_files
from bakepy.loaders.compose.tags import resolve_tags
from bakepy.loaders.compose.to_project import project_name, to_project
from bakepy.loaders.compose.unicity import enforce_unicity
from bakepy.models.compose.project import ComposeProject

Phase = Callable[[RawModel, Mapping[str, str], LoadContext], None]


def interpolate_phase(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Expand variables in every value (not in keys), unless the load keeps them (or no value
    holds a ``$``)."""
    if ctx.interpolate and raw.dollars:
        raw.data = interpolate_model(raw.data, env, raw.origins, ctx.warnings)


def booleans_phase(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """``yes``/``off``... where compose wants a boolean, as compose reads them (warned); only
    when a value is spelt so, or holds a ``$`` that may expand to one."""
    if raw.words or raw.dollars:
        yaml11_booleans(raw.data, ctx.warn)


def include_phase(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Import the resources of included files."""
    apply_include(raw, env, ctx, load_model)


def extends_phase(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Merge every extended service under the service that extends it."""
    apply_extends(raw, env, ctx)


def tags_phase(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Merges done: drop what ``!reset`` reset, unwrap what ``!override`` replaced (when any
    value was tagged)."""
    if raw.tagged:
        raw.data = resolve_tags(raw.data)


def unicity_phase(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """One entry per port, mount target, secret, config, exposed port, variable."""
    services = raw.data.get("services")
    if not isinstance(services, dict):
        return
    for name, service in services.items():
        if isinstance(service, dict):
            for changed in enforce_unicity(service):
                raw.origins.drop_below(("services", name, changed))


def drop_version(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """``version`` is obsolete: compose ignores it, with a warning."""
    if "version" in raw.data:
        where = raw.origins.find(("version",))
        file = where[0] if where else raw.files[0]
        ctx.warn(
            f"{os.path.abspath(file)}: the attribute `version` is obsolete, it will be ignored, "
            "please remove it to avoid potential confusion"
        )
        del raw.data["version"]


PHASES: tuple[Phase, ...] = (
    interpolate_phase,
    booleans_phase,
    include_phase,
    extends_phase,
    tags_phase,
    unicity_phase,
    external_names,
    drop_version,
)
"""What follows reading, in order, for the project's files and for every included file."""


def load_model(
    files: list[Path], directory: Path, env: Mapping[str, str], ctx: LoadContext
) -> RawModel:
    """Compose files read and taken through every phase (not yet validated)."""
    raw = read_model(files, directory)
    run_phases(raw, env, ctx)
    return raw


def run_phases(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Take a model just read through every phase, in order."""
    for phase in PHASES:
        phase(raw, env, ctx)


@dataclass
class LoadedCompose:
    """A compose project as loaded: the resource, its folder, its variables, the warnings."""

    project: ComposeProject
    directory: Path
    """The project folder: relative paths in the project are relative to it."""
    environment: dict[str, str]
    """The variables it was interpolated with (shell over .env)."""
    warnings: list[str] = field(default_factory=list)


def load_compose(
    files: Sequence[Path | str],
    *,
    environ: Mapping[str, str] | None = None,
    env_files: Sequence[Path | str] | None = None,
    project_directory: Path | str | None = None,
    name: str | None = None,
    interpolate: bool = True,
) -> LoadedCompose:
    """Compose files (merged in order) loaded as ``docker compose`` loads them: the ComposeProject
    with its folder, the variables it was interpolated with and the warnings (LoadedCompose)."""
    # environ: default the process's; env_files replace the project folder's .env (as
    # --env-file does); name overrides the project name (as -p does); interpolate=False keeps
    # every ${VAR} as written (as --no-interpolate), for definitions that must stay variable
    paths = [Path(f) for f in files]
    directory = Path(project_directory) if project_directory else paths[0].parent
    shell = dict(os.environ if environ is None else environ)
    given_env_files = None if env_files is None else [Path(f) for f in env_files]
    env = project_environment(directory, shell, given_env_files)
    ctx = LoadContext(including=(Path(os.path.abspath(paths[0])),), interpolate=interpolate)
    raw = read_model(paths, directory)
    folder = directory.resolve()
    project_as = project_name(raw, env, name, folder)
    # compose names the project before it interpolates, and lends the name to the files
    run_phases(raw, {"COMPOSE_PROJECT_NAME": project_as, **env}, ctx)
    project = to_project(raw, project_as, interpolated=interpolate)
    dotenv = dotenv_text(project_env_files(directory, given_env_files))
    profiles = frozenset(p.strip() for p in env.get("COMPOSE_PROFILES", "").split(",") if p.strip())
    project.remember_loading(dotenv, profiles)
    check_service_files(raw, project)
    if not interpolate and dotenv is not None:
        ctx.warn(
            "variables are kept as written: compose reads them from the shell and from the "
            ".env beside the compose file bakepy renders (copy this project's .env there)"
        )
    return LoadedCompose(project, folder, env, ctx.warnings)
