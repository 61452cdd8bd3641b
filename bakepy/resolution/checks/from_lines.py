"""FROM lines as BuildKit reads them: variables expanded with the global ARGs, then the base
checked as an image reference (or an earlier stage, or ``scratch``).

Only the ARGs declared before the first FROM (and the automatic platform ARGs) are in scope
on a FROM line; any other variable expands to nothing. Built here, ``FROM busybox:${TAG}``
with TAG undeclared fails (``invalid reference format``), ``FROM ${IMAGE}`` fails (``base
name should not be blank``), an undeclared variable in ``--platform`` fails (``failed to
parse platform``), while ``FROM ${REGISTRY}busybox`` builds ``busybox`` without a word. So an
undeclared variable is an error where the expanded line is not a valid base, and a warning
where it silently builds something else. ``expand`` and ``valid_base`` serve the checks
against a bake target too, whose build args fill the declared ARGs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from bakepy.errors import Diagnostic
from bakepy.models.dockerfile.instructions import Dockerfile, Stage, StageRef

PLATFORM_VALUES = {
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETARCH": "amd64",
    "TARGETVARIANT": "",
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "BUILDVARIANT": "",
}
"""The automatic platform ARGs, with values of a typical build (their shape is what matters)."""

_SUBSTITUTION = re.compile(
    r"\$(?:(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\})"
)
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = (
    r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
)


@functools.cache
def _reference() -> re.Pattern[str]:
    """The image reference grammar a FROM value must match, compiled on first use (0.6 ms):
    only Dockerfile models' stages, and FROM lines missing a build arg, are checked with it."""
    return re.compile(
        rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
        r"(?::[\w][\w.-]{0,127})?"
        r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?"
    )


_PLATFORM = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+){0,2}(?:,[A-Za-z0-9_/.-]+)*")


class Expanded(NamedTuple):
    """A FROM value with its variables expanded, and the variables no ARG declares."""

    text: str
    undeclared: list[str]


def expand(text: str, values: Mapping[str, str | None]) -> Expanded:
    """``text`` with ``$NAME``, ``${NAME}``, ``${NAME:-word}``, ``${NAME+word}``... expanded
    from ``values`` (None: declared without a value); a name not in ``values`` is undeclared
    and expands as an unset one."""
    undeclared: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match["plain"] or match["name"]
        if name not in values and name not in undeclared:
            undeclared.append(name)
        value = values.get(name)
        op, word = match["op"], match["word"] or ""
        if op is None:
            return value or ""
        empty = not value if op.startswith(":") else value is None
        if op.endswith("-"):
            return word if empty else value or ""
        return "" if empty else word

    return Expanded(_SUBSTITUTION.sub(substitute, text), undeclared)


def variables(text: str) -> list[str]:
    """The variables ``text`` expands, in order."""
    return [match["plain"] or match["name"] for match in _SUBSTITUTION.finditer(text)]


def valid_base(base: str, stages: list[str]) -> bool:
    """Whether BuildKit takes ``base`` (expanded) as an earlier stage, scratch or an image."""
    if base.lower() in stages or base == "scratch":
        return True
    return len(base) <= 255 and _reference().fullmatch(base) is not None


def valid_platform(platform: str) -> bool:
    """Whether an expanded ``--platform`` value reads as one or more platforms."""
    return _PLATFORM.fullmatch(platform) is not None


def global_values(dockerfile: Dockerfile) -> dict[str, str | None]:
    """The variables a FROM line sees: global ARG defaults (None: none) and platform ARGs."""
    values: dict[str, str | None] = dict(PLATFORM_VALUES)
    for arg in dockerfile.spec.args:
        default = None if arg.default is None else expand(arg.default, values).text
        values[arg.name] = default
    return values


def base_text(stage: Stage) -> str | None:
    """The base a FROM line names as text (None for a Stage object: it has no variables)."""
    if isinstance(stage.from_, StageRef):
        return stage.from_.stage
    return stage.from_ if isinstance(stage.from_, str) else None


def check_from_lines(dockerfile: Dockerfile) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, warnings): FROM lines that use a variable no global ARG declares."""
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for problem, fatal in _undeclared(dockerfile):
        (errors if fatal else warnings).append(problem)
    return errors, warnings


def _undeclared(dockerfile: Dockerfile) -> Iterator[tuple[Diagnostic, bool]]:
    values = global_values(dockerfile)
    names: list[str] = []
    for index, stage in enumerate(dockerfile.spec.stages):
        text = base_text(stage)
        if text is not None:
            found = expand(text, values)
            fatal = not valid_base(found.text, names) if found.text else True
            yield from _reports(dockerfile, index, "from", found, fatal)
        if stage.platform:
            found = expand(stage.platform, values)
            fatal = not valid_platform(found.text)
            yield from _reports(dockerfile, index, "platform", found, fatal)
        names.append((stage.name or "").lower())


def _reports(
    dockerfile: Dockerfile, index: int, field: str, found: Expanded, fatal: bool
) -> Iterator[tuple[Diagnostic, bool]]:
    stage = dockerfile.spec.stages[index]
    label = repr(stage.name) if stage.name else f"#{index}"
    where = "FROM" if field == "from" else "FROM --platform"
    outcome = (
        f"BuildKit expands it to nothing and fails on {found.text!r}"
        if fatal
        else f"BuildKit expands it to nothing and builds {found.text!r}"
    )
    for name in found.undeclared:
        yield (
            Diagnostic(
                f"stage {label}: {where} uses ${name}, which no ARG before the first FROM "
                f"declares; {outcome}",
                dockerfile.location("spec", "stages", index, field),
                f'declare it before the first FROM (e.g. "ARG {name}=<default>"); an ARG '
                "inside a stage is not in scope on FROM lines",
            ),
            fatal,
        )


__all__ = [
    "PLATFORM_VALUES",
    "Expanded",
    "base_text",
    "check_from_lines",
    "expand",
    "global_values",
    "valid_base",
    "valid_platform",
    "variables",
]
