"""The verbs over definitions, which the CLI calls too: load, check, render, resolve, print,
graph and import. None of them touches an engine (those are in ``bakepy.api.converge``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bakepy.api.bake_dockerfiles import dockerfile_reader, dockerfile_shapes
from bakepy.errors import Location, SelectionError, ValidationError
from bakepy.generators import render_project
from bakepy.generators.definition import bake_definition
from bakepy.generators.files import RenderedFile, RenderOptions
from bakepy.loaders import load
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Target
from bakepy.models.resource import Resource
from bakepy.models.toolchain import NO_LIMITS, Toolchain
from bakepy.project import Project
from bakepy.resolution.bake.compat import translated_for
from bakepy.resolution.bake.evaluate import ResolvedBake, resolve_bake
from bakepy.resolution.bake.overrides import Override
from bakepy.resolution.checks import check_project
from bakepy.resolution.checks.targets import check_bake_targets, resource_targets
from bakepy.resolution.selection import (
    bake_names,
    owned_by,
    parse_selector,
    requested_names,
    subset,
    with_specified,
)
from bakepy.support.forked import Pending

if TYPE_CHECKING:  # graph's model is imported by graph() alone: a render needs none of it
    from bakepy.resolution.graph.model import ProjectGraph


def load_selected(
    files: Sequence[Path | str],
    names: Sequence[str],
    selector: str | Sequence[str] | None,
    toolchain: Toolchain = NO_LIMITS,
    *,
    ignore_unknown: bool = False,
    recursive: bool = False,
    owner: str | None = None,
) -> Project:
    """Load definition files and keep what ``names`` / ``selector`` / ``owner`` (CODEOWNERS)
    choose (everything if none);
    a folder's bake files are found in the order ``toolchain``'s buildx reads them, and
    ``ignore_unknown`` drops what bake does not know in them (as buildx) instead of refusing.

    In a repository (a ``bakepy.toml`` or ``[tool.bakepy]`` up the tree, or any git work tree
    when an address spec or ``recursive`` asks for one), names may be address specs
    (``services/payments:api``, ``services/payments:``, ``services/payments::``, ``::``),
    folders are packages (``recursive``: with every package below them), and every resource
    is named by its address (see ``bakepy.models.address``)."""
    project = load_for(files, names, toolchain, ignore_unknown=ignore_unknown, recursive=recursive)
    wanted = requested_names(project, bake_names(project, names), parse_selector(selector))
    if owner is not None:
        wanted = owned_by(project, owner, wanted)
    narrowed = subset(project, wanted)
    return narrowed if selector or owner is not None else with_specified(project, narrowed, names)


def load_for(
    files: Sequence[Path | str],
    names: Sequence[str] = (),
    toolchain: Toolchain = NO_LIMITS,
    *,
    ignore_unknown: bool = False,
    recursive: bool = False,
) -> Project:
    """The whole project ``files`` and ``names`` are about, not narrowed: the packages the
    address specs in ``names`` and the folders name (``recursive``: and those below), or
    the plain files and folders outside a configured repository."""
    from bakepy.loaders.packages import load_repository_selection

    packaged = load_repository_selection(
        files, names, toolchain, ignore_unknown=ignore_unknown, recursive=recursive
    )  # a Project of no resources is falsy: compare with None
    return load(files, toolchain, ignore_unknown=ignore_unknown) if packaged is None else packaged


def check(
    project: Project,
    env: Mapping[str, str] | None = None,
    *,
    definition: NativeBake | None = None,
    names: Sequence[str] = (),
    overrides: Sequence[str] = (),
    toolchain: Toolchain = NO_LIMITS,
    syntax_directive: bool = True,
    strict_credentials: bool = False,
) -> list[str]:
    """Every rule: references and cycles, each domain's checks, bake evaluation and validation;
    returns the warnings (what BuildKit or buildx would build otherwise, or drop, without a
    word). ``strict_credentials`` makes a credential in the user's own Dockerfile an error.

    Every variable, function, matrix and target attribute is evaluated, as buildx evaluates
    every block; ``names`` are the targets and groups to resolve fully (inherits, group
    members, ``target:`` links), default all of them: a group nobody asks for may name a
    target that does not exist, as it may in bake. ``definition`` is the project's bake
    definition when the caller has computed it (a render checks the definition it then
    writes); else the one for the project's folder. The verdict does not depend on the folder.
    Variables come from ``env`` and ``--set`` ``overrides`` apply, as when the files are printed,
    and the bake files are read as ``toolchain``'s buildx reads them (what it refuses is an error).
    """
    found = check_project(
        project, toolchain, syntax_directive=syntax_directive, strict_credentials=strict_credentials
    )
    targets, resolved = _bake_checked(
        project, env, definition, names, overrides, toolchain, folder=project.base_dir
    )
    return found + targets + resolved


def _bake_checked(
    project: Project,
    env: Mapping[str, str] | None,
    definition: NativeBake | None,
    names: Sequence[str],
    overrides: Sequence[str],
    toolchain: Toolchain,
    *,
    folder: Path,
    rendering: bool = False,
    skip: set[str] | None = None,
) -> tuple[list[str], list[str]]:
    """The bake half of :func:`check`: every target resolved as bake would, then judged
    against the Dockerfile it builds (paths relative to ``folder``); their warnings, and the
    resolver's (``rendering``: but what the targeted buildx's print leaves out, which a file
    keeps). ``skip``: the Targets that build a Dockerfile resource (``resource_targets``),
    when the caller found them already."""
    native = definition or bake_definition(project, project.base_dir)
    names = bake_names(project, names)
    if not (names or native.targets or native.groups):
        return [], []
    parsed = [Override.parse(text) for text in overrides]
    buildx = toolchain.bake()
    resolved = resolve_bake(native, names, env, parsed, buildx, everything=not names)
    read = dockerfile_reader(folder)

    def locate(name: str, path: tuple[str | int, ...]) -> Location | None:
        """A Target resource's values are located in its own file (the manifest's line), a
        compose service's in its build section."""
        target = project.find(Target, name)
        found = target.location("spec", *path) if target is not None else None
        if found is None:
            found = _compose_build_location(project, name, path)
        return found if found is not None and found.line else None

    skip = resource_targets(project) if skip is None else skip
    shape = dockerfile_shapes(folder)
    targets = check_bake_targets(resolved.targets, native, read, skip, locate, shape)
    if targets.errors:
        raise ValidationError(targets.errors)
    said = resolved.warnings
    if rendering:
        said = [warning for warning in said if warning not in resolved.version_notes]
    return [str(warning) for warning in targets.warnings], said


