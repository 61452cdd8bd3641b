"""A digest of everything one target's build reads, so plan can say "up to date" unbuilt.

It covers the target as bake resolves it (args, platforms, tags, outputs, secret and ssh ids
and the paths they name, never a secret's value), the Dockerfile's text, every file of the
context and of local named contexts that the ``.dockerignore`` lets through (by path from its
folder, content and executable bit), the builder, and the digest of each base image its
``FROM`` lines name (the locked digest when ``bakepy.lock`` pins it). A base image whose digest
cannot be found, or a remote context, leaves the target without a digest: it always builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bakepy.resolution.affected import TargetInputs, target_inputs

BaseDigests = Callable[[str], str | None]
"""Looks up a base image's digest (None: unknown)."""

_FROM = re.compile(r"^\s*FROM\s+((?:--\S+\s+)*)(\S+)(?:\s+AS\s+(\S+))?\s*$", re.IGNORECASE)
_ARG = re.compile(r"^\s*ARG\s+(.+)$", re.IGNORECASE)
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-+][^}]*)?\}|\$(\w+)")
_PATH_KEYS = ("context", "dockerfile")


@dataclass(frozen=True)
class InputDigest:
    """A target's input digest, or why it has none (it then always builds); ``document`` is
    what it hashes but the base images' digests, which ``bases`` names (for a no-change run
    that looks only those up again, :func:`finish_digest`)."""

    digest: str | None
    unknown: str | None = None
    document: dict[str, Any] | None = None
    bases: tuple[str, ...] = ()


def finish_digest(document: Mapping[str, Any], bases: Mapping[str, str]) -> str:
    """The input digest of ``document`` with the base images' digests ``bases``."""
    text = json.dumps({**document, "bases": dict(bases)}, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _substitute(text: str, values: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        return values.get(name, match[0])

    return _VARIABLE.sub(replace, text)


def base_images(dockerfile: str, args: Mapping[str, str]) -> list[str]:
    """The images the Dockerfile's ``FROM`` lines name (not its stages, not ``scratch``), with
    global ARG defaults and the target's args put in; a reference left with a ``$`` in it is
    kept as it is (its digest is then unknown)."""
    values: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    seen_from = False
    for line in dockerfile.splitlines():
        arg = _ARG.match(line)
        if arg and not seen_from:
            for word in arg[1].split():
                name, sep, default = word.partition("=")
                if name in args:
                    values[name] = args[name]
                elif sep:
                    values[name] = _substitute(default.strip("\"'"), values)
            continue
        found = _FROM.match(line)
        if not found:
            continue
        seen_from = True
        image = _substitute(found[2], {**values, **args})
        if image.lower() != "scratch" and image not in stages and image not in images:
            images.append(image)
        if found[3]:
            stages.add(found[3])
    return images


def _files_digest(inputs: TargetInputs) -> list[list[object]]:
    folders = [f for f in (inputs.context, *inputs.local_contexts) if f is not None]
    rows: list[list[object]] = []
    for path in inputs.files():
        if path in (inputs.dockerfile, inputs.ignore_file):
            continue
        folder = next((i for i, f in enumerate(folders) if f == path or f in path.parents), -1)
        relative = os.path.relpath(path, folders[folder]) if folder >= 0 else str(path)
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        rows.append([folder, relative, content, os.access(path, os.X_OK)])
    return rows


def input_digest(
    name: str,
    target: Mapping[str, Any],
    root: Path,
    base_digest: BaseDigests,
    *,
    builder: str | None = None,
) -> InputDigest:
    """The input digest of the resolved ``target`` (paths from ``root``, the folder bake
    runs in)."""
    inputs = target_inputs(name, target, root)
    if inputs.context is None:
        return InputDigest(None, f"its context {target.get('context')!r} is not a local folder")
    if "dockerfile-inline" in target:
        dockerfile_text = str(target["dockerfile-inline"])
    elif inputs.dockerfile is not None and inputs.dockerfile.is_file():
        dockerfile_text = inputs.dockerfile.read_text(encoding="utf-8", errors="replace")
    else:
        return InputDigest(None, f"its Dockerfile {inputs.dockerfile} is not there")
    ignore = (
        inputs.ignore_file.read_bytes()
        if inputs.ignore_file and inputs.ignore_file.is_file()
        else b""
    )
    contexts = {str(k) for k in (target.get("contexts") or {})}
    args = {str(k): str(v) for k, v in (target.get("args") or {}).items() if v is not None}
    bases: dict[str, str] = {}
    for image in base_images(dockerfile_text, args):
        if image in contexts:
            continue  # a named context replaces it; the definition holds that context
        if "$" in image:
            return InputDigest(None, f"its base image {image} depends on an unset build arg")
        found = base_digest(image)
        if found is None:
            return InputDigest(None, f"the digest of its base image {image} is unknown")
        bases[image] = found
    definition = {k: v for k, v in target.items() if k not in _PATH_KEYS}
    document = {
        "definition": definition,
        "context": str(inputs.context),
        "local-contexts": [str(p) for p in inputs.local_contexts],
        "dockerfile": hashlib.sha256(dockerfile_text.encode()).hexdigest(),
        "dockerignore": hashlib.sha256(ignore).hexdigest(),
        "files": _files_digest(inputs),
        "builder": builder,
    }
    digest = finish_digest(document, bases)
    return InputDigest(digest, None, json.loads(json.dumps(document, default=str)), tuple(bases))
