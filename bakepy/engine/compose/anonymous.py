"""Anonymous volumes (an image's ``VOLUME``, a compose volume without a source), as ``docker
compose up`` handles them: a recreated container inherits the volumes of the one it replaces,
so their data survives a changed spec.

Which mounts are anonymous is decided from the container list the planner already reads (no
inspect): a volume whose name is an engine-made ID, that is neither declared nor labelled by
bakepy, and that the container's recorded spec does not mount by name.

While a container is replaced its anonymous volumes are recorded in bakepy's state folder
before it is removed, and forgotten once the new one is created: an apply killed in between
leaves no container that names them, and the next apply finds them there. (Anonymous volumes
cannot be labelled after creation, and the new container cannot be created before the old one
is removed, as they share a name.)
"""

from __future__ import annotations

import contextlib
import copy
import json
import posixpath
import re
import shutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bakepy.engine import labels as L
from bakepy.engine.compose.observed import ObservedContainer
from bakepy.engine.state import StateFile, anonymous_volumes_dir

_ENGINE_ID = re.compile(r"^[0-9a-f]{64}$")
"""How the engine names a volume it creates for a mount without a source."""


@dataclass(frozen=True)
class AnonymousVolume:
    """An anonymous volume of a container: its name and where it is mounted."""

    name: str
    target: str
    declared: bool = False
    """The container's spec declared it (a volume without a source), not only its image."""


def _targets(spec: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Paths a stored spec mounts from a source, and paths it mounts without one."""
    named: set[str] = set()
    anonymous: set[str] = set()
    for entry in spec.get("volumes") or []:
        if isinstance(entry, Mapping) and entry.get("target"):
            target = posixpath.normpath(str(entry["target"]))
            (named if entry.get("source") else anonymous).add(target)
    return named, anonymous


def anonymous_volumes(
    seen: ObservedContainer,
    owned: Collection[str],
    containers: Sequence[ObservedContainer] = (),
) -> tuple[AnonymousVolume, ...]:
    """The anonymous volumes ``seen`` mounts, by target path.

    ``owned`` names the volumes that are not anonymous (declared, or carrying the project
    label). With ``volumes_from`` in its spec, volumes another container mounts too are that
    container's, not its own.
    """
    spec = L.stored_spec(seen.labels) or {}
    named, declared = _targets(spec)
    shared = (
        {m.name for c in containers if c.id != seen.id for m in c.mounts}
        if spec.get("volumes_from")
        else set()
    )
    found = {
        m.destination: AnonymousVolume(m.name, m.destination, m.destination in declared)
        for m in seen.mounts
        if m.type == "volume"
        and _ENGINE_ID.match(m.name)
        and m.name not in owned
        and m.name not in shared
        and m.destination not in named
    }
    return tuple(found[t] for t in sorted(found))


def inherit(body: Mapping[str, Any], volumes: Sequence[AnonymousVolume]) -> dict[str, Any]:
    """The create body with ``volumes`` mounted again, as compose does on a recreate.

    A declared volume without a source at the same path takes the old volume's name; a path
    the new body does not mount gets the old volume (an image's ``VOLUME``) unless the old
    spec declared it there (the declaration dropped it); a path mounted otherwise keeps the
    declaration. The spec hash is not touched: it was computed from the declared body.
    """
    out = copy.deepcopy(dict(body))
    if not volumes:
        return out
    host = out.setdefault("HostConfig", {})
    mounts: list[dict[str, Any]] = list(host.get("Mounts") or [])
    taken = {posixpath.normpath(str(m["Target"])): m for m in mounts}
    tmpfs = {posixpath.normpath(str(p)) for p in host.get("Tmpfs") or {}}
    for volume in volumes:
        mount = taken.get(volume.target)
        if mount is not None:
            if mount["Type"] == "volume" and not mount.get("Source"):
                mount["Source"] = volume.name
        elif volume.target not in tmpfs and not volume.declared:
            mounts.append({"Type": "volume", "Source": volume.name, "Target": volume.target})
    if mounts:
        host["Mounts"] = mounts
    return out


def _record_path(project: str, container: str, root: Path | None) -> Path:
    return anonymous_volumes_dir(project, root) / f"{container}.json"


def record(
    project: str, container: str, volumes: Sequence[AnonymousVolume], root: Path | None = None
) -> None:
    """Keep the anonymous volumes of a container about to be removed (written atomically)."""
    document = [{"name": v.name, "target": v.target, "declared": v.declared} for v in volumes]
    text = json.dumps(document, sort_keys=True) + "\n"
    StateFile(_record_path(project, container, root), text.encode()).write()


def recorded(project: str, container: str, root: Path | None = None) -> tuple[AnonymousVolume, ...]:
    """The anonymous volumes recorded for a container that an interrupted apply removed."""
    try:
        document = json.loads(_record_path(project, container, root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    if not isinstance(document, list):
        return ()
    return tuple(
        AnonymousVolume(str(e["name"]), str(e["target"]), bool(e.get("declared")))
        for e in document
        if isinstance(e, Mapping) and e.get("name") and e.get("target")
    )


def forget(project: str, container: str, root: Path | None = None) -> None:
    """Drop a container's record once the container that inherits the volumes exists."""
    with contextlib.suppress(FileNotFoundError):
        _record_path(project, container, root).unlink()


def recorded_all(project: str, root: Path | None = None) -> dict[str, tuple[AnonymousVolume, ...]]:
    """Every record of a project, by container name (for delete)."""
    folder = anonymous_volumes_dir(project, root)
    names = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    return {name: recorded(project, name, root) for name in names}


def forget_all(project: str, root: Path | None = None) -> None:
    """Drop every record of a project (delete: no container will inherit them)."""
    shutil.rmtree(anonymous_volumes_dir(project, root), ignore_errors=True)
