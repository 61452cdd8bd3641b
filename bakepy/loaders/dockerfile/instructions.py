"""One Dockerfile instruction (keyword, flags, arguments, heredocs) into the Dockerfile model."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from bakepy.errors import LoadError
from bakepy.loaders.dockerfile.flags import Flags, FlagSpec, Unmodeled, flag_value, parse_mount
from bakepy.loaders.dockerfile.parts import (
    NO_FLAGS,
    Context,
    Parts,
    ShellLines,
    build,
    comments,
    heredoc_model,
    json_args,
    markers_with_bodies,
    raw,
    require,
    shell_command,
    shell_lines,
    split_instruction,
    unwritable,
)
from bakepy.loaders.dockerfile.values import VALUE_PARSERS
from bakepy.loaders.dockerfile.words import (
    WordError,
    ends_in_lone_escape,
    is_space,
    json_array,
    skip_spaces,
    strip,
)
from bakepy.models.dockerfile.instructions import (
    Cmd,
    Entrypoint,
    Healthcheck,
    Instruction,
    Onbuild,
    Raw,
    Run,
    Shell,
)

_RUN_FLAGS = FlagSpec(strings=("network", "security"), lists=("mount",))
_HEALTHCHECK_FLAGS = FlagSpec(
    strings=("interval", "timeout", "start-period", "start-interval", "retries")
)


_PLACING = frozenset({"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"})
"""Instructions whose shell-form command keeps the comment lines between its lines, and that
place the others before or after themselves."""


def parse_instruction(parts: Parts, context: Context) -> list[Instruction]:
    """The model instructions one Dockerfile instruction becomes (ARG may declare several),
    with the comment lines between its continuation lines: kept inside a multi-line RUN
    command, else as Comment instructions before it (a Raw instruction keeps them as written)."""
    keyword = parts.keyword.upper()
    builder = _BUILDERS.get(keyword)
    if builder is None:
        raise _unknown_instruction(parts.keyword, context)
    try:
        instructions = builder(parts, context)
    except Unmodeled:
        return raw(parts)  # BuildKit takes it as written; so does the Raw instruction
    if not parts.line.bodies and ends_in_lone_escape(parts.args, context.escape):
        return raw(parts)  # written back, its last character would continue the line
    placed = keyword in _PLACING or context.in_onbuild  # these place their own; ONBUILD's go first
    if placed or any(_keeps_its_lines(item) for item in instructions):
        return instructions
    return [*comments([text for _, text in parts.line.comments]), *instructions]


def _keeps_its_lines(item: Instruction) -> bool:
    """Whether ``item`` is kept as written, its comment lines included: a Raw instruction, or
    an ONBUILD whose Raw trigger holds the lines as written (not one joined line)."""
    if isinstance(item, Onbuild):
        return isinstance(item.trigger, Raw) and "\n" in item.trigger.text
    return isinstance(item, Raw)


def _unknown_instruction(keyword: str, context: Context) -> LoadError:
    if not keyword:
        return context.error("empty instruction (a continuation character continues nothing)")
    close = difflib.get_close_matches(keyword.upper(), [*_BUILDERS, "FROM"], n=1)
    return context.error(
        f"unknown instruction: {keyword}", f"did you mean {close[0]}?" if close else None
    )


# --- RUN --------------------------------------------------------------------------------------


def _run(parts: Parts, context: Context) -> list[Instruction]:
    flags = Flags("RUN", parts.flags, _RUN_FLAGS, context.where)
    fields: dict[str, Any] = {
        "mounts": [parse_mount(value, flags) for value in flags.strings("mount")],
        "network": flags.string("network"),
        "security": flags.string("security"),
    }
    around = ShellLines("", [text for _, text in parts.line.comments], [])
    exec_form = json_args(parts, context)
    if exec_form is not None:
        fields["command"] = exec_form
    else:
        around = _run_shell_fields(parts, context, fields)
        if unwritable(fields["command"], context):
            return raw(parts)
    run = build(Run, context, "RUN", **fields)
    if context.in_onbuild:
        return [run]
    return [*comments(around.before), run, *comments(around.after)]


def _run_shell_fields(parts: Parts, context: Context, fields: dict[str, Any]) -> ShellLines:
    """A shell-form RUN: ``<<EOT command`` (a heredoc script), or a command with heredocs;
    adds them to ``fields`` and returns the comment lines that stand around the RUN."""
    markers = markers_with_bodies(parts, context)
    if len(markers) == 1 and markers[0][0].word.start == 0 and not markers[0][0].descriptor:
        marker, content = markers[0]
        found = _command_from(parts, parts.start + marker.word.end, context)
        fields["command"] = found.command or None
        fields["heredoc"] = heredoc_model(marker, content, context)
        return found
    found = _command_from(parts, parts.start, context)
    fields["command"] = found.command
    fields["heredocs"] = [heredoc_model(m, body, context, in_command=True) for m, body in markers]
    return found


def _command_from(parts: Parts, start: int, context: Context) -> ShellLines:
    """The command from ``start``: its source lines, or one line in an ONBUILD trigger."""
    if context.in_onbuild:
        return ShellLines(shell_command(parts, start), [], [])
    return shell_lines(parts, start, context)


# --- CMD, ENTRYPOINT, SHELL, HEALTHCHECK ------------------------------------------------------


def _command(parts: Parts, context: Context) -> tuple[str | list[str], ShellLines]:
    """The exec-form list, or the shell-form text as written (continuation lines kept), with
    the comment lines that stand around the instruction."""
    around = ShellLines("", [text for _, text in parts.line.comments], [])
    exec_form = json_args(parts, context)
    if exec_form is not None:
        return exec_form, around
    found = _command_from(parts, parts.start, context)
    return found.command, found


def _cmd(parts: Parts, context: Context) -> list[Instruction]:
    Flags(parts.keyword.upper(), parts.flags, NO_FLAGS, context.where)
    model: type[Cmd] | type[Entrypoint] = Cmd if parts.keyword.upper() == "CMD" else Entrypoint
    command, around = _command(parts, context)
    if unwritable(command, context):
        return raw(parts)
    item = build(model, context, model.KEYWORD, command=command)
    return _placed(item, around, context)


def _placed(item: Instruction, around: ShellLines, context: Context) -> list[Instruction]:
    """``item`` with the comment lines before and after it (an ONBUILD trigger: alone)."""
    if context.in_onbuild:
        return [item]
    return [*comments(around.before), item, *comments(around.after)]


def _shell(parts: Parts, context: Context) -> list[Instruction]:
    Flags("SHELL", parts.flags, NO_FLAGS, context.where)
    exec_form = json_args(parts, context)
    if exec_form is None:
        raise context.error(
            "SHELL requires the arguments to be in JSON form",
            'write e.g. SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        )
    if not exec_form:
        raise context.error("SHELL requires at least one argument")
    return [build(Shell, context, "SHELL", command=exec_form)]


def _healthcheck(parts: Parts, context: Context) -> list[Instruction]:
    flags = Flags("HEALTHCHECK", parts.flags, _HEALTHCHECK_FLAGS, context.where)
    require(parts, context)
    kind, end = _first_word(parts.line.text, parts.start)
    if kind.upper() == "NONE":
        if strip(parts.line.text[end:]):
            raise context.error("HEALTHCHECK NONE takes no arguments")
        if parts.flags:
            raise context.error(
                "HEALTHCHECK NONE takes no options (BuildKit ignores them)",
                "remove the options, or write HEALTHCHECK CMD ...",
            )
        inside = ShellLines("", [text for _, text in parts.line.comments], [])
        return _placed(Healthcheck(none=True), inside, context)
    if kind.upper() != "CMD":
        raise context.error(f"unknown type {kind!r} in HEALTHCHECK (try CMD)")
    command, around = _health_command(parts, end, context)
    if unwritable(command, context):
        return raw(parts)
    options = _health_options(flags)
    item = build(Healthcheck, context, "HEALTHCHECK", command=command, **options)
    return _placed(item, around, context)


def _first_word(text: str, index: int) -> tuple[str, int]:
    """The word starting at ``index`` (after blanks) and where it ends."""
    begin = end = skip_spaces(text, index)
    while end < len(text) and not is_space(text[end]):
        end += 1
    return text[begin:end], end


def _health_command(
    parts: Parts, rest: int, context: Context
) -> tuple[str | list[str], ShellLines]:
    """The command after ``CMD``: exec form, or shell form as written (``_command``)."""
    text = parts.line.text[rest:]
    try:
        exec_form = json_array(text)
    except WordError as exc:
        raise context.error(f"HEALTHCHECK: {exc}") from None
    around = ShellLines("", [text for _, text in parts.line.comments], [])
    if exec_form is None and strip(text):
        around = _command_from(parts, skip_spaces(parts.line.text, rest), context)
    command = exec_form if exec_form is not None else around.command
    if not command:
        raise context.error("missing command after HEALTHCHECK CMD")
    return command, around


def _health_options(flags: Flags) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name in ("interval", "timeout", "start-period", "start-interval"):
        value = flags.string(name)
        if value is not None:
            options[name.replace("-", "_")] = flag_value(flags, name, value)
    retries = flags.string("retries")
    if retries is not None:
        if not re.fullmatch(r"[+-]?\d+", retries):
            raise flags.error(f"HEALTHCHECK --retries must be a number, not {retries!r}")
        options["retries"] = int(retries)
    return options


# --- ONBUILD ----------------------------------------------------------------------------------


def _onbuild(parts: Parts, context: Context) -> list[Instruction]:
    Flags("ONBUILD", parts.flags, NO_FLAGS, context.where)
    require(parts, context)
    trigger = split_instruction(parts.line, parts.start)
    keyword = trigger.keyword.upper()
    if keyword == "ONBUILD":
        raise context.error("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if keyword in ("FROM", "MAINTAINER"):
        raise context.error(f"{keyword} isn't allowed as an ONBUILD trigger")
    inner = Context(context.escape, context.where, in_onbuild=True)
    return [Onbuild(trigger=item) for item in parse_instruction(trigger, inner)]


_BUILDERS: dict[str, Callable[[Parts, Context], list[Instruction]]] = {
    "RUN": _run,
    "CMD": _cmd,
    "ENTRYPOINT": _cmd,
    "SHELL": _shell,
    "HEALTHCHECK": _healthcheck,
    "ONBUILD": _onbuild,
    **VALUE_PARSERS,
}

__all__ = ["parse_instruction"]
