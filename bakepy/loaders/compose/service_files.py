"""The files compose reads into a service when it loads a project: env files and label files.

Compose (2.26) fails when one is missing, unless an env file is marked ``required: false``, and
knows no env file ``format``; so does this check, naming the file, line and field. Only the
services that run without ``--profile`` are read, as compose reads them. Paths are relative
to the project folder (include and extends moved them there already); a path still holding a
``${VAR}`` (a load that keeps variables) is left to compose.
"""

from __future__ import annotations

import os
from pathlib import Path

from bakepy.loaders.compose.raw import RawModel
from bakepy.models.compose.project import ComposeProject
from bakepy.models.compose.service import EnvFile
from bakepy.models.compose.values import has_interpolation
from bakepy.support.files import is_file


def _missing(raw: RawModel, path: str) -> Path | None:
    """The absolute path of ``path`` when it names no file (None when it does, or when it is
    only known once compose interpolates it)."""
    if has_interpolation(path):
        return None
    full = Path(os.path.expanduser(path))
    if not full.is_absolute():
        full = Path(os.path.normpath(raw.directory.resolve() / full))
    return None if is_file(full) else full


def check_service_files(raw: RawModel, project: ComposeProject) -> None:
    """Every env file (unless ``required: false``) and label file of every service exists."""
    for name, service in project.spec.services.items():
        if not project.runs_by_default(service):
            continue  # compose reads them only for the services it runs without --profile
        for index, entry in enumerate(service.env_file):
            path = entry.path if isinstance(entry, EnvFile) else entry
            required = entry.required if isinstance(entry, EnvFile) else True
            where = ("services", name, "env_file", index)
            missing = _missing(raw, path)
            if missing is not None and required is not False:
                raise raw.error(
                    f"env file {missing} not found",
                    where,
                    hint="create it, or mark it `required: false`",
                )
            if isinstance(entry, EnvFile) and entry.format and missing is None:
                raise raw.error(f"unsupported env_file format {entry.format!r}", where)
        for index, path in enumerate(service.label_file):
            missing = _missing(raw, path)
            if missing is not None:
                raise raw.error(
                    f"label file {missing} not found", ("services", name, "label_file", index)
                )
