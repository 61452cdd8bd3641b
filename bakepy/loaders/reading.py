"""Find definition files (or folders) and read them into one Project."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

from bakepy.errors import LoadError, Location
from bakepy.loaders.bake.unknown import Unknown
from bakepy.loaders.bakepy_files import DEFAULT_FILES as DEFAULT_FILES, only_definition
from bakepy.loaders.compose.detect import compose_files_in, compose_files_named, is_compose_file
from bakepy.loaders.dockerfile import is_dockerfile, load_dockerfile
from bakepy.loaders.python import load_python
from bakepy.loaders.repository import is_manifest
from bakepy.models.bake.features import default_files
from bakepy.models.toolchain import LATEST_BUILDX, NO_LIMITS, Toolchain
from bakepy.project import BakeFile, Project
from bakepy.resolution.checks.references import validate_references

# The loaders of other formats are imported when a file of theirs is read: each pulls in
# its own models and parser, which a project that does not use them should not pay for.

BAKE_DEFAULT_FILES = default_files(LATEST_BUILDX)
"""A folder without a bakepy definition: every one of these found is read, in bake's order
(the newest buildx's; ``discover`` takes the order of the buildx it is told)."""


def discover(path: Path, toolchain: Toolchain = NO_LIMITS) -> list[Path]:
    """The definition files a folder holds (or ``path`` itself when it is a file); bake's
    default files in the order ``toolchain``'s buildx reads them."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise LoadError(f"{path} does not exist")
    definition = only_definition(path, [n for n in DEFAULT_FILES if (path / n).is_file()])
    if definition is not None:
        return [definition]
    # as kubectl reads a folder: every bakepy manifest in it (YAML of bakepy's apiVersion)
    manifests = [
        path / name
        for name in sorted(os.listdir(path))
        if name.endswith((".yaml", ".yml")) and is_manifest(path / name)
    ]
    # as bake: a compose file first (those COMPOSE_FILE lists, else the first name found and
    # its override file, as compose reads them), then bake's
    named = compose_files_named(path, os.environ)
    compose = compose_files_in(path) if named is None else named
    names = default_files(toolchain.bake())
    bake_files = [path / name for name in names if (path / name).is_file()]
    if manifests or compose or bake_files:
        return manifests + compose + bake_files
    raise LoadError(
        f"no definition file in {path}",
        Location(path),
        hint=f"create one of {', '.join(DEFAULT_FILES)}, a YAML manifest, a compose file, "
        "or pass -f FILE",
    )


def _load_file(project: Project, file: Path, unknown: Unknown) -> None:
    """Add what one definition file (not a compose file: ``load`` groups those) declares."""
    if file.suffix in (".hcl", ".json"):
        from bakepy.loaders.bake.files import load_bake_file

        # bake resolves a bake file's relative paths against the folder it runs in
        project.bake_files.append(BakeFile(file, Path.cwd(), load_bake_file(file, unknown)))
        return
    folder = file.resolve().parent  # what the resources' relative paths are relative to
    if file.suffix == ".py":
        loaded = load_python(file)
        resources = loaded.resources if isinstance(loaded, Project) else loaded
        project.add(*resources, base_dir=folder)
    elif file.suffix in (".yaml", ".yml"):
        from bakepy.loaders.manifests import load_yaml

        project.add(*load_yaml(file), base_dir=folder)
    elif is_dockerfile(file):
        project.add(load_dockerfile(file), base_dir=folder)
    else:
        raise LoadError(
            f"cannot tell what {file.name} is",
            Location(file),
            hint="definition files end in .py, .yaml, .yml, .hcl or .json, or are Dockerfiles",
        )


def import_loaders(files: Sequence[Path]) -> None:
    """Import the loaders of bake files and manifests ``files`` need now: before a load is
    shared with forked children (:func:`bakepy.support.forked.forked_map`), so that each does
    not import them again. Not the compose loader: its models take longer to import than any
    other's, so the parent takes the compose files first and imports it while the children
    read the rest (:func:`claim_order`)."""
    suffixes = {file.suffix for file in files}
    if suffixes & {".hcl", ".json"}:
        import bakepy.loaders.bake.files
    if suffixes & {".yaml", ".yml"}:
        import bakepy.loaders.manifests  # noqa: F401


_CLAIMED_FIRST = {"compose": 0, ".yaml": 1, ".yml": 1, ".hcl": 2, ".json": 2}
"""Who reads a kind of file first in a shared load: the parent takes from the front, the
children from the back. Compose files first (the parent imports their loader and their
results are the costliest to send: a compose package's pickle is ~4x a Python one's), then
manifests, bake files, and Python definitions (and Dockerfiles) last."""


def claim_order(file_lists: Sequence[Sequence[Path]]) -> list[int]:
    """The order a shared load takes a list of packages' files in (indexes into
    ``file_lists``): by :data:`_CLAIMED_FIRST`, a package ranked by the earliest kind among its
    files (a bake file beside a compose file: compose), equal ranks in their own order."""

    def rank(files: Sequence[Path]) -> int:
        kinds = ("compose" if is_compose_file(file) else file.suffix for file in files)
        return min((_CLAIMED_FIRST.get(kind, 3) for kind in kinds), default=3)

    return sorted(range(len(file_lists)), key=lambda index: rank(file_lists[index]))


def load(
    paths: Sequence[Path | str] = (),
    toolchain: Toolchain = NO_LIMITS,
    *,
    ignore_unknown: bool = False,
) -> Project:
    """Load every definition file (or folder) into one validated Project.

    ``ignore_unknown`` reads bake files as buildx does: attributes and nested blocks bake does
    not know are dropped (each named in ``project.warnings``) instead of refused.
    """
    files = [file for p in (paths or [Path.cwd()]) for file in discover(Path(p), toolchain)]
    project = load_files(files, toolchain, Unknown(ignore_unknown))
    validate_references(project)
    return project


def load_files(
    files: Sequence[Path], toolchain: Toolchain, unknown: Unknown, cwd: Path | None = None
) -> Project:
    """The resources ``files`` declare, in one Project whose references are not checked yet
    (a repository load qualifies names across packages first). ``cwd`` is the folder bake
    would run in (a compose file's bake targets take its ``.env``), default this process's:
    a package's is its own folder, wherever the command runs."""
    if any(file.suffix == ".hcl" for file in files):
        from bakepy.loaders.bake.parallel import prefetch_hcl

        prefetch_hcl(list(files))
    project = Project(base_dir=files[0].parent)
    # consecutive compose files make one compose project, as `docker compose -f a -f b`
    for is_compose, run in itertools.groupby(files, key=is_compose_file):
        if is_compose:
            from bakepy.loaders.compose.into_project import add_compose_files

            add_compose_files(project, list(run), cwd=cwd)
        else:
            for file in run:
                _load_file(project, file, unknown)
    project.warnings += unknown.warnings
    return project


__all__ = [
    "BAKE_DEFAULT_FILES",
    "DEFAULT_FILES",
    "discover",
    "import_loaders",
    "load",
    "load_files",
]
