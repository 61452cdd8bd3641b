"""A quick reader of plain YAML manifests: the documents PyYAML's safe loader gives, read
line by line, without libyaml's nodes.

Composing a manifest into libyaml's nodes (a Python object and a resolver call for each key
and value, two marks each) was most of a manifest's load. Most manifests are block mappings of
``key: value`` lines, with lists and maps written in one line (``[a, "b"]``, ``{k: v}``) or a
block list of one-line items: those are read here. Anything else (a comment after a value, a
multi-line scalar or flow, a quoted string with a backslash, a tab, a key of another type,
a duplicate key, a list of mappings, a non-ASCII character, a scalar starting with an
indicator ...) gives None, and ``manifest_yaml.plain_documents`` reads the file. A test
compares this reader with PyYAML's safe loader on every YAML file of the repository's fixtures
and examples and on hostile texts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bakepy.loaders.manifest_yaml import NotPlain, plain_scalar

_KEY = r'[A-Za-z0-9_][A-Za-z0-9_./-]*|"[^"\\]*"|\'[^\']*\''
"""A mapping key: a plain word (dots, slashes and dashes inside), or a quoted string."""
_ENTRY = re.compile(rf"(?P<key>{_KEY}):(?: +(?P<value>.*))?")
"""A block mapping's line: ``key:`` and maybe a value."""
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'([^']*)'")
_FLOW_PLAIN = re.compile(r"[^ ,\[\]{}:#\"'&*!|>%@`?-][^,\[\]{}:#\"']*")
"""A plain scalar inside ``[...]`` or ``{...}``: no flow indicator, colon or quote in it (its
trailing spaces are not part of it)."""
_FLOW_KEY = re.compile(rf"({_KEY}): +")
"""A flow mapping's key, its colon and the spaces before its value."""
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
"""Characters that do not start a plain scalar here (YAML's indicators, and a space)."""
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e\n]")
"""A character the reader leaves to libyaml: a tab, a CR, a byte-order mark, a line break
YAML 1.1 knows, anything not ASCII."""
_MAX_KEY = 1000
"""libyaml refuses a simple key longer than 1024 characters."""


class _Unsure(Exception):
    """The text holds something this reader does not read as PyYAML does."""


_NESTED, _SCALAR, _FLOW_VALUE = 0, 1, 2
"""What a ``key:`` line holds: nothing (a nested block or null follows), a scalar, or a
flow list or map (copied for every use: a document's values are its own)."""
_Line = tuple[int, bool, str, int, Any]
"""A line read: its indent, whether it is a list item, its key (``""`` for an item), what
its value is (``_NESTED``, ``_SCALAR``, ``_FLOW_VALUE``) and the value."""


def quick_documents(text: str) -> list[Any] | None:
    """The non-null documents of ``text`` as ``yaml.load_all`` with the safe loader gives
    them; None when the text is not plain enough for this reader."""
    if _NOT_PRINTABLE_ASCII.search(text):
        return None
    documents: list[Any] = []
    lines: list[_Line] = []
    try:
        for line in text.split("\n"):
            if line == "---":
                documents += _document(lines)
                lines = []
                continue
            read = _read_line(line)
            if read is not None:
                lines.append(read)
        documents += _document(lines)
    except (_Unsure, NotPlain):
        return None
    return documents


@lru_cache(maxsize=4096)
def _read_line(line: str) -> _Line | None:
    """One line read (None for a blank line or a comment on a line of its own). Manifests
    repeat most of their lines (``kind: Target``, ``metadata:``), each is read once."""
    if line.startswith(("---", "...", "%")):
        raise _Unsure  # a document start with more on its line, an end, a directive
    content = line.strip(" ")
    if not content or content.startswith("#"):
        return None
    indent = len(line) - len(line.lstrip(" "))
    item = content == "-" or content.startswith("- ")
    if item:
        content = content[2:].strip(" ")
        if not content or _ENTRY.fullmatch(content):
            raise _Unsure  # an empty item, or one holding a mapping
        key, raw = "", content
    else:
        entry = _ENTRY.fullmatch(content)
        if entry is None:
            raise _Unsure
        key, raw = _key(entry["key"]), (entry["value"] or "").rstrip(" ")
    if "#" in content:
        raise _Unsure  # a comment after a value (or a # in a string: left to libyaml)
    if not raw:
        return indent, item, key, _NESTED, None
    value = _inline(raw)
    return indent, item, key, _FLOW_VALUE if isinstance(value, list | dict) else _SCALAR, value


def _copied(value: Any) -> Any:
    """A fresh copy of a flow value (lists and maps of scalars, nested)."""
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return value


