"""A quick reader of plain bake files: the dict python-hcl2 gives, without running it.

python-hcl2 (lark) takes about 15 ms for a 2 KB bake file, and 0.15 s to import and build its
grammar first: most of a cold render of a repository whose packages keep bake files. Most
such files are blocks of plain attributes, which this reads line by line.

It is conservative: it reads only ``target``, ``group`` and ``variable`` blocks with one
label, one attribute a line, whose values are strings (no escapes, no nested quotes; only
``${NAME}`` interpolations), whole numbers, booleans, one-line lists of strings and maps of
such values (one entry a line); anything else (a comment, a function, a nested block, an
expression, a heredoc, a duplicate, CRLF ...) gives None, and python-hcl2 reads the file. A
test compares both on every bake file of the repository's fixtures and examples.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bakepy.loaders.bake.positions import BlockPositions
from bakepy.loaders.bake.strings import native_key

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_STRING = r'"[^"\\\n]*"'
_BLOCK = re.compile(rf"(?P<type>target|group|variable)[ \t]+(?P<label>{_STRING})[ \t]*\{{")
_ATTRIBUTE = re.compile(rf"(?P<key>{_NAME})[ \t]*=[ \t]*(?P<value>.*)")
_MAP_ENTRY = re.compile(rf"(?P<key>{_NAME}|{_STRING})[ \t]*=[ \t]*(?P<value>.*)")
_STRING_ONLY = re.compile(_STRING)
_STRINGS = re.compile(rf"\[[ \t]*(?:{_STRING}(?:[ \t]*,[ \t]*{_STRING})*)?[ \t]*\]")
_STRING_IN_LIST = re.compile(_STRING)
_WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]{0,15}")
_INTERPOLATION = re.compile(r"[$%]\{")
_PLAIN_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_SPECIAL = ("\r", "\ufeff")
"""Line ends and marks python-hcl2 reads its own way (a comment, a heredoc or an expression
fails the line patterns below)."""


class _Unsure(Exception):
    """The file holds something this reader does not read as python-hcl2 does."""


def quick_parse(text: str) -> dict[str, Any] | None:
    """python-hcl2's dict for a plain bake file ``text``; None when the file is not plain."""
    read = _quick_read(text)
    return read[0] if read is not None else None


def quick_positions(text: str) -> list[BlockPositions] | None:
    """``positions.hcl_positions`` of a plain bake file ``text`` (where each block starts and
    each attribute's value), from the same line by line reading; None when it is not plain."""
    read = _quick_read(text)
    return read[1] if read is not None else None


def quick_read(text: str) -> tuple[dict[str, Any], list[BlockPositions]] | None:
    """Both ``quick_parse`` and ``quick_positions`` of ``text`` from one reading; None when
    the file is not plain."""
    return _quick_read(text)


def plain_native(value: Any) -> Any:
    """``strings.native_value`` of a value the quick reader gave, in fewer steps: its strings
    hold no backslash, and every ``${`` in them is a plain ``${NAME}`` (``_check_interpolations``),
    so the template text of ``"..."`` is what is between the quotes (map keys, which are not
    checked, still go through ``native_key``)."""
    if isinstance(value, str):
        return value[1:-1]
    if isinstance(value, list):
        return [item[1:-1] for item in value]
    if isinstance(value, dict):
        return {
            native_key(key) if key[:1] == '"' else key: plain_native(item)
            for key, item in value.items()
            if not key.startswith("__")
        }
    return value


@lru_cache(maxsize=32)
def _quick_read(text: str) -> tuple[dict[str, Any], list[BlockPositions]] | None:
    """The dict and the positions of a plain file; None when the file is not plain.

    Kept for the last texts read: a load asks three times about each file (whether
    python-hcl2 must parse it in advance, its dict, its positions); the callers only read
    what they are given."""
    if any(mark in text for mark in _SPECIAL):
        return None
    try:
        return _read(text.split("\n"))
    except _Unsure:
        return None


def _indent(line: str) -> int:
    """How many spaces and tabs start ``line``."""
    return len(line) - len(line.lstrip(" \t"))


