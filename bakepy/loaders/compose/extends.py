"""The extends phase: a service built on another one, from the same file or another file.

The base service (its own ``extends`` applied first) is merged under the service with
compose's merge rules: the service's own values win, mappings merge, lists such as ports are
appended. A base from another file is read and interpolated with the same variables, and its
relative paths are moved to the extending file's folder. A chain that loops is an error.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import FieldPath
from bakepy.loaders.compose.interpolate_values import interpolate_model
from bakepy.loaders.compose.merge import MergeError, merge_values
from bakepy.loaders.compose.paths import rebase_service
from bakepy.loaders.compose.raw import LoadContext, RawModel
from bakepy.loaders.compose.reading import read_model
from bakepy.support.files import is_file

Visit = tuple[Path, str]


class _Extender:
    def __init__(self, env: Mapping[str, str], ctx: LoadContext) -> None:
        self.env = env
        self.ctx = ctx
        self.files: dict[Path, RawModel] = {}

    def other_file(self, raw: RawModel, name: str, file: Any) -> RawModel:
        where: FieldPath = ("services", name, "extends", "file")
        if not isinstance(file, str) or not file:
            raise raw.error("extends.file must be a path", where)
        path = Path(os.path.abspath(raw.directory / file))
        if path not in self.files:
            if not is_file(path):
                raise raw.error(f"cannot extend service {name!r}: {file} not found", where)
            other = read_model([path], path.parent)
            if self.ctx.interpolate and other.dollars:
                other.data = interpolate_model(
                    other.data, self.env, other.origins, self.ctx.warnings
                )
            if not isinstance(other.data.get("services"), dict):
                raise raw.error(f"cannot extend service {name!r}: {file} has no services", where)
            self.files[path] = other
        return self.files[path]

    def resolve(self, raw: RawModel, name: str, chain: tuple[Visit, ...]) -> Any:
        """Service ``name`` of ``raw`` with its extends applied (and stored back)."""
        services: dict[str, Any] = raw.data["services"]
        service = services[name]
        if not isinstance(service, dict) or "extends" not in service:
            return service
        extends = service["extends"]
        where: FieldPath = ("services", name, "extends")
        if isinstance(extends, str):
            ref, file = extends, None
        elif isinstance(extends, dict) and isinstance(extends.get("service"), str):
            ref, file = extends["service"], extends.get("file")
        else:
            raise raw.error("extends must be a service name or {service, file}", where)
        visit = (raw.files[0], name)
        if visit in chain:
            loop = " -> ".join(f"{n} in {f.name}" for f, n in (*chain, visit))
            raise raw.error(f"circular reference with extends: {loop}", where)
        base_model = raw if file is None else self.other_file(raw, name, file)
        if ref not in base_model.data["services"]:
            raise raw.error(
                f"cannot extend service {name!r}: service {ref!r} not found in "
                f"{base_model.files[0].name}",
                where,
            )
        base = copy.deepcopy(self.resolve(base_model, ref, (*chain, visit)))
        if base_model is not raw:  # its values join raw's, its paths moved to raw's folder
            raw.tagged = raw.tagged or base_model.tagged
            raw.dollars = True
        if base is None:
            base = {}
        if not isinstance(base, dict):
            raise base_model.error(f"service {ref!r} must be a mapping", ("services", ref))
        base = rebase_service(base, base_model.directory, raw.directory, fill_context=False)
        try:
            merged, changed = merge_values(base, service, ("services", name))
        except MergeError as exc:
            raise raw.error(str(exc), ("services", name)) from None
        del merged["extends"]
        services[name] = merged
        raw.origins.graft(base_model.origins, ("services", ref), ("services", name), replace=False)
        for path in changed:
            raw.origins.drop_below(path)
        return merged


def apply_extends(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Apply ``extends`` to every service of ``raw``."""
    services = raw.data.get("services")
    if not isinstance(services, dict):
        return
    extender = _Extender(env, ctx)
    for name in list(services):
        extender.resolve(raw, name, ())
