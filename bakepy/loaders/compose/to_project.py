"""The last phase: a raw compose model validated into a ``ComposeProject``.

Before validation, numbers and booleans where compose wants strings (labels, environment
values, build args, ...) are spelled as compose spells them, and every ``$`` left after
interpolation is written ``$$`` again: the model holds compose text, which compose interpolates
when it reads the rendered file. The project name is the ``name:`` key, else the project
folder's name made a valid project name as compose does (lower-cased, other characters
dropped). A validation error names the file and line the field came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import Diagnostic, FieldPath, ValidationError
from bakepy.interpolation.variables import InterpolationError, interpolate
from bakepy.loaders.compose.raw import RawModel
from bakepy.loaders.compose.scalars import go_text
from bakepy.loaders.compose.shapes import check_shapes
from bakepy.models.compose.project import PROJECT_NAME, ComposeProject
from bakepy.models.schema import manifest_schema
from bakepy.models.suggestions import unknown_field_hint
from bakepy.models.validation_errors import convert_validation_error

_STRING_MAPS = (
    "services.*.environment",
    "services.*.labels",
    "services.*.annotations",
    "services.*.sysctls",
    "services.*.storage_opt",
    "services.*.build.args",
    "services.*.build.labels",
    "services.*.deploy.labels",
    "services.*.logging.options",
    "networks.*.labels",
    "networks.*.driver_opts",
    "volumes.*.labels",
    "volumes.*.driver_opts",
    "secrets.*.labels",
    "secrets.*.driver_opts",
    "configs.*.labels",
)


_Trie = dict[str | None, Any]
"""Patterns sharing their beginnings: a part to the patterns' rest; ``None`` marks an end."""


def _trie(patterns: tuple[str, ...]) -> _Trie:
    """``services.*.labels``-style patterns as one trie, to walk the model once for all."""
    root: _Trie = {}
    for pattern in patterns:
        node = root
        for part in pattern.split("."):
            node = node.setdefault(part, {})
        node[None] = True
    return root


def _at(data: Any, trie: _Trie) -> list[dict[str, Any]]:
    """The mappings at any of the trie's patterns (``*`` any key), in one walk of ``data``."""
    found: list[dict[str, Any]] = []

    def walk(value: dict[str, Any], node: _Trie) -> None:
        if None in node:
            found.append(value)
        for part, rest in node.items():
            if part == "*":
                for child in list(value.values()):
                    if isinstance(child, dict):
                        walk(child, rest)
            elif part is not None:
                child = value.get(part)  # mostly absent: no call for it
                if isinstance(child, dict):
                    walk(child, rest)

    if isinstance(data, dict):
        walk(data, trie)
    return found


_STRING_MAP_TRIE = _trie(_STRING_MAPS)


def spell_strings(data: dict[str, Any]) -> None:
    """Numbers and booleans in string maps as compose prints them (``1e+06``, ``true``)."""
    for mapping in _at(data, _STRING_MAP_TRIE):
        for key, value in mapping.items():
            if not isinstance(value, dict | list):
                mapping[key] = go_text(value)


_KEYED = (
    "services.*.environment",
    "services.*.labels",
    "services.*.annotations",
    "services.*.sysctls",
    "services.*.build.args",
    "services.*.build.labels",
    "services.*.deploy.labels",
)
"""Key/value fields compose takes as a mapping or as ``KEY=VALUE`` entries."""
_KEYED_TRIE = _trie(_KEYED)


def escape_mapping_keys(data: dict[str, Any]) -> None:
    """A ``$`` in a key of a key/value mapping is literal (compose interpolates ``KEY=VALUE``
    entries, never mapping keys): written ``$$``, as every literal ``$`` of the model is."""
    for mapping in _at(data, _KEYED_TRIE):
        if any("$" in key for key in mapping):
            items = list(mapping.items())
            mapping.clear()
            mapping.update((key.replace("$", "$$"), value) for key, value in items)


