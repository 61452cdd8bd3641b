"""Rules that need a whole Dockerfile: stage names and references, ONBUILD, ARG scope, values.

Each rule mirrors an error BuildKit itself raises (or a mistake it silently builds wrong, such as
a global ARG used in a stage that never re-declared it), and reports it before anything is
rendered or built. ``check_dockerfile`` returns every problem found, in a stable order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from bakepy.errors import Diagnostic, FieldPath, Location
from bakepy.models.dockerfile.dockerignore import validate_pattern
from bakepy.models.dockerfile.instructions import (
    Add,
    Arg,
    BindMount,
    CacheMount,
    Cmd,
    Comment,
    Copy,
    Dockerfile,
    Entrypoint,
    Env,
    Expose,
    Healthcheck,
    Label,
    Onbuild,
    Raw,
    Run,
    Shell,
    Stage,
    StageRef,
    Stopsignal,
    User,
    Volume,
    Workdir,
)
from bakepy.models.dockerfile.shell_lines import (
    ends_continued,
    has_line_breaks,
    shell_lines,
    shell_text,
)
from bakepy.resolution.checks.stages import find_stage_index, stage_index
from bakepy.support.durations import DurationError, parse_duration

PLATFORM_ARGS = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
    }
)
"""ARGs BuildKit defines in the global scope; a stage sees them only after ``ARG NAME``."""

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_PORT = re.compile(r"\d+(?:-\d+)?(?:/(?:tcp|udp|sctp))?", re.IGNORECASE)
_SIGNALS = frozenset(
    [
        *("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO"),
        *("IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP"),
        *("SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2"),
        *("VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX"),
        *(f"RTMIN+{n}" for n in range(1, 16)),
        *(f"RTMAX-{n}" for n in range(1, 15)),
    ]
)
# --- public helpers ---------------------------------------------------------------------------


def stage_names_in_order(dockerfile: Dockerfile) -> list[str | None]:
    """The name of every stage (None for an unnamed one), in file order."""
    return [stage.name for stage in dockerfile.spec.stages]


def referenced_names(text: str, *, escape: str = "\\", single_quotes: bool = True) -> list[str]:
    """Variables ``text`` expands (``$NAME``, ``${NAME}``, ``${NAME:-x}``), escaped ones skipped."""
    names: list[str] = []
    index, in_double = 0, False
    while index < len(text):
        char = text[index]
        if char == escape:
            index += 2
            continue
        if char == "'" and single_quotes and not in_double:
            end = text.find("'", index + 1)
            index = len(text) if end < 0 else end + 1
            continue
        if char == '"':
            in_double = not in_double
        match = _VARIABLE.match(text, index) if char == "$" else None
        if match:
            names.append(match.group(1))
            index = match.end()
            continue
        index += 1
    return names


def check_dockerfile(dockerfile: Dockerfile, *, refused_only: bool = False) -> list[Diagnostic]:
    """Every problem in ``dockerfile`` that BuildKit would reject or silently build wrong; with
    ``refused_only``, only what BuildKit rejects (``silent_problems`` gives the rest)."""
    doc = _Doc.of(dockerfile)
    diagnostics: list[Diagnostic] = []
    for rule in _RULES:
        if not (refused_only and rule in _SILENT_RULES):
            diagnostics.extend(rule(doc))
    return diagnostics


def silent_problems(dockerfile: Dockerfile) -> list[Diagnostic]:
    """What BuildKit builds without a word but not as written (a global ARG used in a stage
    that never declared it expands to nothing): a warning for a file the user already has."""
    doc = _Doc.of(dockerfile)
    return [problem for rule in _SILENT_RULES for problem in rule(doc)]


# --- walking the model ------------------------------------------------------------------------


class _Doc(NamedTuple):
    """The Dockerfile under check, with the base location every diagnostic starts from."""

    dockerfile: Dockerfile
    location: Location

    @classmethod
    def of(cls, dockerfile: Dockerfile) -> _Doc:
        return cls(dockerfile, dockerfile.location())

    @property
    def stages(self) -> list[Stage]:
        return self.dockerfile.spec.stages

    @property
    def escape(self) -> str:
        return self.dockerfile.spec.escape or "\\"

    def at(self, path: FieldPath) -> Location:
        return self.dockerfile.location(*path)

    def error(self, path: FieldPath, message: str, hint: str | None = None) -> Diagnostic:
        return Diagnostic(message, self.at(path), hint)


class _Site(NamedTuple):
    """One instruction and where it is: its stage index and its field path."""

    stage: int
    path: FieldPath
    item: Any


def _stage_path(index: int) -> FieldPath:
    return ("spec", "stages", index)


def _sites(doc: _Doc, *, triggers: bool = False) -> Iterator[_Site]:
    """Every stage instruction in order; with ``triggers``, ONBUILD triggers after their ONBUILD."""
    for i, stage in enumerate(doc.stages):
        for j, item in enumerate(stage.instructions):
            site = _Site(i, (*_stage_path(i), "instructions", j), item)
            yield site
            while triggers and isinstance(site.item, Onbuild):
                site = _Site(i, (*site.path, "trigger"), site.item.trigger)
                yield site


def _label(stages: Sequence[Stage], index: int) -> str:
    name = stages[index].name
    return repr(name) if name else f"#{index}"


# --- duplicate stage names --------------------------------------------------------------------


def _duplicate_stage_names(doc: _Doc) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    for index, stage in enumerate(doc.stages):
        if stage.name is None:
            continue
        earlier = first.setdefault(stage.name.lower(), index)
        if earlier != index:
            yield doc.error(
                (*_stage_path(index), "name"),
                f"duplicate stage name {stage.name!r}: stage #{earlier} is already called "
                f"{doc.stages[earlier].name!r}",
                "stage names are case-insensitive and must be unique; rename one of them",
            )


# --- stage references -------------------------------------------------------------------------


class _Reference(NamedTuple):
    """A FROM, COPY --from or RUN --mount from= value, where it is, and which stage holds it."""

    stage: int
    path: FieldPath
    value: Stage | StageRef | str
    kind: str


def _references(doc: _Doc) -> Iterator[_Reference]:
    for index, stage in enumerate(doc.stages):
        yield _Reference(index, (*_stage_path(index), "from"), stage.from_, "FROM")
    for site in _sites(doc):
        if isinstance(site.item, Copy) and site.item.from_ is not None:
            yield _Reference(site.stage, (*site.path, "from"), site.item.from_, "COPY --from")
        if isinstance(site.item, Run):
            for k, mount in enumerate(site.item.mounts):
                if isinstance(mount, CacheMount | BindMount) and mount.from_ is not None:
                    path = (*site.path, "mounts", k, "from")
                    yield _Reference(site.stage, path, mount.from_, "RUN --mount from=")


def _resolve(doc: _Doc, ref: _Reference) -> tuple[int | None, str | None]:
    """The referenced stage index (None for an image) or a problem with the reference."""
    value = ref.value
    if isinstance(value, Stage):
        index = stage_index(doc.stages, value)
        if index is None:
            return None, "a Stage object that is not one of this Dockerfile's stages"
        if value.name is None:
            return None, f"stage #{index}, which has no name"
        return index, None
    if isinstance(value, StageRef):
        index = find_stage_index(doc.stages, value.stage)
        return (index, None) if index is not None else (None, f"unknown stage {value.stage!r}")
    index = find_stage_index(doc.stages, value)
    if index is None and ref.kind == "COPY --from" and value.isdigit():  # mounts take names
        index = int(value)
        if index >= len(doc.stages):
            return None, f"stage index {index}, but there are only {len(doc.stages)} stages"
    return index, None


def _reference_problem(doc: _Doc, ref: _Reference) -> Diagnostic | None:
    index, problem = _resolve(doc, ref)
    where = f"{ref.kind} in stage {_label(doc.stages, ref.stage)}"
    if problem is not None:
        hint = "reference a stage of this Dockerfile (give it a name), or an image"
        return doc.error(ref.path, f"{where} references {problem}", hint)
    if index is None or index < ref.stage:
        return None
    if index == ref.stage:
        return doc.error(ref.path, f"{where} references its own stage", "a stage cannot use itself")
    return doc.error(
        ref.path,
        f"{where} references stage {_label(doc.stages, index)}, which comes later in the file",
        f"move stage {_label(doc.stages, index)} before stage {_label(doc.stages, ref.stage)}",
    )


def _stage_references(doc: _Doc) -> Iterator[Diagnostic]:
    for ref in _references(doc):
        diagnostic = _reference_problem(doc, ref)
        if diagnostic is not None:
            yield diagnostic


# --- ONBUILD and SHELL ------------------------------------------------------------------------


def _trigger_keyword(trigger: Any) -> str:
    if isinstance(trigger, Raw):
        words = trigger.text.split(None, 1)
        return words[0].upper() if words else ""
    return "#" if isinstance(trigger, Comment) else str(trigger.KEYWORD)


def _onbuild_triggers(doc: _Doc) -> Iterator[Diagnostic]:
    for site in _sites(doc, triggers=True):
        if not isinstance(site.item, Onbuild):
            continue
        keyword = _trigger_keyword(site.item.trigger)
        path = (*site.path, "trigger")
        if keyword == "ONBUILD":
            yield doc.error(path, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        elif keyword in ("FROM", "MAINTAINER"):
            yield doc.error(path, f"{keyword} isn't allowed as an ONBUILD trigger")
        elif keyword.startswith("#") or not keyword:
            yield doc.error(path, "an ONBUILD trigger must be an instruction, not a comment")


def _shell_exec_form(doc: _Doc) -> Iterator[Diagnostic]:
    for site in _sites(doc, triggers=True):
        if not isinstance(site.item, Shell):
            continue
        path = (*site.path, "command")
        if not isinstance(site.item.command, list):
            yield doc.error(
                path,
                "SHELL must be written in exec form (a list)",
                "write e.g. ['/bin/bash', '-o', 'pipefail', '-c']",
            )
        elif not site.item.command:
            yield doc.error(path, "SHELL requires at least one argument")


# --- global ARG scope -------------------------------------------------------------------------


class _Text(NamedTuple):
    """A string BuildKit or the shell expands, and how to scan it."""

    path: FieldPath
    text: str
    single_quotes: bool
    runtime: bool = False


def _word_texts(site: _Site, fields: dict[str, Any]) -> Iterator[_Text]:
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for k, text in enumerate(values):
            if isinstance(text, str):
                path = (*site.path, name, k) if isinstance(value, list) else (*site.path, name)
                yield _Text(path, text, single_quotes=True)


def _run_texts(site: _Site, run: Run, escape: str) -> Iterator[_Text]:
    if isinstance(run.command, str):
        command = shell_text(run.command, escape)
        yield _Text((*site.path, "command"), command, single_quotes=False)
    if run.heredoc is not None and run.heredoc.expand:
        yield _Text((*site.path, "heredoc", "body"), run.heredoc.body, single_quotes=False)
    for k, mount in enumerate(run.mounts):
        names = [name for name in type(mount).model_fields if name not in ("type", "from_")]
        fields = {name: getattr(mount, name) for name in names}
        yield from _word_texts(_Site(site.stage, (*site.path, "mounts", k), mount), fields)


def _file_texts(site: _Site, item: Copy | Add) -> Iterator[_Text]:
    fields: dict[str, Any] = {
        "src": item.src,
        "dest": item.dest,
        "chown": item.chown,
        "chmod": item.chmod,
        "exclude": item.exclude,
    }
    if isinstance(item, Add):
        fields["checksum"] = item.checksum
    yield from _word_texts(site, fields)
    for k, heredoc in enumerate(item.heredocs):
        if heredoc.expand:
            yield _Text((*site.path, "heredocs", k, "body"), heredoc.body, single_quotes=False)


def _runtime_texts(site: _Site, command: Any) -> Iterator[_Text]:
    if isinstance(command, str):
        yield _Text((*site.path, "command"), command, single_quotes=False, runtime=True)


def _expanded_texts(site: _Site, escape: str) -> Iterator[_Text]:
    """Every string of one instruction that is expanded with the stage's ARG/ENV in scope."""
    item = site.item
    if isinstance(item, Run):
        yield from _run_texts(site, item, escape)
    elif isinstance(item, Copy | Add):
        yield from _file_texts(site, item)
    elif isinstance(item, Cmd | Entrypoint | Healthcheck):
        yield from _runtime_texts(site, item.command)
    elif isinstance(item, Env | Label):
        yield from _pair_texts(site, item)
    else:
        yield from _word_texts(site, _plain_fields(item))


