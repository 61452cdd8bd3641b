"""The variables a compose file is interpolated with: the shell's, then ``.env`` files.

As compose does: the project folder's ``.env`` is read unless env files are given (like
``--env-file``); a variable set in the shell wins over the files; in a file, ``${VAR}`` in an
unquoted or double-quoted value is expanded (shell first, then the lines above), a
single-quoted value is taken literally.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from bakepy.errors import LoadError, Location
from bakepy.interpolation.dotenv import DotenvError, dotenv_entries
from bakepy.interpolation.variables import InterpolationError, interpolate
from bakepy.support.files import is_file
from bakepy.support.utf8 import utf8_problem


def read_env_file(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of one env file, ``${VAR}`` expanded against ``environ`` (first) and the
    lines above; a ``KEY`` alone takes ``environ``'s value (or stays unset)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read env file {path}: {exc.strerror}", Location(path)) from None
    except UnicodeDecodeError:
        problem, line = utf8_problem(path)
        raise LoadError(f"env file: {problem}", Location(path, line)) from None
    try:
        entries = dotenv_entries(text)
    except DotenvError as exc:
        number = re.match(r"line (\d+)", str(exc))
        line = int(number.group(1)) if number else None
        raise LoadError(f"invalid env file: {exc}", Location(path, line)) from None
    values: dict[str, str] = {}
    for entry in entries:
        if entry.quoting == "inherited":
            if entry.key in environ:
                values[entry.key] = environ[entry.key]
            continue
        if entry.quoting == "single":
            values[entry.key] = entry.value
            continue
        try:
            values[entry.key] = interpolate(entry.value, {**values, **environ})
        except InterpolationError as exc:
            where = Location(path, entry.line)
            raise LoadError(f"env file variable {entry.key}: {exc}", where) from None
    return values


def project_env_files(project_dir: Path, env_files: Sequence[Path] | None = None) -> list[Path]:
    """The env files a project's variables come from: ``env_files`` when given (as
    ``--env-file``), else the project folder's ``.env`` when there is one."""
    if env_files is not None:
        return list(env_files)
    default = project_dir / ".env"
    return [default] if is_file(default) else []


def project_environment(
    project_dir: Path, environ: Mapping[str, str], env_files: Sequence[Path] | None = None
) -> dict[str, str]:
    """The shell's variables over those of ``env_files`` (default: ``project_dir/.env``)."""
    env_files = project_env_files(project_dir, env_files)
    merged: dict[str, str] = {}
    for file in env_files:
        if not is_file(file):
            raise LoadError(f"env file {file} not found", Location(file))
        merged.update(read_env_file(file, {**merged, **environ}))
    return {**merged, **environ}
