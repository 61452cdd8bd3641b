"""The repository: its root, its settings and its packages (every folder with definitions).

The root is the nearest folder up from where bakepy runs that holds a ``bakepy.toml`` or a
``pyproject.toml`` with a ``[tool.bakepy]`` table; without one, the git work tree's root.
The settings name which folders are packages (globs, default every folder) and which are
not (``exclude``); folders git or tools keep (``.git``, ``node_modules``, virtual
environments, hidden ones) are never walked, nor a folder bakepy rendered into (it holds a
``.bakepy-rendered.json``). A package is a folder holding a bakepy
definition (``bakepy.py``, ``bakepy.yaml``), YAML manifests of bakepy's apiVersion, a bake
file or a compose file.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from bakepy.errors import LoadError, Location
from bakepy.loaders.bakepy_files import only_definition
from bakepy.loaders.compose.detect import COMPOSE_FILE_NAMES
from bakepy.models.version import API_VERSION
from bakepy.support.probe import probe

CONFIG_FILE = "bakepy.toml"
DEFINITION_FILES = ("bakepy.py", "bakepy.yaml", "bakepy.yml")
BAKE_FILES = (
    "docker-bake.json",
    "docker-bake.hcl",
    "docker-bake.override.json",
    "docker-bake.override.hcl",
)
_DEFINITION_SUFFIXES = (".py", ".yaml", ".yml", ".json", ".hcl")
"""How every definition file's name ends (bakepy's, manifests, compose files, bake files)."""
RENDER_RECORD = ".bakepy-rendered.json"
"""A folder holding this record is a render's output, never a package (nor what is below)."""
NEVER_WALKED = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"}
)


class RepositoryConfig(NamedTuple):
    """``[tool.bakepy]`` (or ``bakepy.toml``): which folders are packages."""

    packages: tuple[str, ...] = ("**",)
    exclude: tuple[str, ...] = ()


class Repository(NamedTuple):
    """A root folder, its settings, and where the settings came from (None: the git root)."""

    root: Path
    config: RepositoryConfig = RepositoryConfig()
    config_file: Path | None = None

    def package_of(self, folder: Path) -> str:
        """The package path of ``folder`` (``""`` for the root); LoadError when outside."""
        try:
            relative = folder.resolve().relative_to(self.root)
        except ValueError:
            raise LoadError(
                f"{folder} is outside the repository at {self.root}", Location(folder)
            ) from None
        return "" if str(relative) == "." else relative.as_posix()

    def folder_of(self, package: str) -> Path:
        """The folder of package ``package``."""
        return self.root / package if package else self.root


def _read_config(path: Path) -> RepositoryConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LoadError(f"cannot read {path.name}: {exc}", Location(path)) from None
    table = data.get("tool", {}).get("bakepy") if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise LoadError("[tool.bakepy] must be a table", Location(path))
    values: dict[str, tuple[str, ...]] = {}
    for key in ("packages", "exclude"):
        value = table.get(key, list(getattr(RepositoryConfig(), key)))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LoadError(f"{key} must be a list of folder globs", Location(path, None, key))
        values[key] = tuple(value)
    unknown = sorted(set(table) - {"packages", "exclude"})
    if unknown:
        raise LoadError(
            f"unknown setting {unknown[0]!r}", Location(path), hint="known: packages, exclude"
        )
    return RepositoryConfig(values["packages"], values["exclude"])


def _has_bakepy_table(path: Path) -> bool:
    try:
        return "bakepy" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def find_repository(start: Path | None = None, *, git_fallback: bool = True) -> Repository | None:
    """The repository ``start`` (default: the working folder) is in: the nearest folder with
    bakepy settings, else (with ``git_fallback``) the git work tree's root; None outside."""
    return _find(str((start or Path.cwd()).resolve()), git_fallback)


@lru_cache(maxsize=64)
def _find(start: str, git_fallback: bool) -> Repository | None:
    folder = Path(start)
    candidates = [folder, *folder.parents]
    for candidate in candidates:
        config = candidate / CONFIG_FILE
        probe(config, candidate / "pyproject.toml")
        if config.is_file():
            return Repository(candidate, _read_config(config), config)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_bakepy_table(pyproject):
            return Repository(candidate, _read_config(pyproject), pyproject)
    if git_fallback:
        for candidate in candidates:
            probe(candidate / ".git")
            if (candidate / ".git").exists():
                return Repository(candidate)
    return None


def is_manifest(path: Path) -> bool:
    """Whether a YAML file holds bakepy manifests (a document with bakepy's apiVersion), as
    kubectl reads every manifest of a folder; read as text, without parsing the YAML."""
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    if "apiVersion" not in head or API_VERSION not in head:
        return False  # most YAML files of a repository (compose files): no line to look at
    return any(
        line.split(":", 1)[0].strip() == "apiVersion" and API_VERSION in line
        for line in head.splitlines()
    )


