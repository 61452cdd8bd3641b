"""``.dockerignore`` patterns: validation, and the matcher Docker applies to a build context.

Semantics follow Docker's reader and matcher: a line starting with ``#`` is a comment; blank
lines are skipped; surrounding whitespace is trimmed; a leading ``!`` makes an exception; each
pattern is cleaned like a path (``./a//b/`` is ``a/b``) and a leading ``/`` is dropped, so every
pattern is relative to the context root. ``*``, ``?``, ``[...]`` and ``\\`` follow Go's
``filepath.Match`` (none of them crosses a ``/``); ``**`` matches any number of directories,
even none. A pattern that matches a directory also matches everything under it. Patterns are
applied in order and the last one that matches a path decides.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bakepy.support.gomatch import check_syntax, parse_class

_REGEX_TOKENS = frozenset("*?[]\\")


def clean_path(path: str) -> str:
    """Lexically clean a slash path as Go's ``path.Clean`` does (``""`` becomes ``"."``)."""
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def normalize_line(line: str) -> str | None:
    """A ``.dockerignore`` line as Docker reads it; None for comments and blank lines."""
    if line.startswith("#"):
        return None
    pattern = line.strip()
    if not pattern:
        return None
    exception = pattern.startswith("!")
    if exception:
        pattern = pattern[1:].strip()
    if pattern:
        pattern = clean_path(pattern)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
    return "!" + pattern if exception else pattern


def validate_pattern(pattern: str) -> None:
    """Raise ValueError when ``pattern`` is not a valid ``.dockerignore`` line."""
    if "\n" in pattern or "\r" in pattern:
        raise ValueError(f"pattern {pattern!r} must be a single line")
    normalized = normalize_line(pattern)
    if normalized is not None:
        _split_exception(normalized)


def _split_exception(pattern: str) -> tuple[str, bool]:
    """``(pattern, is_exception)`` of a normalized line; raises ValueError when malformed."""
    pattern = clean_path(pattern)
    exception = pattern.startswith("!")
    if exception:
        if len(pattern) == 1:
            raise ValueError('illegal exclusion pattern: "!" (nothing after the "!")')
        pattern = pattern[1:]
    check_syntax(pattern)
    return pattern, exception


# --- compiling patterns -----------------------------------------------------------------------


def _double_star(pattern: str, index: int) -> tuple[str, int]:
    """Regex for the ``**`` at ``index`` (a following ``/`` is part of it) and the next index."""
    index += 2
    if index < len(pattern) and pattern[index] == "/":
        index += 1
    return (".*" if index >= len(pattern) else "(?:.*/)?"), index


def _token(pattern: str, index: int) -> tuple[str, int]:
    """Regex for the pattern token at ``index`` and the index after it."""
    char = pattern[index]
    if pattern.startswith("**", index):
        return _double_star(pattern, index)
    if char == "*":
        return "[^/]*", index + 1
    if char == "?":
        return "[^/]", index + 1
    if char == "\\" and index + 1 < len(pattern):
        return re.escape(pattern[index + 1]), index + 2
    if char == "[":
        char_class, end = parse_class(pattern, index + 1)
        return char_class.regex(), end
    return re.escape(char), index + 1


def _to_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        part, index = _token(pattern, index)
        parts.append(part)
    return re.compile("".join(parts))


def _compile(pattern: str) -> Callable[[str], bool]:
    """A predicate for one cleaned pattern (without its ``!``)."""
    tail = pattern[2:]
    if pattern.startswith("**") and not _REGEX_TOKENS.intersection(tail):
        # Docker matches a leading ``**`` followed by plain text as a string suffix.
        return lambda path: path.endswith(tail) or (tail.startswith("/") and path == tail[1:])
    regex = _to_regex(pattern)
    return lambda path: regex.fullmatch(path) is not None


@dataclass(frozen=True)
class _Rule:
    """One compiled pattern: does it match a path, and is it an exception (``!``)."""

    matches: Callable[[str], bool]
    exception: bool


class DockerIgnore:
    """The paths a ``.dockerignore`` keeps out of the build context."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns: list[str] = []
        self._rules: list[_Rule] = []
        for line in patterns:
            validate_pattern(line)
            normalized = normalize_line(line)
            if normalized is None:
                continue
            pattern, exception = _split_exception(normalized)
            self.patterns.append(normalized)
            self._rules.append(_Rule(_compile(pattern), exception))

    def is_excluded(self, path: str) -> bool:
        """Whether ``path`` (relative to the context root) is left out of the context."""
        file = clean_path(path).lstrip("/") or "."
        if file == ".":
            return False
        parent = posixpath.dirname(file)
        ancestors = _ancestors(parent) if parent else []
        excluded = False
        for rule in self._rules:
            if rule.exception != excluded:
                continue
            if rule.matches(file) or any(rule.matches(a) for a in ancestors):
                excluded = not rule.exception
        return excluded


def _ancestors(parent: str) -> list[str]:
    """``a/b/c`` -> ``["a", "a/b", "a/b/c"]``."""
    parts = parent.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
