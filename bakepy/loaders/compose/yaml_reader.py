"""Read a compose file's YAML with compose's scalar rules, remembering each field's line.

PyYAML parses (with libyaml, its C parser, when installed: several times faster on big files);
scalars are resolved as go-yaml v3 (compose's parser) resolves them
(see ``scalars``). Anchors and ``<<`` merge keys work as in compose (a mapping's own keys win);
duplicate keys and recursive anchors are errors, as they are for compose.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from bakepy.errors import FieldPath, LoadError, Location
from bakepy.loaders.compose.origins import Origins
from bakepy.loaders.compose.scalars import go_text, plain_scalar
from bakepy.loaders.compose.tags import RESET, Override
from bakepy.loaders.yaml_errors import yaml_line, yaml_problem
from bakepy.support.utf8 import utf8_problem

_PLAIN = "tag:bakepy.dev,compose:plain"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MAX_NODES = 200_000
"""Aliases can make a small file expand enormously; compose-sized files stay far below this."""


_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves plain scalars unresolved, for go-yaml's rules."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


class _FastLoader(_BASE_LOADER):  # type: ignore[misc]
    """The same resolution over libyaml's parser (the pure-Python one without libyaml), in
    as few Python steps as it takes: libyaml asks for every node's tag, and calls the
    path-resolver hooks, which bakepy never sets."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _MAP if kind is yaml.MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to follow."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to follow."""


_WORD_SPELLINGS = frozenset(
    "".join(spelling)
    for word in ("y", "yes", "on", "n", "no", "off")
    for spelling in product(*((c, c.upper()) for c in word))
)
"""Every spelling (any case) of the YAML 1.1 boolean words compose reads where it wants a
boolean (``booleans``): a value spelt so makes that phase look at the file."""

_read_plain = lru_cache(maxsize=4096)(plain_scalar)
"""``plain_scalar`` remembered: keys and values repeat across a file's services and files."""


@dataclass
class YamlDocument:
    """One YAML document of a compose file as plain data, with the origin of every field."""

    data: Any
    origins: Origins
    tagged: bool = True
    """Whether a value is tagged ``!reset`` or ``!override`` (the tags phase has work)."""
    dollars: bool = True
    """Whether a key or value may hold a ``$``: the text has one, or a ``\\`` (a quoted
    string's escape may write one); interpolation and escaping look only then."""
    words: bool = True
    """Whether a value may be spelt as a YAML 1.1 boolean (``yes``, ``off``...): the booleans
    phase looks only then (or when a ``$`` may expand to one)."""