def _pair_texts(site: _Site, item: Env | Label) -> Iterator[_Text]:
    field, pairs = ("env", item.env) if isinstance(item, Env) else ("labels", item.labels)
    for key, value in pairs.items():
        yield _Text((*site.path, field, key), f"{key}={value}", single_quotes=True)


def _plain_fields(item: Any) -> dict[str, Any]:
    if isinstance(item, Expose):
        return {"ports": item.ports}
    if isinstance(item, Volume):
        return {"paths": item.paths}
    if isinstance(item, User):
        return {"user": item.user, "group": item.group}
    if isinstance(item, Workdir):
        return {"path": item.path}
    if isinstance(item, Stopsignal):
        return {"signal": item.signal}
    if isinstance(item, Arg):
        return {"default": item.default}
    return {}


def _base_stage(doc: _Doc, index: int) -> int | None:
    value = doc.stages[index].from_
    if isinstance(value, Stage):
        found = stage_index(doc.stages, value)
    else:
        found = find_stage_index(doc.stages, value.stage if isinstance(value, StageRef) else value)
    return found if found is not None and found < index else None


def _declared_names(item: Any) -> set[str]:
    if isinstance(item, Arg):
        return {item.name}
    return set(item.env) if isinstance(item, Env) else set()


def _scope_hint(name: str, label: str, text: _Text) -> str:
    if text.runtime:
        return (
            f'add "ARG {name}" and "ENV {name}=${{{name}}}" to stage {label}: this command '
            "runs in the container, where only ENV values exist"
        )
    return f'add "ARG {name}" to stage {label}'


