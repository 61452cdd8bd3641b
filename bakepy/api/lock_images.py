"""``bakepy lock``: pin every base image and pushed image of the project's targets by digest,
in ``bakepy.lock`` beside the definitions (builds then read their base images at those
digests, and an apply that pushes keeps the pushed digests current)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.api.converge import default_builds
from bakepy.api.definitions import check, resolve
from bakepy.engine.builds import write_build_files
from bakepy.engine.commands import CommandRunner, SubprocessRunner
from bakepy.engine.pins import resolve_pins
from bakepy.loaders.image_lock import ImageLock, lock_path
from bakepy.models.toolchain import NO_LIMITS, Toolchain
from bakepy.project import Project
from bakepy.resolution.selection import bake_names
from bakepy.support.atomic import FileWrite, write_file


@dataclass
class LockResult:
    """The lock written (or that would be), where, and what could not be pinned."""

    path: Path
    lock: ImageLock
    unpinned: list[str] = field(default_factory=list)
    written: bool = False


def lock(
    project: Project,
    targets: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
    runner: CommandRunner | None = None,
    toolchain: Toolchain = NO_LIMITS,
    syntax_directive: bool = True,
    dry_run: bool = False,
) -> LockResult:
    """Pin the base and pushed images of ``targets`` (else what apply builds) by the digest
    their registries serve now, and write ``bakepy.lock`` (not on ``dry_run``)."""
    names = default_builds(project, targets) or []
    wanted = bake_names(project, names)
    check(project, env, names=wanted or ["default"], overrides=overrides, toolchain=toolchain)
    with tempfile.TemporaryDirectory(prefix="bakepy-lock-") as work:
        workdir = Path(work)
        write_build_files(project, workdir, syntax_directive=syntax_directive)
        resolved = resolve(project, wanted, env, workdir, overrides, toolchain)
        built = [n for n in resolved.targets if n not in resolved.linked]
        pins = resolve_pins(resolved, built, workdir, runner or SubprocessRunner())
    path = lock_path(project.base_dir)
    result = LockResult(path, pins.lock, pins.unpinned)
    if not dry_run:
        write_file(FileWrite(path, pins.lock.to_text().encode()))
        result.written = True
    return result
