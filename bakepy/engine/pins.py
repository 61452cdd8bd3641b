"""The digests ``bakepy lock`` pins: every base image the targets' Dockerfiles name and every
image they push, as their registries serve them now."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bakepy.engine.build_plan import destinations
from bakepy.engine.builds import dockerfile_text
from bakepy.engine.commands import CommandRunner
from bakepy.engine.image_lookup import registry_digest
from bakepy.engine.input_digest import base_images
from bakepy.loaders.image_lock import ImageLock
from bakepy.resolution.bake.evaluate import ResolvedBake


@dataclass
class Pins:
    """The lock to write, and the images that could not be pinned (with why)."""

    lock: ImageLock
    unpinned: list[str] = field(default_factory=list)


def _wanted(
    resolved: ResolvedBake, names: Sequence[str], workdir: Path
) -> tuple[set[str], set[str]]:
    bases: set[str] = set()
    pushed: set[str] = set()
    for name in [*names, *resolved.linked]:
        target = resolved.targets.get(name)
        if target is None:
            continue
        args = {str(k): str(v) for k, v in (target.get("args") or {}).items() if v is not None}
        contexts = {str(k) for k in (target.get("contexts") or {})}
        for image in base_images(dockerfile_text(target, name, workdir), args):
            if image not in contexts and "@" not in image:
                bases.add(image)
        if any(d.kind == "registry" for d in destinations(target, workdir, docker_driver=False)):
            pushed.update(str(tag) for tag in target.get("tags") or [])
    return bases, pushed


def resolve_pins(
    resolved: ResolvedBake, names: Sequence[str], workdir: Path, runner: CommandRunner
) -> Pins:
    """Look up the digest of each base image and pushed image of ``names`` in its registry."""
    bases, pushed = _wanted(resolved, names, workdir)
    everything = sorted(bases | pushed)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(everything)))) as pool:
        found = dict(
            zip(everything, pool.map(lambda r: registry_digest(runner, r), everything), strict=True)
        )
    unpinned = [
        f"{image}: {'a base image' if image in bases else 'pushed'}, not in its registry"
        for image in everything
        if found[image] is None
    ]
    return Pins(
        ImageLock(
            {i: d for i in sorted(bases) if (d := found[i]) is not None},
            {i: d for i in sorted(pushed) if (d := found[i]) is not None},
        ),
        unpinned,
    )
