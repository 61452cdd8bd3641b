"""Parse a Dockerfile into the Dockerfile model, reading it the way BuildKit's parser does.

Parser directives (``syntax``, ``escape``, ``check``) go to the spec, ARGs before the first FROM
to ``spec.args``, every other instruction to its stage. Every comment is kept where it was: the
file's header, a global ARG's comment, a stage's comment and description (the comment before
its FROM), Comment instructions inside a stage, and comment lines between the lines of a RUN
command (BuildKit skips them). What the model cannot say exactly as written (MAINTAINER, which
sets the image author, or a value whose ``$`` quoting made literal) is kept as Raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.errors import LoadError, Location
from bakepy.loaders.dockerfile.flags import Flags, FlagSpec, Unmodeled, flag_value
from bakepy.loaders.dockerfile.instructions import parse_instruction
from bakepy.loaders.dockerfile.lexer import BlankLine, CommentLine, Lexed, LogicalLine, lex
from bakepy.loaders.dockerfile.parts import (
    Context,
    Parts,
    build,
    comment_text,
    split_instruction,
)
from bakepy.loaders.dockerfile.values import parse_args
from bakepy.loaders.dockerfile.words import ends_in_lone_escape, split_fields
from bakepy.models.dockerfile.instructions import (
    IMPORTED_FROM,
    Arg,
    Comment,
    Dockerfile,
    DockerfileSpec,
    Instruction,
    Stage,
)

_FROM_FLAGS = FlagSpec(strings=("platform",))
FieldLines = dict[tuple[str | int, ...], int]


def parse_dockerfile(
    text: str, *, name: str = "Dockerfile", path: Path | None = None
) -> Dockerfile:
    """The Dockerfile resource called ``name`` that ``text`` declares; errors name file:line."""
    file = path if path is not None else Path(name)
    lexed = lex(text, file)
    builder = _Builder(lexed, file)
    for item in lexed.items:
        builder.add(item)
    dockerfile = builder.dockerfile(name)
    dockerfile.set_source(str(path) if path is not None else f"<{name}>", 1, builder.lines)
    return dockerfile


@dataclass
class _StageDraft:
    """A stage being read: its FROM line's fields and its instructions so far."""

    fields: dict[str, object]
    line: int
    instructions: list[Instruction] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


Pending = list[tuple[str, int] | None]
"""Comment lines (text, line) read since the last instruction; None stands for a blank line."""


class _Builder:
    """Collects global ARGs and stages, and the line of every one of them.

    Comments are held until the next instruction shows where they belong: before an
    instruction of a stage they are Comment instructions; the block right before a FROM
    (after the last blank line) is that stage's comment, and its last line, when it reads
    ``NAME text``, the stage's description (what BuildKit lists); blocks before it end the
    previous stage. Before the first instruction, blocks set apart by a blank line are the
    file's header. Every comment line stays in its order, so BuildKit reads the same
    descriptions from the rendered file.
    """

    def __init__(self, lexed: Lexed, file: Path) -> None:
        self.lexed, self.file = lexed, file
        self.args: list[Arg] = []
        self.arg_lines: list[int] = []
        self.stages: list[_StageDraft] = []
        self.pending: Pending = []
        self.header: list[str] = []

    def context(self, line: int) -> Context:
        """The parsing context of an instruction on ``line``."""
        return Context(self.lexed.escape, Location(self.file, line))

    def add(self, item: LogicalLine | CommentLine | BlankLine) -> None:
        """Add one comment line, blank line or instruction."""
        if isinstance(item, CommentLine):
            self.pending.append((comment_text(item.text), item.line))
            return
        if isinstance(item, BlankLine):
            if self.pending and self.pending[-1] is not None:
                self.pending.append(None)
            return
        parts = split_instruction(item)
        keyword = parts.keyword.upper()
        if keyword == "FROM":
            self._from(parts, item.line)
        elif not self.stages:
            self._global(parts, keyword, item.line)
        else:
            self._append_comments(self._take())
            for instruction in parse_instruction(parts, self.context(item.line)):
                self._append(instruction, item.line)

    @property
    def first(self) -> bool:
        """Whether no instruction has been read yet."""
        return not (self.stages or self.args)

    def _take(self) -> Pending:
        """The pending comments; none are pending after."""
        pending, self.pending = self.pending, []
        return _without_generated_header(pending) if self.first and pending else pending

    def _append(self, instruction: Instruction, line: int) -> None:
        self.stages[-1].instructions.append(instruction)
        self.stages[-1].lines.append(line)

    def _append_comments(self, pending: Pending) -> None:
        for entry in pending:
            if entry is not None:
                self._append(Comment(text=entry[0]), entry[1])

    def _split_header(self, pending: Pending) -> Pending:
        """Before the first instruction: blocks set apart by a blank line become the header;
        returns the block right before the instruction."""
        if not self.first or None not in pending:
            return pending
        cut = len(pending) - pending[::-1].index(None)
        self.header = [entry[0] for entry in pending[:cut] if entry is not None]
        return pending[cut:]

    def _from(self, parts: Parts, line: int) -> None:
        taken = self._take()
        pending = self._split_header(taken)
        fields = _from_fields(parts, self.context(line))
        if self.stages and None in pending:  # blocks before the last blank end the last stage
            cut = len(pending) - pending[::-1].index(None)
            self._append_comments(pending[:cut])
            pending = pending[cut:]
        seen = [entry[0] for entry in taken if entry is not None]
        texts = [entry[0] for entry in pending if entry is not None]
        name = fields.get("name")
        fields.update(_stage_comment(texts, seen, name if isinstance(name, str) else None))
        self.stages.append(_StageDraft(fields, line))

    def _global(self, parts: Parts, keyword: str, line: int) -> None:
        context = self.context(line)
        if keyword != "ARG":
            if keyword not in _KNOWN_KEYWORDS:
                parse_instruction(parts, context)  # raises: unknown instruction
            raise context.error(
                f"{keyword} before the first FROM: only ARG may come before FROM",
                "move it into a stage (after a FROM line)",
            )
        args = parse_args(parts, context)
        if args is None:
            raise context.error(
                "ARG before the first FROM: a literal `$` (quoted or escaped) in a global ARG "
                "default cannot be written back faithfully"
            )
        pending = self._split_header(self._take())
        texts = [entry[0] for entry in pending if entry is not None]
        texts += [comment_text(text) for _, text in parts.line.comments]
        if texts:
            args[0] = args[0].model_copy(update={"comment": "\n".join(texts)})
        self.args += args
        self.arg_lines += [line] * len(args)

    @property
    def lines(self) -> FieldLines:
        """The line of every stage, instruction and global ARG, by model field path."""
        lines: FieldLines = {("spec",): 1}
        for directive, line in self.lexed.directives.lines.items():
            lines[("spec", directive)] = line
        for index, line in enumerate(self.arg_lines):
            lines[("spec", "args", index)] = line
        for index, stage in enumerate(self.stages):
            lines[("spec", "stages", index)] = stage.line
            for position, line in enumerate(stage.lines):
                lines[("spec", "stages", index, "instructions", position)] = line
        return lines

    def dockerfile(self, name: str) -> Dockerfile:
        """The Dockerfile resource read so far."""
        if not self.stages:
            raise LoadError("the Dockerfile has no FROM instruction", Location(self.file, 1))
        self._append_comments(self._take())
        stages = [self._stage(draft) for draft in self.stages]
        directives = self.lexed.directives
        context = self.context(1)
        spec = build(
            DockerfileSpec,
            context,
            "Dockerfile",
            syntax=directives.syntax,
            escape=directives.escape,
            check=directives.check,
            comment=_joined(self.header),
            args=self.args,
            stages=stages,
        )
        metadata = {"name": name, "annotations": {IMPORTED_FROM: self.file.name}}
        return build(Dockerfile, context, "Dockerfile", metadata=metadata, spec=spec)

    def _stage(self, draft: _StageDraft) -> Stage:
        context = self.context(draft.line)
        return build(Stage, context, "FROM", instructions=draft.instructions, **draft.fields)


