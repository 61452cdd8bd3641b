"""An in-memory Docker engine that speaks bakepy's EngineClient protocol, for tests of any code.

Safe to call from several threads (apply starts services in parallel): every call holds one
lock, except the pause ``start_delay`` adds to each start, during which other calls go on; the
starts under way at once are counted, to prove independent services start concurrently.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import posixpath
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from bakepy.engine import labels as L
from bakepy.engine.compose.client import MUTATING, matching_images
from bakepy.engine.compose.observed import (
    ContainerState,
    ObservedContainer,
    ObservedMount,
    ObservedNetwork,
    ObservedVolume,
)
from bakepy.errors import EngineError

ANONYMOUS = "com.docker.volume.anonymous"
"""The label the engine puts on the volumes it creates for a mount without a source."""

P = ParamSpec("P")
R = TypeVar("R")


def _locked(
    method: Callable[Concatenate[FakeEngine, P], R],
) -> Callable[Concatenate[FakeEngine, P], R]:
    """Run an engine call under the engine's lock."""

    def call(self: FakeEngine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class Interrupted(BaseException):
    """Stands for SIGKILL: raised before the Nth mutating call reaches the engine."""


@dataclass(frozen=True)
class FakeMount:
    """A mount as the engine keeps it: ``named`` when the create body gave its source (the
    engine's ``rm -v`` leaves those volumes)."""

    type: str
    name: str
    destination: str
    named: bool


@dataclass
class FakeContainer:
    id: str
    name: str
    body: dict[str, Any]
    state: str = "created"
    networks: list[str] = field(default_factory=list)
    exit_code: int | None = None
    mounts: list[FakeMount] = field(default_factory=list)


@dataclass
class FakeEngine:
    """Networks, volumes, containers and images in dictionaries; every call is recorded."""

    images: dict[str, str] = field(default_factory=dict)
    image_volumes: dict[str, list[str]] = field(default_factory=dict)
    """Image reference: the paths its ``VOLUME`` lines declare."""
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    containers: dict[str, FakeContainer] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    interrupt_at: int | None = None
    """Raise Interrupted instead of making the mutating call with this number (1-based)."""
    start_delay: float = 0.0
    """Seconds each start takes, outside the lock (for proving starts overlap)."""
    start_delays: dict[str, float] = field(default_factory=dict)
    """Container name: seconds its start takes, instead of ``start_delay``."""
    starting_polls: dict[str, int] = field(default_factory=dict)
    """Container name: how many state polls report its health as ``starting`` first."""
    started: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Container name: when its start began and ended (monotonic)."""
    created_at: dict[str, float] = field(default_factory=dict)
    """Container name: when it was created (monotonic)."""
    peak_starts: int = 0
    """The most starts that were under way at once."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _starting: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def mutations(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] in MUTATING]

    def _record(self, name: str, what: str = "") -> None:
        interrupting = self.interrupt_at is not None and name in MUTATING
        if interrupting and len(self.mutations) + 1 >= (self.interrupt_at or 0):
            raise Interrupted(f"{name} {what}")
        self.calls.append((name, what))

    def _owned(self, labels: Mapping[str, str], project: str) -> bool:
        return labels.get(L.PROJECT) == project

    def snapshot(self) -> dict[str, Any]:
        """What is on the engine, without IDs: for comparing two end states."""
        return {
            "networks": sorted(self.networks),
            "volumes": sorted(self.volumes),
            "containers": sorted(
                (c.name, c.state, c.body["Labels"].get(L.SPEC_HASH), tuple(sorted(c.networks)))
                for c in self.containers.values()
            ),
        }

    # -- reads --
    @_locked
    def list_networks(self, project: str) -> list[ObservedNetwork]:
        self._record("list_networks")
        return [
            ObservedNetwork(n["Id"], name, dict(n["Labels"]))
            for name, n in self.networks.items()
            if self._owned(n["Labels"], project)
        ]

    @_locked
    def list_volumes(self, project: str) -> list[ObservedVolume]:
        self._record("list_volumes")
        return [
            ObservedVolume(name, dict(v["Labels"]))
            for name, v in self.volumes.items()
            if self._owned(v["Labels"], project)
        ]

    @_locked
    def list_containers(self, project: str) -> list[ObservedContainer]:
        self._record("list_containers")
        return [
            ObservedContainer(
                c.id,
                c.name,
                c.state,
                dict(c.body["Labels"]),
                self.images.get(c.body["Image"], ""),
                tuple(sorted(c.networks)),
                c.exit_code,
                tuple(ObservedMount(m.type, m.name, m.destination) for m in c.mounts),
            )
            for c in self.containers.values()
            if self._owned(c.body["Labels"], project)
        ]

    @_locked
    def existing_networks(self, names: Sequence[str]) -> set[str]:
        self._record("existing_networks")
        return set(names) & set(self.networks)

    @_locked
    def existing_volumes(self, names: Sequence[str]) -> set[str]:
        self._record("existing_volumes")
        return set(names) & set(self.volumes)

    @_locked
    def image_ids(self, references: Sequence[str]) -> dict[str, str]:
        self._record("image_ids")
        listed = [{"Id": image_id, "RepoTags": [tag]} for tag, image_id in self.images.items()]
        return matching_images(
            references, listed
        )  # as the engine: nginx is docker.io/library/nginx

    @_locked
    def container_state(self, container: str) -> ContainerState:
        self._record("container_state", container)
        found = self._find(container)
        health = "healthy" if "Healthcheck" in found.body else None
        if health and self.starting_polls.get(found.name, 0) > 0:
            self.starting_polls[found.name] -= 1
            health = "starting"
        status = found.state
        return ContainerState(status, health if status == "running" else None, found.exit_code)

    # -- writes --
    def _find(self, container: str) -> FakeContainer:
        for c in self.containers.values():
            if container in (c.id, c.name):
                return c
        raise EngineError(f"container {container}: not found")

    @_locked
    def pull_image(self, reference: str) -> None:
        self._record("pull_image", reference)
        self.images[reference] = f"sha256:{reference}"

    @_locked
    def create_network(self, body: Mapping[str, Any]) -> str:
        self._record("create_network", body["Name"])
        if body["Name"] in self.networks:
            raise EngineError(f"network with name {body['Name']} already exists")
        net_id = f"net{next(self._ids)}"
        self.networks[body["Name"]] = {"Id": net_id, "Labels": dict(body.get("Labels") or {})}
        return net_id

    @_locked
    def remove_network(self, network: str) -> None:
        self._record("remove_network", network)
        for name, data in list(self.networks.items()):
            if network in (name, data["Id"]):
                if any(name in c.networks for c in self.containers.values()):
                    raise EngineError(f"network {name} has active endpoints")
                del self.networks[name]

    @_locked
    def create_volume(self, body: Mapping[str, Any]) -> ObservedVolume:
        self._record("create_volume", body["Name"])
        volume = self.volumes.setdefault(body["Name"], {"Labels": dict(body.get("Labels") or {})})
        return ObservedVolume(body["Name"], dict(volume["Labels"]))

    @_locked
    def remove_volume(self, name: str) -> None:
        self._record("remove_volume", name)
        users = [c.name for c in self.containers.values() if any(m.name == name for m in c.mounts)]
        if users:
            raise EngineError(f"remove volume {name}: volume is in use - {users}")
        self.volumes.pop(name, None)

    def anonymous_volumes(self) -> set[str]:
        """The volumes the engine made for mounts without a source."""
        return {n for n, v in self.volumes.items() if ANONYMOUS in v["Labels"]}

    def mounts_of(self, container: str) -> dict[str, str]:
        """Volume name by destination, for one container."""
        return {m.destination: m.name for m in self._find(container).mounts if m.type == "volume"}

    def _new_anonymous(self) -> str:
        name = hashlib.sha256(f"anonymous-{next(self._ids)}".encode()).hexdigest()
        self.volumes[name] = {"Labels": {ANONYMOUS: ""}}
        return name

    def _mounts(self, body: Mapping[str, Any]) -> list[FakeMount]:
        """The mounts a create body gives: its Mounts, volumes_from, then the image's VOLUMEs
        at paths nothing else mounts (each without a source gets a new anonymous volume)."""
        host = body.get("HostConfig") or {}
        mounts: dict[str, FakeMount] = {}
        for entry in host.get("VolumesFrom") or []:
            for mount in self._find(str(entry).split(":")[0]).mounts:
                mounts[mount.destination] = mount
        declared: set[str] = set()
        for mount in host.get("Mounts") or []:
            target = posixpath.normpath(mount["Target"])
            if target in declared:
                raise EngineError(f"Duplicate mount point: {target}")
            declared.add(target)
            if mount["Type"] != "volume":
                mounts[target] = FakeMount(mount["Type"], "", target, True)
            elif mount.get("Source"):
                self.volumes.setdefault(mount["Source"], {"Labels": {}})
                mounts[target] = FakeMount("volume", mount["Source"], target, True)
            else:
                mounts[target] = FakeMount("volume", self._new_anonymous(), target, False)
        for target in self.image_volumes.get(body["Image"], []):
            if target not in mounts:
                mounts[target] = FakeMount("volume", self._new_anonymous(), target, False)
        return list(mounts.values())

    @_locked
    def create_container(
        self, name: str, body: Mapping[str, Any], platform: str | None = None
    ) -> str:
        self._record("create_container", name)
        if any(c.name == name for c in self.containers.values()):
            raise EngineError(f"create container {name}: Conflict. The name is already in use")
        endpoints = (body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}
        for network in endpoints:
            if network not in self.networks:
                raise EngineError(f"network {network} not found")
        mounts = self._mounts(body)
        self.created_at[name] = time.monotonic()
        container_id = f"c{next(self._ids)}"
        self.containers[container_id] = FakeContainer(
            container_id, name, copy.deepcopy(dict(body)), networks=list(endpoints), mounts=mounts
        )
        return container_id

    def start_container(self, container: str) -> None:
        with self.lock:
            self._record("start_container", container)
            found = self._find(container)
            self._starting += 1
            self.peak_starts = max(self.peak_starts, self._starting)
        began = time.monotonic()
        time.sleep(self.start_delays.get(found.name, self.start_delay))
        with self.lock:
            self._starting -= 1
            found.state, found.exit_code = "running", None
            self.started[found.name] = (began, time.monotonic())

    @_locked
    def stop_container(self, container: str) -> None:
        self._record("stop_container", container)
        for c in self.containers.values():
            if container in (c.id, c.name):
                c.state, c.exit_code = "exited", 143

    @_locked
    def restart_container(self, container: str) -> None:
        self._record("restart_container", container)
        self._find(container).state = "running"

    @_locked
    def unpause_container(self, container: str) -> None:
        self._record("unpause_container", container)
        self._find(container).state = "running"

    @_locked
    def remove_container(self, container: str, *, volumes: bool = False) -> None:
        self._record("remove_container", f"{container} -v" if volumes else container)
        for key, c in list(self.containers.items()):
            if container in (c.id, c.name):
                del self.containers[key]
                for mount in c.mounts if volumes else []:
                    used = any(
                        m.name == mount.name for o in self.containers.values() for m in o.mounts
                    )
                    if mount.type == "volume" and not mount.named and not used:
                        self.volumes.pop(mount.name, None)

    @_locked
    def connect_network(self, container: str, network: str, endpoint: Mapping[str, Any]) -> None:
        self._record("connect_network", f"{container} {network}")
        self._find(container).networks.append(network)
