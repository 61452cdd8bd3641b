"""Read ``.env`` files as compose reads them (its dotenv format, checked with compose 2.26).

A statement is ``[export ]KEY=VALUE`` (``:`` also separates, spaces around it are allowed);
``#`` starts a comment line; a ``KEY`` alone takes the environment's value. An unquoted value
runs to the end of the line, ends at `` #``, and is trimmed. A quoted value may span lines;
a backslash before the quote keeps the quote. Double quotes read ``\\n``, ``\\t``, ``\\"``,
``\\\\`` and the like, and ``\\$`` as a literal ``$``. Single-quoted values are taken as
written; the others then have their ``${VAR}`` expanded (by the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Quoting = Literal["none", "single", "double", "inherited"]

_KEY_CHARS = re.compile(r"[\w.\-\[\]]")
_ESCAPE = re.compile(r"\\(?:[abfnrtv$\"\\]|0[0-7]{0,3})")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_SPACE = "\t\v\f\r \x85\xa0"


class DotenvError(ValueError):
    """A statement compose would refuse; the message names the line number."""


@dataclass(frozen=True)
class Entry:
    """One ``KEY=VALUE`` statement: the value as written (escapes read), and its quoting."""

    key: str
    value: str
    quoting: Quoting
    line: int


def _escapes(text: str) -> str:
    """Double-quoted escapes read; ``\\$`` stays an escaped ``$$`` for the interpolation."""

    def one(match: re.Match[str]) -> str:
        sequence = match.group(0)[1:]
        if sequence == "$":
            return "$$"
        if sequence[0] == "0":
            return chr(int(sequence[1:] or "0", 8))
        return _ESCAPES.get(sequence, sequence)

    return _ESCAPE.sub(one, text)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.line = 1

    def skip_space(self) -> None:
        while self.at < len(self.text) and (self.text[self.at].isspace()):
            if self.text[self.at] == "\n":
                self.line += 1
            self.at += 1

    def rest_of_line(self) -> str:
        end = self.text.find("\n", self.at)
        end = len(self.text) if end == -1 else end
        found, self.at = self.text[self.at : end], end
        return found

    def entries(self) -> list[Entry]:
        found: list[Entry] = []
        while True:
            self.skip_space()
            if self.at >= len(self.text):
                return found
            if self.text[self.at] == "#":
                self.rest_of_line()
                continue
            found.append(self.statement())

    def statement(self) -> Entry:
        line = self.line
        export = re.match(r"export\s+", self.text[self.at :])
        if export:
            self.at += export.end()
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in "=:\n":
            char = self.text[self.at]
            if not (_KEY_CHARS.match(char) or char in _SPACE):
                head = self.text[start:].split("\n", 1)[0]
                raise DotenvError(
                    f"line {line}: unexpected character {char!r} in variable name {head!r}"
                )
            self.at += 1
        key = self.text[start : self.at].strip(_SPACE)
        if " " in key:
            raise DotenvError(f"line {line}: key cannot contain a space")
        if not key:
            raise DotenvError(f"line {line}: a variable needs a name before '='")
        if self.at >= len(self.text) or self.text[self.at] == "\n":
            return Entry(key, "", "inherited", line)
        self.at += 1
        while self.at < len(self.text) and self.text[self.at] in _SPACE:
            self.at += 1
        quote = self.text[self.at : self.at + 1]
        if quote not in ("'", '"'):
            value = self.rest_of_line().split(" #", 1)[0].rstrip()
            return Entry(key, value, "none", line)
        return Entry(key, self.quoted(quote, line), "double" if quote == '"' else "single", line)

    def quoted(self, quote: str, line: int) -> str:
        chars: list[str] = []
        escaped = False
        index = self.at + 1
        while index < len(self.text):
            char = self.text[index]
            if char == "\n":
                self.line += 1
            if char == "\\" and not escaped:
                escaped = True
            elif char == quote and not escaped:
                self.at = index + 1
                value = "".join(chars)
                return _escapes(value) if quote == '"' else value
            else:
                if escaped and char != quote:
                    chars.append("\\")
                chars.append(char)
                escaped = False
            index += 1
        head = self.text[self.at :].split("\n", 1)[0]
        raise DotenvError(f"line {line}: unterminated quoted value {head}")


def dotenv_entries(text: str) -> list[Entry]:
    """Every statement of a ``.env`` file, in order."""
    return _Reader(text).entries()


def parse_dotenv(text: str) -> dict[str, str]:
    """Variables of a ``.env`` file as written (no expansion); ``KEY`` alone is left out."""
    return {e.key: e.value for e in dotenv_entries(text) if e.quoting != "inherited"}
