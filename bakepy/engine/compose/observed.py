"""What the engine reports about the objects bakepy owns, as small typed records."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bakepy.engine import labels as L

_EXIT_CODE = re.compile(r"^Exited \((-?\d+)\)")


@dataclass(frozen=True)
class ObservedNetwork:
    """A network as ``GET /networks`` lists it."""

    id: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ObservedNetwork:
        """From one entry of the Engine API's network list."""
        return cls(str(data["Id"]), str(data["Name"]), dict(data.get("Labels") or {}))


@dataclass(frozen=True)
class ObservedVolume:
    """A volume as ``GET /volumes`` lists it."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ObservedVolume:
        """From one entry of the Engine API's volume list."""
        return cls(str(data["Name"]), dict(data.get("Labels") or {}))


@dataclass(frozen=True)
class ObservedMount:
    """One mount of a container as the container list reports it (for its anonymous volumes)."""

    type: str
    """volume, bind, tmpfs, npipe or cluster."""
    name: str
    """The volume's name ('' for other types)."""
    destination: str
    """The path in the container, normalized (``/data``, not ``/data/``)."""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ObservedMount:
        """From one entry of a listed container's ``Mounts``."""
        destination = str(data.get("Destination") or "")
        return cls(
            type=str(data.get("Type") or ""),
            name=str(data.get("Name") or ""),
            destination=posixpath.normpath(destination) if destination else "",
        )


@dataclass(frozen=True)
class ObservedContainer:
    """A container as ``GET /containers/json?all=1`` lists it (no per-container inspect)."""

    id: str
    name: str
    state: str
    """created, running, paused, restarting, removing, exited or dead."""
    labels: Mapping[str, str] = field(default_factory=dict)
    image_id: str = ""
    networks: tuple[str, ...] = ()
    exit_code: int | None = None
    mounts: tuple[ObservedMount, ...] = ()
    network_ids: Mapping[str, str] = field(default_factory=dict)
    """The ID of the network each attachment was made to (by network name)."""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ObservedContainer:
        """From one entry of the Engine API's container list."""
        names = data.get("Names") or [""]
        settings = (data.get("NetworkSettings") or {}).get("Networks") or {}
        match = _EXIT_CODE.match(str(data.get("Status") or ""))
        return cls(
            id=str(data["Id"]),
            name=str(names[0]).lstrip("/"),
            state=str(data.get("State") or ""),
            labels=dict(data.get("Labels") or {}),
            image_id=str(data.get("ImageID") or ""),
            networks=tuple(sorted(settings)),
            exit_code=int(match.group(1)) if match else None,
            mounts=tuple(ObservedMount.from_api(m) for m in data.get("Mounts") or []),
            network_ids={
                name: str((entry or {}).get("NetworkID") or "") for name, entry in settings.items()
            },
        )


def resource_of(labels: Mapping[str, str]) -> str:
    """The ``kind/name`` an object carries in its resource label ('' when none)."""
    return labels.get(L.RESOURCE, "")


def hash_of(labels: Mapping[str, str]) -> str:
    """The spec hash an object carries ('' when none)."""
    return labels.get(L.SPEC_HASH, "")


@dataclass(frozen=True)
class ContainerState:
    """A container's state from inspect: what waiting for a condition needs."""

    status: str
    health: str | None = None
    """starting, healthy or unhealthy; None when the container has no healthcheck."""
    exit_code: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ContainerState:
        """From ``GET /containers/{id}/json``."""
        state = data.get("State") or {}
        health = state.get("Health") or {}
        return cls(
            status=str(state.get("Status") or ""),
            health=str(health["Status"]) if health.get("Status") else None,
            exit_code=int(state["ExitCode"]) if "ExitCode" in state else None,
        )


@dataclass(frozen=True)
class Observed:
    """Everything one plan reads from the engine: four list calls, whatever the project size."""

    networks: list[ObservedNetwork] = field(default_factory=list)
    volumes: list[ObservedVolume] = field(default_factory=list)
    containers: list[ObservedContainer] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)
    """Image ID by the reference the declaration uses, for the references present locally."""
    external_networks: set[str] = field(default_factory=set)
    external_volumes: set[str] = field(default_factory=set)
