"""An instruction split as BuildKit splits it, and what every instruction parser shares."""

from __future__ import annotations

import itertools
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
    ends_inside_quotes,
    extract_flags,
    heredoc_markers,
    json_array,
    strip,
    unquote,
)
from bakepy.models.dockerfile.instructions import Comment, Heredoc, Instruction, Raw

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
    """A shell-form command split where its source lines were, with the comment lines between
    them kept in place (``# ...`` lines of the command); comments where no new line of the
    command starts (before it, or inside a quoted string) are returned apart to stand before
    the instruction, and those after its last line to stand after it."""

    command: str
    before: list[str]
    after: list[str]


def shell_lines(parts: Parts, start: int, context: Context) -> ShellLines:
    """The shell-form command from ``start``, split where the source lines were."""
    text = parts.line.text
    end = start + len(text[start:].rstrip())
    bounds = [start, *(j for j in parts.line.joins if start < j < end), end]
    before = [comment for offset, comment in parts.line.comments if offset <= start]
    after = [comment for offset, comment in parts.line.comments if offset >= end]
    model_lines = [text[bounds[0] : bounds[1]]]
    waiting: list[str] = []
    for first, last in itertools.pairwise(bounds[1:]):
        piece = text[first:last]
        waiting += [comment for offset, comment in parts.line.comments if offset == first]
        if piece.strip() and _splits(model_lines[-1], text[start:first], piece, context.escape):
            model_lines += [f"# {comment_text(comment)}".rstrip() for comment in waiting]
            model_lines.append(piece)
            waiting = []
        else:
            model_lines[-1] += piece
    command = "\n".join(line.strip() for line in model_lines if line.strip())
    return ShellLines(command, before + waiting, after)


def comment_text(text: str) -> str:
    """A comment's text without the one blank after ``#`` (the renderer writes it back)."""
    return text.removeprefix(" ").rstrip()


def comments(texts: list[str]) -> list[Instruction]:
    """Comment instructions for comment lines (what follows each ``#``)."""
    return [Comment(text=comment_text(text)) for text in texts]


def _splits(before: str, command: str, piece: str, escape: str) -> bool:
    """Whether a new model line may start at ``piece``, after the line ``before`` and the
    ``command`` so far: blanks around it, outside quotes."""
    blank = before[-1:].isspace() or piece[:1].isspace()
    quoted = ends_inside_quotes(command, "\\" if escape == "\\" else "`")
    return blank and not quoted and not before.rstrip().endswith(escape) and bool(before.strip())


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
