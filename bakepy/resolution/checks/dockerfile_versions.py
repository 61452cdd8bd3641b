"""Features a Dockerfile uses that the frontend parsing it lacks.

Which frontend parses a Dockerfile is decided by its ``# syntax=`` line, or without one by the
builder (the engine's built-in frontend, ``builtin``); ``frontend_for`` tells which. Every flag,
mount option, directive and substitution the model uses is looked up in
``bakepy.models.dockerfile.features``; each one that frontend lacks is reported where it is
used, with the release that has it. An ONBUILD trigger is checked as if the same frontend ran
it (it runs in the build that uses the image). An unknown frontend (a digest, another image, no
builtin) limits nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel

from bakepy.errors import Diagnostic, FieldPath
from bakepy.models.dockerfile.features import (
    FEATURE_BY_NAME,
    DockerfileFeature,
    frontend_for,
    short_version,
)
from bakepy.models.dockerfile.instructions import (
    Add,
    Arg,
    BindMount,
    CacheMount,
    Copy,
    Dockerfile,
    Env,
    Expose,
    Healthcheck,
    Heredoc,
    Label,
    Onbuild,
    Run,
    SecretMount,
    SshMount,
    Stage,
    Stopsignal,
    TmpfsMount,
    User,
    Volume,
    Workdir,
)
from bakepy.models.dockerfile.shell_lines import has_line_breaks
from bakepy.models.toolchain import Version

_Use = tuple[str, FieldPath]
"""A feature's name and where it is used, relative to the model that uses it."""