_COMPOSE_BUILD_KEYS = {"args": "args", "secret": "secrets", "ssh": "ssh", "target": "target"}
"""A bake target's attribute, as a compose build section names it."""


def _compose_build_location(
    project: Project, name: str, path: tuple[str | int, ...]
) -> Location | None:
    """Where the build section of the compose service ``name`` declares the bake attribute at
    ``path`` (``("args", "VERSION")``), when one compose project has such a service."""
    from bakepy.models.compose.build import ComposeBuild
    from bakepy.models.compose.project import ComposeProject

    key = _COMPOSE_BUILD_KEYS.get(str(path[0])) if path else None
    for compose in project.of_kind(ComposeProject):
        service = compose.spec.services.get(name)
        if key is not None and service is not None and isinstance(service.build, ComposeBuild):
            return compose.location("spec", "services", name, "build", key, *path[1:])
    return None


SHARED_RENDER_FROM = 300
"""A project of this many resources is checked by a forked child while this process renders
it (:class:`bakepy.support.forked.Pending`); below it, the fork costs more than it saves."""


def render(
    project: Project,
    out_dir: Path,
    options: RenderOptions | None = None,
    *,
    env: Mapping[str, str] | None = None,
    names: Sequence[str] = (),
    overrides: Sequence[str] = (),
    toolchain: Toolchain = NO_LIMITS,
    strict_credentials: bool = False,
) -> list[RenderedFile]:
    """Check the project as ``print`` would resolve it (bake variables from ``env``, ``--set``
    ``overrides``, ``names`` the targets and groups that must resolve, default all), then render
    every file it produces for ``out_dir``; the project checks' warnings (Dockerfiles) go with
    the first file. The files hold the definition itself: variables and overrides apply again
    wherever they are printed or built. For an older buildx, what
    has a faithful older form is written in it (object entries as CSV strings), with a note
    on the bake files."""
    options = options or RenderOptions()
    definition = bake_definition(project, out_dir, syntax_directive=options.syntax_directive)
    definition, notes = translated_for(definition, toolchain.bake())

    def project_checks() -> list[str]:
        return check_project(
            project,
            toolchain,
            syntax_directive=options.syntax_directive,
            strict_credentials=strict_credentials,
        )

    # found here, before a fork: in the child, walking every Target copies the pages it
    # touches (5.8 ms against 1.5 ms in this process for the 200-package bench)
    skip = resource_targets(project)

    def bake_checks() -> tuple[list[str], list[str]]:
        return _bake_checked(
            project,
            env,
            definition,
            names,
            overrides,
            toolchain,
            folder=out_dir,
            rendering=True,
            skip=skip,
        )

    if len(project.resources) < SHARED_RENDER_FROM:
        found = project_checks()
        targeted, resolved = bake_checks()
        files = render_project(project, out_dir, options, definition=definition)
    else:  # the bake checks run in a forked child while this process renders and checks
        checking = Pending(bake_checks)
        try:
            try:
                files = render_project(project, out_dir, options, definition=definition)
            except Exception:  # a check's error comes first, as when one process does all
                project_checks()
                checking.result()
                raise
            found = project_checks()
            targeted, resolved = checking.result()
        finally:
            checking.cancel()
    found += targeted
    # what resolving says too (a group naming a missing target, a loop cut), as validate
    # does; not what print leaves out for the targeted buildx: the file keeps it
    warnings = [*found, *[w for w in resolved if w not in found]]
    if warnings and files:
        files[0] = replace(files[0], warnings=(*warnings, *files[0].warnings))
    bake_files = [index for index, file in enumerate(files) if file.kind in ("hcl", "json")]
    if notes and bake_files:  # said once, on the first bake file
        first = files[bake_files[0]]
        files[bake_files[0]] = replace(first, warnings=(*first.warnings, *notes))
    return files


