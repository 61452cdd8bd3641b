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
from bakepy.interpolation.dotenv import DotenvError, parse_dotenv
from bakepy.interpolation.variables import InterpolationError, interpolate
from bakepy.support.files import is_file

_SINGLE_QUOTED = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*'")


def read_env_file(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of one env file, ``${VAR}`` expanded against ``environ`` and lines above."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise LoadError(f"cannot read env file {path}: {reason}", Location(path)) from None
    try:
        raw = parse_dotenv(text)
    except DotenvError as exc:
        number = re.match(r"line (\d+)", str(exc))
        line = int(number.group(1)) if number else None
        raise LoadError(f"invalid env file: {exc}", Location(path, line)) from None
    literal = {m.group(1) for m in map(_SINGLE_QUOTED.match, text.splitlines()) if m}
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key in literal:
            values[key] = value
            continue
        try:
            values[key] = interpolate(value, {**values, **environ})
        except InterpolationError as exc:
            raise LoadError(f"env file variable {key}: {exc}", Location(path)) from None
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
