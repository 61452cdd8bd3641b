"""Rewrite paths declared relative to a definition file so they hold where a file is written."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bakepy.models.bake.contexts import BuildContext, LocalContext, OciLayoutContext
from bakepy.models.bake.values import SSH, Cache, Output, Secret

_URL_PREFIXES = ("http://", "https://", "git@", "git://", "ssh://", "docker-image://", "cwd://")


@dataclass(frozen=True)
class PathMapper:
    """Maps a path declared in ``base_dir`` to the same path seen from ``out_dir``.

    Only relative local paths are rewritten; absolute paths, URLs and templated paths
    (``${...}``) are kept as written. Output uses ``/`` on every platform.
    """

    out_dir: Path

    def map(self, path: str, base_dir: Path) -> str:
        """``path`` (relative to ``base_dir``) relative to ``out_dir``; as written when the two
        are one folder (``./src`` stays ``./src``, as buildx prints it)."""
        if not path or os.path.isabs(path) or "${" in path or path.startswith(_URL_PREFIXES):
            return path
        if base_dir == self.out_dir or Path(base_dir).resolve() == self.out_dir:
            return path
        target = os.path.normpath(os.path.join(base_dir, path))
        relative = os.path.relpath(target, self.out_dir)
        return relative.replace(os.sep, "/")

    def map_file(self, file: Path) -> str:
        """An absolute file path relative to ``out_dir``."""
        return os.path.relpath(file, self.out_dir).replace(os.sep, "/")


_LOCAL_OUTPUTS = frozenset({"local", "tar", "oci", "docker"})


def map_context(value: BuildContext, base: Path, mapper: PathMapper) -> str:
    """A named context's string form, its folder (or OCI layout) seen from the output folder."""
    if isinstance(value, LocalContext):
        return mapper.map(value.path, base)
    if isinstance(value, OciLayoutContext):
        return "oci-layout://" + mapper.map(value.path, base)
    return value.to_string()


def map_secret(secret: Secret | str, base: Path, mapper: PathMapper) -> str:
    """A secret's string form with its source file seen from the output folder."""
    if isinstance(secret, str):
        return secret  # an expression: known once bake evaluates it
    if secret.src is not None:
        secret = secret.model_copy(update={"src": mapper.map(secret.src, base)})
    return secret.to_string()


def map_ssh(ssh: SSH | str, base: Path, mapper: PathMapper) -> str:
    """An SSH entry's string form with its key files seen from the output folder."""
    if isinstance(ssh, str):
        return ssh
    return ssh.model_copy(update={"paths": [mapper.map(p, base) for p in ssh.paths]}).to_string()


def map_output(output: Output | str, base: Path, mapper: PathMapper) -> str:
    """An exporter's string form with a local destination seen from the output folder."""
    if isinstance(output, str):
        return output
    if output.dest is not None and output.type in _LOCAL_OUTPUTS:
        output = output.model_copy(update={"dest": mapper.map(output.dest, base)})
    return output.to_string()


def map_cache(cache: Cache | str, base: Path, mapper: PathMapper) -> str:
    """A cache's string form with local src/dest folders seen from the output folder."""
    if isinstance(cache, str):
        return cache
    if cache.type == "local":
        options = {
            key: mapper.map(value, base) if key in ("src", "dest") else value
            for key, value in cache.options.items()
        }
        cache = cache.model_copy(update={"options": options})
    return cache.to_string()
