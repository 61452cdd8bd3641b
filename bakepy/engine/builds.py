"""Build targets through ``docker buildx bake``, fed the bake JSON bakepy renders.

BuildKit's progress goes straight to the terminal; image digests come back through
``--metadata-file``. Targets are grouped by the builder they name, one bake run per builder.
A target whose input digest matches its last build here, with its result still in place, is
not built again (``bakepy.engine.build_plan``); the rest build from a bake file made stable
(``bakepy.engine.reproducible``), and their records are kept for the next plan.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from bakepy.engine.build_plan import (
    BuildPlan,
    PlannedBuild,
    PlannedBuilder,
    destinations,
    missing_result,
    result_images,
)
from bakepy.engine.build_records import BuildRecord, read_records, record_key, write_records
from bakepy.engine.builders import BuilderAction, apply_builder, plan_builder
from bakepy.engine.commands import CommandRunner
from bakepy.engine.image_lookup import ImageIndex
from bakepy.engine.input_digest import InputDigest, base_images, input_digest
from bakepy.engine.reproducible import stable_bake
from bakepy.errors import CommandError
from bakepy.generators.files import RenderOptions
from bakepy.loaders.image_lock import ImageLock
from bakepy.models.bake.builder import Builder
from bakepy.models.bake.targets import Target
from bakepy.project import Project
from bakepy.resolution.affected import target_inputs
from bakepy.resolution.bake.evaluate import ResolvedBake
from bakepy.support.atomic import FileWrite, write_all

Progress = Literal["auto", "plain", "tty", "quiet"]
BAKE_FILE = "docker-bake.json"


@dataclass(frozen=True)
class BuildResult:
    """What one target's build produced: image names, digest, platforms, time taken."""

    target: str
    builder: str | None
    images: list[str]
    digest: str | None
    platforms: list[str]
    duration_seconds: float
    """Wall time of the bake run that built the target (targets of one run share it)."""
    action: Literal["built", "up to date"] = "built"
    input_digest: str | None = None


@dataclass
class BuildReport:
    """Every builder touched and every target built (or found up to date) by one apply."""

    builders: dict[str, BuilderAction] = field(default_factory=dict)
    results: list[BuildResult] = field(default_factory=list)

    def to_json(self) -> str:
        """The machine-readable record (``--output json`` and the results file)."""
        document = {"builders": self.builders, "targets": [asdict(r) for r in self.results]}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _builder_name(project: Project, target_name: str) -> tuple[str | None, Builder | None]:
    target = project.find(Target, target_name)
    builder = target.spec.builder if target is not None else None
    if isinstance(builder, Builder):
        return builder.name, builder
    return builder, None


def _groups(
    project: Project, resolved: ResolvedBake, names: Sequence[str] | None = None
) -> dict[str | None, list[str]]:
    """Resolved targets (those of ``names`` when given) by the builder they name, in a
    stable order.

    Targets present only through ``target:`` links are left out: bake builds them itself,
    on the builder of the target that links them.
    """
    by_builder: dict[str | None, list[str]] = {}
    for name in resolved.targets:
        if name not in resolved.linked and (names is None or name in names):
            builder, _ = _builder_name(project, name)
            by_builder.setdefault(builder, []).append(name)
    return by_builder


def _builders(
    project: Project, resolved: ResolvedBake, groups: Mapping[str | None, Sequence[str]]
) -> list[Builder]:
    """The builders to converge: those the built targets run on, then every other declared
    one (in declaration order)."""
    used = [b for names in groups.values() if (b := _builder_name(project, names[0])[1])]
    declared = [b for b in project.of_kind(Builder) if b.name not in {u.name for u in used}]
    return [*used, *declared]


BuildObserver = Callable[[Project, BuildPlan, "BuildReport"], None]
_OBSERVERS: list[BuildObserver] = []


@contextlib.contextmanager
def observing(observer: BuildObserver) -> Iterator[None]:
    """Call ``observer`` with each project's build plan and report as an apply finishes its
    builds (how the CLI's no-change cache learns what a full run saw)."""
    _OBSERVERS.append(observer)
    try:
        yield
    finally:
        _OBSERVERS.remove(observer)


def observed(project: Project, plan: BuildPlan, report: BuildReport) -> None:
    """Tell the observers an apply's builds are done."""
    for observer in list(_OBSERVERS):
        observer(project, plan, report)


def write_build_files(project: Project, workdir: Path, *, syntax_directive: bool = True) -> None:
    """Render the Dockerfiles and the bake JSON a build runs from into ``workdir``."""
    from bakepy.generators.builds import render_build_files

    options = RenderOptions(bake_format="json", syntax_directive=syntax_directive)
    files = render_build_files(project, workdir, options)
    write_all([FileWrite(workdir / file.path, file.text.encode()) for file in files])


def dockerfile_text(target: Mapping[str, Any], name: str, workdir: Path) -> str:
    """The Dockerfile a resolved target builds (inline, or its file under ``workdir``)."""
    if "dockerfile-inline" in target:
        return str(target["dockerfile-inline"])
    inputs = target_inputs(name, target, workdir)
    if inputs.dockerfile is not None and inputs.dockerfile.is_file():
        return inputs.dockerfile.read_text(encoding="utf-8", errors="replace")
    return ""