def _from_fields(parts: Parts, context: Context) -> dict[str, object]:
    """``FROM [--platform=...] image [AS name]`` as Stage fields."""
    try:
        return _from_words(parts, context)
    except Unmodeled as exc:
        raise exc.error() from None


def _from_words(parts: Parts, context: Context) -> dict[str, object]:
    flags = Flags("FROM", parts.flags, _FROM_FLAGS, context.where)
    if ends_in_lone_escape(parts.args, context.escape):
        raise context.error("FROM: an image ending in the escape character cannot be written back")
    words = split_fields(parts.args)
    if len(words) == 3 and words[1].lower() == "as":
        return {"from_": words[0], "name": words[2], "platform": _platform(flags)}
    if len(words) != 1:
        raise context.error(
            "FROM requires either one or three arguments", "write FROM image [AS name]"
        )
    return {"from_": words[0], "platform": _platform(flags)}


def _platform(flags: Flags) -> str | None:
    value = flags.string("platform")
    return None if value is None else flag_value(flags, "platform", value)


def _stage_comment(texts: list[str], seen: list[str], name: str | None) -> dict[str, str | None]:
    """The comment and description of a stage from the comment lines right before its FROM
    (``texts``); ``seen`` are all the comment lines since the instruction before it.

    The description is the last line when it reads ``NAME text`` and no earlier line since
    the last empty ``#`` (which BuildKit takes as a reset) does: BuildKit takes the first.
    """
    prefix = f"{name} " if name else None
    last = texts[-1] if texts else ""
    if prefix is None or not last.startswith(prefix) or not last[len(prefix) :].strip():
        return {"comment": _joined(texts)}
    since_reset = seen[len(seen) - seen[::-1].index("") :] if "" in seen else seen
    if any(text.startswith(prefix) for text in since_reset[:-1]):
        return {"comment": "\n".join(texts)}
    return {"comment": _joined(texts[:-1]), "description": last[len(prefix) :]}


def _joined(texts: list[str]) -> str | None:
    """Comment lines as one text; None for none (a lone ``#`` is the text "")."""
    return "\n".join(texts) if texts else None


_GENERATED = re.compile(r"generated by bakepy( from \S+)?; do not edit")


def _without_generated_header(pending: Pending) -> Pending:
    """The comments before the first instruction without the line bakepy writes at the top of
    every Dockerfile it renders (reading a rendered file back must not double it)."""
    first = pending[0]
    if first is not None and _GENERATED.fullmatch(first[0]):
        return pending[2:] if len(pending) > 1 and pending[1] is None else pending[1:]
    return pending


_KNOWN_KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)

__all__ = ["parse_dockerfile"]
