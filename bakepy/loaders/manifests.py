"""Load Kubernetes-style YAML manifests (one or many documents) into typed resources.

Every node's line is remembered so that a model error points at ``file:line`` and field path.
Every document is loaded before any error is raised, so a file's problems are reported
together, and an unknown field or kind gets the name that was probably meant.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import BakepyError, Diagnostic, FieldPath, LoadError, Location, ValidationError
from bakepy.models.kinds import KINDS
from bakepy.models.resource import API_VERSION, Resource
from bakepy.models.schema import Schema, manifest_schema
from bakepy.models.suggestions import did_you_mean, unknown_field_hint
from bakepy.models.validation_errors import convert_validation_error

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Document:
    """One YAML document as plain data plus the line of every field path in it."""

    def __init__(self, node: yaml.Node) -> None:
        self.lines: dict[FieldPath, int] = {}
        self.start_line = node.start_mark.line + 1
        self.data = self._convert(node, ())

    def _convert(self, node: yaml.Node, path: FieldPath) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            merged: list[Any] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:  # `<<: *anchor`; the mapping's own keys win
                    value = self._convert(value_node, path)
                    merged += value if isinstance(value, list) else [value]
                    continue
                key = self._convert(key_node, path)
                if isinstance(key, list | dict):
                    raise LoadError("a mapping key must be a scalar", None)
                result[key] = self._convert(value_node, (*path, str(key)))
                self.lines[(*path, str(key))] = key_node.start_mark.line + 1
            self.lines[path] = node.start_mark.line + 1  # a merge may have pointed it away
            for source in merged:
                if not isinstance(source, dict):
                    raise LoadError("`<<` merges a mapping (or a list of mappings)", None)
                for key, value in source.items():
                    result.setdefault(key, value)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return yaml.SafeLoader(" ").construct_object(node, deep=True)  # scalar

    def line_of(self, path: FieldPath) -> int | None:
        """The line of the deepest known prefix of ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def _spec_alias_path(path: FieldPath) -> FieldPath:
    """pydantic reports Python names (``cache_from``); manifests use native names."""
    return tuple(
        p.replace("_", "-") if isinstance(p, str) and p != "api_version" else p for p in path
    )


def load_yaml(path: Path) -> list[Resource]:
    """Every resource declared in the manifest file ``path``, in document order."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}") from None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        documents = [_Document(node) for node in nodes if node is not None]
    except yaml.YAMLError as exc:  # a syntax error, or a scalar no tag can construct
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoadError(
            f"YAML syntax error: {problem}",
            Location(path, mark.line + 1 if mark else None),
        ) from None
    resources: list[Resource] = []
    errors: list[BakepyError] = []
    for document in documents:
        try:
            resources.append(_load_document(path, document))
        except BakepyError as error:
            errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationError([d for error in errors for d in _diagnostics(error)])
    return resources


def _diagnostics(error: BakepyError) -> list[Diagnostic]:
    return error.diagnostics if isinstance(error, ValidationError) else [error.diagnostic]


@cache
def _kind_schema(kind: str) -> Schema:
    """The kind's manifest schema, computed once, for the fields an unknown one may mean."""
    return manifest_schema(kind)


def _load_document(path: Path, document: _Document) -> Resource:
    data = document.data
    where = Location(path, document.start_line)
    if not isinstance(data, dict):
        raise LoadError("a manifest must be a mapping with apiVersion, kind, metadata, spec", where)
    if data.get("apiVersion") != API_VERSION:
        raise LoadError(
            f"apiVersion must be {API_VERSION!r}, got {data.get('apiVersion')!r}",
            Location(path, document.line_of(("apiVersion",)) or document.start_line),
        )
    kind = data.get("kind")
    model = KINDS.get(str(kind))
    if model is None:
        raise LoadError(
            f"unknown kind {kind!r}; expected one of {', '.join(sorted(KINDS))}",
            Location(path, document.line_of(("kind",)) or document.start_line),
            hint=did_you_mean(str(kind), KINDS),
        )
    name = (
        (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
    )
    resource_label = f"{kind}/{name}" if name else str(kind)
    try:
        resource = model.model_validate(data)
    except PydanticValidationError as exc:
        raise convert_validation_error(
            exc,
            file=str(path),
            resource=resource_label,
            line_of=lambda p: document.line_of(p) or document.line_of(_spec_alias_path(p)),
            default_line=document.start_line,
            unknown_field_hint=lambda p: unknown_field_hint(_kind_schema(model.KIND), p, data),
        ) from None
    resource.set_source(str(path), document.start_line, document.lines)
    return resource
