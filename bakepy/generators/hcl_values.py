"""Format Python values as HCL expressions: quoted templates, heredocs, lists and objects."""

from __future__ import annotations

import json
import re
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INLINE_LIMIT = 80
_STRING_TABLE = str.maketrans({**{chr(code): f"\\u{code:04x}" for code in range(0x20)}, **_ESCAPES})
"""``_ESCAPES``, and ``\\uXXXX`` for the other control characters: one C-speed translate."""


def hcl_string(text: str) -> str:
    """A quoted HCL template; ``${...}`` inside stays an interpolation, as the text intends."""
    return '"' + text.translate(_STRING_TABLE) + '"'


def hcl_heredoc(text: str, indent: str) -> str:
    """A ``<<EOT`` heredoc for multi-line text; its delimiter never appears in the text."""
    delimiter = "EOT"
    lines = text.split("\n")
    while delimiter in (line.strip() for line in lines):
        delimiter += "_"
    body = text if text.endswith("\n") else text + "\n"
    return f"<<{delimiter}\n{body}{delimiter}"


def hcl_key(key: str) -> str:
    """An object key: bare when it is an identifier, quoted otherwise."""
    return key if _IDENTIFIER.match(key) else hcl_string(key)


def hcl_value(value: Any, indent: str = "  ") -> str:
    """Any JSON-like value as an HCL expression, laid out one item per line when long."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if "\n" in value.rstrip("\n") and "\\" not in value.replace("\\\n", ""):
            return hcl_heredoc(value, indent)
        return hcl_string(value)
    inner = indent + "  "
    if isinstance(value, list):
        items = [hcl_value(item, inner) for item in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= _INLINE_LIMIT and "\n" not in one_line:
            return one_line
        return "[\n" + "".join(f"{inner}{item},\n" for item in items) + indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = [f"{inner}{hcl_key(str(k))} = {hcl_value(v, inner)}\n" for k, v in value.items()]
        return "{\n" + "".join(lines) + indent + "}"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")
