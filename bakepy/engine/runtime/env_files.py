"""A service's environment as compose computes it: env files first, then ``environment``;
a variable without a value takes the shell's, and is left out when the shell has none."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import BakepyError


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("\\n", "\n") if value[0] == '"' else inner
    return value.split(" #", 1)[0].rstrip()


def read_env_file(path: Path, shell: Mapping[str, str]) -> dict[str, str]:
    """``KEY=VALUE`` lines, with ``#`` comments, ``export`` prefixes and quotes as compose reads."""
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep:
            values[key] = _unquote(value.strip())
        elif key in shell:
            values[key] = shell[key]
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