def escape_dollars(value: Any) -> Any:
    """Every string value with ``$`` written ``$$`` (keys are never interpolated)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, list):
        return [
            item.replace("$", "$$") if isinstance(item, str) else escape_dollars(item)
            for item in value
        ]
    if isinstance(value, dict):
        return {
            key: item.replace("$", "$$") if isinstance(item, str) else escape_dollars(item)
            for key, item in value.items()
        }
    return value


def normalize_project_name(text: str) -> str:
    """A folder name as a project name, as compose makes one: ``My App`` -> ``myapp``."""
    return "".join(re.findall(r"[a-z0-9_-]", text.lower())).lstrip("_-")


def project_name(
    raw: RawModel, env: Mapping[str, str], given: str | None, folder: Path | None = None
) -> str:
    """``given``, else ``COMPOSE_PROJECT_NAME``, else the ``name:`` key, else the folder's
    (``folder``: the project folder resolved, when the caller has it).

    As compose: a name given (``-p``) or in ``COMPOSE_PROJECT_NAME`` must already be a valid
    project name; the ``name:`` key and the folder name are made one (``My App`` -> ``myapp``).
    """
    for candidate in (given, env.get("COMPOSE_PROJECT_NAME")):
        if candidate:
            if not PROJECT_NAME.match(candidate):
                raise raw.error(
                    f"invalid project name {candidate!r}: must consist only of lowercase "
                    "alphanumeric characters, hyphens, and underscores as well as start with "
                    "a letter or number"
                )
            return candidate
    declared = raw.data.get("name")
    if isinstance(declared, str):
        try:  # the name is read before the other values are interpolated
            declared = interpolate(declared, env)
        except InterpolationError as exc:
            raise raw.error(str(exc), ("name",)) from None
    if declared is not None and declared != "":
        if not isinstance(declared, str):
            raise raw.error("name must be a string", ("name",))
        name = normalize_project_name(declared)
        if not name:
            raise raw.error("project name must not be empty", ("name",))
        return name
    folder_name = (folder or raw.directory.resolve()).name
    name = normalize_project_name(folder_name)
    if not name:
        raise raw.error(
            f"cannot make a project name of the folder name {folder_name!r}",
            hint="set a top-level name: in the compose file",
        )
    return name


@cache
def _schema() -> dict[str, Any]:
    """The ComposeProject schema, whose fields a misspelt compose key may mean."""
    return manifest_schema("ComposeProject")


def _diagnostic(raw: RawModel, diagnostic: Diagnostic) -> Diagnostic:
    path: FieldPath = diagnostic.location.field_path
    if path[:1] == ("spec",):
        path = path[1:]
    elif path[:1] == ("metadata",):
        path = ("name",)
    return Diagnostic(diagnostic.message, raw.origins.location(path, raw.files[0]), diagnostic.hint)


def to_project(raw: RawModel, name: str, *, interpolated: bool = True) -> ComposeProject:
    """``raw`` validated into a ComposeProject named ``name``; ``interpolated`` says its values
    are final (every ``$`` left is a literal, written ``$$`` again), not compose text."""
    check_shapes(raw)
    spec = {k: v for k, v in raw.data.items() if k not in ("version", "include")}
    spell_strings(spec)
    if raw.dollars:  # else no key or value holds a ``$``: nothing to escape
        if interpolated:
            spec = escape_dollars(spec)
        escape_mapping_keys(spec)
    if "name" in spec:
        spec["name"] = name
    try:
        project = ComposeProject.model_validate({"metadata": {"name": name}, "spec": spec})
    except PydanticValidationError as exc:
        document = {"spec": spec}
        converted = convert_validation_error(
            exc,
            file=None,
            resource=None,
            unknown_field_hint=lambda path: unknown_field_hint(_schema(), path, document),
        )
        raise ValidationError([_diagnostic(raw, d) for d in converted.diagnostics]) from None
    main = raw.files[0]
    lines = raw.origins.lines_in(main, ("spec",))
    project.set_source(str(main), lines.get(("spec",), 1), lines)
    return project