def _global_uses(doc: _Doc, site: _Site, globals_: set[str]) -> Iterator[tuple[_Text, str]]:
    """(text, name) of every global or platform ARG one instruction expands."""
    for text in _expanded_texts(site, doc.escape):
        escape = doc.escape if text.single_quotes else "\\"
        names = referenced_names(text.text, escape=escape, single_quotes=text.single_quotes)
        yield from ((text, name) for name in names if name in globals_)


def _scope_error(doc: _Doc, index: int, text: _Text, name: str) -> Diagnostic:
    kind = "automatic platform ARG" if name in PLATFORM_ARGS else "global ARG"
    return doc.error(
        text.path,
        f"stage {_label(doc.stages, index)} uses ${name}, but {kind} {name} is not in scope there",
        _scope_hint(name, doc.stages[index].name or str(index), text),
    )


def _stage_scope(doc: _Doc, index: int, globals_: set[str], env: set[str]) -> Iterator[Diagnostic]:
    """Uses of global/platform ARGs in one stage before the stage declares them."""
    declared, reported = set(env), set[str]()
    for site in (s for s in _sites(doc) if s.stage == index):
        for text, name in _global_uses(doc, site, globals_):
            if name not in declared and name not in reported:
                reported.add(name)
                yield _scope_error(doc, index, text, name)
        declared |= _declared_names(site.item)


