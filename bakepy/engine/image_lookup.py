"""Digests of images as the engine and registries know them, looked up through the docker CLI
(the engine buildx builds on): every local image in one ``docker image inspect``, every
registry reference in parallel.

A base image's digest is what the local image store holds under that name and what its
registry serves for it: a change to either may change what a build reads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TypeVar, cast

from bakepy.engine.commands import CommandRunner
from bakepy.engine.registry_http import tag_digest
from bakepy.errors import CommandError
from bakepy.models.image_reference import ImageReference

_WORKERS = 8


def _canonical(reference: str) -> str:
    try:
        return ImageReference.parse(reference).canonical()
    except ValueError:
        return reference


def local_image_ids(runner: CommandRunner, references: Iterable[str]) -> dict[str, str | None]:
    """The ID of the local image each reference names (its index digest with the containerd
    store), or None; one ``docker image inspect`` for all of them."""
    wanted = sorted(set(references))
    found: dict[str, str | None] = dict.fromkeys(wanted)
    if not wanted:
        return found
    fmt = "{{.Id}} {{json .RepoTags}}"
    try:
        result = runner.run(["docker", "image", "inspect", "--format", fmt, *wanted])
    except CommandError:  # no docker CLI: nothing is known locally (targets then build)
        return found
    by_tag: dict[str, str] = {}
    for line in result.stdout.splitlines():
        image_id, _, tags = line.partition(" ")
        try:
            listed = json.loads(tags) or []
        except ValueError:
            continue
        for tag in listed:
            by_tag[_canonical(str(tag))] = image_id
    for reference in wanted:
        listed_id = by_tag.get(_canonical(reference))
        found[reference] = listed_id if listed_id and listed_id.startswith("sha256:") else None
    return found


def registry_digest(runner: CommandRunner, reference: str) -> str | None:
    """The digest the registry serves for ``reference`` (the index's for a multi-platform
    image), or None when it has none or cannot be reached: asked over HTTP first (no CLI to
    start), else through ``docker buildx imagetools inspect`` (the user's credentials)."""
    found = tag_digest(reference)
    if found is not None:
        return found
    args = ["docker", "buildx", "imagetools", "inspect", reference]
    try:
        result = runner.run([*args, "--format", "{{json .Manifest}}"])
    except CommandError:
        return None
    if result.returncode != 0:
        return None
    try:
        digest = json.loads(result.stdout).get("digest")
    except (ValueError, AttributeError):
        return None
    return digest if isinstance(digest, str) and digest.startswith("sha256:") else None


_T = TypeVar("_T")


def _in_threads(calls: Sequence[Callable[[], _T]], workers: int) -> list[_T]:
    """Each call's result, in order, the calls run on up to ``workers`` threads; the first
    exception a call raised is raised here. (Plain threads: ``concurrent.futures`` imports
    ``logging``, a tenth of a no-change apply's imports.)"""
    results: list[_T | None] = [None] * len(calls)
    errors: list[BaseException] = []
    pending = iter(range(len(calls)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            try:
                results[index] = calls[index]()
            except BaseException as error:  # raised again by the caller's thread
                errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(max(1, min(workers, len(calls))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


class ImageIndex:
    """What the engine and the registries hold for a set of references, looked up at once
    (:meth:`prefetch`); pinned base images (the lock file) are used as they are."""

    def __init__(self, runner: CommandRunner, pinned: dict[str, str] | None = None) -> None:
        self.runner = runner
        self.pinned = dict(pinned or {})
        self.local: dict[str, str | None] = {}
        self.remote: dict[str, str | None] = {}

    def prefetch(self, local: Iterable[str], remote: Iterable[str]) -> None:
        """Look up the local IDs of ``local`` (one command) and the registry digests of
        ``remote`` (in parallel), both at once; pinned references are skipped."""
        on_engine = sorted({r for r in local if r not in self.local and r not in self.pinned})
        in_registry = sorted({r for r in remote if r not in self.remote and r not in self.pinned})
        calls: list[Callable[[], object]] = [partial(local_image_ids, self.runner, on_engine)]
        calls += [partial(registry_digest, self.runner, r) for r in in_registry]
        ids, *digests = _in_threads(calls, _WORKERS)
        self.local.update(cast("dict[str, str | None]", ids))
        self.remote.update(zip(in_registry, cast("list[str | None]", digests), strict=True))

    def local_id(self, reference: str) -> str | None:
        """The local image's ID (looked up now when it was not prefetched)."""
        if reference not in self.local:
            self.local.update(local_image_ids(self.runner, [reference]))
        return self.local[reference]

    def registry(self, reference: str) -> str | None:
        """The registry's digest (looked up now when it was not prefetched)."""
        if reference not in self.remote:
            self.remote[reference] = registry_digest(self.runner, reference)
        return self.remote[reference]

    def base_digest(self, reference: str) -> str | None:
        """What an input digest records of a base image: the pinned digest, else its local
        ID and registry digest (None when neither is known)."""
        if reference in self.pinned:
            return f"pinned:{self.pinned[reference]}"
        local, remote = self.local_id(reference), self.registry(reference)
        if local is None and remote is None:
            return None
        return f"local:{local or '-'} registry:{remote or '-'}"
