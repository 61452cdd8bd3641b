"""A quick scan of a simple Dockerfile for what the target checks need: stages, ARGs and
``COPY --from``, without building the Dockerfile model (a fraction of the full parse's cost).

It is conservative: a file with anything it is not sure to read as the parser does (an escape
directive, a heredoc, a RUN mount, ONBUILD, quotes or escapes in FROM/ARG, unusual flags or
whitespace) gives None, and the caller parses the file in full.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bakepy.resolution.checks.target_shape import DockerfileShape, StageShape

_BLANKS = r"[ \t\n\f\r]*"
_DIRECTIVE = re.compile(f"#{_BLANKS}([a-zA-Z][a-zA-Z0-9]*){_BLANKS}={_BLANKS}(.+?){_BLANKS}")
_CONTINUATION = re.compile(r"(?<!\\)\\[ \t]*$")
_ODD_SPACE = re.compile(r"[^\S \t\n]")
"""Whitespace other than spaces, tabs and line breaks (the parser's rules for it differ)."""
_ODD_ASCII_SPACE = "\v\f\r\x1c\x1d\x1e\x1f"
"""Those of ``_ODD_SPACE`` in ASCII."""


_READ = frozenset({"FROM", "ARG", "COPY"})
"""The instructions whose words the checks need."""


class _Unsure(Exception):
    """The scan cannot be sure to read the file as the parser does."""


_SKIPPED_LINE = re.compile(r"\n[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
"""A comment or blank line with the line break before it, which the scan skips wherever it
stands once the directives are read (inside a continuation too). It starts with a line break,
which the regular expression engine finds quickly (a pattern starting with ``^`` it tries at
each character)."""


_LEADING_SKIPPED = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")
"""The comment and blank lines a text starts with (a header, the directives): what
``_SKIPPED_LINE`` would take out there, found with one match."""


def scan_dockerfile(text: str) -> DockerfileShape | None:
    """The shape of the Dockerfile ``text`` declares; None when the scan is not sure of it."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    leading = _LEADING_SKIPPED.match(text)  # always matches (maybe nothing)
    start = leading.end() if leading else 0
    if start and _unsure_of(text[:start]):
        return None
    if text.lstrip(" \t").startswith("#"):  # directives stand only in the first lines
        try:  # a third passing directive line cannot be: two keys pass, once each
            _skip_directives(text.split("\n", 3))
        except _Unsure:
            return None
    return _body_shape(text[start:])


def _unsure_of(text: str) -> bool:
    """Whether ``text`` holds what the scan leaves to the parser wherever it stands (a heredoc,
    a RUN mount, odd whitespace). Asked of a file's leading comment lines and of the rest
    apart: none of these spans a line break, so the answer for the whole is either's."""
    lowered = text.lower()
    return "<<" in lowered or "--mount" in lowered or _odd_space(text)


def _odd_space(text: str) -> bool:
    """Whether ``text`` holds whitespace other than spaces, tabs and line breaks; in an ASCII
    text by a search for each such character (a tenth of the regular expression's time), or
    in a short one (a header comment) by a look at each character."""
    if not text.isascii():
        return _ODD_SPACE.search(text) is not None
    if len(text) < _SHORT:
        return not _ODD_ASCII_SET.isdisjoint(text)
    return any(char in text for char in _ODD_ASCII_SPACE)


_SHORT = 64
"""Up to this length, testing each character of a text costs less than a search per odd
whitespace character (seven scans, a generator's steps)."""
_ODD_ASCII_SET = frozenset(_ODD_ASCII_SPACE)


@lru_cache(maxsize=1024)
def _body_shape(body: str) -> DockerfileShape | None:
    """The shape of a Dockerfile's text from its first instruction line, once per such text: a
    monorepo's Dockerfiles often differ only in a header comment naming the service, which
    ``scan_dockerfile`` judges apart; the rest is judged here, and its other comment and blank
    lines taken out, once per text."""
    if _unsure_of(body):
        return None
    return _instructions_shape(_SKIPPED_LINE.sub("", f"\n{body}")[1:])


@lru_cache(maxsize=1024)
def _instructions_shape(instructions: str) -> DockerfileShape | None:
    """The shape of a Dockerfile's instruction lines (its comments, blank lines and directives
    left out: they change no shape), once per text: Dockerfiles that differ only in comments
    share one shape object, so the verdicts kept per shape (``target_shape._declared``) are
    found by identity."""
    try:
        return _Scan().run(instructions.split("\n"))
    except _Unsure:
        return None


class _Scan:
    """The state of one scan: global ARGs, and the stages read so far."""

    def __init__(self) -> None:
        self.args: list[tuple[str, str | None]] = []
        self.stages: list[StageShape] = []

    def run(self, lines: list[str]) -> DockerfileShape:
        """Read the directives, then every instruction."""
        index = _skip_directives(lines)
        count = len(lines)
        while index < count:
            line = lines[index]
            if "\\" in line:  # may continue: joined with its continuation lines
                text, index = _logical_line(lines, index)
            else:  # a line of its own (most lines): as _logical_line reads it, without a call
                index += 1
                text = line.lstrip(" \t")
                if not text or text[0] == "#":
                    continue
            if text is not None:
                self._instruction(text)
        if not self.stages:
            raise _Unsure
        return DockerfileShape(tuple(self.args), tuple(self.stages))

    def _instruction(self, text: str) -> None:
        """Apply one instruction's action (``_action``) to the stages read so far."""
        action = _action(text)
        kind = action[0]
        if kind == "from":
            self.stages.append(StageShape(action[1], action[2], frozenset(), ()))
        elif kind == "arg":
            declared: tuple[tuple[str, str | None], ...] = action[1]
            if not self.stages:
                self.args += declared
                return
            last = self.stages[-1]
            names = last.args | {name for name, _ in declared}
            self.stages[-1] = StageShape(last.name, last.base, names, last.copies_from)
        elif kind == "unsure" or not self.stages:
            raise _Unsure  # the parser refuses it before a FROM, or the scan is not sure
        elif kind == "copy":
            last = self.stages[-1]
            copies = (*last.copies_from, *action[1])
            self.stages[-1] = StageShape(last.name, last.base, last.args, copies)


_Action = tuple[Any, ...]
"""What one instruction does to the scan: ``("from", name, base)``, ``("arg", declared)``,
``("copy", sources)``, ``("stage",)`` (nothing, but only inside a stage) or ``("unsure",)``."""


@lru_cache(maxsize=4096)
def _action(text: str) -> _Action:
    """The action of one instruction (its continuation lines joined), decided once per text:
    a monorepo's Dockerfiles repeat most of their lines (``WORKDIR /src``, ``ARG SERVICE``)."""
    head = text.split(None, 1)
    keyword = head[0].upper()
    if keyword not in _READ and not (len(head) > 1 and head[1].startswith("--")):
        # no flags: nothing the checks read (ONBUILD holds a trigger instruction)
        return ("unsure",) if keyword == "ONBUILD" else ("stage",)
    try:
        flags, rest = _flags(text.split()[1:])
        if keyword == "FROM":
            return _from(flags, rest, text)
        if keyword == "ARG":
            return _arg(flags, rest, text)
        if keyword == "ONBUILD":
            return ("unsure",)
        if keyword == "COPY":
            return _copy(flags)
        if any(flag.lower().startswith("--from") for flag in flags):
            return ("unsure",)
        return ("stage",)
    except _Unsure:
        return ("unsure",)


def _from(flags: list[str], words: list[str], text: str) -> _Action:
    if _quoted(text) or any(not flag.startswith("--platform=") for flag in flags):
        raise _Unsure
    if len(words) == 3 and words[1].lower() == "as":
        name: str | None = words[2]
    elif len(words) == 1:
        name = None
    else:
        raise _Unsure
    return ("from", name, words[0])


def _arg(flags: list[str], words: list[str], text: str) -> _Action:
    if flags or not words or _quoted(text):
        raise _Unsure
    declared: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, value = word.partition("=")
        if not name:
            raise _Unsure
        declared.append((name, value if equals else None))
    return ("arg", tuple(declared))


def _copy(flags: list[str]) -> _Action:
    sources: list[str] = []
    for flag in flags:
        if flag.startswith("--from="):
            sources.append(flag.removeprefix("--from="))
        elif flag.lower().startswith("--from") or _quoted(flag):
            raise _Unsure
    if len(sources) > 1 or any(_quoted(source) for source in sources):
        raise _Unsure
    return ("copy", tuple(sources))


def _skip_directives(lines: list[str]) -> int:
    """The index of the first line after the parser directives; unsure of an escape directive
    or a repeated one (the parser refuses it)."""
    seen: set[str] = set()
    for index, line in enumerate(lines):
        match = _DIRECTIVE.fullmatch(line.lstrip(" \t"))
        key = match.group(1).lower() if match else ""
        if key not in ("syntax", "check", "escape"):
            return index
        if key == "escape" or key in seen:
            raise _Unsure
        seen.add(key)
    return len(lines)


def _logical_line(lines: list[str], index: int) -> tuple[str | None, int]:
    """The instruction starting at line ``index`` with its continuation lines joined (None for
    a comment or blank line), and the index of the line after it."""
    content = lines[index].lstrip(" \t")
    index += 1
    if content.startswith("#"):
        return None, index
    text, more = _trim(content)
    if not more and not text.strip(" \t"):
        return None, index
    while more and index < len(lines):
        line = lines[index]
        index += 1
        rest = line.lstrip(" \t")
        if rest.startswith("#") or not rest:
            continue
        segment, more = _trim(line)
        text += segment
    if not text.strip(" \t"):
        raise _Unsure
    return text, index


def _trim(line: str) -> tuple[str, bool]:
    """``line`` without its continuation backslash, and whether the instruction goes on."""
    if "\\" not in line:
        return line, False
    match = _CONTINUATION.search(line)
    return (line[: match.start()], True) if match else (line, False)


def _flags(words: list[str]) -> tuple[list[str], list[str]]:
    """The leading ``--flag`` words and the rest; unsure of a lone ``--``."""
    count = 0
    while count < len(words) and words[count].startswith("--"):
        if words[count] == "--":
            raise _Unsure
        count += 1
    return words[:count], words[count:]


def _quoted(text: str) -> bool:
    """Whether ``text`` holds a quote or a backslash (the parser's unquoting decides then)."""
    return "'" in text or '"' in text or "\\" in text


__all__ = ["scan_dockerfile"]
