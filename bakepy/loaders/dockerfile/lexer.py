"""Dockerfile text into parser directives, comments and logical lines, as BuildKit reads them.

A logical line is one instruction: its continuation lines joined the way BuildKit joins them
(the escape character and the line break removed, nothing else), comment lines and blank lines
inside a continuation skipped, and the bodies of its heredocs read from the lines after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.errors import LoadError, Location
from bakepy.loaders.dockerfile.words import (
    KEYWORD_SEPARATORS,
    HeredocMarker,
    WordError,
    extract_flags,
    heredoc_markers,
    json_array,
    skip_spaces,
)

_BLANKS = r"[ \t\n\f\r]*"  # Go's \s: ASCII blanks only
_DIRECTIVE = re.compile(f"#{_BLANKS}([a-zA-Z][a-zA-Z0-9]*){_BLANKS}={_BLANKS}(.+?){_BLANKS}")
_DIRECTIVE_KEYS = ("syntax", "escape", "check")
_HEREDOC_KEYWORDS = frozenset({"run", "copy", "add"})


@dataclass(frozen=True)
class Directives:
    """The parser directives at the top of the file."""

    syntax: str | None = None
    escape: str | None = None
    check: str | None = None
    lines: dict[str, int] = field(default_factory=dict)
    """The line of each directive given (``syntax``, ``escape``, ``check``), for messages."""


@dataclass(frozen=True)
class CommentLine:
    """A ``#`` line between instructions; ``text`` is what follows the ``#``."""

    text: str
    line: int


@dataclass(frozen=True)
class BlankLine:
    """An empty line between instructions: it separates one block of comments from the next."""

    line: int


@dataclass(frozen=True)
class LogicalLine:
    """One instruction as BuildKit sees it, and where it came from."""

    text: str
    joins: tuple[int, ...]
    """Offsets in ``text`` where a continuation line was appended."""
    line: int
    source: str
    """The physical lines verbatim (heredoc bodies included), the first one left-trimmed."""
    markers: tuple[HeredocMarker, ...] = ()
    bodies: tuple[str, ...] = ()
    """The content of each heredoc, in marker order; every body line ends with a newline."""
    comments: tuple[tuple[int, str], ...] = ()
    """Comment lines between the continuation lines (BuildKit skips them): the offset in
    ``text`` where the next line was appended, and what follows the ``#``."""
    physical: tuple[tuple[int, str], ...] = ()
    """The instruction's own lines as written (no heredoc bodies; the first left-trimmed), each
    with the offset in ``text`` where its content starts, -1 for a line BuildKit skips."""


@dataclass
class Lexed:
    """A whole Dockerfile: directives, then comments and instructions in file order."""

    directives: Directives
    items: list[LogicalLine | CommentLine | BlankLine] = field(default_factory=list)

    @property
    def escape(self) -> str:
        """The escape character in force."""
        return self.directives.escape or "\\"


def lex(text: str, file: Path | None = None) -> Lexed:
    """Split ``text`` into directives, comment lines and logical lines."""
    return _Lexer(text, file).run()


def split_keyword(text: str, index: int = 0) -> tuple[str, int]:
    """The keyword starting at ``index`` (after blanks) and the index just after it."""
    start = skip_spaces(text, index)
    end = start
    while end < len(text) and text[end] not in KEYWORD_SEPARATORS:
        end += 1
    return text[start:end], end


def instruction_markers(text: str, index: int = 0) -> list[HeredocMarker]:
    """The heredoc markers of a shell-form RUN, COPY or ADD (also as an ONBUILD trigger)."""
    keyword, end = split_keyword(text, index)
    _, args = extract_flags(text, end)
    if keyword.lower() == "onbuild":
        keyword, end = split_keyword(text, args)
        _, args = extract_flags(text, end)
    if keyword.lower() not in _HEREDOC_KEYWORDS:
        return []
    try:
        if json_array(text[args:]) is not None:
            return []
    except WordError:
        return []
    return heredoc_markers(text[args:])