def resolve(
    project: Project,
    names: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    overrides: Sequence[str] = (),
    toolchain: Toolchain = NO_LIMITS,
) -> ResolvedBake:
    """Targets resolved as ``docker buildx bake --print`` resolves them (paths from base_dir),
    with ``--set`` overrides (``pattern.key=value``, ``+=``) applied, by ``toolchain``'s buildx;
    what buildx then checks before it prints (a secret's file, an ssh agent, an output's
    folder) is checked too, against ``env`` and the working folder."""
    from bakepy.engine.build_inputs import check_build_inputs

    folder = base_dir or Path.cwd()
    native = bake_definition(project, folder)
    parsed = [Override.parse(text) for text in overrides]
    resolved = resolve_bake(native, bake_names(project, names), env, parsed, toolchain.bake())

    def locate(name: str, key: str) -> Location | None:
        found = native.attribute_locations.get(("target", name, key))
        block = native.location_of("target", name)
        return found or (block.with_field(key) if block else None)

    check_build_inputs(
        resolved.targets, dict(env or {}), cwd=folder, buildx=toolchain.bake(), locate=locate
    )
    return resolved


def bake_print(
    project: Project,
    names: Sequence[str] = (),
    selector: str | Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
    toolchain: Toolchain = NO_LIMITS,
) -> str:
    """``bakepy print``: the JSON of :func:`resolve`, after the project's checks."""
    check_project(project)
    wanted = requested_names(project, bake_names(project, names), parse_selector(selector))
    return resolve(project, wanted, env, overrides=overrides, toolchain=toolchain).to_json()


