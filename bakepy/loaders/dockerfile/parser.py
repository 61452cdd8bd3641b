"""Parse a Dockerfile into the Dockerfile model, reading it the way BuildKit's parser does.

Parser directives (``syntax``, ``escape``, ``check``) go to the spec, ARGs before the first FROM
to ``spec.args``, every other instruction to its stage. Comment lines inside a stage are kept as
Comment instructions; comments before the first FROM (and inside continuation lines, which
BuildKit ignores too) are dropped. What the model cannot say exactly as written (MAINTAINER,
which sets the image author, or a value whose ``$`` quoting made literal) is kept as Raw text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bakepy.errors import LoadError, Location
from bakepy.loaders.dockerfile.flags import Flags, FlagSpec, flag_value
from bakepy.loaders.dockerfile.instructions import parse_instruction
from bakepy.loaders.dockerfile.lexer import CommentLine, Lexed, LogicalLine, lex
from bakepy.loaders.dockerfile.parts import Context, Parts, build, split_instruction
from bakepy.loaders.dockerfile.values import parse_args
from bakepy.loaders.dockerfile.words import ends_in_lone_escape, split_fields
from bakepy.models.dockerfile.instructions import (
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


class _Builder:
    """Collects global ARGs and stages, and the line of every one of them."""

    def __init__(self, lexed: Lexed, file: Path) -> None:
        self.lexed, self.file = lexed, file
        self.args: list[Arg] = []
        self.arg_lines: list[int] = []
        self.stages: list[_StageDraft] = []

    def context(self, line: int) -> Context:
        """The parsing context of an instruction on ``line``."""
        return Context(self.lexed.escape, Location(self.file, line))

    def add(self, item: LogicalLine | CommentLine) -> None:
        """Add one comment line or instruction."""
        if isinstance(item, CommentLine):
            if self.stages:
                self._append(Comment(text=_comment_text(item.text)), item.line)
            return
        parts = split_instruction(item)
        keyword = parts.keyword.upper()
        if keyword == "FROM":
            self.stages.append(_StageDraft(_from_fields(parts, self.context(item.line)), item.line))
        elif not self.stages:
            self._global(parts, keyword, item.line)
        else:
            for instruction in parse_instruction(parts, self.context(item.line)):
                self._append(instruction, item.line)

    def _append(self, instruction: Instruction, line: int) -> None:
        self.stages[-1].instructions.append(instruction)
        self.stages[-1].lines.append(line)

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
        self.args += args
        self.arg_lines += [line] * len(args)

    @property
    def lines(self) -> FieldLines:
        """The line of every stage, instruction and global ARG, by model field path."""
        lines: FieldLines = {("spec",): 1}
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
            args=self.args,
            stages=stages,
        )
        return build(Dockerfile, context, "Dockerfile", metadata={"name": name}, spec=spec)

    def _stage(self, draft: _StageDraft) -> Stage:
        context = self.context(draft.line)
        return build(Stage, context, "FROM", instructions=draft.instructions, **draft.fields)


def _from_fields(parts: Parts, context: Context) -> dict[str, object]:
    """``FROM [--platform=...] image [AS name]`` as Stage fields."""
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


def _comment_text(text: str) -> str:
    """A comment's text without the one blank after ``#`` (the renderer writes it back)."""
    return text.removeprefix(" ").rstrip()


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
