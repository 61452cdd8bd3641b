"""Digests of images as the engine and registries know them, looked up through the docker CLI
(the engine buildx builds on), many at once.

A base image's digest is what the local image store holds under that name and what its
registry serves for it: a change to either may change what a build reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from bakepy.engine.commands import CommandRunner

_WORKERS = 8


def local_image_id(runner: CommandRunner, reference: str) -> str | None:
    """The ID of the local image named ``reference`` (its index digest with the containerd
    store), or None."""
    result = runner.run(["docker", "image", "inspect", reference, "--format", "{{.Id}}"])
    text = result.stdout.strip()
    return text if result.returncode == 0 and text.startswith("sha256:") else None


def registry_digest(runner: CommandRunner, reference: str) -> str | None:
    """The digest the registry serves for ``reference`` (the index's for a multi-platform
    image), or None when it has none or cannot be reached."""
    args = ["docker", "buildx", "imagetools", "inspect", reference]
    result = runner.run([*args, "--format", "{{json .Manifest}}"])
    if result.returncode != 0:
        return None
    try:
        digest = json.loads(result.stdout).get("digest")
    except (ValueError, AttributeError):
        return None
    return digest if isinstance(digest, str) and digest.startswith("sha256:") else None


class ImageDigests:
    """Base image digests for input digests: each looked up once, all in parallel first;
    a pinned digest (from the lock file) is used as it is."""

    def __init__(self, runner: CommandRunner, pinned: dict[str, str] | None = None) -> None:
        self.runner = runner
        self.pinned = dict(pinned or {})
        self.found: dict[str, str | None] = {}

    def _lookup(self, reference: str) -> str | None:
        if reference in self.pinned:
            return f"pinned:{self.pinned[reference]}"
        local = local_image_id(self.runner, reference)
        remote = registry_digest(self.runner, reference)
        if local is None and remote is None:
            return None
        return f"local:{local or '-'} registry:{remote or '-'}"

    def prefetch(self, references: Iterable[str]) -> None:
        """Look up every reference not looked up yet, in parallel."""
        wanted = sorted({r for r in references if r not in self.found and "$" not in r})
        if not wanted:
            return
        with ThreadPoolExecutor(max_workers=min(_WORKERS, len(wanted))) as pool:
            for reference, digest in zip(wanted, pool.map(self._lookup, wanted), strict=True):
                self.found[reference] = digest

    def __call__(self, reference: str) -> str | None:
        """The reference's digest (looked up now when it was not prefetched)."""
        if reference not in self.found:
            self.found[reference] = self._lookup(reference)
        return self.found[reference]
