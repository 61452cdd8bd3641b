"""Write Python values as HCL text: quoted templates, heredocs, lists and objects (the leaf the
bake generator and the importer share)."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.escaping import has_interpolation
from bakepy.hcl.lexer import CONTROL, INTERP, SEQ_END, tokenize_template

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INLINE_LIMIT = 80
_STRING_TABLE = str.maketrans({**{chr(code): f"\\u{code:04x}" for code in range(0x20)}, **_ESCAPES})
"""``_ESCAPES``, and ``\\uXXXX`` for the other control characters: one C-speed translate."""


def _template_pieces(text: str) -> list[tuple[bool, str]]:
    """Split template text into ``(is_sequence, text)`` pieces: literal text and whole ``${...}``
    / ``%{...}`` sequences (nested strings and sequences included), in order."""
    pieces: list[tuple[bool, str]] = []
    depth = 0
    literal_start = sequence_start = 0
    for token in tokenize_template(text, quoted=False):
        if token.kind in (INTERP, CONTROL):
            if depth == 0:
                pieces.append((False, text[literal_start : token.pos]))
                sequence_start = token.pos
            depth += 1
        elif token.kind == SEQ_END:
            depth -= 1
            if depth == 0:
                literal_start = token.pos + (2 if token.value else 1)
                pieces.append((True, text[sequence_start:literal_start]))
    pieces.append((False, text[literal_start:]))
    return pieces


def hcl_string(text: str) -> str:
    """A quoted HCL template; ``${...}`` inside stays an interpolation, as the text intends.

    ``text`` is template text as a JSON bake file or a heredoc holds it: backslashes in its
    literal parts are literal characters, so they (and quotes, control characters) are escaped
    there. Interpolation and directive sequences are expressions, not literal text: they are
    copied as written, since ``\"`` is not valid HCL inside ``${...}``.
    """
    if text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'  # nothing to escape (a quick test: translate walks in Python)
    escaped = text.translate(_STRING_TABLE)
    if escaped == text or not has_interpolation(text):
        return '"' + escaped + '"'  # nothing to escape: every piece would be copied as is
    try:
        pieces = _template_pieces(text)
    except HclError:  # not a valid template: escape all of it (evaluation reports the error)
        return '"' + text.translate(_STRING_TABLE) + '"'
    body = "".join(
        piece if is_sequence else piece.translate(_STRING_TABLE) for is_sequence, piece in pieces
    )
    return '"' + body + '"'


def hcl_heredoc(text: str, indent: str) -> str:
    """A ``<<EOT`` heredoc for multi-line text; its delimiter never appears in the text.

    A heredoc's value always ends with a newline, so text without a final newline gains one.
    """
    delimiter = "EOT"
    lines = text.split("\n")
    while delimiter in (line.strip() for line in lines):
        delimiter += "_"
    body = text if text.endswith("\n") else text + "\n"
    return f"<<{delimiter}\n{body}{delimiter}"


@functools.lru_cache(maxsize=4096)
def hcl_key(key: str) -> str:
    """An object key: bare when it is an identifier, quoted otherwise (kept per key: the
    same argument and label names recur in every target of a large file)."""
    return key if _IDENTIFIER.match(key) else hcl_string(key)


def hcl_value(value: Any, indent: str = "  ") -> str:
    """Any JSON-like value as an HCL expression, laid out one item per line when long."""
    kind = type(value)  # the exact types first: a bake file is mostly strings, lists, maps
    if kind is str:
        text: str = value
        if text.isprintable() and '"' not in text and "\\" not in text:
            return '"' + text + '"'  # as hcl_string writes it, without its other tests
        return _text(text, indent)
    if kind is list:
        return _list(value, indent)
    if kind is dict:
        return _object(value, indent)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _text(value, indent)
    if isinstance(value, list):
        return _list(value, indent)
    if isinstance(value, dict):
        return _object(value, indent)
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def _text(value: str, indent: str) -> str:
    """A string: a heredoc when it may be one, a quoted template otherwise."""
    # A heredoc holds template text exactly as a JSON string does (backslashes are
    # literal), but its value always ends with a newline: only such text can use one.
    if value.endswith("\n") and "\n" in value[:-1] and "\r" not in value:
        return hcl_heredoc(value, indent)
    return hcl_string(value)


def _list(value: list[Any], indent: str) -> str:
    """A list on one line when short and single-line, else one item per line."""
    inner = indent + "  "
    items = [  # a plain string written here, as hcl_value would: most items of a bake file
        f'"{item}"'
        if type(item) is str and item.isprintable() and '"' not in item and "\\" not in item
        else hcl_value(item, inner)
        for item in value
    ]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= _INLINE_LIMIT and "\n" not in one_line:
        return one_line
    return "[\n" + "".join(f"{inner}{item},\n" for item in items) + indent + "]"


def _object(value: dict[Any, Any], indent: str) -> str:
    """A map, one ``key = value`` line per entry."""
    if not value:
        return "{}"
    inner = indent + "  "
    lines = [  # a plain string value written here, as hcl_value would (most of a bake file)
        f'{inner}{hcl_key(str(k))} = "{v}"\n'
        if type(v) is str and v.isprintable() and '"' not in v and "\\" not in v
        else f"{inner}{hcl_key(str(k))} = {hcl_value(v, inner)}\n"
        for k, v in value.items()
    ]
    return "{\n" + "".join(lines) + indent + "}"


def hcl_expression(value: Any) -> str:
    """``value`` as one HCL expression on one line (strings quoted, never a heredoc), to be
    placed inside ``${...}``: a native string's template stays a template."""
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl_expression(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{hcl_string(str(k))} = {hcl_expression(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise HclError(f"cannot write {type(value).__name__} as HCL")