def definition_files(folder: Path, names: list[str] | None = None) -> list[Path]:
    """The definition files of one package folder: its bakepy definition if it has one,
    else every bakepy manifest in it (sorted), then a compose file and bake's files.
    ``names`` are the folder's file names when the caller has listed them already."""
    if names is None:
        names = sorted(os.listdir(folder)) if folder.is_dir() else []
    present = set(names)
    definition = only_definition(folder, names)
    if definition is not None:
        return [definition]
    manifests = [
        folder / name
        for name in sorted(names)
        if name.endswith((".yaml", ".yml")) and is_manifest(folder / name)
    ]
    compose = [folder / name for name in COMPOSE_FILE_NAMES if name in present][:1]
    bake = [folder / name for name in BAKE_FILES if name in present]
    return manifests + compose + bake


def _glob_match(package: str, patterns: tuple[str, ...]) -> bool:
    """Whether a package path matches a folder glob (``services/*``; ``**`` any depth)."""
    for pattern in patterns:
        pattern = pattern.strip("/")
        if pattern in ("**", ""):
            return True
        if pattern.endswith("/**"):
            base = pattern[:-3]
            if (
                package == base
                or fnmatch.fnmatchcase(package, base)
                or any(
                    fnmatch.fnmatchcase("/".join(package.split("/")[:depth]), base)
                    for depth in range(1, package.count("/") + 2)
                )
            ):
                return True
        elif fnmatch.fnmatchcase(package, pattern) and pattern.count("/") == package.count("/"):
            return True
    return False


class Package(NamedTuple):
    """One folder with definitions: its path from the root and its definition files."""

    path: str
    folder: Path
    files: tuple[Path, ...]


def _walk(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top)``: top-down, links to folders listed but not entered, unreadable folders
    skipped; a link is told from a folder by the listing itself, not by an ``lstat`` of every
    folder (a repository of 2,000 service folders spent a third of its discovery there)."""
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except OSError:
        return
    folders: list[str] = []
    files: list[str] = []
    links: set[str] = set()
    for entry in entries:
        try:
            is_folder = entry.is_dir()
            if is_folder and entry.is_symlink():
                links.add(entry.name)
        except OSError:
            is_folder = False
        (folders if is_folder else files).append(entry.name)
    yield top, folders, files
    for name in folders:  # as the caller left them
        if name not in links:
            yield from _walk(os.path.join(top, name))


_SHARED: ContextVar[dict[tuple[Repository, str], list[Package]] | None] = ContextVar(
    "bakepy_shared_discovery", default=None
)
"""The walks ``shared_discovery`` keeps, by repository and folder (None outside one)."""


@contextmanager
def shared_discovery() -> Iterator[None]:
    """Walk each repository folder once inside this block: a command that keys its cache on
    the packages and then loads them reads one listing, and both see the same packages."""
    if _SHARED.get() is not None:  # an enclosing block shares already
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared_walks() -> dict[tuple[Repository, str], list[Package]]:
    """The walks the enclosing ``shared_discovery`` block keeps (none outside one): what a
    forked child that walked for this process sends back (:func:`keep_walks`)."""
    return dict(_SHARED.get() or {})


def keep_walks(walks: dict[tuple[Repository, str], list[Package]]) -> None:
    """Keep walks another process made in the enclosing ``shared_discovery`` block, as if
    walked here (outside a block nothing is kept)."""
    shared = _SHARED.get()
    if shared is not None:
        shared.update(walks)


def discover_packages(repository: Repository, below: str = "") -> list[Package]:
    """Every package at or below ``below``, in path order (walked once per
    ``shared_discovery`` block)."""
    shared = _SHARED.get()
    if shared is None:
        return _discover(repository, below)
    found = shared.get((repository, below))
    if found is None:
        found = shared[(repository, below)] = _discover(repository, below)
    return list(found)


def _discover(repository: Repository, below: str) -> list[Package]:
    """Every package at or below ``below``, walked now."""
    config = repository.config
    start = repository.folder_of(below)
    if not start.is_dir():
        raise LoadError(f"no package {below!r} in the repository at {repository.root}")
    found: list[Package] = []
    root = str(repository.root)
    below_root = os.path.join(root, "") if ".." not in start.parts else None
    for folder, subfolders, files in _walk(str(start)):
        subfolders[:] = sorted(
            d for d in subfolders if d not in NEVER_WALKED and not d.startswith(".")
        )
        if below_root and folder.startswith(below_root):  # os.walk joined names: no relpath
            relative = folder[len(below_root) :]
        else:
            relative = os.path.relpath(folder, root)
        package = "" if relative in (".", "") else relative.replace(os.sep, "/")
        if RENDER_RECORD in files:  # bakepy rendered this folder: output, not a package
            subfolders[:] = []
            continue
        if package and _glob_match(package, config.exclude):
            subfolders[:] = []
            continue
        if package and not _glob_match(package, config.packages):
            continue
        if not any(name.endswith(_DEFINITION_SUFFIXES) for name in files):
            continue  # most folders of a repository hold no definition: no need to look
        definitions = definition_files(Path(folder), files)
        if definitions:
            found.append(Package(package, Path(folder), tuple(definitions)))
    return sorted(found, key=lambda p: p.path)