class _Converter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.origins = Origins()
        self.count = 0
        self.active: set[int] = set()
        self.tagged = False
        """Set once a ``!reset`` or ``!override`` value is read."""
        self.words = False
        """Set once ``tree`` reads a value spelt as a YAML 1.1 boolean (``yes``, ``Off``...),
        or ``convert`` reads anything."""
        """Set once a ``!reset`` or ``!override`` value is read."""

    def error(self, message: str, node: yaml.Node) -> LoadError:
        return LoadError(message, Location(self.path, node.start_mark.line + 1))

    def convert(self, node: yaml.Node, path: FieldPath) -> Any:
        self.words = True  # not looked for here (tags, anchors): the booleans phase will
        self.count += 1
        if self.count > _MAX_NODES:
            raise self.error("the YAML expands to too many values (alias bomb?)", node)
        self.origins.add(path, self.path, node.start_mark.line + 1)
        if node.tag == "!reset":
            self.tagged = True
            return RESET
        if node.tag == "!override":
            self.tagged = True
            return Override(self.convert(_untagged(node), path))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        key = id(node)  # once: each id() call is an audited event (the render cache's hook)
        if key in self.active:
            raise self.error("a YAML anchor refers to itself (cycle detected)", node)
        self.active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self.mapping(node, path)
        finally:
            self.active.discard(key)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _PLAIN:
            return plain_scalar(node.value)
        if node.tag == _STR:  # a quoted string: its text, as the loader would construct it
            return node.value
        try:
            value = _Loader("").construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.error(f"YAML: {getattr(exc, 'problem', None) or exc}", node) from None
        if value is None or isinstance(value, str | int | float | bool):
            return value
        raise self.error(f"YAML tag {node.tag} is not supported in a compose file", node)

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error("a mapping key must be a scalar", node)
        key = self.scalar(node)
        return key if isinstance(key, str) else "" if key is None else str(go_text(key))

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        lines: dict[str, int] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.tag == _PLAIN
                and key_node.value == "<<"
            ):
                merges.append(value_node)
                continue
            key = self.key(key_node)
            if key in result:
                message = f'mapping key "{key}" already defined at line {lines[key]}'
                raise self.error(message, key_node)
            lines[key] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, (*path, key))
            self.origins.add((*path, key), self.path, lines[key])
        for merge in merges:
            self.merge(result, merge, path)
        self.origins.add(path, self.path, node.start_mark.line + 1)
        return result

    def tree(self, node: yaml.Node, path: FieldPath) -> Any:
        """``convert`` for a text without anchors (so no aliases, no loops) and no ``<<``:
        its plain mappings, lists and untagged or quoted scalars in one call a node (a
        mapping reads its scalar values in place); any other node (a tag such as ``!reset``)
        goes through ``convert``."""
        tag, kind = node.tag, type(node)
        if kind is yaml.ScalarNode and tag in (_PLAIN, _STR):
            self.count += 1
            if self.count > _MAX_NODES:
                raise self.error("the YAML expands to too many values (alias bomb?)", node)
            self.origins.entries[path] = (self.path, node.start_mark.line + 1)
            text = node.value
            if text in _WORD_SPELLINGS:
                self.words = True
            return _read_plain(text) if tag == _PLAIN else text
        if kind is yaml.SequenceNode and tag == _SEQ:
            self.count += 1
            if self.count > _MAX_NODES:
                raise self.error("the YAML expands to too many values (alias bomb?)", node)
            self.origins.entries[path] = (self.path, node.start_mark.line + 1)
            return [self.tree(item, (*path, i)) for i, item in enumerate(node.value)]
        if kind is not yaml.MappingNode or tag != _MAP:
            return self.convert(node, path)
        self.count += 1
        if self.count > _MAX_NODES:
            raise self.error("the YAML expands to too many values (alias bomb?)", node)
        entries = self.origins.entries
        entries[path] = (self.path, node.start_mark.line + 1)
        result: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_tag = key_node.tag if type(key_node) is yaml.ScalarNode else None
            if key_tag in (_PLAIN, _STR):  # ``key``, without its two calls
                key = _read_plain(key_node.value) if key_tag == _PLAIN else key_node.value
                if not isinstance(key, str):
                    key = "" if key is None else str(go_text(key))
            else:
                key = self.key(key_node)
            if key in result:
                message = f'mapping key "{key}" already defined at line {lines[key]}'
                raise self.error(message, key_node)
            line = lines[key] = key_node.start_mark.line + 1
            field = (*path, key)
            value_tag = value_node.tag if type(value_node) is yaml.ScalarNode else None
            if value_tag in (_PLAIN, _STR):  # a scalar value: ``tree``'s first case, in place
                self.count += 1
                if self.count > _MAX_NODES:
                    raise self.error(
                        "the YAML expands to too many values (alias bomb?)", value_node
                    )
                text = value_node.value
                if text in _WORD_SPELLINGS:
                    self.words = True
                result[key] = _read_plain(text) if value_tag == _PLAIN else text
            else:
                result[key] = self.tree(value_node, field)
            entries[field] = (self.path, line)  # a field's line is its key's
        return result

    def merge(self, result: dict[str, Any], node: yaml.Node, path: FieldPath) -> None:
        """``<<: *anchor`` (or a list of them): keys the mapping lacks, with their origins."""
        own, self.origins = self.origins, Origins()
        try:
            value = self.convert(node, path)
        finally:
            merged_origins, self.origins = self.origins, own
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise self.error("`<<` merges a mapping (or a list of mappings)", node)
            for key, item in source.items():
                if key not in result:
                    result[key] = item
                    self.origins.graft(merged_origins, (*path, key), (*path, key))


def _untagged(node: yaml.Node) -> yaml.Node:
    """``node`` without its tag, resolved as if it had none."""
    if isinstance(node, yaml.ScalarNode):
        return yaml.ScalarNode(
            _PLAIN if node.style is None else "tag:yaml.org,2002:str",
            node.value,
            node.start_mark,
            node.end_mark,
            node.style,
        )
    if isinstance(node, yaml.SequenceNode):
        return yaml.SequenceNode(
            "tag:yaml.org,2002:seq", node.value, node.start_mark, node.end_mark, node.flow_style
        )
    assert isinstance(node, yaml.MappingNode)
    return yaml.MappingNode(
        "tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark, node.flow_style
    )


def parse_yaml(text: str, path: Path) -> list[YamlDocument]:
    """Every non-empty document of ``text`` (read from ``path``), in order."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_FastLoader))
    except yaml.YAMLError as exc:
        where = Location(path, yaml_line(exc, text))
        raise LoadError(f"YAML syntax error: {yaml_problem(exc)}", where) from None
    documents: list[YamlDocument] = []
    plain = "&" not in text and "<<" not in text  # no anchor, alias or merge key anywhere
    dollars = "$" in text or "\\" in text
    for node in nodes:
        if node is None:
            continue
        converter = _Converter(path)
        data = converter.tree(node, ()) if plain else converter.convert(node, ())
        words = converter.words
        document = YamlDocument(data, converter.origins, converter.tagged, dollars, words)
        documents.append(document)
    return documents


def read_yaml(path: Path) -> list[YamlDocument]:
    """Every document of the compose file ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}", Location(path)) from None
    except UnicodeDecodeError:
        problem, line = utf8_problem(path)
        raise LoadError(problem, Location(path, line)) from None
    return parse_yaml(text, path)
