"""The reads a stack plan makes (one list per kind, external objects by name, the nodes), sent
over the engine's local unix socket with the standard library alone
(``bakepy.engine.unix_http``) instead of the docker SDK.

A no-change ``bakepy apply --stack`` answered from its cache (``bakepy.cli.noop_apply``) needs
only these; they ask what ``DockerSwarmClient`` asks, with the same filters, and keep the same
objects (``owned_by_stack``). Every mutating method refuses: changes go through the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
from bakepy.engine.unix_http import TIMEOUT, get_json, get_many, json_filters
from bakepy.errors import EngineError

_PATHS: dict[SwarmKind, str] = {
    "network": "/networks",
    "config": "/configs",
    "secret": "/secrets",
    "service": "/services",
}


def _stack_query(kind: SwarmKind, stack: str) -> dict[str, str]:
    """The query that lists one kind of a stack's objects (by docker stack's namespace label;
    services with their task counts), as the docker SDK sends it."""
    query = {"filters": json_filters({"label": [f"{NAMESPACE}={stack}"]})}
    if kind == "service":
        query["status"] = "true"
    return query


class SwarmSocketReads:
    """A SwarmClient that reads over ``unix://PATH`` and refuses to change anything."""

    def __init__(self, socket_path: str, timeout: float = TIMEOUT) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self.requests = 0
        """How many HTTP requests were sent (all of them GETs)."""

        self._prefetched: dict[tuple[SwarmKind, str], Any] = {}

    def _get(self, what: str, path: str, query: Mapping[str, str]) -> Any:
        found = get_json(self.socket_path, what, path, query, self.timeout)
        self.requests += 1
        return found

    def prefetch(self, stack: str, kinds: Sequence[SwarmKind]) -> None:
        """Send the listings of these kinds for ``stack`` at once (the engine answers them side
        by side); ``list_stack`` then answers from them."""
        requests = [(f"list {kind}s", _PATHS[kind], _stack_query(kind, stack)) for kind in kinds]
        found = get_many(self.socket_path, requests, self.timeout)
        self.requests += len(requests)
        self._prefetched.update(((kind, stack), f) for kind, f in zip(kinds, found, strict=True))

    def list_stack(self, kind: SwarmKind, stack: str) -> list[ObservedSwarmObject]:
        """Objects of one kind the stack owns (one call), as ``DockerSwarmClient.list_stack``."""
        found = self._prefetched.pop((kind, stack), None)
        if found is None:
            found = self._get(f"list {kind}s", _PATHS[kind], _stack_query(kind, stack))
        listed = [observed(kind, item) for item in found or []]
        return [item for item in listed if owned_by_stack(kind, item.labels, stack)]

    def find(self, kind: SwarmKind, names: Sequence[str]) -> dict[str, str]:
        """The IDs of the objects of one kind with these exact names (one call)."""
        if not names:
            return {}
        query = {"filters": json_filters({"name": names})}
        found = self._get(f"list {kind}s", _PATHS[kind], query) or []
        return named_ids(found, names)

    def tasks(self, services: Sequence[str]) -> list[ObservedTask]:
        """The tasks of these services (IDs) that run their current spec (one call)."""
        query = {"filters": json_filters({"service": services, "_up-to-date": ["true"]})}
        found = self._get("list tasks", "/tasks", query)
        return [ObservedTask.from_api(item) for item in found or []]

    def nodes(self) -> list[ObservedNode]:
        """The swarm's nodes (one call)."""
        found = self._get("list nodes", "/nodes", {})
        return [ObservedNode.from_api(item) for item in found or []]

    def _refuse(self, what: str) -> EngineError:
        return EngineError(f"{what}: this client only reads (changes go through the docker SDK)")

    def create(self, kind: SwarmKind, body: Mapping[str, Any], data: bytes = b"") -> str:
        """Refused: reads only."""
        raise self._refuse(f"create {kind}")

    def update_service(self, service: str, version: int, body: Mapping[str, Any]) -> None:
        """Refused: reads only."""
        raise self._refuse(f"update service {service}")

    def remove(self, kind: SwarmKind, ident: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"remove {kind} {ident}")

    def update_node(self, node: str, version: int, spec: Mapping[str, Any]) -> None:
        """Refused: reads only."""
        raise self._refuse(f"update node {node}")
