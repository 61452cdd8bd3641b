"""The Dockerfile a resolved bake target builds, read for the checks: its ``dockerfile-inline``
text, or the file its local context and ``dockerfile`` name (relative to ``folder``); in full,
or as the quick scan's shape, which answers most targets without the full parse."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import BakepyError
from bakepy.loaders.dockerfile import load_dockerfile
from bakepy.loaders.dockerfile.scan import scan_dockerfile
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.resolution.checks.target_shape import DockerfileShape
from bakepy.resolution.checks.targets import ReadDockerfile, ShapeOf
from bakepy.support.probe import stamped


def dockerfile_reader(folder: Path) -> ReadDockerfile:
    """Reads the Dockerfile of a resolved target whose paths are relative to ``folder``; None
    for a remote context, a missing file, or one bakepy cannot read (BuildKit judges it)."""

    read_before: dict[tuple[str, str], Dockerfile | None] = {}
    """Each Dockerfile once: thousands of targets often build from one file (read and parsed
    once per target, a 16,000-target manifest spent a third of its check there)."""

    def parse(key: tuple[str, str]) -> Dockerfile | None:
        kind, value = key
        try:
            if kind == "inline":
                # imported here: only a text the quick scan is unsure of is parsed in full
                from bakepy.loaders.dockerfile.parser import parse_dockerfile

                return parse_dockerfile(value, name="dockerfile-inline")
            path = Path(value)
            return load_dockerfile(path) if path.is_file() else None
        except (BakepyError, OSError):  # OSError: a path the system cannot look up (too long)
            return None

    root = str(folder)

    def read(attributes: Mapping[str, Any]) -> Dockerfile | None:
        key = _key(root, attributes)
        if key is None:
            return None
        if key not in read_before:
            read_before[key] = parse(key)
        return read_before[key]

    return read


def dockerfile_shapes(folder: Path) -> ShapeOf:
    """The quick scan's shape of a resolved target's Dockerfile (paths relative to
    ``folder``); None for a remote context, a missing or unreadable file, or a file the scan is
    not sure of (the full reader then decides). Each file is read once, each text scanned once
    (a monorepo's services often share one Dockerfile's text)."""
    by_key: dict[tuple[str, str], DockerfileShape | None] = {}
    by_text: dict[str, DockerfileShape | None] = {}

    def scan(text: str) -> DockerfileShape | None:
        """The shape of ``text``, scanned once per text."""
        if text not in by_text:
            by_text[text] = scan_dockerfile(text)
        return by_text[text]

    def shape(key: tuple[str, str]) -> DockerfileShape | None:
        """The shape of an inline text or a file (None when it cannot be read)."""
        kind, value = key
        if kind == "inline":
            return scan(value)
        try:  # bytes, decoded: the scan reads "\r\n" itself
            text = _file_bytes(value).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return scan(text)

    root = str(folder)

    def shape_of(attributes: Mapping[str, Any]) -> DockerfileShape | None:
        key = _key(root, attributes)
        if key is None:
            return None
        found: DockerfileShape | None = by_key.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = by_key[key] = shape(key)
        return found

    return shape_of


_UNKNOWN: Any = object()
"""A Dockerfile not looked at yet (its shape may be None)."""

_CHUNK = 1 << 16


def _file_bytes(path: str) -> bytes:
    """The bytes of the file at ``path``, read with plain system calls: about half the time of
    ``open(path, "rb").read()`` (no buffer object, no fstat), which a monorepo's 2,000
    Dockerfiles feel. Read until a read returns nothing, as ``read()`` does: a network or
    FUSE file system may return less than asked before the end."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(descriptor, _CHUNK)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, _CHUNK))
        stamped(path, os.fstat(descriptor))  # the render cache need not stat it again
    finally:
        os.close(descriptor)
    return b"".join(chunks) if len(chunks) > 2 else chunks[0]


def _key(root: str, attributes: Mapping[str, Any]) -> tuple[str, str] | None:
    """What a resolved target's Dockerfile is: ("inline", text) or ("file", path, relative to
    the folder ``root``); None for a remote context."""
    inline = attributes.get("dockerfile-inline")
    context = str(attributes.get("context") or ".")
    if isinstance(inline, str):
        return ("inline", inline)
    if "://" in context or "git@" in context:  # a remote context: a URL or a git@ address
        return None
    # lexically: the output folder a render's paths start from may not exist yet
    dockerfile = str(attributes.get("dockerfile") or "Dockerfile")
    if context.startswith("/") or dockerfile.startswith("/") or root.endswith("/"):
        named = os.path.join(root, context, dockerfile)
    else:  # what join gives, without its call per part (a render asks for every target)
        named = f"{root}/{context}/{dockerfile}"
    return ("file", os.path.normpath(named))


__all__ = ["dockerfile_reader", "dockerfile_shapes"]
