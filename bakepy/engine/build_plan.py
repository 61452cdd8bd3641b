"""What an apply would do with builds: each builder to create, replace or leave, each target to
build or leave as it is, and why.

A target is up to date when its input digest equals the one recorded at its last build here
and its result is still where it went (the local image or the registry tag at the recorded
digest, the output folder or file). Anything else builds, with the reason.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from bakepy.engine.build_records import BuildRecord
from bakepy.engine.image_lookup import ImageIndex
from bakepy.engine.input_digest import InputDigest

BuildAction = Literal["build", "up to date"]
BuilderPlanAction = Literal["create", "replace", "unchanged", "delete"]


@dataclass(frozen=True)
class PlannedBuild:
    """One target: build it or not, and why."""

    target: str
    builder: str | None
    action: BuildAction
    reason: str
    input_digest: str | None
    images: list[str] = field(default_factory=list)
    owners: tuple[str, ...] = ()
    """Who owns the target (CODEOWNERS or an ``owner`` label), shown beside it."""


@dataclass(frozen=True)
class PlannedBuilder:
    """One declared builder: what apply (or delete) would do to it, and why."""

    name: str
    action: BuilderPlanAction
    changes: list[str] = field(default_factory=list)


@dataclass
class BuildPlan:
    """Every builder and target an apply would touch."""

    builders: list[PlannedBuilder] = field(default_factory=list)
    targets: list[PlannedBuild] = field(default_factory=list)
    inputs: dict[str, InputDigest] = field(default_factory=dict, repr=False)
    """Each target's input digest and what it hashed (for a no-change run's cache)."""
    destinations: dict[str, list[Destination]] = field(default_factory=dict, repr=False)
    """Where each target's result goes."""

    @property
    def has_changes(self) -> bool:
        """True when a target would build or a builder would change."""
        return any(t.action == "build" for t in self.targets) or any(
            b.action != "unchanged" for b in self.builders
        )

    def to_build(self) -> list[str]:
        """The targets that would build."""
        return [t.target for t in self.targets if t.action == "build"]

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable plan."""
        return {
            "builders": [asdict(b) for b in self.builders],
            "targets": [asdict(t) for t in self.targets],
        }

    def render(self) -> str:
        """The plan for people: one line a builder and a target."""
        lines = ["Builds"]
        for builder in self.builders:
            why = f" ({', '.join(builder.changes)})" if builder.changes else ""
            lines.append(f"  builder/{builder.name}: {builder.action}{why}")
        for planned in self.targets:
            verb = "would build" if planned.action == "build" else "up to date"
            owned = f" ({' '.join(planned.owners)})" if planned.owners else ""
            lines.append(f"  target/{planned.target}{owned}: {verb} ({planned.reason})")
        building = len(self.to_build())
        lines.append(f"{building} to build; {len(self.targets) - building} up to date.")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Destination:
    """Where a target's result goes: the local image store, a registry, a path, or nowhere."""

    kind: Literal["local-image", "registry", "path", "cache"]
    path: Path | None = None


def _fields(entry: str) -> dict[str, str]:
    try:
        row = next(csv.reader([entry]))
    except (csv.Error, StopIteration):
        return {}
    pairs = (f.partition("=") for f in row)
    return {key.strip().lower(): value for key, sep, value in pairs if sep}


def destinations(target: Mapping[str, Any], root: Path, docker_driver: bool) -> list[Destination]:
    """Where the resolved ``target``'s result goes (paths from ``root``)."""
    outputs = [str(o) for o in target.get("output") or []]
    if not outputs:
        if docker_driver and target.get("tags"):
            return [Destination("local-image")]
        return [Destination("cache")]
    found: list[Destination] = []
    for entry in outputs:
        fields = _fields(entry)
        kind = fields.get("type", "" if "=" in entry else "local")
        push = fields.get("push", "false").lower() in ("true", "1")
        if kind == "registry" or (kind == "image" and push):
            found.append(Destination("registry"))
        elif kind in ("docker", "image"):
            found.append(Destination("local-image"))
        elif kind == "cacheonly":
            found.append(Destination("cache"))
        else:
            dest = fields.get("dest", entry if "=" not in entry else "")
            found.append(
                Destination("path", (root / dest).resolve())
                if dest and dest != "-"
                else Destination("cache")
            )
    return found


def result_images(images: Sequence[str], wheres: Sequence[Destination]) -> list[tuple[str, str]]:
    """(kind, image) of each place a result's images are looked for: local or registry."""
    kinds = sorted({d.kind for d in wheres if d.kind in ("local-image", "registry")})
    return [(kind, image) for kind in kinds for image in images]


def missing_result(
    index: ImageIndex,
    record: BuildRecord,
    images: Sequence[str],
    wheres: Sequence[Destination],
) -> str | None:
    """Why the recorded build's result is no longer where it went (None: it is)."""
    for destination in wheres:
        if destination.kind == "path" and destination.path and not destination.path.exists():
            return f"its output {destination.path} is gone"
    for kind, image in result_images(images, wheres):
        found = index.local_id(image) if kind == "local-image" else index.registry(image)
        where = "on this engine" if kind == "local-image" else "in its registry"
        if found is None:
            return f"{image} is not {where}"
        if record.image_digest and found != record.image_digest:
            return f"{image} {where} is {found[:19]}, not the {record.image_digest[:19]} built"
    return None