def _pins(
    resolved: ResolvedBake, names: Sequence[str], workdir: Path, lock: ImageLock | None
) -> dict[str, dict[str, str]]:
    """The locked base images each target (and each target it links) reads."""
    if lock is None or not lock.base:
        return {}
    pins: dict[str, dict[str, str]] = {}
    for name in [*names, *resolved.linked]:
        target = resolved.targets.get(name, {})
        args = {str(k): str(v) for k, v in (target.get("args") or {}).items() if v is not None}
        images = base_images(dockerfile_text(target, name, workdir), args)
        pinned = {image: lock.base[image] for image in images if image in lock.base}
        if pinned:
            pins[name] = pinned
    return pins


def _args(target: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (target.get("args") or {}).items() if v is not None}


def _docker_driver(builder: Builder | None, runner: CommandRunner, name: str | None) -> bool:
    if builder is not None:
        return builder.spec.driver == "docker"
    if name is None or name == "default":
        return True
    from bakepy.engine.builders import inspect_builder

    state = inspect_builder(runner, name)
    return state is None or state.driver == "docker"


def plan_builds(
    project: Project,
    resolved: ResolvedBake,
    runner: CommandRunner,
    workdir: Path,
    *,
    lock: ImageLock | None = None,
    records_root: Path | None = None,
) -> BuildPlan:
    """What an apply would do with the builders and the resolved targets (resolved with paths
    from ``workdir``, where :func:`write_build_files` wrote the files they read)."""
    planned = BuildPlan()
    seen: set[str] = set()
    groups = _groups(project, resolved)
    for builder in _builders(project, resolved, groups):
        if builder.name not in seen:
            seen.add(builder.name)
            if builder.spec.driver == "docker":
                planned.builders.append(PlannedBuilder(builder.name, "unchanged"))
            else:
                verdict, changes = plan_builder(runner, builder)
                planned.builders.append(PlannedBuilder(builder.name, verdict, changes))
    index = ImageIndex(runner, lock.base if lock is not None else None)
    drivers = {
        name: _docker_driver(_builder_name(project, names[0])[1], runner, name)
        for name, names in groups.items()
    }
    bases = [
        image
        for name, target in resolved.targets.items()
        for image in base_images(dockerfile_text(target, name, workdir), _args(target))
        if "$" not in image and image not in (target.get("contexts") or {})
    ]
    results = [
        found
        for name, names in groups.items()
        for target in (resolved.targets[n] for n in names)
        for found in result_images(
            [str(t) for t in target.get("tags") or []],
            destinations(target, workdir, drivers[name]),
        )
    ]
    index.prefetch(
        [*bases, *(image for kind, image in results if kind == "local-image")],
        [*bases, *(image for kind, image in results if kind == "registry")],
    )
    records = read_records(records_root)
    builder_state = {b.name: b.action for b in planned.builders}
    for builder_name, names in groups.items():
        docker_driver = drivers[builder_name]
        for name in names:
            target = resolved.targets[name]
            images = [str(t) for t in target.get("tags") or []]
            computed = _input_digest(name, resolved, workdir, index, builder_name)
            planned.inputs[name] = computed
            planned.destinations[name] = destinations(target, workdir, docker_driver)
            if computed.digest is None:
                why = computed.unknown or "its inputs cannot be read"
                planned.targets.append(PlannedBuild(name, builder_name, "build", why, None, images))
                continue
            reason = _why_build(
                index,
                records.get(record_key(project.base_dir, name, builder_name)),
                computed.digest,
                images,
                destinations(target, workdir, docker_driver),
                builder_state.get(builder_name or ""),
            )
            action: Literal["build", "up to date"] = "build" if reason else "up to date"
            planned.targets.append(
                PlannedBuild(
                    name,
                    builder_name,
                    action,
                    reason or "inputs unchanged",
                    computed.digest,
                    images,
                )
            )
    owners = {t.name: project.owners_of(t) for t in project.targets}
    planned.targets = [replace(t, owners=owners.get(t.target, ())) for t in planned.targets]
    return planned


def _input_digest(
    name: str,
    resolved: ResolvedBake,
    workdir: Path,
    index: ImageIndex,
    builder: str | None,
    seen: frozenset[str] = frozenset(),
) -> InputDigest:
    """The target's input digest folded with those of the targets it links (``target:``)."""
    target = dict(resolved.targets[name])
    contexts = dict(target.get("contexts") or {})
    for key, value in sorted(contexts.items()):
        if str(value).startswith("target:"):
            linked = str(value).removeprefix("target:")
            if linked in seen or linked not in resolved.targets:
                return InputDigest(None, f"it links {linked}, whose inputs cannot be read")
            found = _input_digest(linked, resolved, workdir, index, builder, seen | {name})
            if found.digest is None:
                return InputDigest(None, f"{linked}, which it links: {found.unknown}")
            contexts[key] = f"target:{linked}@{found.digest}"
    if contexts:
        target["contexts"] = contexts
    return input_digest(name, target, workdir, index.base_digest, builder=builder)


