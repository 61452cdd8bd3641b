"""Words of a Dockerfile line as BuildKit reads them: flags, quoted words, JSON arrays, heredocs.

These helpers mirror the documented behaviour of BuildKit's Dockerfile parser (see the Dockerfile
reference); none of them expands variables: a ``$NAME`` stays in the text for the build to expand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

KEYWORD_SEPARATORS = "\t\v\f\r "
"""What separates an instruction keyword from its arguments (BuildKit's token whitespace)."""

_HEREDOC = re.compile(r"(\d*)<<(-?)([^<]*)")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")


class WordError(ValueError):
    """A word BuildKit would reject (an unterminated quote, a JSON array of non-strings)."""


def is_space(char: str) -> bool:
    """Whitespace, as Python sees it (Go's ``unicode.IsSpace`` differs only on \\x1c-\\x1f)."""
    return char.isspace()


def strip(text: str) -> str:
    """``text`` without leading and trailing whitespace (``strings.TrimSpace``)."""
    return text.strip()


def skip_spaces(text: str, index: int) -> int:
    """The first index at or after ``index`` that is not whitespace."""
    while index < len(text) and is_space(text[index]):
        index += 1
    return index


def split_fields(text: str) -> list[str]:
    """``text`` split on runs of blanks, as BuildKit splits FROM, EXPOSE and shell-form COPY."""
    return [field for field in re.split(f"[{KEYWORD_SEPARATORS}]+", strip(text)) if field]


# --- flags ------------------------------------------------------------------------------------


def extract_flags(text: str, index: int = 0) -> tuple[list[str], int]:
    """The leading ``--flag=value`` words, unquoted (a lone ``--`` ends them); where args start."""
    flags: list[str] = []
    while True:
        index = skip_spaces(text, index)
        if not text.startswith("--", index):
            return flags, index
        word, index = _flag_word(text, index)
        if word == "--":
            return flags, skip_spaces(text, index)
        flags.append(word)


def _flag_word(text: str, index: int) -> tuple[str, int]:
    """One flag word starting at ``index``, unquoted, and the index after it."""
    chars: list[str] = []
    quote = ""
    while index < len(text):
        char = text[index]
        if not quote and is_space(char):
            break
        index += 1
        if char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
        elif char == "\\":
            if index < len(text):
                chars.append(text[index])
                index += 1
        else:
            chars.append(char)
    return "".join(chars), index


# --- words with quotes kept -------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word as written (quotes and escapes kept) and where it is in the text."""

    text: str
    start: int
    end: int


def split_words(text: str, escape: str) -> list[Word]:
    """Whitespace-separated words, quotes and escapes kept, as BuildKit splits ENV and LABEL."""
    words: list[Word] = []
    index = skip_spaces(text, 0)
    while index < len(text):
        end, after = _word_end(text, index, escape)
        words.append(Word(text[index:end], index, end))
        index = skip_spaces(text, after)
    return words


def _word_end(text: str, index: int, escape: str) -> tuple[int, int]:
    """Where the word at ``index`` ends (a lone escape at the very end is dropped), and goes on."""
    quote = ""
    while index < len(text):
        char = text[index]
        if not quote and is_space(char):
            return index, index
        if char == escape and quote != "'":
            if index + 1 == len(text):
                return index, len(text)
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
        index += 1
    return len(text), len(text)


# --- removing quotes without expanding --------------------------------------------------------


@dataclass(frozen=True)
class Unquoted:
    """A word with its quotes and escapes removed; ``exact`` when no literal ``$`` was lost."""

    value: str
    exact: bool


def unquote(word: str, escape: str) -> Unquoted:
    """``word`` as BuildKit reads it, ``$A`` kept; inexact when quoting made a ``$`` literal."""
    reader = _Unquoter(word, escape)
    reader.run()
    return Unquoted("".join(reader.out), reader.exact)


class _Unquoter:
    """The state of one ``unquote`` call."""

    def __init__(self, word: str, escape: str) -> None:
        self.word, self.escape = word, escape
        self.index, self.out, self.exact = 0, list[str](), True

    def run(self) -> None:
        """Read the whole word."""
        while self.index < len(self.word):
            char = self.word[self.index]
            if char == "'":
                self._single_quoted()
            elif char == '"':
                self._double_quoted()
            elif char == self.escape:
                self._escaped(self.word[self.index + 1 : self.index + 2])
            elif char == "$":
                self._variable()
            else:
                self.out.append(char)
                self.index += 1

    def _literal(self, text: str) -> None:
        if "$" in text:
            self.exact = False
        self.out.append(text)

    def _single_quoted(self) -> None:
        end = self.word.find("'", self.index + 1)
        if end < 0:
            raise WordError("unexpected end of statement while looking for matching single-quote")
        self._literal(self.word[self.index + 1 : end])
        self.index = end + 1

    def _escaped(self, following: str) -> None:
        self._literal(following)
        self.index += 2

    def _double_quoted(self) -> None:
        self.index += 1
        while self.index < len(self.word):
            char = self.word[self.index]
            following = self.word[self.index + 1 : self.index + 2]
            if char == '"':
                self.index += 1
                return
            if char == self.escape and following in ('"', "$", self.escape):
                self._escaped(following)
            elif char == "$":
                self._variable()
            else:
                self.out.append(char)
                self.index += 1
        raise WordError("unexpected end of statement while looking for matching double-quote")

    def _variable(self) -> None:
        """Copy ``$NAME`` or ``${...}`` as written (quotes and escapes inside ``${...}`` too:
        BuildKit reads them the same wherever the substitution stands, and the renderer writes
        it back as it is); an unterminated ``${`` makes it inexact."""
        start = self.index
        self.index += 1
        if self.word.startswith("{", self.index):
            end = self.word.find("}", self.index)
            self.index = len(self.word) if end < 0 else end + 1
            if end < 0:
                self.exact = False
        else:
            while self.index < len(self.word) and _NAME_CHAR.match(self.word[self.index]):
                self.index += 1
        self.out.append(self.word[start : self.index])


# --- JSON arrays (exec form) ------------------------------------------------------------------


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def json_array(text: str) -> list[str] | None:
    """The strings of a JSON array starting ``text`` (its first value, as BuildKit), or None."""
    text = text[skip_spaces(text, 0) :]
    if not text.startswith("["):
        return None
    try:
        value, _ = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise WordError("when using JSON array syntax, arrays must be comprised of strings only")
    return value


# --- heredoc markers --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeredocMarker:
    """A ``<<EOT`` word: the delimiter, whether the body expands and whether tabs are stripped."""

    word: Word
    name: str
    expand: bool
    chomp: bool
    descriptor: str


def heredoc_marker(word: Word) -> HeredocMarker | None:
    """The heredoc a word opens (``<<EOT``, ``<<-EOT``, ``<<"EOT"``), or None."""
    match = _HEREDOC.fullmatch(word.text)
    if match is None or not match.group(3):
        return None
    rest = match.group(3)
    try:
        name = unquote(rest, "\\").value
    except WordError:
        return None
    if not name:
        return None
    quotes = sum(rest.count(q) for q in "'\"") - sum(name.count(q) for q in "'\"")
    return HeredocMarker(word, name, quotes == 0, match.group(2) == "-", match.group(1))


def heredoc_markers(text: str) -> list[HeredocMarker]:
    """Every heredoc marker among the words of ``text``, in order."""
    markers = (heredoc_marker(word) for word in split_words(text, "\\"))
    return [marker for marker in markers if marker is not None]


# --- shell quoting ----------------------------------------------------------------------------


def ends_in_lone_escape(text: str, escape: str) -> bool:
    """Whether ``text`` ends in an escape character that is not itself escaped (a continuation)."""
    text = text.rstrip(" \t")
    return text.endswith(escape) and not text.endswith(escape * 2)


def ends_inside_quotes(text: str, escape: str) -> bool:
    """Whether the end of a shell command ``text`` lies inside a quoted string."""
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == escape and quote != "'":
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
        index += 1
    return bool(quote)


__all__ = [
    "KEYWORD_SEPARATORS",
    "HeredocMarker",
    "Unquoted",
    "Word",
    "WordError",
    "ends_in_lone_escape",
    "ends_inside_quotes",
    "extract_flags",
    "heredoc_marker",
    "heredoc_markers",
    "is_space",
    "json_array",
    "skip_spaces",
    "split_fields",
    "split_words",
    "strip",
    "unquote",
]