def _stage_env(doc: _Doc, index: int) -> set[str]:
    names: set[str] = set()
    for stage_item in doc.stages[index].instructions:
        if isinstance(stage_item, Env):
            names |= set(stage_item.env)
    return names


def _global_arg_scope(doc: _Doc) -> Iterator[Diagnostic]:
    globals_ = {arg.name for arg in doc.dockerfile.spec.args} | PLATFORM_ARGS
    inherited: list[set[str]] = []
    for index in range(len(doc.stages)):
        base = _base_stage(doc, index)
        env = set(inherited[base]) if base is not None else set()
        yield from _stage_scope(doc, index, globals_, env)
        inherited.append(env | _stage_env(doc, index))


# --- values BuildKit rejects ------------------------------------------------------------------


def _add_checksum(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    item = site.item
    if not isinstance(item, Add) or not item.checksum:
        return
    path = (*site.path, "checksum")
    if len(item.src) != 1:
        yield doc.error(path, "ADD --checksum can't be specified for multiple sources")
    elif not _is_remote(item.src[0]):
        yield doc.error(
            path,
            "ADD --checksum requires an HTTP(S) or Git source",
            "checksums verify downloads; local files are checked by the build context",
        )


def _is_remote(source: str) -> bool:
    lowered = source.lower()
    return lowered.startswith(("http://", "https://", "git@", "git://", "ssh://")) or (
        ".git#" in lowered or lowered.endswith(".git")
    )


def _octal(value: str, maximum: int | None = None) -> bool:
    if not value or any(ch not in "01234567" for ch in value):
        return False
    return maximum is None or int(value, 8) <= maximum


def _file_modes(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    item = site.item
    chmod = item.chmod if isinstance(item, Copy | Add) else None
    if chmod and chmod.isdigit() and not _octal(chmod, 0o7777):
        yield doc.error(
            (*site.path, "chmod"),
            f"invalid chmod {chmod!r}: it should be an octal string between 0 and 07777",
        )


def _mount_values(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    if not isinstance(site.item, Run):
        return
    for k, mount in enumerate(site.item.mounts):
        path = (*site.path, "mounts", k)
        mode = getattr(mount, "mode", None)
        if mode and "$" not in mode and not _octal(mode):
            yield doc.error((*path, "mode"), f"invalid mount mode {mode!r}: it must be octal")
        source = getattr(mount, "from_", None)
        if isinstance(source, str) and "$" in source:
            yield doc.error(
                (*path, "from"),
                "RUN --mount from= doesn't support variable expansion",
                "define an alias stage (FROM ${IMAGE} AS alias) and mount from it",
            )


def _duration_nanos(text: str) -> int | None:
    """BuildKit reads HEALTHCHECK durations with Go's ``time.ParseDuration``."""
    try:
        return parse_duration(text)
    except DurationError:
        return None


def _healthcheck_values(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    item = site.item
    if not isinstance(item, Healthcheck) or item.none:
        return
    for field in ("interval", "timeout", "start_period", "start_interval"):
        value = getattr(item, field)
        nanos = None if value is None else _duration_nanos(value)
        flag = "--" + field.replace("_", "-")
        if value is not None and nanos is None:
            yield doc.error((*site.path, field), f"HEALTHCHECK {flag}={value} is not a duration")
        elif nanos is not None and nanos != 0 and nanos < 1_000_000:
            yield doc.error((*site.path, field), f"HEALTHCHECK {flag} cannot be less than 1ms")
    if item.retries is not None and item.retries < 0:
        yield doc.error((*site.path, "retries"), "HEALTHCHECK --retries cannot be negative")
    command = item.command
    if command is not None and not (command if isinstance(command, list) else command.strip()):
        yield doc.error((*site.path, "command"), "missing command after HEALTHCHECK CMD")


def _port_and_signal_values(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    item = site.item
    if isinstance(item, Expose):
        if not item.ports:
            yield doc.error((*site.path, "ports"), "EXPOSE requires at least one port")
        for k, port in enumerate(item.ports):
            if "$" not in port and not _PORT.fullmatch(port):
                yield doc.error(
                    (*site.path, "ports", k),
                    f"invalid port {port!r}",
                    "write a port or range with an optional protocol: 80, 53/udp, 8000-8010/tcp",
                )
    if isinstance(item, Stopsignal) and not _valid_signal(item.signal):
        yield doc.error((*site.path, "signal"), f"invalid signal {item.signal!r}")


def _valid_signal(signal: str) -> bool:
    if "$" in signal:
        return True
    if signal.isdigit():
        return int(signal) > 0
    name = signal.upper()
    return name.removeprefix("SIG") in _SIGNALS


def _required_values(item: Any) -> Iterator[tuple[FieldPath, Any, str]]:
    """(field, value, what) of everything BuildKit needs non-empty, by instruction."""
    if isinstance(item, User):
        yield ("user",), item.user, "a user"
    elif isinstance(item, Workdir):
        yield ("path",), item.path, "a path"
    elif isinstance(item, Copy | Add):
        yield ("dest",), item.dest, "a destination"
    elif isinstance(item, Volume):
        yield ("paths",), item.paths, "at least one path"
        for k, path in enumerate(item.paths):
            yield ("paths", k), path, "a path"
    elif isinstance(item, Env | Label):
        field, pairs = ("env", item.env) if isinstance(item, Env) else ("labels", item.labels)
        yield (field,), pairs, "at least one name=value pair"
        for key in pairs:
            yield (field, key), key, "a name (names can not be blank)"


def _empty_values(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    for field, value, what in _required_values(site.item):
        if not (value.strip() if isinstance(value, str) else value):
            yield doc.error((*site.path, *field), f"{site.item.KEYWORD} requires {what}")


def _line_break_values(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    for text in _single_line_texts(site):
        if "\n" in text.text or "\r" in text.text:
            yield doc.error(
                text.path,
                f"{site.item.KEYWORD} value holds a line break, which a Dockerfile cannot express",
                "use a heredoc (RUN/COPY <<EOT) or a file for multi-line content",
            )


def _shell_command_lines(doc: _Doc, site: _Site) -> Iterator[Diagnostic]:
    """A shell-form command must end its own instruction, and only RUN's may run several lines
    (as a heredoc script): CMD, ENTRYPOINT, HEALTHCHECK and a RUN feeding a heredoc are one."""
    item = site.item
    if not isinstance(item, Run | Cmd | Entrypoint | Healthcheck):
        return
    if not isinstance(item.command, str):
        return
    path = (*site.path, "command")
    if ends_continued(item.command, doc.escape):
        yield doc.error(
            path,
            f"{item.KEYWORD} command ends inside a line continuation ({doc.escape} at its end, "
            "or a comment line after one), which would take in the next instruction",
            f"remove the trailing {doc.escape}, or end the command with a line of its own",
        )
    elif has_line_breaks(item.command, doc.escape) and not _may_run_lines(item):
        yield doc.error(
            path,
            f"{item.KEYWORD} shell-form command holds a line break the shell would have to "
            "see, which this instruction cannot carry",
            f"end each line but the last with {doc.escape} to continue it, join the commands "
            'with && or ;, or give an exec-form list (["/bin/sh", "-c", "..."])',
        )
    elif (operator := _line_starting_with_an_operator(item.command, doc.escape)) is not None:
        yield doc.error(
            path,
            f"a line of the {item.KEYWORD} command starts with {operator}: each line is a "
            "command of its own, so the shell refuses it",
            f"end the line before it with {doc.escape} to continue it there",
        )


_OPERATORS = ("&&", "||", "|", ";")


def _line_starting_with_an_operator(command: str, escape: str) -> str | None:
    """The operator a shell line after the first starts with (``&& make``), which the shell
    refuses at the start of a command: the line before was meant to continue."""
    for group in shell_lines(command.strip(), escape)[1:]:
        start = group[0].lstrip()
        for operator in _OPERATORS:
            if start.startswith(operator):
                return operator
    return None


def _may_run_lines(item: Run | Cmd | Entrypoint | Healthcheck) -> bool:
    """Whether a multi-line command can be written as a heredoc script (a RUN without one)."""
    return isinstance(item, Run) and item.heredoc is None and not item.heredocs


def _single_line_texts(site: _Site) -> Iterator[_Text]:
    item = site.item
    if isinstance(item, Env | Label):
        yield from _pair_texts(site, item)
    elif isinstance(item, Copy | Add):
        yield from _word_texts(site, {"src": item.src, "dest": item.dest})
    elif not isinstance(item, Run):
        yield from _word_texts(site, _plain_fields(item))


_VALUE_CHECKS = (
    _add_checksum,
    _file_modes,
    _mount_values,
    _healthcheck_values,
    _port_and_signal_values,
    _empty_values,
    _line_break_values,
    _shell_command_lines,
)


def _instruction_values(doc: _Doc) -> Iterator[Diagnostic]:
    global_args = [
        _Site(-1, ("spec", "args", k), arg) for k, arg in enumerate(doc.dockerfile.spec.args)
    ]
    for site in [*global_args, *_sites(doc, triggers=True)]:
        for check in _VALUE_CHECKS:
            yield from check(doc, site)


def _dockerignore_patterns(doc: _Doc) -> Iterator[Diagnostic]:
    for k, pattern in enumerate(doc.dockerfile.spec.dockerignore or []):
        try:
            validate_pattern(pattern)
        except ValueError as exc:
            yield doc.error(("spec", "dockerignore", k), f".dockerignore: {exc}")


_RULES = (
    _duplicate_stage_names,
    _stage_references,
    _onbuild_triggers,
    _shell_exec_form,
    _global_arg_scope,
    _instruction_values,
    _dockerignore_patterns,
)
_SILENT_RULES = (_global_arg_scope,)

__all__ = [
    "PLATFORM_ARGS",
    "check_dockerfile",
    "find_stage_index",
    "referenced_names",
    "silent_problems",
    "stage_index",
    "stage_names_in_order",
]