def _document(lines: list[_Line]) -> list[Any]:
    """The document of ``lines`` (a root mapping), or nothing when they hold no content."""
    if not lines:
        return []
    if lines[0][0] != 0:
        raise _Unsure
    mapping, end = _mapping(lines, 0, 0)
    if end != len(lines):
        raise _Unsure
    return [mapping]


def _mapping(lines: list[_Line], index: int, indent: int) -> tuple[dict[str, Any], int]:
    """The block mapping whose keys start at column ``indent``, from line ``index``."""
    mapping: dict[str, Any] = {}
    while index < len(lines):
        at, item, key, kind, value = lines[index]
        if at < indent:
            break
        if at > indent or item or key in mapping:
            raise _Unsure
        index += 1
        following = lines[index] if index < len(lines) else None
        if kind != _NESTED:
            if following is not None and following[0] > indent:
                raise _Unsure  # a scalar continued on the next line
            mapping[key] = _copied(value) if kind == _FLOW_VALUE else value
        elif following is not None and (
            following[0] > indent or (following[0] == indent and following[1])
        ):
            # a nested mapping, or a list (which may start at the key's own column)
            if following[1]:
                mapping[key], index = _sequence(lines, index, following[0])
            else:
                mapping[key], index = _mapping(lines, index, following[0])
        else:
            mapping[key] = None
    return mapping, index


def _sequence(lines: list[_Line], index: int, indent: int) -> tuple[list[Any], int]:
    """The block list whose ``-`` are at column ``indent``: one-line items only."""
    items: list[Any] = []
    while index < len(lines):
        at, item, _, kind, value = lines[index]
        if at != indent or not item:
            break
        index += 1
        if kind == _NESTED or (index < len(lines) and lines[index][0] > indent):
            raise _Unsure  # an item continued on the next line
        items.append(_copied(value) if kind == _FLOW_VALUE else value)
    return items, index


def _key(raw: str) -> str:
    """A mapping key as a string; a plain key that YAML reads as another type is not."""
    if len(raw) > _MAX_KEY:
        raise _Unsure
    if raw[0] in "\"'":
        return raw[1:-1]
    value = plain_scalar(raw)
    if not isinstance(value, str):
        raise _Unsure
    return value


def _inline(raw: str) -> Any:
    """A value written on one line: a quoted string, a flow list or map, or a plain scalar."""
    first = raw[0]
    if first == '"' or first == "'":
        quoted = (_DOUBLE if first == '"' else _SINGLE).fullmatch(raw)
        if quoted is None:
            raise _Unsure
        return quoted[1]
    if first == "[" or first == "{":
        try:
            value, end = _flow(raw, 0)
        except IndexError:  # the line ends inside the list or map
            raise _Unsure from None
        if end != len(raw):
            raise _Unsure
        return value
    if first in _PLAIN_START or ": " in raw or raw.endswith(":") or "#" in raw:
        raise _Unsure
    return plain_scalar(raw)


def _skip_spaces(raw: str, index: int) -> int:
    """The index of the first character at or after ``index`` that is not a space."""
    while raw[index] == " ":
        index += 1
    return index


def _flow(raw: str, index: int) -> tuple[Any, int]:
    """The flow value (``[...]``, ``{...}``, a quoted string or a plain scalar) starting at
    ``index`` of one line, and the index after it; IndexError when the line ends first."""
    first = raw[index]
    if first == "[" or first == "{":
        close = "]" if first == "[" else "}"
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        index = _skip_spaces(raw, index + 1)
        if raw[index] == close:
            return (items if first == "[" else mapping), index + 1
        while True:
            if first == "[":
                item, index = _flow(raw, index)
                items.append(item)
            else:
                key_match = _FLOW_KEY.match(raw, index)
                if key_match is None:
                    raise _Unsure
                key = _key(key_match[1])
                if key in mapping:
                    raise _Unsure
                mapping[key], index = _flow(raw, key_match.end())
            index = _skip_spaces(raw, index)
            if raw[index] == close:
                return (items if first == "[" else mapping), index + 1
            if raw[index] != ",":
                raise _Unsure
            index = _skip_spaces(raw, index + 1)
            if raw[index] == close:
                raise _Unsure  # a trailing comma
    if first == '"' or first == "'":
        quoted = (_DOUBLE if first == '"' else _SINGLE).match(raw, index)
        if quoted is None:
            raise _Unsure
        return quoted[1], quoted.end()
    plain = _FLOW_PLAIN.match(raw, index)
    if plain is None:
        raise _Unsure
    return plain_scalar(plain[0].rstrip(" ")), plain.end()


__all__ = ["quick_documents"]
