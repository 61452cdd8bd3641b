"""Load Kubernetes-style YAML manifests (one or many documents) into typed resources.

A file is parsed once, line by line when it is plain (``manifest_quick``), else with
libyaml's C loader when PyYAML has it, into plain data; line
numbers are found only when they are needed (an error, now or later), by composing the file
again with node marks. A file with an error is read the slow way at once, so that every
problem points at ``file:line`` and field path. Every document is loaded before any error is
raised, so a file's problems are reported together, and an unknown field or kind gets the
name that was probably meant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import BakepyError, Diagnostic, FieldPath, LoadError, Location, ValidationError
from bakepy.loaders.manifest_quick import quick_documents
from bakepy.loaders.manifest_yaml import plain_documents
from bakepy.loaders.text import read_text
from bakepy.loaders.yaml_errors import yaml_line, yaml_problem
from bakepy.loaders.yaml_limits import check_aliases, too_deep
from bakepy.models.kinds import KINDS
from bakepy.models.resource import API_VERSION, Resource
from bakepy.models.schema import Schema, manifest_schema
from bakepy.models.suggestions import did_you_mean, unknown_field_hint
from bakepy.models.validation_errors import convert_validation_error

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_BASE_LOADER):  # type: ignore[misc]
    """libyaml's loader (PyYAML's wheels ship it; the pure-Python one otherwise) that stops
    at a key given twice in one mapping, which compose refuses and PyYAML lets the last win."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key_node.value)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_FAST_LOADER: Any = _FastLoader


class _DuplicateKey(Exception):
    """A key given twice in one mapping (compose refuses it; PyYAML would keep the last)."""

    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class _Document:
    """One YAML document as plain data plus the line of every field path in it."""

    def __init__(self, node: yaml.Node) -> None:
        self.lines: dict[FieldPath, int] = {}
        self.start_line = node.start_mark.line + 1
        self._scalars = yaml.SafeLoader("")  # one constructor: making one per scalar is slow
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
                if key in result:
                    raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
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
        return self._scalars.construct_object(node, deep=True)  # scalar

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


@lru_cache(maxsize=32)
def _is_document(node: yaml.Node | None) -> bool:
    """Whether a composed document declares anything: an empty one (``---`` followed by
    ``---``) or a bare ``null`` is skipped, as the loaders skip the None they read from it
    (kubectl skips them too); the document indexes of lines and data then agree."""
    if node is None:
        return False
    return not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null")


def _document_lines(text: str) -> list[dict[FieldPath, int]]:
    """The line of every field path of every document of ``text`` (composed with marks)."""
    nodes = yaml.compose_all(text, Loader=_FAST_LOADER)
    return [_Document(node).lines for node in nodes if _is_document(node)]


class _LazyLines(Mapping[FieldPath, int]):
    """One document's field lines, found the first time an error asks for one."""

    def __init__(self, text: str, index: int) -> None:
        self._text = text
        self._index = index

    def _lines(self) -> dict[FieldPath, int]:
        try:
            return _document_lines(self._text)[self._index]
        except yaml.YAMLError:  # a scalar libyaml's loader built and PyYAML's refuses (``=``)
            return {}

    def __getitem__(self, key: FieldPath) -> int:
        return self._lines()[key]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._lines())

    def __len__(self) -> int:
        return len(self._lines())


class _Parsed:
    """A document read by the fast path: its data now, its lines when asked."""

    def __init__(self, data: Any, text: str, index: int) -> None:
        self.data = data
        self.lines = _LazyLines(text, index)

    @property
    def start_line(self) -> int:
        return self.lines.get((), 1)

    def line_of(self, path: FieldPath) -> int | None:
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def _load_fast(path: Path, text: str) -> list[Resource] | None:
    """The file's resources read with the fast loader; None when anything is wrong in it
    (the slow path then reports every problem with its line)."""
    try:
        documents = quick_documents(text)
        if documents is None:
            documents = plain_documents(text)
        if documents is None:
            documents = [d for d in yaml.load_all(text, Loader=_FAST_LOADER) if d is not None]
    except yaml.YAMLError:
        return None
    resources: list[Resource] = []
    for index, data in enumerate(documents):
        try:
            resources.append(_load_document(path, _Parsed(data, text, index)))
        except BakepyError:
            return None
    return resources


def _no_resources(path: Path) -> LoadError:
    """An empty manifest file is refused, as an empty Python definition is."""
    return LoadError(
        "defines no resources",
        Location(path),
        hint="a manifest document has apiVersion, kind, metadata and spec",
    )


def load_yaml(path: Path) -> list[Resource]:
    """Every resource declared in the manifest file ``path``, in document order."""
    text = read_text(path)
    check_aliases(path, text)
    try:
        fast = _load_fast(path, text)
    except RecursionError:
        raise too_deep(path, text) from None
    if fast is not None:
        if not fast:
            raise _no_resources(path)
        return fast
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        documents = [_Document(node) for node in nodes if _is_document(node)]
    except _DuplicateKey as duplicate:
        raise LoadError(
            f"the key {duplicate.key!r} is given twice in one mapping (the last would win)",
            Location(path, duplicate.line),
            hint="keep one of them",
        ) from None
    except RecursionError:
        raise too_deep(path, text) from None
    except yaml.YAMLError as exc:  # a syntax error, or a scalar no tag can construct
        where = Location(path, yaml_line(exc, text))
        raise LoadError(f"YAML syntax error: {yaml_problem(exc)}", where) from None
    if not documents:
        raise LoadError(
            "defines no resources",
            Location(path),
            hint="a manifest has apiVersion, kind, metadata and spec",
        )
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


def _load_document(path: Path, document: _Document | _Parsed) -> Resource:
    data = document.data
    if not isinstance(data, dict):
        raise LoadError(
            "a manifest must be a mapping with apiVersion, kind, metadata, spec",
            Location(path, document.start_line),
        )
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
    if isinstance(document, _Parsed):  # the lines, and so the start line, only when asked
        resource.set_source(str(path), 0, document.lines)
    else:
        resource.set_source(str(path), document.start_line, document.lines)
    return resource
