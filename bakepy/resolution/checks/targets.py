"""What a bake Target asks of its Dockerfile: checks only bakepy can make, since it holds both.

A Target that builds a Dockerfile resource (or a target of a bake file, against the
Dockerfile it names) is checked against the stages it builds (its
``target`` stage and every stage that one needs through FROM, ``COPY --from`` and mounts'
``from=``; BuildKit builds no other). Each rule was decided by building on BuildKit 0.13:

- errors, where the build fails (warnings for a target others inherit, which may be a
  template never built on its own): a ``target`` no stage of the Dockerfile is called
  (``target stage "x" could not be found``); a ``RUN --mount=type=secret,required=true`` or
  ``type=ssh,required`` the target passes no secret or ssh for (``secret x: not found``,
  ``unset ssh forward key default``); a FROM that needs a build arg declared without a
  default which the target does not pass (``invalid reference format``);
- warnings, where BuildKit builds without a word: a secret or ssh the target passes that no
  mount of those stages reads, and a build arg no ARG declares (both silently ignored).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import partial
from typing import Any

from bakepy.errors import Diagnostic, Location
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.targets import Target
from bakepy.models.bake.values import SSH, Secret, is_template
from bakepy.models.dockerfile.instructions import (
    Arg,
    BindMount,
    CacheMount,
    Copy,
    Dockerfile,
    Run,
    SecretMount,
    SshMount,
    Stage,
    StageRef,
)
from bakepy.project import Project
from bakepy.resolution.checks.from_lines import (
    PLATFORM_VALUES,
    base_text,
    expand,
    global_values,
    valid_base,
    variables,
)
from bakepy.resolution.checks.stages import find_stage_index, stage_index
from bakepy.resolution.checks.target_shape import BUILTIN_ARGS, DockerfileShape, quiet


class Findings:
    """Errors and warnings, in the order they were found (a plain class: a dataclass cost
    more to build at import than the render ever spends on it)."""

    __slots__ = ("errors", "warnings")

    def __init__(self) -> None:
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []


Where = Callable[[], Location]
"""Where a value was declared, found only when a finding names it (finding a line in a YAML
manifest costs far more than the check itself, and most values are never reported)."""


class _Wants:
    """A target's attributes after ``inherits`` (parents first, the target's own last), each
    with where it was declared."""

    __slots__ = ("args", "dockerfile", "exact", "secrets", "ssh", "stage")

    def __init__(self) -> None:
        self.dockerfile: Dockerfile | None = None
        self.stage: tuple[Stage | str, Where] | None = None
        self.args: dict[str, tuple[str, Where]] = {}
        self.secrets: dict[str, Where] = {}
        self.ssh: dict[str, Where] = {}
        self.exact = True
        """False when an attribute is an expression: only known once bake evaluates it."""


def check_targets(project: Project) -> Findings:
    """Every Target that builds a Dockerfile resource, against the stages it builds."""
    findings = Findings()
    if not _may_build_resources(project):
        return findings
    parents = {_parent_name(p) for target in project.targets for p in target.spec.parents}
    for target in project.targets:
        if target.spec.matrix is not None or not _builds_resource(project, target, set()):
            continue  # a matrix's attributes are templates of the matrix values
        wants = _wants(project, target, set())
        if wants.dockerfile is not None:
            inherited = target.name in parents
            _Check(target.ref, wants, wants.dockerfile, findings, inherited=inherited).run()
    return findings


def _parent_name(parent: Target | str) -> str:
    return parent.name if isinstance(parent, Target) else parent


def resource_targets(project: Project) -> set[str]:
    """The Targets ``check_targets`` checks: those that build a Dockerfile resource."""
    if not _may_build_resources(project):
        return set()
    return {
        target.name
        for target in project.targets
        if target.spec.matrix is None and _builds_resource(project, target, set())
    }


def _may_build_resources(project: Project) -> bool:
    """Whether some Target may build a Dockerfile resource: one names it itself, or inherits a
    Target object (which the project may not hold: one set on it after it was added). Else none
    does, through inherits either, which is said in one pass: a monorepo's targets name their
    Dockerfiles by path, and following each one's parents cost a render ~4 ms twice (its
    checks, and the bake checks)."""
    for target in project.targets:
        spec = target.spec
        for own in (spec.dockerfile, spec.dockerfile_inline):
            # a path (most) told by its exact type: a failing isinstance of a model costs more
            if own is not None and type(own) is not str and isinstance(own, Dockerfile):
                return True
        inherits: Any = spec.inherits
        if inherits and type(inherits) is not str:
            for parent in inherits:
                if type(parent) is not str and isinstance(parent, Target):
                    return True
    return False


def _builds_resource(project: Project, target: Target, visiting: set[int]) -> bool:
    """Whether ``_wants`` finds a Dockerfile resource for the target (its own, or through
    ``inherits``), without collecting the rest of its attributes."""
    spec = target.spec
    if isinstance(spec.dockerfile, Dockerfile) or isinstance(spec.dockerfile_inline, Dockerfile):
        return True
    visiting = visiting | {id(target)}
    for parent in spec.parents:
        found = parent if isinstance(parent, Target) else project.find(Target, parent)
        if found is None or id(found) in visiting:
            continue
        if _builds_resource(project, found, visiting):
            return True
    return False


ReadDockerfile = Callable[[Mapping[str, Any]], Dockerfile | None]
"""The Dockerfile a resolved bake target builds (its ``dockerfile-inline``, or the file its
context and ``dockerfile`` name), None when there is none to read; supplied by the caller,
which may read files."""


ShapeOf = Callable[[Mapping[str, Any]], DockerfileShape | None]
"""The shape of the Dockerfile a resolved bake target builds, from a quick scan; None when
there is none, or the scan was not sure of the file (then it is read in full)."""


LocateAttribute = Callable[[str, tuple[str | int, ...]], Location | None]
"""Where the attribute at a path (``("args", "VERSION")``, ``("secret", 0)``) of the target
called so was declared, when the caller knows better than the bake definition (a Target
resource's manifest line); None: the definition's location."""


def check_bake_targets(
    resolved: Mapping[str, Mapping[str, Any]],
    native: NativeBake,
    read: ReadDockerfile,
    skip: Collection[str] = (),
    locate: LocateAttribute | None = None,
    shape: ShapeOf | None = None,
) -> Findings:
    """The same checks for targets of bake files (resolved as ``bake --print`` prints them),
    against the Dockerfile each one builds; ``skip`` names the ones already checked as Target
    resources. The Dockerfile was read from disk, not checked on its own: a FROM of a built
    stage that uses a variable no global ARG declares is reported here. With ``shape``, a
    target whose Dockerfile's shape is certain to give no finding is not read in full."""
    findings = Findings()
    parents = {
        parent
        for block in native.targets.values()
        for parent in block.get("inherits") or []
        if isinstance(parent, str)
    }
    verdicts: dict[tuple[Any, ...], bool] = {}
    for name, attributes in resolved.items():
        if name in skip or (shape is not None and _quiet(attributes, shape(attributes), verdicts)):
            continue
        dockerfile = read(attributes)
        if dockerfile is not None:
            wants = _resolved_wants(name, attributes, native, locate)
            label = f"target {name!r}"
            inherited = name in parents
            _Check(label, wants, dockerfile, findings, inherited=inherited, undeclared=True).run()
    return findings


def _quiet(
    attributes: Mapping[str, Any],
    shape: DockerfileShape | None,
    verdicts: dict[tuple[Any, ...], bool],
) -> bool:
    """Whether the target with these resolved attributes certainly gets no finding; decided
    once per shape, stage, args and mounts (``verdicts``): a monorepo's services share a few
    shapes, and their targets a few sets of args."""
    if shape is None:
        return False
    stage = str(attributes["target"]) if attributes.get("target") else None
    mounts = bool(attributes.get("secret") or attributes.get("ssh"))
    args = attributes.get("args") or {}
    try:
        key = (shape, stage, mounts, *args.items())
        verdict = verdicts.get(key)
    except TypeError:  # a value that is not hashable: decided each time
        return quiet(shape, stage, args, mounts)
    if verdict is None:
        verdict = verdicts[key] = quiet(shape, stage, args, mounts)
    return verdict


def _resolved_wants(
    name: str, attributes: Mapping[str, Any], native: NativeBake, locate: LocateAttribute | None
) -> _Wants:
    """What a resolved bake target asks for, each value located at its attribute."""

    def where(key: str, *more: str | int) -> Location:
        known = locate(name, (key, *more)) if locate is not None else None
        found = known or native.attribute_locations.get(("target", name, key))
        return found or native.location_of("target", name) or Location(resource=name)

    wants = _Wants()
    if attributes.get("target"):
        wants.stage = (str(attributes["target"]), partial(where, "target"))
    for arg, value in (attributes.get("args") or {}).items():
        wants.args[arg] = (str(value), partial(where, "args", arg))
    for index, entry in enumerate(attributes.get("secret") or []):
        fields = dict(part.partition("=")[::2] for part in str(entry).split(","))
        ident = fields.get("id") or fields.get("src") or str(entry)
        wants.secrets[ident] = partial(where, "secret", index)
    for index, entry in enumerate(attributes.get("ssh") or []):
        wants.ssh[str(entry).partition("=")[0]] = partial(where, "ssh", index)
    return wants


# --- a target's attributes after inherits -------------------------------------------------


def _wants(project: Project, target: Target, visiting: set[int]) -> _Wants:
    visiting = visiting | {id(target)}
    wants = _Wants()
    for parent in target.spec.parents:
        found = parent if isinstance(parent, Target) else project.find(Target, parent)
        if found is not None and id(found) not in visiting:
            _merge(wants, _wants(project, found, visiting))
        elif found is None:
            wants.exact = False
    _merge(wants, _own(target))
    return wants


def _merge(wants: _Wants, later: _Wants) -> None:
    wants.dockerfile = later.dockerfile or wants.dockerfile
    wants.stage = later.stage or wants.stage
    wants.args.update(later.args)
    wants.secrets.update(later.secrets)
    wants.ssh.update(later.ssh)
    wants.exact = wants.exact and later.exact


def _own(target: Target) -> _Wants:
    spec = target.spec
    wants = _Wants()
    for value in (spec.dockerfile, spec.dockerfile_inline):
        if isinstance(value, Dockerfile):
            wants.dockerfile = value
    if spec.target is not None:
        wants.stage = (spec.target, partial(target.location, "spec", "target"))
    wants.exact = _typed_args(target, wants) & _typed_mounts(target, wants)
    return wants


def _typed_args(target: Target, wants: _Wants) -> bool:
    args: Any = target.spec.args
    if isinstance(args, str):
        return False
    for name, value in args.items():
        if value is not None:
            wants.args[name] = (value, partial(target.location, "spec", "args", name))
    return True


def _typed_mounts(target: Target, wants: _Wants) -> bool:
    exact = True
    for attr, into in (("secret", wants.secrets), ("ssh", wants.ssh)):
        values: Any = getattr(target.spec, attr)
        if isinstance(values, str):
            exact = False
            continue
        for index, value in enumerate(values):
            ident = value.id if isinstance(value, Secret | SSH) else None
            if ident is None or is_template(ident):
                exact = False
            else:
                into[ident] = partial(target.location, "spec", attr, index)
    return exact


# --- the checks ---------------------------------------------------------------------------


class _Check:
    """One Target against its Dockerfile."""

    def __init__(
        self,
        label: str,
        wants: _Wants,
        dockerfile: Dockerfile,
        findings: Findings,
        *,
        inherited: bool = False,
        undeclared: bool = False,
    ):
        self.label, self.wants, self.dockerfile, self.findings = label, wants, dockerfile, findings
        self.stages = dockerfile.spec.stages
        self.inherited = inherited
        """Other targets inherit this one: it may be a template never built on its own, so
        what would fail its build is a warning."""
        self.undeclared = undeclared
        """Also report a FROM using a variable no global ARG declares (a Dockerfile resource
        has that reported by its own checks; a file read for a bake target has not)."""

    def run(self) -> None:
        index = self._target_stage()
        if index is None:
            return
        built, complete = _built_stages(self.dockerfile, index, self._from_values())
        self._from_lines(built)
        self._required_mounts(built)
        scope = built if complete else set(range(len(self.stages)))
        if self.wants.exact:
            self._unused_mounts(scope)
            self._unused_args(scope)

    def _error(self, message: str, where: Where, hint: str | None = None) -> None:
        if self.inherited:
            message += " (when built on its own: other targets inherit it)"
            self.findings.warnings.append(Diagnostic(message, where(), hint))
        else:
            self.findings.errors.append(Diagnostic(message, where(), hint))

    def _warning(self, message: str, where: Where, hint: str | None = None) -> None:
        self.findings.warnings.append(Diagnostic(message, where(), hint))

    def _target_stage(self) -> int | None:
        """The stage the target builds: its ``target``, else the last one (None: reported)."""
        if self.wants.stage is None:
            return len(self.stages) - 1
        stage, where = self.wants.stage
        if isinstance(stage, Stage):
            index = stage_index(self.stages, stage)
            name = stage.name or "a Stage object"
        elif is_template(stage):
            return None
        else:
            index, name = find_stage_index(self.stages, stage), stage
        if index is None:
            names = [s.name for s in self.stages if s.name]
            close = difflib.get_close_matches(name, names, n=1)
            self._error(
                f"target stage {name!r} is not a stage of "
                f"{self.dockerfile.ref} (its named stages: {', '.join(names) or 'none'})",
                where,
                f"did you mean {close[0]!r}?" if close else "name a stage of the Dockerfile",
            )
        return index

    def _from_values(self) -> dict[str, str | None]:
        """What FROM lines see: global ARG defaults, overridden by the target's build args."""
        values = global_values(self.dockerfile)
        for name, (value, _) in self.wants.args.items():
            if name in values and name not in PLATFORM_VALUES:
                values[name] = value
        return values

    def _from_lines(self, built: set[int]) -> None:
        """A declared global ARG without a default that a FROM needs and the target leaves out."""
        values = self._from_values()
        missing = {name for name, value in values.items() if value is None}
        names: list[str] = []
        for index, stage in enumerate(self.stages):
            text = base_text(stage)
            used = [name for name in variables(text or "") if name in missing]
            expanded = expand(text, values).text if text is not None else ""
            where = partial(self.dockerfile.location, "spec", "stages", index, "from")
            fails = index in built and text is not None and not valid_base(expanded, names)
            if fails and used:
                self._error(
                    f"{self.label} does not pass build arg {used[0]}, which the "
                    f"FROM of stage {_label(stage, index)} needs (its ARG has no default): "
                    f"BuildKit fails on {expanded!r}",
                    where,
                    "pass it in the target's args, or give the ARG a default",
                )
            elif self.undeclared and index in built and text is not None:
                self._undeclared_on_from(stage, index, text, expanded, fails=fails)
            names.append((stage.name or "").lower())

    def _undeclared_on_from(
        self, stage: Stage, index: int, text: str, expanded: str, *, fails: bool
    ) -> None:
        """A built stage's FROM using a variable no global ARG declares: an error where
        BuildKit then fails, a warning where it builds another base without a word."""
        unknown = [name for name in variables(text) if name not in self._from_values()]
        if not unknown:
            return
        outcome = "fails on" if fails else "builds"
        report = self._error if fails else self._warning
        report(
            f"{self.label} builds stage {_label(stage, index)}, whose FROM uses "
            f"${unknown[0]}, which no ARG before the first FROM declares: BuildKit "
            f"expands it to nothing and {outcome} {expanded!r}",
            partial(self.dockerfile.location, "spec", "stages", index, "from"),
            f'declare it before the first FROM (e.g. "ARG {unknown[0]}=<default>"); '
            "a build arg alone does not reach a FROM line",
        )

    def _mounts(self, stages: set[int]) -> Iterator[tuple[SecretMount | SshMount, Where]]:
        for i in sorted(stages):
            for j, item in enumerate(self.stages[i].instructions):
                if not isinstance(item, Run):
                    continue
                for k, mount in enumerate(item.mounts):
                    if isinstance(mount, SecretMount | SshMount):
                        path = ("spec", "stages", i, "instructions", j, "mounts", k)
                        yield mount, partial(self.dockerfile.location, *path)

    def _required_mounts(self, built: set[int]) -> None:
        for mount, where in self._mounts(built):
            kind, ident, passed = _mount_kind(mount, self.wants)
            if mount.required and self.wants.exact and ident not in passed and "$" not in ident:
                attr = "secret" if kind == "secret" else "ssh"
                self._error(
                    f"{self.label} builds a RUN that requires {kind} {ident!r} "
                    f"(required=true), but the target passes no such {kind}",
                    where,
                    f"add it to the target's {attr} (e.g. {attr} = [\"id={ident},"
                    f'{"src=<file>" if kind == "secret" else "<socket or key>"}"]) or drop '
                    "required",
                )

    def _unused_mounts(self, scope: set[int]) -> None:
        used: dict[str, set[str]] = {"secret": set(), "ssh": set()}
        for mount, _ in self._mounts(scope):
            kind, ident, _passed = _mount_kind(mount, self.wants)
            used[kind].add(ident)
            if "$" in ident:
                return  # a variable id: which one is read is known only when building
        for kind, passed in (("secret", self.wants.secrets), ("ssh", self.wants.ssh)):
            for ident, where in passed.items():
                if ident not in used[kind]:
                    self._warning(
                        f"{self.label} passes {kind} {ident!r}, which no "
                        f"RUN --mount=type={kind} of the stages it builds reads from "
                        f"{self.dockerfile.ref}; BuildKit ignores it",
                        where,
                        f"remove it from the target, or mount it where it is needed "
                        f"(RUN --mount=type={kind},id={ident} ...)",
                    )

    def _unused_args(self, scope: set[int]) -> None:
        declared = {arg.name for arg in self.dockerfile.spec.args}
        for index in scope:
            declared |= {i.name for i in self.stages[index].instructions if isinstance(i, Arg)}
        for name, (_, where) in self.wants.args.items():
            if name in declared or name in BUILTIN_ARGS or name.startswith("BUILDKIT_"):
                continue
            self._warning(
                f"{self.label} passes build arg {name}, which no ARG of the stages it "
                f"builds from {self.dockerfile.ref} declares; BuildKit ignores it",
                where,
                f'declare "ARG {name}" in the stage that uses it, or remove it from the target',
            )


def _mount_kind(mount: SecretMount | SshMount, wants: _Wants) -> tuple[str, str, dict[str, Any]]:
    if isinstance(mount, SecretMount):
        return "secret", mount.id, wants.secrets
    return "ssh", mount.id or "default", wants.ssh


def _label(stage: Stage, index: int) -> str:
    return repr(stage.name) if stage.name else f"#{index}"


# --- the stages a target builds -----------------------------------------------------------


def _built_stages(
    dockerfile: Dockerfile, target: int, values: dict[str, str | None]
) -> tuple[set[int], bool]:
    """The stages BuildKit builds for stage ``target`` (it and what it needs, transitively),
    and whether every reference could be followed (one holding a variable cannot)."""
    stages = dockerfile.spec.stages
    built: set[int] = set()
    todo = [target]
    complete = True
    while todo:
        index = todo.pop()
        if index in built:
            continue
        built.add(index)
        for reference, by_index in _stage_references(stages[index], values):
            found = _resolve(stages, reference, index, by_index)
            if found == -1:
                complete = False
            elif found is not None:
                todo.append(found)
    return built, complete


def _stage_references(
    stage: Stage, values: dict[str, str | None]
) -> Iterator[tuple[Stage | StageRef | str, bool]]:
    """Every stage or image ``stage`` uses, and whether a number there is a stage's index
    (for ``COPY --from`` only: a mount's ``from=0`` is an image called 0)."""
    text = base_text(stage)
    yield (stage.from_ if text is None else expand(text, values).text), False
    for item in stage.instructions:
        if isinstance(item, Copy) and item.from_ is not None:
            yield item.from_, True
        if isinstance(item, Run):
            for mount in item.mounts:
                if isinstance(mount, CacheMount | BindMount) and mount.from_ is not None:
                    yield mount.from_, False


def _resolve(
    stages: list[Stage], value: Stage | StageRef | str, before: int, by_index: bool
) -> int | None:
    """The index of the earlier stage ``value`` names; None for an image, -1 when unknown."""
    if isinstance(value, Stage):
        return stage_index(stages, value)
    name = value.stage if isinstance(value, StageRef) else value
    if "$" in name:
        return -1
    index = find_stage_index(stages, name)
    if index is None and by_index and name.isdigit():
        index = int(name)
    return index if index is not None and index < before else None


__all__ = [
    "BUILTIN_ARGS",
    "Findings",
    "ReadDockerfile",
    "ShapeOf",
    "check_bake_targets",
    "check_targets",
    "resource_targets",
]