class _Lexer:
    """The state of one ``lex`` call."""

    def __init__(self, text: str, file: Path | None) -> None:
        self.lines = [line.rstrip("\r") for line in text.removeprefix("\ufeff").split("\n")]
        self.raw_lines = text.removeprefix("\ufeff").split("\n")
        self.file = file
        self.index = 0
        self.continuation = _continuation_pattern("\\")

    def error(self, message: str, line: int) -> LoadError:
        """A LoadError at ``line`` of the file."""
        return LoadError(message, Location(self.file, line))

    def run(self) -> Lexed:
        """Read the directives, then every comment and instruction."""
        lexed = Lexed(self._directives())
        self.continuation = _continuation_pattern(lexed.escape)
        while self.index < len(self.lines):
            lexed.items.append(self._item())
        return lexed

    # -- directives ------------------------------------------------------------------------

    def _directives(self) -> Directives:
        found: dict[str, str] = {}
        lines: dict[str, int] = {}
        while self.index < len(self.lines):
            text = self.lines[self.index][skip_spaces(self.lines[self.index], 0) :]
            match = _DIRECTIVE.fullmatch(text)
            key = match.group(1).lower() if match else ""
            if match is None or key not in _DIRECTIVE_KEYS:
                break
            if key in found:
                raise self.error(f"only one {key} parser directive can be used", self.index + 1)
            found[key] = match.group(2)
            lines[key] = self.index + 1
            self.index += 1
        escape = found.get("escape")
        if escape is not None and escape not in ("\\", "`"):
            raise self.error(
                f"invalid escape token {escape!r} does not match ` or \\",
                self._line_of_directive("escape"),
            )
        return Directives(found.get("syntax"), escape, found.get("check"), lines)

    def _line_of_directive(self, key: str) -> int:
        for number, line in enumerate(self.lines[: self.index], start=1):
            match = _DIRECTIVE.fullmatch(line[skip_spaces(line, 0) :])
            if match and match.group(1).lower() == key:
                return number
        return 1

    # -- comments and instructions ---------------------------------------------------------

    def _item(self) -> LogicalLine | CommentLine | BlankLine:
        start = self.index
        first = self.lines[start]
        content = first[skip_spaces(first, 0) :]
        self.index += 1
        if content.startswith("#"):
            return CommentLine(content[1:], start + 1)
        text, more = self._trim(content)
        if not more and not text:
            return BlankLine(start + 1)
        joins: list[int] = []
        comments: list[tuple[int, str]] = []
        physical = [(0, content)]
        while more and self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            rest = line[skip_spaces(line, 0) :]
            if rest.startswith("#"):
                comments.append((len(text), rest[1:]))
            if rest.startswith("#") or not rest:
                physical.append((-1, line))
                continue
            segment, more = self._trim(line)
            joins.append(len(text))
            physical.append((len(text), line))
            text += segment
        markers = tuple(instruction_markers(text))
        bodies = tuple(self._body(marker, start + 1) for marker in markers)
        source = "\n".join([content, *self.lines[start + 1 : self.index]])
        return LogicalLine(
            text,
            tuple(joins),
            start + 1,
            source,
            markers,
            bodies,
            tuple(comments),
            tuple(physical),
        )

    def _trim(self, line: str) -> tuple[str, bool]:
        """``line`` without its continuation character, and whether the instruction goes on."""
        match = self.continuation.search(line)
        return (line[: match.start()], True) if match else (line, False)

    def _body(self, marker: HeredocMarker, line: int) -> str:
        """The lines up to the heredoc's closing delimiter, each with its line break."""
        body: list[str] = []
        while self.index < len(self.lines):
            candidate = self.lines[self.index]
            raw = self.raw_lines[self.index]
            self.index += 1
            if (candidate.lstrip("\t") if marker.chomp else candidate) == marker.name:
                return "".join(body)
            body.append(raw + "\n")
        raise self.error(f"unterminated heredoc {marker.name!r}", line)


def _continuation_pattern(escape: str) -> re.Pattern[str]:
    """The escape character ending a line (not itself escaped), then blanks."""
    char = re.escape(escape)
    return re.compile(rf"(?<!{char}){char}[ \t]*$")


__all__ = [
    "BlankLine",
    "CommentLine",
    "Directives",
    "Lexed",
    "LogicalLine",
    "instruction_markers",
    "lex",
    "split_keyword",
]
