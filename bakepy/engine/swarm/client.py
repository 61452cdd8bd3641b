"""The swarm seam: what plan_stack and apply_stack need from an engine, and the docker SDK
behind it. A plan reads with one list call per kind (networks, configs, secrets, services),
filtered by the stack's namespace label and kept when bakepy's labels say the stack owns them
(``dev.bakepy.stack``, or the project label of an older bakepy), plus one per kind of external
object used. Waiting for a rollout reads the services, their up-to-date tasks and (for global
ones) the nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bakepy.engine.compose.client import DockerEngineClient, RequestHook
from bakepy.engine.labels import NAMESPACE
from bakepy.engine.swarm.objects import SwarmKind
from bakepy.engine.swarm.observed import (
    ObservedNode,
    ObservedSwarmObject,
    ObservedTask,
    named_ids,
    observed,
    owned_by_stack,
)

__all__ = [
    "SWARM_MUTATING",
    "DockerSwarmClient",
    "ObservedNode",
    "ObservedSwarmObject",
    "ObservedTask",
    "SwarmClient",
]


class SwarmClient(Protocol):
    """What plan_stack and apply_stack need from a swarm manager."""

    def list_stack(self, kind: SwarmKind, stack: str) -> list[ObservedSwarmObject]:
        """Objects of one kind carrying the stack's label (one call)."""
        ...

    def find(self, kind: SwarmKind, names: Sequence[str]) -> dict[str, str]:
        """The IDs of the objects of one kind with these exact names (one call)."""
        ...

    def tasks(self, services: Sequence[str]) -> list[ObservedTask]:
        """The tasks of these services (IDs) that run their current spec (one call)."""
        ...

    def nodes(self) -> list[ObservedNode]:
        """The swarm's nodes (one call)."""
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

    def update_node(self, node: str, version: int, spec: Mapping[str, Any]) -> None:
        """Replace a node's spec (labels, role, availability)."""
        ...


SWARM_MUTATING = frozenset({"create", "update_service", "remove", "update_node"})
"""SwarmClient methods that change the engine."""


class DockerSwarmClient:
    """SwarmClient over the docker SDK, sharing a DockerEngineClient's connection and hooks."""

    def __init__(self, engine: DockerEngineClient | None = None) -> None:
        self.engine = engine if engine is not None else DockerEngineClient()
        self.api = self.engine.api

    def add_request_hook(self, hook: RequestHook) -> None:
        """Call ``hook`` after every HTTP request (counting, tests)."""
        self.engine.add_request_hook(hook)

    def list_stack(self, kind: SwarmKind, stack: str) -> list[ObservedSwarmObject]:
        """Objects of one kind the stack owns (one call): listed by docker stack's namespace
        label, which bakepy puts on every stack object (so the objects of older bakepy, which
        had no stack label, are found too), and kept when ``owned_by_stack``."""
        filters = {"label": [f"{NAMESPACE}={stack}"]}
        listing = {
            "network": lambda: self.api.networks(filters=filters),
            "config": lambda: self.api.configs(filters=filters),
            "secret": lambda: self.api.secrets(filters=filters),
            "service": lambda: self.api.services(filters=filters, status=True),
        }[kind]
        found = self.engine._call(f"list {kind}s", listing)
        listed = [observed(kind, item) for item in found or []]
        return [item for item in listed if owned_by_stack(kind, item.labels, stack)]

    def find(self, kind: SwarmKind, names: Sequence[str]) -> dict[str, str]:
        """The IDs of the objects of one kind with these exact names (one call)."""
        if not names:
            return {}
        filters = {"name": list(names)}
        listing = {
            "network": lambda: self.api.networks(names=list(names)),
            "config": lambda: self.api.configs(filters=filters),
            "secret": lambda: self.api.secrets(filters=filters),
            "service": lambda: self.api.services(filters=filters),
        }[kind]
        found = self.engine._call(f"list {kind}s", listing) or []
        return named_ids(found, names)

    def tasks(self, services: Sequence[str]) -> list[ObservedTask]:
        """The tasks of these services (IDs) that run their current spec (one call): the
        ``_up-to-date`` filter ``docker service update`` uses to follow a rollout."""
        filters = {"service": list(services), "_up-to-date": ["true"]}
        found = self.engine._call("list tasks", lambda: self.api.tasks(filters=filters))
        return [ObservedTask.from_api(item) for item in found or []]

    def nodes(self) -> list[ObservedNode]:
        """The swarm's nodes (one call)."""
        found = self.engine._call("list nodes", lambda: self.api.nodes())
        return [ObservedNode.from_api(item) for item in found or []]

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

    def update_node(self, node: str, version: int, spec: Mapping[str, Any]) -> None:
        """Replace a node's spec (labels, role, availability)."""
        self.engine._call(
            f"update node {node}", lambda: self.api.update_node(node, version, dict(spec))
        )
