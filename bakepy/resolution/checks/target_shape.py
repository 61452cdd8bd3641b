"""What the check of a bake target against its Dockerfile needs of that file, and the verdict on
that alone: whether the full check could report anything.

Parsing every Dockerfile into the model costs about a millisecond a file, most of a cold render
of a monorepo. A quick scan (``bakepy.loaders.dockerfile.scan``) reads only a simple file's
stages, ARGs and ``COPY --from``; ``quiet`` says whether the check is certain to find nothing
there. When it is not certain (or the scan was not sure of the file), the caller parses the
file and runs the full check, which reports each finding at its line. So no finding is lost:
``quiet`` mirrors ``targets._Check`` rule by rule, and a test runs both on many Dockerfiles.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from bakepy.models.bake.values import is_template
from bakepy.resolution.checks.from_lines import PLATFORM_VALUES, expand, valid_base, variables

BUILTIN_ARGS = frozenset(
    {
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "FTP", "NO", "ALL")),
        *(f"{name}_proxy" for name in ("http", "https", "ftp", "no", "all")),
        "SOURCE_DATE_EPOCH",
        *PLATFORM_VALUES,
    }
)
"""Build args BuildKit takes without an ARG: proxies, SOURCE_DATE_EPOCH, the platform ARGs
(and every ``BUILDKIT_*`` frontend option)."""


class StageShape(NamedTuple):
    """One stage as the check sees it: its name, its FROM's base, ARGs, and COPY sources."""

    name: str | None
    base: str
    """The base the FROM line names, as written (variables unexpanded)."""
    args: frozenset[str]
    """The names of the ARGs declared in the stage."""
    copies_from: tuple[str, ...]
    """Every ``COPY --from=`` value, as written."""


class DockerfileShape(NamedTuple):
    """A Dockerfile with no RUN mounts, heredocs or escape directive, as the check sees it."""

    args: tuple[tuple[str, str | None], ...]
    """The ARGs before the first FROM, in order: name and default (None: no default)."""
    stages: tuple[StageShape, ...]


def quiet(shape: DockerfileShape, stage: str | None, args: Mapping[str, Any], mounts: bool) -> bool:
    """Whether checking a target against ``shape`` is certain to report nothing: the target
    builds ``stage`` (None: the last), passes ``args`` (their values as text, ``str`` of
    each), and passes secrets or ssh (``mounts``). Run for every target of a render: the
    values are made text only where a FROM line sees them, and the names are tested in a
    plain loop."""
    stages = shape.stages
    if mounts or not stages:
        return False  # a file without mounts reads no secret or ssh: each passed one is reported
    if stage is None:
        index: int | None = len(stages) - 1
    elif is_template(stage):
        return True  # known only once bake evaluates it: the full check skips the target too
    else:
        index = _find(stages, stage)
    if index is None:
        return False
    global_names = {name for name, _ in shape.args if name in args}
    seen = tuple(sorted((name, str(args[name])) for name in global_names))
    declared = _declared(shape, index, seen)
    if declared is None:
        return False
    for name in args:
        if name not in declared and name not in BUILTIN_ARGS and not name.startswith("BUILDKIT_"):
            return False
    return True


@lru_cache(maxsize=1024)
def _declared(
    shape: DockerfileShape, index: int, seen: tuple[tuple[str, str], ...]
) -> frozenset[str] | None:
    """The ARGs a target building stage ``index`` may pass, when no FROM line it builds needs
    an arg left out (None otherwise); ``seen`` are the build args the FROM lines see (those
    a global ARG declares). Once per Dockerfile shape, stage and those args: a monorepo's
    services share a few shapes, and their targets differ in other args."""
    stages = shape.stages
    values = _from_values(shape, dict(seen))
    built, complete = _built(stages, index, values)
    if not _from_lines_quiet(stages, built, values):
        return None
    declared = {name for name, _ in shape.args}
    for position in built if complete else range(len(stages)):
        declared |= stages[position].args
    return frozenset(declared)


def global_defaults(shape: DockerfileShape) -> dict[str, str | None]:
    """The variables a FROM line sees: global ARG defaults (None: none) and platform ARGs."""
    values: dict[str, str | None] = dict(PLATFORM_VALUES)
    for name, default in shape.args:
        values[name] = None if default is None else expand(default, values).text
    return values


def _from_values(shape: DockerfileShape, args: Mapping[str, str]) -> dict[str, str | None]:
    """What FROM lines see: global ARG defaults, overridden by the target's build args."""
    values = global_defaults(shape)
    for name, value in args.items():
        if name in values and name not in PLATFORM_VALUES:
            values[name] = value
    return values


def _from_lines_quiet(
    stages: tuple[StageShape, ...], built: set[int], values: Mapping[str, str | None]
) -> bool:
    """No built stage's FROM needs an arg left out, or uses a variable no global ARG declares."""
    missing = {name for name, value in values.items() if value is None}
    names: list[str] = []
    for index, stage in enumerate(stages):
        if index in built:
            used = variables(stage.base)
            if any(name not in values for name in used):
                return False
            expanded = expand(stage.base, values).text
            if any(name in missing for name in used) and not valid_base(expanded, names):
                return False
        names.append((stage.name or "").lower())
    return True


def _find(stages: tuple[StageShape, ...], name: str) -> int | None:
    """Index of the stage called ``name`` (case-insensitive, as BuildKit), or None."""
    wanted = name.lower()
    for index, stage in enumerate(stages):
        if stage.name is not None and stage.name.lower() == wanted:
            return index
    return None


def _built(
    stages: tuple[StageShape, ...], target: int, values: Mapping[str, str | None]
) -> tuple[set[int], bool]:
    """The stages BuildKit builds for stage ``target``, and whether every reference could be
    followed (as ``targets._built_stages``)."""
    built: set[int] = set()
    todo = [target]
    complete = True
    while todo:
        index = todo.pop()
        if index in built:
            continue
        built.add(index)
        stage = stages[index]
        references = [(expand(stage.base, values).text, False)]
        references += [(value, True) for value in stage.copies_from]
        for reference, by_index in references:
            found = _resolve(stages, reference, index, by_index)
            if found == -1:
                complete = False
            elif found is not None:
                todo.append(found)
    return built, complete


def _resolve(stages: tuple[StageShape, ...], name: str, before: int, by_index: bool) -> int | None:
    """The index of the earlier stage ``name`` names; None for an image, -1 when unknown
    (as ``targets._resolve``)."""
    if "$" in name:
        return -1
    index = _find(stages, name)
    if index is None and by_index and name.isdigit():
        index = int(name)
    return index if index is not None and index < before else None


__all__ = ["BUILTIN_ARGS", "DockerfileShape", "StageShape", "global_defaults", "quiet"]
