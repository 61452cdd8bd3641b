"""Read ``.env`` files as compose does: ``KEY=value`` lines, quotes, comments, ``export``."""

from __future__ import annotations

import re

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*?))?\s*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


class DotenvError(ValueError):
    """A line that is not ``KEY=value``; the message names the line number."""


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        body = raw[1:-1]
        out: list[str] = []
        index = 0
        while index < len(body):
            if body[index] == "\\" and index + 1 < len(body):
                out.append(_ESCAPES.get(body[index + 1], "\\" + body[index + 1]))
                index += 2
            else:
                out.append(body[index])
                index += 1
        return "".join(out)
    comment = re.search(r"\s#", raw)  # an unquoted value ends at " #"
    return raw[: comment.start()].rstrip() if comment else raw


def parse_dotenv(text: str) -> dict[str, str]:
    """Variables of a ``.env`` file, in order; ``KEY`` alone (no ``=``) is left out."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise DotenvError(f"line {number}: expected KEY=value, got {stripped!r}")
        key, raw = match.group(1), match.group(2)
        if raw is not None:
            values[key] = _unquote(raw)
    return values
