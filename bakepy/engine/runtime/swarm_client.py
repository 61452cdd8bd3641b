"""The swarm seam: what plan_stack and apply_stack need from an engine, and the docker SDK
behind it. A plan reads with one list call per kind (networks, configs, secrets, services),
filtered by the stack's label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bakepy.engine.runtime import labels as L
from bakepy.engine.runtime.client import DockerEngineClient, RequestHook
from bakepy.engine.runtime.swarm_desired import SwarmKind


@dataclass(frozen=True)
class ObservedSwarmObject:
    """A swarm object bakepy's labels say a stack owns, as the engine lists it."""

    kind: SwarmKind
    id: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    version: int = 0
    """A service's version index (an update must name it)."""
    running: int = 0
    """A service's running tasks."""
    update_state: str = ""
    """A service's rolling update state (``updating``, ``completed``, ...), if any."""
    uses: frozenset[str] = frozenset()
    """A service's config and secret names."""

    @property
    def hash(self) -> str:
        """The spec hash it was created from."""
        return self.labels.get(L.SPEC_HASH, "")

    @property
    def resource(self) -> str:
        """``service/web``, from its label."""
        return self.labels.get(L.RESOURCE, f"{self.kind}/{self.name}")


class SwarmClient(Protocol):
    """What plan_stack and apply_stack need from a swarm manager."""

    def list_stack(self, kind: SwarmKind, stack: str) -> list[ObservedSwarmObject]:
        """Objects of one kind carrying the stack's label (one call)."""
        ...

    def create(self, kind: SwarmKind, body: Mapping[str, Any], data: bytes = b"") -> str:
        """Create an object; returns its ID."""
        ...

    def update_service(self, service: str, version: int, body: Mapping[str, Any]) -> None:
        """Replace a service's spec (swarm rolls its tasks)."""
        ...

    def remove(self, kind: SwarmKind, ident: str) -> None:
        """Remove an object (gone already is fine)."""
        ...


SWARM_MUTATING = frozenset({"create", "update_service", "remove"})
"""SwarmClient methods that change the engine."""


def _uses(spec: Mapping[str, Any]) -> frozenset[str]:
    container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    names = [r.get("SecretName") for r in container.get("Secrets") or []]
    names += [r.get("ConfigName") for r in container.get("Configs") or []]
    return frozenset(str(n) for n in names if n)


def observed(kind: SwarmKind, item: Mapping[str, Any]) -> ObservedSwarmObject:
    """One listed object as bakepy reads it."""
    if kind == "network":
        return ObservedSwarmObject(
            kind, str(item["Id"]), str(item["Name"]), item.get("Labels") or {}
        )
    spec = item.get("Spec") or {}
    status = item.get("ServiceStatus") or {}
    return ObservedSwarmObject(
        kind,
        str(item["ID"]),
        str(spec.get("Name", "")),
        dict(spec.get("Labels") or {}),
        int((item.get("Version") or {}).get("Index", 0)),
        int(status.get("RunningTasks", 0)),
        str((item.get("UpdateStatus") or {}).get("State", "")),
        _uses(spec) if kind == "service" else frozenset(),
    )


class DockerSwarmClient:
    """SwarmClient over the docker SDK, sharing a DockerEngineClient's connection and hooks."""

    def __init__(self, engine: DockerEngineClient | None = None) -> None:
        self.engine = engine if engine is not None else DockerEngineClient()
        self.api = self.engine.api

    def add_request_hook(self, hook: RequestHook) -> None:
        """Call ``hook`` after every HTTP request (counting, tests)."""
        self.engine.add_request_hook(hook)

    def list_stack(self, kind: SwarmKind, stack: str) -> list[ObservedSwarmObject]:
        """Objects of one kind carrying the stack's label (one call)."""
        filters = {"label": [f"{L.PROJECT}={stack}"]}
        listing = {
            "network": lambda: self.api.networks(filters=filters),
            "config": lambda: self.api.configs(filters=filters),
            "secret": lambda: self.api.secrets(filters=filters),
            "service": lambda: self.api.services(filters=filters, status=True),
        }[kind]
        found = self.engine._call(f"list {kind}s", listing)
        return [observed(kind, item) for item in found or []]

    def create(self, kind: SwarmKind, body: Mapping[str, Any], data: bytes = b"") -> str:
        """Create an object; returns its ID."""
        name = str(body["Name"])
        labels = dict(body.get("Labels") or {})
        if kind == "network":
            call: Any = lambda: self.api.create_network(  # noqa: E731
                name,
                driver=body.get("Driver"),
                options=body.get("Options") or None,
                ipam=body.get("IPAM"),
                internal=bool(body.get("Internal")),
                labels=labels,
                attachable=body.get("Attachable"),
                scope="swarm",
            )
        elif kind == "secret":
            call = lambda: self.api.create_secret(  # noqa: E731
                name, data, labels=labels, driver=body.get("Driver")
            )
        elif kind == "config":
            call = lambda: self.api.create_config(  # noqa: E731
                name, data, labels=labels, templating=body.get("Templating")
            )
        else:
            url = self.api._url("/services/create")
            call = lambda: self.api._result(  # noqa: E731
                self.api._post_json(url, data=dict(body)), True
            )
        created = self.engine._call(f"create {kind} {name}", call)
        return str(created.get("Id") or created.get("ID"))

    def update_service(self, service: str, version: int, body: Mapping[str, Any]) -> None:
        """Replace a service's spec (swarm rolls its tasks)."""
        url = self.api._url("/services/{0}/update", service)

        def update() -> None:
            response = self.api._post_json(url, data=dict(body), params={"version": version})
            self.api._raise_for_status(response)

        self.engine._call(f"update service {body['Name']}", update)

    def remove(self, kind: SwarmKind, ident: str) -> None:
        """Remove an object (gone already is fine)."""
        remove = {
            "network": self.api.remove_network,
            "config": self.api.remove_config,
            "secret": self.api.remove_secret,
            "service": self.api.remove_service,
        }[kind]
        self.engine._call(f"remove {kind} {ident}", lambda: remove(ident), missing_ok=True)
