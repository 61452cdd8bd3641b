"""Build targets through ``docker buildx bake``, fed the bake JSON bakepy renders.

BuildKit's progress goes straight to the terminal; image digests come back through
``--metadata-file``. Targets are grouped by the builder they name, one bake run per builder.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from bakepy.engine.builders import BuilderAction, apply_builder
from bakepy.engine.commands import CommandRunner
from bakepy.errors import CommandError
from bakepy.generators.files import RenderOptions
from bakepy.models.bake.builder import Builder
from bakepy.models.bake.targets import Target
from bakepy.project import Project
from bakepy.resolution.bake.evaluate import ResolvedBake
from bakepy.support.atomic import FileWrite, write_all

Progress = Literal["auto", "plain", "tty", "quiet"]


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


@dataclass
class BuildReport:
    """Every builder touched and every target built by one apply."""

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


def _groups(project: Project, resolved: ResolvedBake) -> dict[str | None, list[str]]:
    """Resolved targets by the builder they name, in a stable order.

    Targets present only through ``target:`` links are left out: bake builds them itself,
    on the builder of the target that links them.
    """
    by_builder: dict[str | None, list[str]] = {}
    for name in resolved.targets:
        if name not in resolved.linked:
            builder, _ = _builder_name(project, name)
            by_builder.setdefault(builder, []).append(name)
    return by_builder


def _results(
    metadata: Mapping[str, Any],
    names: Sequence[str],
    resolved: ResolvedBake,
    builder: str | None,
    seconds: float,
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
            )
        )
    return results


def build(
    project: Project,
    resolved: ResolvedBake,
    runner: CommandRunner,
    *,
    progress: Progress = "auto",
    env: Mapping[str, str] | None = None,
    syntax_directive: bool = True,
) -> BuildReport:
    """Build the resolved targets: converge their builders, then one bake run per builder.

    ``syntax_directive=False`` drops ``# syntax=`` lines, for engines that cannot pull the
    Dockerfile frontend image.
    """
    from bakepy.generators.builds import render_build_files

    report = BuildReport()
    with tempfile.TemporaryDirectory(prefix="bakepy-build-") as work:
        workdir = Path(work)
        files = render_build_files(
            project, workdir, RenderOptions(bake_format="json", syntax_directive=syntax_directive)
        )
        write_all([FileWrite(workdir / file.path, file.text.encode()) for file in files])
        for builder_name, names in _groups(project, resolved).items():
            _, builder = _builder_name(project, names[0])
            if builder is not None:
                report.builders[builder.name] = apply_builder(runner, builder)
            metadata_file = workdir / f"metadata-{builder_name or 'current'}.json"
            args = ["docker", "buildx", "bake", "-f", "docker-bake.json"]
            args += ["--metadata-file", str(metadata_file), f"--progress={progress}"]
            if builder_name:
                args += ["--builder", builder_name]
            started = time.monotonic()
            result = runner.run([*args, *names], cwd=workdir, env=env, stream=True)
            seconds = time.monotonic() - started
            if result.returncode != 0:
                raise CommandError(
                    f"docker buildx bake failed for {', '.join(names)} (exit {result.returncode})",
                    hint="BuildKit's output above says which step failed",
                )
            metadata = json.loads(metadata_file.read_text()) if metadata_file.exists() else {}
            report.results += _results(metadata, names, resolved, builder_name, seconds)
    return report
