"""An instruction split as BuildKit splits it, and what every instruction parser shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError as PydanticValidationError

from bakepy.errors import LoadError, Location
from bakepy.loaders.dockerfile.flags import FlagSpec, Unmodeled
from bakepy.loaders.dockerfile.lexer import LogicalLine, split_keyword
from bakepy.loaders.dockerfile.words import (
    HeredocMarker,
    WordError,
    ends_in_lone_escape,
    extract_flags,
    heredoc_markers,
    json_array,
    strip,
    unquote,
)
from bakepy.models.dockerfile.instructions import Comment, Heredoc, Instruction, Raw
from bakepy.models.dockerfile.shell_lines import continues, joined, skipped_inside

M = TypeVar("M", bound=BaseModel)

NO_FLAGS = FlagSpec()
_ONBUILD_PREFIX = re.compile(r"(?i)\s*ONBUILD\s*")


@dataclass(frozen=True)
class Parts:
    """One instruction split as BuildKit splits it: keyword, flag words, then the arguments."""

    keyword: str
    flags: list[str]
    start: int
    """Where the arguments start in ``line.text``."""
    line: LogicalLine
    source: str
    """The instruction as written (for Raw), continuation lines and heredoc bodies included."""

    @property
    def args(self) -> str:
        """The arguments, without surrounding blanks."""
        return strip(self.line.text[self.start :])


@dataclass(frozen=True)
class Context:
    """What parsing one instruction needs: the escape character and where the instruction is."""

    escape: str
    where: Location
    in_onbuild: bool = False

    def error(self, message: str, hint: str | None = None) -> LoadError:
        """A LoadError at this instruction."""
        return LoadError(message, self.where, hint)


def split_instruction(line: LogicalLine, index: int = 0) -> Parts:
    """The instruction starting at ``index`` of ``line.text``."""
    keyword, end = split_keyword(line.text, index)
    flags, start = extract_flags(line.text, end)
    first_line = line.joins[0] if line.joins else len(line.text)
    source = line.source if index == 0 else _trigger_source(line, index, first_line)
    return Parts(keyword, flags, start, line, source)


def _trigger_source(line: LogicalLine, index: int, first_line: int) -> str:
    if index <= first_line:
        return _ONBUILD_PREFIX.sub("", line.source, count=1)
    return line.text[index:]


def build(model: type[M], context: Context, keyword: str, **fields: Any) -> M:
    """``model(**fields)``; a validation error becomes a LoadError at the instruction."""
    try:
        return model(**fields)
    except PydanticValidationError as exc:
        error = exc.errors(include_url=False)[0]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        where = ".".join(str(part) for part in error.get("loc", ()) if isinstance(part, str))
        raise context.error(f"{keyword}: {where + ': ' if where else ''}{message}") from None


def raw(parts: Parts) -> list[Instruction]:
    """The instruction kept verbatim: the model cannot say it exactly as written."""
    return [Raw(text=parts.source)]


# --- arguments --------------------------------------------------------------------------------


def json_args(parts: Parts, context: Context) -> list[str] | None:
    """The exec-form arguments, or None for shell form; an array of non-strings is an error."""
    try:
        return json_array(parts.args)
    except WordError as exc:
        raise context.error(f"{parts.keyword.upper()}: {exc}") from None


def require(parts: Parts, context: Context, what: str = "at least one argument") -> str:
    """The arguments, which must not be empty."""
    args = parts.args
    if not args:
        raise context.error(f"{parts.keyword.upper()} requires {what}")
    return args


def unquoted(word: str, context: Context, keyword: str) -> str | None:
    """The value of a word, or None when it cannot be written back unquoted exactly."""
    try:
        result = unquote(word, context.escape)
    except WordError as exc:
        raise context.error(f"{keyword}: {exc}") from None
    return result.value if result.exact else None


def shell_command(parts: Parts, start: int) -> str:
    """The shell-form command from ``start``, on one line exactly as BuildKit joined it."""
    return strip(parts.line.text[start:])


@dataclass(frozen=True)
class ShellLines:
    """A shell-form command as written: its lines from where it starts, continuation characters
    and the comment lines between them kept (blank lines inside the continuation dropped:
    BuildKit skips them); the comment lines before its first line are returned apart to stand
    before the instruction, and those after its last line to stand after it."""

    command: str
    before: list[str]
    after: list[str]


def shell_lines(parts: Parts, start: int, context: Context) -> ShellLines:
    """The shell-form command from ``start`` of ``parts.line.text``, as its lines were written."""
    physical = parts.line.physical or ((0, parts.line.text),)
    first = max(i for i, (offset, _) in enumerate(physical) if 0 <= offset <= start)
    offset, line = physical[first]
    before = [comment for _, text in physical[:first] if (comment := _comment_of(text)) is not None]
    lines = [line[start - offset :], *(text for _, text in physical[first + 1 :] if text.strip())]
    after: list[str] = []
    while True:
        while len(lines) > 1 and skipped_inside(lines[-1]):
            comment = _comment_of(lines.pop())
            if comment is not None:
                after.insert(0, comment)
        if not continues(lines[-1], context.escape):
            break
        lines[-1] = joined(lines[-1:], context.escape)  # the file ended the instruction there
        if len(lines) == 1 or lines[-1].strip():
            break
    return ShellLines("\n".join(lines).strip(), before, after)


def _comment_of(line: str) -> str | None:
    """What follows the ``#`` of a comment line; None for any other line."""
    rest = line.lstrip()
    return rest[1:] if rest.startswith("#") else None


def comment_text(text: str) -> str:
    """A comment's text without the one blank after ``#`` (the renderer writes it back)."""
    return text.removeprefix(" ").rstrip()


def comments(texts: list[str]) -> list[Instruction]:
    """Comment instructions for comment lines (what follows each ``#``)."""
    return [Comment(text=comment_text(text)) for text in texts]


def heredoc_model(
    marker: HeredocMarker, content: str, context: Context, *, in_command: bool = False
) -> Heredoc:
    """The Heredoc a marker opens; a file descriptor (``3<<EOT``) only in a command's text."""
    if marker.descriptor and not in_command:
        raise Unmodeled(f"a heredoc on file descriptor {marker.descriptor}", context.where)
    return build(
        Heredoc,
        context,
        "heredoc",
        body=_heredoc_body(content),
        delimiter=marker.name,
        expand=marker.expand,
        strip_tabs=marker.chomp,
    )


def _heredoc_body(content: str) -> str:
    """The model body of heredoc ``content``: its last newline dropped where that is lossless."""
    trimmed = content[:-1]
    return trimmed if trimmed and not trimmed.endswith("\n") else content


def markers_with_bodies(parts: Parts, context: Context) -> list[tuple[HeredocMarker, str]]:
    """Every heredoc marker of the arguments with its body."""
    markers = heredoc_markers(parts.line.text[parts.start :])
    if len(markers) != len(parts.line.bodies):
        raise context.error("the heredocs of this instruction could not be matched to markers")
    return list(zip(markers, parts.line.bodies, strict=True))


def unwritable(command: object, context: Context) -> bool:
    """Whether a shell command ends in the escape character, which would read as a continuation."""
    return isinstance(command, str) and ends_in_lone_escape(command, context.escape)


__all__ = [
    "NO_FLAGS",
    "Context",
    "Parts",
    "ShellLines",
    "build",
    "comment_text",
    "comments",
    "heredoc_model",
    "json_args",
    "markers_with_bodies",
    "raw",
    "require",
    "shell_command",
    "shell_lines",
    "split_instruction",
    "unquoted",
    "unwritable",
]
