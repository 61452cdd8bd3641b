"""Go's ``path.Match`` (and ``filepath.Match`` on slash paths): the glob Docker's tools use.

``*`` matches any run of characters but ``/``, ``?`` one character but ``/``, ``[...]`` a
class (``^`` negates it; ``!`` is an ordinary character, unlike fnmatch's), ``\\`` escapes.
A malformed pattern (an unclosed or empty class, a ``-`` at a class edge, a trailing
backslash) is an error whatever the name, as Go reports ``syntax error in pattern``.
bake's ``--set`` target patterns and ``.dockerignore`` lines both build on it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

SYNTAX_ERROR = "syntax error in pattern"


def check_syntax(pattern: str) -> None:
    """Raise ValueError when ``pattern`` is not a valid Go match pattern."""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 >= len(pattern):
                raise ValueError(f"malformed pattern {pattern!r}: trailing backslash")
            index += 2
        elif char == "[":
            _, index = parse_class(pattern, index + 1)
        else:
            index += 1


def _class_char(pattern: str, index: int) -> tuple[str, int]:
    """One (possibly escaped) character of a ``[...]`` class and the index after it."""
    if index >= len(pattern) or pattern[index] in "-]":
        raise ValueError(f"malformed character class in pattern {pattern!r}")
    if pattern[index] == "\\":
        index += 1
        if index >= len(pattern):
            raise ValueError(f"malformed character class in pattern {pattern!r}")
    if index + 1 >= len(pattern):
        raise ValueError(f"unterminated character class in pattern {pattern!r}")
    return pattern[index], index + 1


class CharClass(NamedTuple):
    """A parsed ``[...]``: negated or not, and its (low, high) ranges."""

    negated: bool
    ranges: tuple[tuple[str, str], ...]

    def regex(self) -> str:
        """The class as a Python regex (an inverted range matches nothing, as in Go)."""
        parts = [
            re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
            for low, high in self.ranges
            if low <= high
        ]
        if not parts:
            return r"[\s\S]" if self.negated else "(?!)"
        return "[" + ("^" if self.negated else "") + "".join(parts) + "]"


def parse_class(pattern: str, index: int) -> tuple[CharClass, int]:
    """Parse a class starting after its ``[``; returns it and the index after its ``]``."""
    negated = index < len(pattern) and pattern[index] == "^"
    index += 1 if negated else 0
    ranges: list[tuple[str, str]] = []
    while not (ranges and index < len(pattern) and pattern[index] == "]"):
        low, index = _class_char(pattern, index)
        high = low
        if pattern[index] == "-":
            high, index = _class_char(pattern, index + 1)
        ranges.append((low, high))
    return CharClass(negated, tuple(ranges)), index + 1


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    check_syntax(pattern)
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif char == "\\":
            index += 1
            parts.append(re.escape(pattern[index]))
        elif char == "[":
            char_class, index = parse_class(pattern, index + 1)
            parts.append(char_class.regex())
            continue
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def path_match(pattern: str, name: str) -> bool:
    """Whether ``name`` matches ``pattern`` as Go's ``path.Match`` decides; ValueError
    (``syntax error in pattern``) for a malformed pattern."""
    try:
        compiled = _compiled(pattern)
    except ValueError:
        raise ValueError(SYNTAX_ERROR) from None
    return compiled.fullmatch(name) is not None
