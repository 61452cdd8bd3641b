"""Loaders: find definition files and read them into one Project."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bakepy.errors import LoadError, Location
from bakepy.loaders.python_module import load_python
from bakepy.loaders.yaml_manifests import load_yaml
from bakepy.project import Project

DEFAULT_FILES = ("bakepy.py", "bakepy.yaml", "bakepy.yml")
"""What a folder is searched for, in order; the first one found is the definition."""


def discover(path: Path) -> Path:
    """The definition file a folder holds (or ``path`` itself when it is a file)."""
    if path.is_file():
        return path
    if not path.exists():
        raise LoadError(f"{path} does not exist")
    for name in DEFAULT_FILES:
        candidate = path / name
        if candidate.is_file():
            return candidate
    raise LoadError(
        f"no definition file in {path}",
        Location(path),
        hint=f"create one of {', '.join(DEFAULT_FILES)} or pass -f FILE",
    )


def load(paths: Sequence[Path | str] = ()) -> Project:
    """Load every definition file (or folder) into one validated Project."""
    files = [discover(Path(p)) for p in (paths or [Path.cwd()])]
    project = Project(base_dir=files[0].parent)
    for file in files:
        if file.suffix == ".py":
            loaded = load_python(file)
            resources = loaded.resources if isinstance(loaded, Project) else loaded
            project.add(*resources, base_dir=file.resolve().parent)
        elif file.suffix in (".yaml", ".yml"):
            project.add(*load_yaml(file), base_dir=file.resolve().parent)
        else:
            raise LoadError(
                f"cannot tell what {file.name} is",
                Location(file),
                hint="definition files end in .py, .yaml or .yml",
            )
    project.validate()
    return project


__all__ = ["DEFAULT_FILES", "discover", "load"]