def _why_build(
    index: ImageIndex,
    record: BuildRecord | None,
    digest: str,
    images: Sequence[str],
    wheres: Sequence[Any],
    builder_action: str | None,
) -> str | None:
    if builder_action in ("create", "replace"):
        return f"its builder would be {builder_action}d"
    if record is None:
        return "no build of it is recorded on this host"
    if record.input_digest != digest:
        return "its inputs changed since its last build"
    return missing_result(index, record, images, wheres)


def _results(
    metadata: Mapping[str, Any],
    names: Sequence[str],
    resolved: ResolvedBake,
    builder: str | None,
    seconds: float,
    digests: Mapping[str, str | None],
) -> list[BuildResult]:
    results = []
    for name in names:
        entry = metadata.get(name, {})
        images = [i for i in str(entry.get("image.name", "")).split(",") if i]
        target = resolved.targets.get(name, {})
        results.append(
            BuildResult(
                target=name,
                builder=builder,
                images=images or list(target.get("tags", [])),
                digest=entry.get("containerimage.digest"),
                platforms=list(target.get("platforms", [])),
                duration_seconds=round(seconds, 3),
                input_digest=digests.get(name),
            )
        )
    return results


def _kept(
    planned: PlannedBuild, record: BuildRecord | None, target: Mapping[str, Any]
) -> BuildResult:
    return BuildResult(
        target=planned.target,
        builder=planned.builder,
        images=planned.images,
        digest=record.image_digest if record is not None else None,
        platforms=list(target.get("platforms", [])),
        duration_seconds=0.0,
        action="up to date",
        input_digest=planned.input_digest,
    )


def build(
    project: Project,
    resolved: ResolvedBake,
    runner: CommandRunner,
    workdir: Path,
    plan: BuildPlan,
    *,
    progress: Progress = "auto",
    env: Mapping[str, str] | None = None,
    lock: ImageLock | None = None,
    records_root: Path | None = None,
) -> BuildReport:
    """Converge the builders, then build the targets ``plan`` says to, one bake run per
    builder, from the files in ``workdir``; record what each build read and made."""
    report = BuildReport()
    records = read_records(records_root)
    wanted = plan.to_build()
    by_target = {p.target: p for p in plan.targets}
    if not wanted:  # nothing to build: the builders are converged, and that is all
        for declared in _builders(project, resolved, _groups(project, resolved)):
            report.builders[declared.name] = apply_builder(runner, declared)
        report.results = [
            _kept(p, records.get(record_key(project.base_dir, p.target, p.builder)), t)
            for p in plan.targets
            if (t := resolved.targets.get(p.target)) is not None
        ]
        return report
    document = json.loads((workdir / BAKE_FILE).read_text())
    rewrite = [
        name
        for builder_name, names in _groups(project, resolved).items()
        if not _docker_driver(_builder_name(project, names[0])[1], runner, builder_name)
        for name in names
    ]
    pins = _pins(resolved, wanted, workdir, lock)
    stable = stable_bake(document, resolved.targets, wanted, pins, rewrite)
    (workdir / BAKE_FILE).write_text(json.dumps(stable, indent=2) + "\n")
    updates: dict[str, BuildRecord] = {}
    groups = _groups(project, resolved)
    for declared in _builders(project, resolved, groups):
        if declared.name not in report.builders:
            report.builders[declared.name] = apply_builder(runner, declared)
    for builder_name, names in groups.items():
        building = [n for n in names if n in wanted]
        for name in names:
            if name not in building:
                key = record_key(project.base_dir, name, builder_name)
                report.results.append(
                    _kept(by_target[name], records.get(key), resolved.targets[name])
                )
        if not building:
            continue
        metadata_file = workdir / f"metadata-{builder_name or 'current'}.json"
        args = ["docker", "buildx", "bake", "-f", BAKE_FILE]
        args += ["--metadata-file", str(metadata_file), f"--progress={progress}"]
        if builder_name:
            args += ["--builder", builder_name]
        started = time.monotonic()
        result = runner.run([*args, *building], cwd=workdir, env=env, stream=True)
        seconds = time.monotonic() - started
        if result.returncode != 0:
            raise CommandError(
                f"docker buildx bake failed for {', '.join(building)} (exit {result.returncode})",
                hint="BuildKit's output above says which step failed",
            )
        metadata = json.loads(metadata_file.read_text()) if metadata_file.exists() else {}
        inputs = {n: by_target[n].input_digest for n in building}
        built = _results(metadata, building, resolved, builder_name, seconds, inputs)
        report.results += built
        for done in built:
            if done.input_digest is not None:
                target = resolved.targets.get(done.target, {})
                updates[record_key(project.base_dir, done.target, builder_name)] = BuildRecord(
                    done.input_digest,
                    done.digest,
                    done.images,
                    [str(o) for o in target.get("output") or []],
                )
    write_records(updates, records_root)
    return report
