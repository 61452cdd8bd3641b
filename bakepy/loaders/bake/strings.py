"""Turn python-hcl2's view of HCL values into bake's native form (template strings, data).

python-hcl2 keeps a quoted string with its quotes and escapes (``"\\"a\\\\n${x}\\""``), gives
an expression as ``${expr}`` (but a bare name as just ``name``) and a heredoc as
``"<<EOT\\n...\\nEOT"``. The native form holds template text whose literal parts are already
decoded, the way a JSON bake file holds it, so one evaluator (with ``quoted=False``) serves
HCL, JSON and bakepy's own declarations.
"""

from __future__ import annotations

import re
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.heredoc import flush_heredoc

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_HEREDOC = re.compile(r"^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\n((?:.*?\n)?)[ \t]*\2$", re.S)


class HclValueError(ValueError):
    """A value python-hcl2 produced that is not valid HCL text (bad escape, open ``${``)."""


def _end_of_interpolation(text: str, start: int) -> int:
    """Index just past the ``}`` closing the ``${``/``%{`` whose body starts at ``start``."""
    depth = 1
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise HclValueError("unterminated ${ in string")


def _decode_escape(text: str, index: int) -> tuple[str, int]:
    """The character a backslash escape at ``index`` stands for, and the index after it."""
    if index + 1 >= len(text):
        raise HclValueError("string ends with a lone backslash")
    code = text[index + 1]
    if code in _ESCAPES:
        return _ESCAPES[code], index + 2
    width = {"u": 4, "U": 8}.get(code)
    if width is None:
        raise HclValueError(f"invalid escape sequence \\{code}")
    digits = text[index + 2 : index + 2 + width]
    if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise HclValueError(f"invalid unicode escape \\{code}{digits}")
    return chr(int(digits, 16)), index + 2 + width


_MEANINGFUL = re.compile(r"[$%\\]")
"""The characters that may start an interpolation, an escaped one or an escape: the text
between them is copied as it is, not a character at a time."""


def quoted_to_template(raw: str) -> str:
    """The inside of an HCL quoted string as native template text (escapes decoded)."""
    out: list[str] = []
    index = 0
    while index < len(raw):
        found = _MEANINGFUL.search(raw, index)
        if found is None:
            out.append(raw[index:])
            break
        if found.start() > index:
            out.append(raw[index : found.start()])
            index = found.start()
        if raw.startswith(("$${", "%%{"), index):
            out.append(raw[index : index + 3])
            index += 3
        elif raw.startswith(("${", "%{"), index):
            end = _end_of_interpolation(raw, index + 2)
            out.append(raw[index:end])
            index = end
        elif raw[index] == "\\":
            char, index = _decode_escape(raw, index)
            out.append(char)
        else:
            out.append(raw[index])
            index += 1
    return "".join(out)


def heredoc_to_template(raw: str) -> str | None:
    """The body of a ``<<EOT`` / ``<<-EOT`` heredoc as template text; None if not a heredoc."""
    match = _HEREDOC.match(raw)
    if match is None:
        return None
    body = match.group(3)  # every line up to the closing one, each ending in a newline
    if not match.group(1):
        return body
    try:  # <<- strips the indentation common to the lines, after the ~ markers
        return flush_heredoc(body)
    except HclError as exc:
        raise HclValueError(exc.message) from None


def native_value(value: Any) -> Any:
    """One python-hcl2 value (recursively) in native form."""
    if isinstance(value, str):
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            inner = value[1:-1]
            heredoc = heredoc_to_template(inner) if inner.startswith("<<") else None
            return heredoc if heredoc is not None else quoted_to_template(inner)
        if _IDENTIFIER.match(value):
            return "${" + value + "}"  # a bare variable reference: python-hcl2 drops the ${}
        return value  # an expression, already written as ${expr}
    if isinstance(value, list):
        return [native_value(item) for item in value]
    if isinstance(value, dict):
        return {
            native_key(key): native_value(item)
            for key, item in value.items()
            if not str(key).startswith("__")
        }
    return value


def native_key(key: str) -> str:
    """An object key without the quotes python-hcl2 keeps on quoted keys."""
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        return quoted_to_template(key[1:-1])
    return key