_GIT_PREFIXES = ("git@", "git://", "ssh://")
_NO_COLON = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*[-+?]")
_TRIM_OR_REPLACE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*[#%/]")
_EXPANDING = (
    *(Stage, Arg, Env, Label, Copy, Add, Workdir, User, Expose, Volume, Stopsignal),
    *(CacheMount, BindMount, SecretMount, SshMount, TmpfsMount),
)
"""The models whose words the frontend expands (a RUN, CMD or ENTRYPOINT command is left to
the shell)."""
_NOT_EXPANDED = frozenset({"instruction", "name", "type"})
"""Fields of those models the frontend does not expand variables in."""


class _Flag(NamedTuple):
    """A field of one model class whose use, when it is set, is a feature."""

    model: type[BaseModel]
    field: str
    feature: str
    when: Callable[[Any], bool] = bool


def _symbolic_mode(value: Any) -> bool:
    return isinstance(value, str) and "$" not in value and not value.isdigit()


def _script(value: Any) -> bool:
    """Whether a RUN command has lines the shell must see, so it is written as a heredoc
    script (read with the backslash escape: a backtick file's scripts are Windows ones)."""
    return isinstance(value, str) and has_line_breaks(value)


def _variable_mode(value: Any) -> bool:
    return isinstance(value, str) and "$" in value


_FLAGS: tuple[_Flag, ...] = (
    _Flag(Run, "mounts", "RUN --mount"),
    _Flag(Run, "network", "RUN --network"),
    _Flag(Run, "security", "RUN --security"),
    _Flag(Run, "heredoc", "heredocs"),
    _Flag(Run, "heredocs", "heredocs"),
    _Flag(Run, "command", "heredocs", _script),
    _Flag(TmpfsMount, "size", "RUN --mount=type=tmpfs,size="),
    _Flag(SecretMount, "env", "RUN --mount=type=secret,env="),
    _Flag(Copy, "heredocs", "heredocs"),
    _Flag(Copy, "chmod", "COPY --chmod"),
    _Flag(Copy, "chmod", "COPY --chmod with a variable", _variable_mode),
    _Flag(Copy, "chmod", "COPY --chmod with a symbolic mode", _symbolic_mode),
    _Flag(Copy, "link", "COPY --link"),
    _Flag(Copy, "exclude", "COPY --exclude"),
    _Flag(Copy, "parents", "COPY --parents"),
    _Flag(Add, "heredocs", "heredocs"),
    _Flag(Add, "chmod", "ADD --chmod"),
    _Flag(Add, "chmod", "ADD --chmod with a variable", _variable_mode),
    _Flag(Add, "chmod", "ADD --chmod with a symbolic mode", _symbolic_mode),
    _Flag(Add, "link", "ADD --link"),
    _Flag(Add, "exclude", "ADD --exclude"),
    _Flag(Add, "checksum", "ADD --checksum"),
    _Flag(Add, "keep_git_dir", "ADD --keep-git-dir", lambda value: value is not None),
    _Flag(Add, "unpack", "ADD --unpack", lambda value: value is not None),
    _Flag(Healthcheck, "start_interval", "HEALTHCHECK --start-interval"),
)
"""Flags and mount options: the model class, its field, and the feature it is."""


# --- what one model uses ----------------------------------------------------------------------


def _flag_uses(item: BaseModel) -> Iterator[_Use]:
    for flag in _FLAGS:
        if isinstance(item, flag.model) and flag.when(getattr(item, flag.field)):
            yield flag.feature, (flag.field,)


def is_git_source(source: str) -> bool:
    """Whether ``ADD`` reads ``source`` as a Git repository (``git@``, ``https://...git``)."""
    lowered = source.lower()
    if lowered.startswith(_GIT_PREFIXES):
        return True
    remote = lowered.startswith(("http://", "https://"))
    return remote and (lowered.endswith(".git") or ".git#" in lowered)


def _git_uses(item: BaseModel) -> Iterator[_Use]:
    if not isinstance(item, Add):
        return
    for k, source in enumerate(item.src):
        if is_git_source(source):
            yield "ADD from a Git URL", ("src", k)
            if item.checksum:
                yield "ADD --checksum with a Git source", ("checksum",)


def _onbuild_from_uses(item: BaseModel) -> Iterator[_Use]:
    if not isinstance(item, Onbuild):
        return
    feature, trigger = "an ONBUILD trigger using --from or a mount from=", item.trigger
    if isinstance(trigger, Copy) and trigger.from_ is not None:
        yield feature, ("trigger", "from")
    for k, mount in enumerate(trigger.mounts if isinstance(trigger, Run) else []):
        if isinstance(mount, CacheMount | BindMount) and mount.from_ is not None:
            yield feature, ("trigger", "mounts", k, "from")


def _expanded_texts(item: BaseModel) -> Iterator[tuple[FieldPath, str]]:
    """Strings of ``item`` the frontend expands ``${...}`` in (never a shell command)."""
    if not isinstance(item, _EXPANDING):
        return
    for name in type(item).model_fields:
        value, field = getattr(item, name), "from" if name == "from_" else name
        if name in _NOT_EXPANDED:
            continue
        if isinstance(value, str):
            yield (field,), value
        elif isinstance(value, dict):
            yield from (((field, key), text) for key, text in value.items())
        elif isinstance(value, list):
            yield from _list_texts(field, value)


def _list_texts(field: str, values: list[Any]) -> Iterator[tuple[FieldPath, str]]:
    for k, value in enumerate(values):
        if isinstance(value, str):
            yield (field, k), value
        elif isinstance(value, Heredoc) and value.expand:
            yield (field, k, "body"), value.body


def _substitution_uses(item: BaseModel) -> Iterator[_Use]:
    for path, text in _expanded_texts(item):
        if _TRIM_OR_REPLACE.search(text):
            yield "${VAR#pattern}, ${VAR%pattern} or ${VAR/old/new}", path
        if _NO_COLON.search(text):
            yield "${VAR-word}, ${VAR+word} or ${VAR?word} (no colon)", path


_DETECTORS: tuple[Callable[[BaseModel], Iterator[_Use]], ...] = (
    _flag_uses,
    _git_uses,
    _onbuild_from_uses,
    _substitution_uses,
)
"""Everything that finds the features one model (an instruction, a mount, a stage) uses."""


# --- walking the Dockerfile -------------------------------------------------------------------


def _models(dockerfile: Dockerfile) -> Iterator[tuple[FieldPath, BaseModel]]:
    """Every global ARG, stage, instruction, ONBUILD trigger and RUN mount, with its path."""
    spec = dockerfile.spec
    yield from ((("spec", "args", k), arg) for k, arg in enumerate(spec.args))
    for i, stage in enumerate(spec.stages):
        yield ("spec", "stages", i), stage
        for j, item in enumerate(stage.instructions):
            yield from _instruction_models(("spec", "stages", i, "instructions", j), item)


def _instruction_models(path: FieldPath, item: BaseModel) -> Iterator[tuple[FieldPath, BaseModel]]:
    yield path, item
    if isinstance(item, Onbuild):
        yield from _instruction_models((*path, "trigger"), item.trigger)
    if isinstance(item, Run):
        yield from (((*path, "mounts", k), mount) for k, mount in enumerate(item.mounts))


def _directive_uses(dockerfile: Dockerfile) -> Iterator[_Use]:
    check = dockerfile.spec.check
    if check:
        yield "the # check= directive", ("spec", "check")
        if "experimental" in check:
            yield "# check=experimental=", ("spec", "check")


def _uses(dockerfile: Dockerfile) -> Iterator[_Use]:
    """Every feature the Dockerfile uses, with its path from the resource, in file order."""
    yield from _directive_uses(dockerfile)
    for path, item in _models(dockerfile):
        for detect in _DETECTORS:
            yield from ((name, (*path, *where)) for name, where in detect(item))


# --- reporting --------------------------------------------------------------------------------

_Missing = tuple[DockerfileFeature, FieldPath]
"""A feature the frontend lacks and where it is used."""


class _Frontend(NamedTuple):
    """The frontend that parses the Dockerfile, and how to name it in a message."""

    version: Version
    labs: bool
    syntax: str | None

    def describe(self) -> str:
        if self.syntax is None:
            return f"the engine's built-in frontend is {self.version}"
        channel = " (labs)" if self.labs else ""
        return f'"# syntax={self.syntax}" selects frontend {short_version(self.version)}{channel}'

    def hint(self, feature: DockerfileFeature) -> str:
        verb = "add" if self.syntax is None else "change the syntax line to"
        tag = feature.syntax_tag(self.labs)
        return (
            f'{verb} "# syntax=docker/dockerfile:{tag}" (a frontend pulled at build time), '
            f"or do without {feature.name}"
        )


def _diagnostic(
    dockerfile: Dockerfile, frontend: _Frontend, feature: DockerfileFeature, path: FieldPath
) -> Diagnostic:
    silent = ", which ignores it without a word" if feature.ignored_by(frontend.version) else ""
    message = f"{feature.name} needs {feature.needs()}; {frontend.describe()}{silent}"
    return Diagnostic(message, dockerfile.location(*path), frontend.hint(feature))


def _demand(feature: DockerfileFeature) -> tuple[bool, Version]:
    """How new a frontend ``feature`` needs: labs-only ones the most, then by release."""
    return feature.stable is None, feature.stable or feature.first


def _most_demanding(missing: list[_Missing]) -> list[_Missing]:
    """One (feature, path) per path: the feature that needs the newest frontend, in order."""
    chosen: dict[FieldPath, DockerfileFeature] = {}
    for feature, path in missing:
        known = chosen.get(path)
        if known is None or _demand(feature) > _demand(known):
            chosen[path] = feature
    return [(feature, path) for path, feature in chosen.items()]


def check_dockerfile_versions(
    dockerfile: Dockerfile, builtin: Version | None, *, syntax_directive: bool = True
) -> list[Diagnostic]:
    """Every feature ``dockerfile`` uses that its frontend lacks (``builtin``: the engine's);
    without ``syntax_directive`` (rendered without its ``# syntax=`` line) the engine's
    built-in frontend reads it whatever the line said."""
    refused, ignored = dockerfile_version_findings(
        dockerfile, builtin, syntax_directive=syntax_directive
    )
    return refused + ignored


def dockerfile_version_findings(
    dockerfile: Dockerfile, builtin: Version | None, *, syntax_directive: bool = True
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """``check_dockerfile_versions``'s findings apart: (those the frontend refuses, those it
    ignores without a word and builds anyway), so a user's own file may be warned of the
    second kind only, as BuildKit builds it."""
    written = (dockerfile.spec.syntax or "").strip() or None
    syntax = written if syntax_directive else None
    version, labs = frontend_for(syntax, builtin)
    if version is None:
        return [], []
    frontend = _Frontend(version, labs, syntax)
    missing = [
        (FEATURE_BY_NAME[name], path)
        for name, path in _uses(dockerfile)
        if not FEATURE_BY_NAME[name].available(version, labs)
    ]
    refused: list[Diagnostic] = []
    ignored: list[Diagnostic] = []
    for feature, path in _most_demanding(missing):
        found = ignored if feature.ignored_by(frontend.version) else refused
        found.append(_diagnostic(dockerfile, frontend, feature, path))
    return refused, ignored


__all__ = ["check_dockerfile_versions", "dockerfile_version_findings", "is_git_source"]
