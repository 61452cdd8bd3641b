"""A lowered DesiredState as JSON and back, for the cache of a no-change apply
(``bakepy.cli.noop_apply``).

Secret and config files are kept as their path, mode and a keyed digest of their content (the
host's key, as container labels hold them), never their content: the cache answers only while
every file on disk still has that digest and mode (what ``StateFile.is_current`` checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bakepy.engine.compose.desired import (
    Dependency,
    DesiredContainer,
    DesiredNetwork,
    DesiredState,
    DesiredVolume,
)
from bakepy.engine.file_check import FileCheck
from bakepy.engine.state import StateFile, digest_key, secret_digest

__all__ = ["FileCheck", "decode", "encode"]


def _file(file: StateFile, key: bytes) -> dict[str, Any]:
    return asdict(FileCheck(str(file.path), file.mode, secret_digest(file.content, key)))


def _container(container: DesiredContainer, key: bytes) -> dict[str, Any]:
    data = {f.name: getattr(container, f.name) for f in fields(container)}
    data["networks"], data["volumes"] = list(container.networks), list(container.volumes)
    data["files"] = [_file(f, key) for f in container.files]
    return data


def encode(desired: DesiredState, root: Path | None = None) -> dict[str, Any]:
    """``desired`` as JSON-ready data; file contents as keyed digests (``root``: state folder)."""
    key = digest_key(root)
    return {
        "project": desired.project,
        "networks": [asdict(n) for n in desired.networks],
        "volumes": [asdict(v) for v in desired.volumes],
        "containers": [_container(c, key) for c in desired.containers],
        "services": list(desired.services),
        "dependencies": {
            service: [asdict(d) for d in found] for service, found in desired.dependencies.items()
        },
        "warnings": list(desired.warnings),
    }


def decode(data: Mapping[str, Any]) -> tuple[DesiredState, list[FileCheck]]:
    """The DesiredState ``encode`` wrote (its containers without files) and the checks of the
    files they mount. Raises KeyError, TypeError or ValueError on data of another shape."""
    checks: list[FileCheck] = []
    containers = []
    for item in data["containers"]:
        checks += [FileCheck(**f) for f in item["files"]]
        tuples = {"networks": tuple(item["networks"]), "volumes": tuple(item["volumes"])}
        containers.append(DesiredContainer(**{**item, **tuples, "files": ()}))
    desired = DesiredState(
        project=str(data["project"]),
        networks=[DesiredNetwork(**n) for n in data["networks"]],
        volumes=[DesiredVolume(**v) for v in data["volumes"]],
        containers=containers,
        services=[str(s) for s in data["services"]],
        dependencies={
            service: [Dependency(**d) for d in found]
            for service, found in data["dependencies"].items()
        },
        warnings=[str(w) for w in data["warnings"]],
    )
    return desired, checks
