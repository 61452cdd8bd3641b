"""A lowered StackState as JSON and back, for the cache of a no-change ``apply --stack``
(``bakepy.cli.noop_apply``).

A config's or secret's content is never kept: only the Engine API body it is created from
(its name carries a keyed digest already) and, when it was read from a file, that file's path,
mode and keyed digest, which must still hold for the cache to answer (``FileCheck``).
A stack whose project declares swarm nodes is not encoded (their models are not plain data).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from bakepy.engine.file_check import FileCheck
from bakepy.engine.state import digest_key, secret_digest
from bakepy.engine.swarm.objects import StackState, SwarmKind, SwarmObject


def _object(item: SwarmObject) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "key": item.key,
        "name": item.name,
        "body": item.body,
        "hash": item.hash,
        "replicas": item.replicas,
    }


def _check(item: SwarmObject, key: bytes) -> dict[str, Any]:
    mode = os.stat(item.source).st_mode & 0o7777
    return asdict(FileCheck(item.source, mode, secret_digest(item.data, key)))


def encode(state: StackState, root: Path | None = None) -> dict[str, Any] | None:
    """``state`` as JSON-ready data, its content files as checks (``root``: state folder);
    None for a stack with declared swarm nodes, or a content file no longer readable."""
    if state.nodes:
        return None
    key = digest_key(root)
    try:
        files = [_check(o, key) for o in state.objects if o.source]
    except OSError:
        return None
    return {
        "stack": state.stack,
        "objects": [_object(o) for o in state.objects],
        "external": {kind: dict(found) for kind, found in state.external.items()},
        "warnings": list(state.warnings),
        "files": files,
    }


def decode(data: Mapping[str, Any]) -> tuple[StackState, list[FileCheck]]:
    """The StackState ``encode`` wrote (no contents) and the checks of its content files.
    Raises KeyError, TypeError or ValueError on data of another shape."""
    objects = [
        SwarmObject(
            cast(SwarmKind, str(o["kind"])),
            str(o["key"]),
            str(o["name"]),
            dict(o["body"]),
            str(o["hash"]),
            replicas=None if o["replicas"] is None else int(o["replicas"]),
        )
        for o in data["objects"]
    ]
    external = {
        cast(SwarmKind, kind): {str(k): str(v) for k, v in found.items()}
        for kind, found in data["external"].items()
    }
    state = StackState(str(data["stack"]), objects, external, [str(w) for w in data["warnings"]])
    return state, [FileCheck(**f) for f in data["files"]]