def import_definitions(
    paths: Sequence[Path],
    to: Literal["python", "yaml"],
    *,
    ignore_unknown: bool = False,
    toolchain: Toolchain = NO_LIMITS,
) -> str:
    """Existing files as bakepy Python code or YAML manifests: bake files (HCL or JSON, merged
    in order), Dockerfiles and compose files (merged in order, as ``docker compose -f``).
    ``ignore_unknown`` drops what bake does not know in the bake files (as buildx does), and
    target attributes ``toolchain``'s buildx ignores are left out (a comment in the header
    says which)."""
    return import_with_notes(paths, to, ignore_unknown=ignore_unknown, toolchain=toolchain)[0]


def import_with_notes(
    paths: Sequence[Path],
    to: Literal["python", "yaml"],
    *,
    ignore_unknown: bool = False,
    toolchain: Toolchain = NO_LIMITS,
) -> tuple[str, list[str]]:
    """``import_definitions`` and the notes on what was left out (the CLI prints them)."""
    from bakepy.importer.manifests import manifests_yaml
    from bakepy.importer.python_code import python_module
    from bakepy.loaders.bake.files import load_bake_file
    from bakepy.loaders.bake.unknown import Unknown
    from bakepy.loaders.compose.pipeline import load_compose
    from bakepy.loaders.dockerfile import is_dockerfile, load_dockerfile
    from bakepy.resolution.bake.compat import without_ignored
    from bakepy.resolution.bake.typed import resources_from_bake

    bake_paths = [p for p in paths if p.suffix in (".hcl", ".json")]
    dockerfiles = [p for p in paths if p not in bake_paths and is_dockerfile(p)]
    compose = [p for p in paths if p not in bake_paths and p not in dockerfiles]
    resources: list[Resource] = [load_dockerfile(path) for path in dockerfiles]
    notes: list[str] = []
    compose_notes: list[str] = []
    if compose:  # variables stay variables: compose interpolates the rendered file
        loaded = load_compose(compose, interpolate=False)
        resources.append(loaded.project)
        compose_notes = loaded.warnings
    if bake_paths:
        native = NativeBake()
        unknown = Unknown(ignore_unknown)
        for path in bake_paths:
            native = native.merged_with(load_bake_file(path, unknown))
        native, notes = without_ignored(native, toolchain.bake())
        resources += resources_from_bake(native)
    notes = [*compose_notes, *notes]
    source = ", ".join(p.name for p in paths)
    if to == "python":
        return python_module(resources, source, notes), notes
    return manifests_yaml(resources, source, notes), notes


def graph(
    project: Project,
    names: Sequence[str] = (),
    selector: str | Sequence[str] | None = None,
    *,
    include_resources: bool = False,
) -> ProjectGraph:
    """``bakepy graph``: the project's dependency graph, or the part the chosen targets and
    groups (by name or label selector) need; services' networks, volumes, secrets and
    configs only with ``include_resources``."""
    from bakepy.resolution.graph.build import build_graph
    from bakepy.resolution.graph.model import node_id

    definition = bake_definition(project, project.base_dir)
    whole = build_graph(project, definition, include_resources=include_resources)
    wanted = requested_names(project, bake_names(project, names), parse_selector(selector))
    if not wanted:
        return whole
    ids: list[str] = []
    for name in wanted:
        found = [i for i in (node_id("group", name), node_id("target", name)) if i in whole]
        if not found:
            raise SelectionError(f"no target or group named {name!r}")
        ids += found
    return whole.selected(ids)
