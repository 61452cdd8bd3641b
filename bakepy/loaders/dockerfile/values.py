"""COPY, ADD, ENV, LABEL, ARG and the one-value instructions into the Dockerfile model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bakepy.loaders.dockerfile.flags import Flags, FlagSpec, Unmodeled, flag_value
from bakepy.loaders.dockerfile.parts import (
    NO_FLAGS,
    Context,
    Parts,
    build,
    heredoc_model,
    json_args,
    raw,
    require,
    unquoted,
)
from bakepy.loaders.dockerfile.words import Word, heredoc_marker, split_fields, split_words, strip
from bakepy.models.dockerfile.instructions import (
    Add,
    Arg,
    Copy,
    Env,
    Expose,
    Heredoc,
    Instruction,
    Label,
    Stopsignal,
    User,
    Volume,
    Workdir,
)

_COPY_FLAGS = FlagSpec(
    strings=("from", "chown", "chmod"), bools=("link", "parents"), lists=("exclude",)
)
_ADD_FLAGS = FlagSpec(
    strings=("chown", "chmod", "checksum"),
    bools=("link", "keep-git-dir", "unpack"),
    lists=("exclude",),
)


# --- COPY and ADD -----------------------------------------------------------------------------


def _file_words(parts: Parts, context: Context) -> tuple[list[str | None], list[Heredoc]]:
    """Sources and destination as written (None where a heredoc stands), and the heredocs."""
    exec_form = json_args(parts, context)
    if exec_form is not None:
        return list(exec_form), []
    bodies = list(parts.line.bodies)
    words: list[str | None] = []
    heredocs: list[Heredoc] = []
    for field in split_fields(parts.args):
        marker = heredoc_marker(Word(field, 0, len(field)))
        if marker is not None and len(heredocs) == len(bodies):
            raise context.error("the heredocs of this instruction could not be matched to markers")
        if marker is not None:
            heredocs.append(heredoc_model(marker, bodies[len(heredocs)], context))
        words.append(None if marker else field)
    if len(heredocs) != len(bodies):
        raise context.error("the heredocs of this instruction could not be matched to markers")
    return words, heredocs


def _file_fields(parts: Parts, context: Context) -> dict[str, Any]:
    keyword = parts.keyword.upper()
    words, heredocs = _file_words(parts, context)
    if len(words) < 2:
        raise context.error(f"{keyword} requires at least two arguments: sources and a destination")
    dest = words[-1]
    if dest is None:
        raise context.error(f"{keyword}: a heredoc cannot be the destination")
    sources = [word for word in words[:-1] if word is not None]
    for index, path in enumerate([*sources, dest]):
        _check_path(path, keyword, context, first=index == 0)
        if heredocs and any(char in path for char in "\\'\""):
            raise Unmodeled(f"{keyword}: quotes beside heredocs", context.where)
    return {"src": sources, "dest": dest, "heredocs": heredocs}


def _check_path(path: str, keyword: str, context: Context, *, first: bool) -> None:
    """A path the renderer writes back as the same word."""
    marker = heredoc_marker(Word(path, 0, len(path)))
    if not strip(path) or marker is not None or (first and path.startswith("--")):
        raise Unmodeled(f"{keyword}: the path {path!r} as written", context.where)


def _common_file_flags(flags: Flags) -> dict[str, Any]:
    values = {name: flags.string(name) for name in ("chown", "chmod")}
    return {
        **{k: flag_value(flags, k, v) for k, v in values.items() if v is not None},
        "link": bool(flags.boolean("link")),
        "exclude": [flag_value(flags, "exclude", value) for value in flags.strings("exclude")],
    }


def _copy(parts: Parts, context: Context) -> list[Instruction]:
    flags = Flags("COPY", parts.flags, _COPY_FLAGS, context.where)
    source = flags.string("from")
    fields = {
        **_file_fields(parts, context),
        **_common_file_flags(flags),
        "from_": None if source is None else flag_value(flags, "from", source),
        "parents": bool(flags.boolean("parents")),
    }
    return [build(Copy, context, "COPY", **fields)]


def _add(parts: Parts, context: Context) -> list[Instruction]:
    flags = Flags("ADD", parts.flags, _ADD_FLAGS, context.where)
    checksum = flags.string("checksum")
    fields = {
        **_file_fields(parts, context),
        **_common_file_flags(flags),
        "checksum": None if checksum is None else flag_value(flags, "checksum", checksum),
        "keep_git_dir": flags.boolean("keep-git-dir"),
        "unpack": flags.boolean("unpack"),
    }
    return [build(Add, context, "ADD", **fields)]


# --- ENV, LABEL, ARG --------------------------------------------------------------------------


def _pairs(parts: Parts, context: Context) -> list[tuple[str, str]] | None:
    """``name=value`` pairs (or the legacy ``name value``), unquoted; None if not exact."""
    keyword = parts.keyword.upper()
    words = split_words(parts.args, context.escape)
    if not words:
        raise context.error(f"{keyword} requires at least one argument")
    if "=" not in words[0].text:
        legacy = parts.args.split(None, 1)
        if len(legacy) < 2:
            raise context.error(f"{keyword} must have two arguments", f"write {keyword} name=value")
        raw_pairs = [(legacy[0], legacy[1])]
    else:
        raw_pairs = [_split_pair(word.text, keyword, context) for word in words]
    pairs = [(unquoted(k, context, keyword), unquoted(v, context, keyword)) for k, v in raw_pairs]
    exact = [(k, v) for k, v in pairs if k is not None and v is not None]
    if any(not key for key, _ in exact):
        raise context.error(f"{keyword} names can not be blank")
    return exact if len(exact) == len(pairs) else None


def _split_pair(word: str, keyword: str, context: Context) -> tuple[str, str]:
    if "=" not in word:
        raise context.error(
            f"{keyword}: syntax error - can't find = in {word!r}. Must be of the form: name=value"
        )
    key, _, value = word.partition("=")
    return key, value


def _env(parts: Parts, context: Context) -> list[Instruction]:
    Flags(parts.keyword.upper(), parts.flags, NO_FLAGS, context.where)
    pairs = _pairs(parts, context)
    if pairs is None:
        return raw(parts)
    if parts.keyword.upper() == "ENV":
        return [build(Env, context, "ENV", env=dict(pairs))]
    return [build(Label, context, "LABEL", labels=dict(pairs))]


def parse_args(parts: Parts, context: Context) -> list[Arg] | None:
    """The ARGs one ARG instruction declares; None when a default cannot be kept exactly."""
    Flags("ARG", parts.flags, NO_FLAGS, context.where)
    words = split_words(require(parts, context), context.escape)
    args: list[Arg] = []
    for word in words:
        name, equals, value = word.text.partition("=")
        if equals and not name:
            raise context.error("ARG names can not be blank")
        default = unquoted(value, context, "ARG") if equals else None
        if equals and default is None:
            return None
        args.append(build(Arg, context, "ARG", name=name, default=default))
    return args


def _arg(parts: Parts, context: Context) -> list[Instruction]:
    args = parse_args(parts, context)
    return raw(parts) if args is None else list(args)


# --- one-value instructions -------------------------------------------------------------------


def _expose(parts: Parts, context: Context) -> list[Instruction]:
    Flags("EXPOSE", parts.flags, NO_FLAGS, context.where)
    return [build(Expose, context, "EXPOSE", ports=split_fields(require(parts, context)))]


def _volume(parts: Parts, context: Context) -> list[Instruction]:
    Flags("VOLUME", parts.flags, NO_FLAGS, context.where)
    exec_form = json_args(parts, context)
    words = exec_form if exec_form is not None else split_fields(parts.args)
    paths = [strip(word) for word in words]  # BuildKit trims every path
    if not paths:
        raise context.error("VOLUME requires at least one argument")
    if not all(paths):
        raise context.error("VOLUME specified can not be an empty string")
    return [build(Volume, context, "VOLUME", paths=paths)]


def _user(parts: Parts, context: Context) -> list[Instruction]:
    Flags("USER", parts.flags, NO_FLAGS, context.where)
    user, group = _user_and_group(require(parts, context, "exactly one argument"))
    return [build(User, context, "USER", user=user, group=group)]


def _user_and_group(text: str) -> tuple[str, str | None]:
    """``user[:group]``, split at the first colon outside ``${...}`` with text on both sides."""
    depth = 0
    for index, char in enumerate(text):
        if text.startswith("${", index):
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth and 0 < index < len(text) - 1:
            return text[:index], text[index + 1 :]
    return text, None


def _workdir(parts: Parts, context: Context) -> list[Instruction]:
    Flags("WORKDIR", parts.flags, NO_FLAGS, context.where)
    path = require(parts, context, "exactly one argument")
    return [build(Workdir, context, "WORKDIR", path=path)]


def _stopsignal(parts: Parts, context: Context) -> list[Instruction]:
    Flags("STOPSIGNAL", parts.flags, NO_FLAGS, context.where)
    signal = require(parts, context, "exactly one argument")
    return [build(Stopsignal, context, "STOPSIGNAL", signal=signal)]


def _maintainer(parts: Parts, context: Context) -> list[Instruction]:
    """MAINTAINER sets the image's Author, which no model field holds: it is kept as Raw."""
    Flags("MAINTAINER", parts.flags, NO_FLAGS, context.where)
    require(parts, context, "exactly one argument")
    return raw(parts)


VALUE_PARSERS: dict[str, Callable[[Parts, Context], list[Instruction]]] = {
    "COPY": _copy,
    "ADD": _add,
    "ENV": _env,
    "LABEL": _env,
    "ARG": _arg,
    "EXPOSE": _expose,
    "VOLUME": _volume,
    "USER": _user,
    "WORKDIR": _workdir,
    "STOPSIGNAL": _stopsignal,
    "MAINTAINER": _maintainer,
}
"""The parser of every instruction that is not a command, by keyword."""

__all__ = ["VALUE_PARSERS", "parse_args"]
