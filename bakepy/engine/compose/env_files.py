"""A service's environment as compose computes it: env files first, then ``environment``;
a variable without a value takes the project's (shell over ``.env``), and is left out when it
has none. Env files are read with the compose loader's reader."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import BakepyError
from bakepy.interpolation.environment import read_env_file as read_dotenv
from bakepy.support.probe import probe

_BARE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*$")


def read_env_file(path: Path, shell: Mapping[str, str]) -> dict[str, str]:
    """``KEY=VALUE`` lines read as compose reads them (quotes, comments, ``export``, ``${VAR}``
    expanded against ``shell`` and the lines above); a bare ``KEY`` takes ``shell``'s value."""
    values = read_dotenv(path, shell)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return values
    for line in lines:
        bare = _BARE.match(line)
        if bare and bare.group(1) in shell:
            values[bare.group(1)] = shell[bare.group(1)]
    return values


def _env_file_entries(entries: list[Any]) -> list[tuple[str, bool]]:
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append((entry, True))
        else:
            out.append((str(entry["path"]), entry.get("required") is not False))
    return out


def service_environment(
    service: Mapping[str, Any], base_dir: Path, shell: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The variables a container of ``service`` gets, merged as compose merges them."""
    shell = os.environ if shell is None else shell
    merged: dict[str, str] = {}
    for name, required in _env_file_entries(list(service.get("env_file") or [])):
        path = (base_dir / name).resolve()
        probe(path)
        if not path.is_file():
            if required:
                raise BakepyError(
                    f"env file {path} does not exist", hint="create it or set required: false"
                )
            continue
        merged.update(read_env_file(path, shell))
    for key, value in (service.get("environment") or {}).items():
        if value is not None:
            merged[key] = str(value)
        elif key in shell:
            merged[key] = shell[key]
        else:
            merged.pop(key, None)
    return merged