def _read(lines: list[str]) -> tuple[dict[str, Any], list[BlockPositions]]:
    """Every block of the file, by block type in order of first appearance, and the
    positions of the blocks in file order."""
    document: dict[str, list[dict[str, Any]]] = {}
    positions: list[BlockPositions] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip(" \t")
        index += 1
        if not line:
            continue
        block = _BLOCK.fullmatch(line)
        if block is None or "{" in block["label"]:
            raise _Unsure
        where = BlockPositions(
            block["type"], block["label"][1:-1], (index, _indent(lines[index - 1]) + 1)
        )
        body, index = _body(lines, index, where)
        document.setdefault(block["type"], []).append({block["label"]: body})
        positions.append(where)
    if not document:
        raise _Unsure  # an empty file: python-hcl2 decides what it is
    return document, positions


def _body(lines: list[str], index: int, where: BlockPositions) -> tuple[dict[str, Any], int]:
    """The attributes of the block opened on the line before ``index``, up to its ``}``;
    where each attribute's value starts goes into ``where``."""
    body: dict[str, Any] = {}
    while index < len(lines):
        line = lines[index].strip(" \t")
        index += 1
        if not line:
            continue
        if line == "}":
            body["__is_block__"] = True
            return body, index
        key, offset, value = _attribute(line)
        if key in body:
            raise _Unsure
        where.attributes[key] = (index, _indent(lines[index - 1]) + offset + 1)
        if value is _MAP_OPEN:
            body[key], index = _map(lines, index)
        else:
            body[key] = _fresh(value)
    raise _Unsure  # the file ends inside the block


_MAP_OPEN = object()
"""``_attribute``'s value for ``name = {``: a map written one entry a line follows."""


@lru_cache(maxsize=4096)
def _attribute(line: str) -> tuple[str, int, Any]:
    """One attribute line (stripped): its name, where its value starts in the line, and the
    value (a list as a tuple, to be copied: the line's reading is kept, bake files repeat
    many lines)."""
    attribute = _ATTRIBUTE.fullmatch(line)
    if attribute is None:
        raise _Unsure
    raw = attribute["value"].rstrip(" \t")
    value = _MAP_OPEN if raw == "{" else _value(raw, lists=True)
    kept = tuple(value) if isinstance(value, list) else value
    return attribute["key"], attribute.start("value"), kept


def _map(lines: list[str], index: int) -> tuple[dict[str, Any], int]:
    """A map written one entry a line, up to its ``}``."""
    entries: dict[str, Any] = {}
    while index < len(lines):
        line = lines[index].strip(" \t")
        index += 1
        if not line:
            continue
        if line == "}":
            return entries, index
        key, value = _map_entry(line)
        if key in entries:
            raise _Unsure
        entries[key] = _fresh(value)
    raise _Unsure


def _fresh(value: Any) -> Any:
    """A value kept by ``_attribute`` or ``_map_entry`` as the file's own: a list for the
    tuple kept, a new ``{}``; strings, numbers and booleans as they are."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {}
    return value


@lru_cache(maxsize=4096)
def _map_entry(line: str) -> tuple[str, Any]:
    """One map entry line (stripped): its key and value (``{}`` is copied by the caller)."""
    entry = _MAP_ENTRY.fullmatch(line)
    if entry is None:
        raise _Unsure
    return entry["key"], _value(entry["value"].rstrip(" \t"), lists=False)


def _value(raw: str, *, lists: bool) -> Any:
    """A string (as written, with its quotes), a whole number, a boolean, ``{}``, or (with
    ``lists``) a one-line list of strings."""
    if raw.startswith('"'):
        if _STRING_ONLY.fullmatch(raw) is None:
            raise _Unsure
        _check_interpolations(raw)
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    if _WHOLE_NUMBER.fullmatch(raw):
        return int(raw)
    if raw == "{}":
        return {}
    if lists and raw.startswith("[") and _STRINGS.fullmatch(raw):
        items = _STRING_IN_LIST.findall(raw)
        for item in items:
            _check_interpolations(item)
        return items
    raise _Unsure


def _check_interpolations(string: str) -> None:
    """Unsure of a template other than ``${NAME}`` references (python-hcl2 rewrites some)."""
    if "{" not in string:  # no template at all (most strings)
        return
    for found in _INTERPOLATION.finditer(string):
        if _PLAIN_REFERENCE.match(string, found.start()) is None:
            raise _Unsure


__all__ = ["plain_native", "quick_parse", "quick_positions", "quick_read"]
