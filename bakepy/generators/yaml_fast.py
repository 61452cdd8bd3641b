"""The YAML text ``yaml_text.dump_yaml`` gives, written directly for the common case.

PyYAML's emitter is pure Python and walks an event stream: for a repository of compose
packages it was the largest single cost of a render (about 18 ms a file). Compose and stack
files are mappings and lists of short one-line strings, numbers, booleans and nulls, which
have one YAML form each: this module writes those lines itself. Anything else (a multi-line or
non-ASCII string, a float, a long line, a key PyYAML writes as an explicit ``?`` key, a list in
a list, a type it does not know) makes ``fast_yaml`` answer None, and the caller asks PyYAML
for the whole file. tests/unit/test_yaml_fast.py checks the two give the same bytes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.resolver import Resolver

_STRING_TAG = "tag:yaml.org,2002:str"
_resolve: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = Resolver().resolve
"""The tag PyYAML's loader would give a plain scalar (a string only when it reads as one)."""
_SIMPLE = re.compile(r"[A-Za-z0-9_./$(-][A-Za-z0-9 _./:@=+,$(){}\[\]%&*!|>'\"?~^<;\\-]*")
"""Strings this module may write: printable ASCII, a first character that is no indicator."""
_WIDTH = 4000
"""Longest line written here (PyYAML folds plain and quoted text past 4,096 columns)."""
_SIMPLE_KEY = 128
"""PyYAML writes a key this long or longer as an explicit ``? key``."""


class _Unsupported(Exception):
    """A value outside what this module writes the way PyYAML does."""


def _plain_allowed(text: str) -> bool:
    """Whether PyYAML's analysis allows ``text`` as a plain block scalar (given ``_SIMPLE``)."""
    if text.endswith((" ", ":")) or ": " in text or " #" in text:
        return False
    if text.startswith(("---", "...")):  # document markers
        return False
    return not (text[0] == "-" and (len(text) == 1 or text[1] == " "))


@functools.lru_cache(maxsize=4096)
def _string(text: str) -> str:
    """``text`` as a YAML scalar; kept per text (keys, images and conditions repeat across
    a repository's compose files, and PyYAML's resolver is pure Python)."""
    if not text:
        return "''"
    if not _SIMPLE.fullmatch(text):
        raise _Unsupported
    if _plain_allowed(text) and _resolve(yaml.ScalarNode, text, (True, False)) == _STRING_TAG:
        return text
    return "'" + text.replace("'", "''") + "'"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return _string(value)
    raise _Unsupported


def _key(value: Any) -> str:
    text = _scalar(value)
    if len(text) >= _SIMPLE_KEY or value == "":  # PyYAML writes these as explicit keys
        raise _Unsupported
    return text


@functools.lru_cache(maxsize=4096)
def _string_key(key: str) -> str:
    """A string key as ``_key`` writes it, kept per key (service fields repeat in every file)."""
    return _key(key)


def _line(head: str, value: Any) -> str:
    """``head`` and a scalar on one line, refused when PyYAML would fold it."""
    line = f"{head} {_string(value) if type(value) is str else _scalar(value)}"
    if len(line) > _WIDTH:
        raise _Unsupported
    return line


def _value(value: Any, indent: str, out: list[str], head: str) -> None:
    """``head`` (``key:`` or ``-``) followed by ``value``, nested values indented past it."""
    if isinstance(value, dict):
        if not value:
            out.append(f"{head} {{}}")
        elif head.endswith(":"):
            out.append(head)
            _mapping(value, indent + "  ", out)
        else:  # a mapping in a list: its first key follows the dash
            lines: list[str] = []
            _mapping(value, indent + "  ", lines)
            out.append(f"{head} {lines[0].lstrip()}")
            out.extend(lines[1:])
    elif isinstance(value, list):
        if not value:
            out.append(f"{head} []")
        elif head.endswith(":"):
            out.append(head)
            _sequence(value, indent + "  ", out)
        else:
            raise _Unsupported  # a list in a list
    else:
        out.append(_line(head, value))


def _mapping(mapping: dict[Any, Any], indent: str, out: list[str]) -> None:
    for key, value in mapping.items():
        head = f"{indent}{_string_key(key) if type(key) is str else _key(key)}:"
        if type(value) is str:  # most values: written here, without _value's other tests
            out.append(_line(head, value))
        else:
            _value(value, indent, out, head)


def _sequence(items: list[Any], indent: str, out: list[str]) -> None:
    head = f"{indent}-"
    for item in items:
        if type(item) is str:
            out.append(_line(head, item))
        else:
            _value(item, indent, out, head)


def fast_yaml(data: Any) -> str | None:
    """``data`` (a mapping) as ``yaml.dump`` with ``yaml_text``'s dumper writes it, or None
    when it holds anything this module does not write."""
    if not isinstance(data, dict) or not data:
        return None
    out: list[str] = []
    try:
        _mapping(data, "", out)
    except _Unsupported:
        return None
    return "\n".join(out) + "\n"
