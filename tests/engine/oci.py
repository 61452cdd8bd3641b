"""An image written as an OCI layout (``--output type=oci,tar=false``): its configuration and
the filesystem its layers make, read without an image store.

The layers are applied in order as a container runtime would: a ``.wh.NAME`` entry removes
NAME, a ``.wh..wh..opq`` entry empties its directory of what lower layers put there.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import posixpath
import tarfile
from pathlib import Path
from typing import Any

_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"


def _blob(layout: Path, digest: str) -> bytes:
    algorithm, _, value = digest.partition(":")
    return (layout / "blobs" / algorithm / value).read_bytes()


def _manifest(layout: Path) -> dict[str, Any]:
    """The image manifest of the layout's only image (an index is followed to its first one)."""
    descriptor = json.loads((layout / "index.json").read_text())["manifests"][0]
    document: dict[str, Any] = json.loads(_blob(layout, descriptor["digest"]))
    while "manifests" in document:
        document = json.loads(_blob(layout, document["manifests"][0]["digest"]))
    return document


def image_config(layout: Path) -> dict[str, Any]:
    """The image configuration document (``config``, ``author``, ``history``, ...)."""
    config: dict[str, Any] = json.loads(_blob(layout, _manifest(layout)["config"]["digest"]))
    return config


def image_files(layout: Path) -> list[tuple[str, ...]]:
    """Every path of the image's filesystem with its type, mode, owner and content digest."""
    files: dict[str, tuple[str, ...]] = {}
    for layer in _manifest(layout)["layers"]:
        data = _blob(layout, layer["digest"])
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive.getmembers():
                _apply(files, archive, member)
    return sorted(files.values())


def _apply(
    files: dict[str, tuple[str, ...]], archive: tarfile.TarFile, member: tarfile.TarInfo
) -> None:
    name = posixpath.normpath(member.name.lstrip("./") or ".")
    folder, base = posixpath.split(name)
    if base == _OPAQUE:
        for path in [path for path in files if path.startswith(folder + "/")]:
            del files[path]
        return
    if base.startswith(_WHITEOUT):
        gone = posixpath.join(folder, base[len(_WHITEOUT) :])
        for path in [path for path in files if path == gone or path.startswith(gone + "/")]:
            del files[path]
        return
    handle = archive.extractfile(member) if member.isfile() else None
    content = hashlib.sha256(handle.read()).hexdigest() if handle else member.linkname
    files[name] = (name, str(member.type), oct(member.mode), f"{member.uid}:{member.gid}", content)
