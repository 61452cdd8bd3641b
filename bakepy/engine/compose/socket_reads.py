"""The reads a compose plan makes, sent over the engine's local unix socket with the standard
library alone (``bakepy.engine.unix_http``) instead of the docker SDK.

A no-change ``bakepy apply`` answered from its cache (``bakepy.cli.noop_apply``) needs only
these list calls; importing the docker SDK (requests, urllib3, paramiko) would cost more than
the rest of that run. It asks the same questions with the same filters as
``DockerEngineClient`` and parses the answers with the same ``Observed*.from_api``; any change
to the engine goes through the SDK, so every mutating method here refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from bakepy.engine import labels as L
from bakepy.engine.compose.client import matching_images
from bakepy.engine.compose.observed import (
    ContainerState,
    ObservedContainer,
    ObservedNetwork,
    ObservedVolume,
)
from bakepy.engine.unix_http import TIMEOUT, get_json, json_filters
from bakepy.errors import EngineError
from bakepy.models.image_reference import ImageReference

__all__ = ["TIMEOUT", "SocketReads", "json_filters"]


def _parsed(reference: str) -> ImageReference | None:
    try:
        return ImageReference.parse(reference)
    except ValueError:
        return None


class SocketReads:
    """An EngineClient that reads over ``unix://PATH`` and refuses to change anything.

    Each read opens its own connection, so the planner's reads run side by side safely.
    """

    def __init__(self, socket_path: str, timeout: float = TIMEOUT) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self.requests = 0
        """How many HTTP requests were sent (all of them GETs)."""

    def get(self, what: str, path: str, query: Mapping[str, str]) -> Any:
        """GET one Engine API path over the socket; its JSON answer (EngineError otherwise)."""
        found = get_json(self.socket_path, what, path, query, self.timeout)
        self.requests += 1
        return found

    def _labelled(self, project: str) -> dict[str, str]:
        return {"filters": json_filters({"label": [f"{L.PROJECT}={project}"]})}

    # -- reads --------------------------------------------------------------------------------

    def list_networks(self, project: str) -> list[ObservedNetwork]:
        """Networks carrying the project label (one call)."""
        found = self.get("list networks", "/networks", self._labelled(project))
        return [ObservedNetwork.from_api(n) for n in found or []]

    def list_volumes(self, project: str) -> list[ObservedVolume]:
        """Volumes carrying the project label (one call)."""
        found = self.get("list volumes", "/volumes", self._labelled(project))
        return [ObservedVolume.from_api(v) for v in (found or {}).get("Volumes") or []]

    def list_containers(self, project: str) -> list[ObservedContainer]:
        """Containers, running or not, carrying the project label (one call)."""
        query = {"all": "1", **self._labelled(project)}
        found = self.get("list containers", "/containers/json", query)
        return [ObservedContainer.from_api(c) for c in found or []]

    def existing_networks(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` exist as networks (one call; the name filter matches substrings)."""
        query = {"filters": json_filters({"name": names})}
        found = self.get("list networks", "/networks", query)
        return {str(n["Name"]) for n in found or []} & set(names)

    def existing_volumes(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` exist as volumes (one call)."""
        query = {"filters": json_filters({"name": names})}
        found = self.get("list volumes", "/volumes", query)
        return {str(v["Name"]) for v in (found or {}).get("Volumes") or []} & set(names)

    def image_ids(self, references: Sequence[str]) -> dict[str, str]:
        """Image ID by reference, for the references present locally (one call)."""
        if not references:
            return {}
        familiar = sorted({ref.familiar_name for r in references if (ref := _parsed(r))})
        found = self.get(
            "list images", "/images/json", {"filters": json_filters({"reference": familiar})}
        )
        return matching_images(references, found or [])

    def container_state(self, container: str) -> ContainerState:
        """Status, health and exit code of one container."""
        data = self.get(
            f"inspect container {container}", f"/containers/{quote(container)}/json", {}
        )
        return ContainerState.from_api(data)

    # -- changes: never through this client ---------------------------------------------------

    def _refuse(self, what: str) -> EngineError:
        return EngineError(f"{what}: this client only reads (changes go through the docker SDK)")

    def pull_image(self, reference: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"pull {reference}")

    def create_network(self, body: Mapping[str, Any]) -> str:
        """Refused: reads only."""
        raise self._refuse("create network")

    def remove_network(self, network: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"remove network {network}")

    def create_volume(self, body: Mapping[str, Any]) -> ObservedVolume:
        """Refused: reads only."""
        raise self._refuse("create volume")

    def remove_volume(self, name: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"remove volume {name}")

    def create_container(
        self, name: str, body: Mapping[str, Any], platform: str | None = None
    ) -> str:
        """Refused: reads only."""
        raise self._refuse(f"create container {name}")

    def start_container(self, container: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"start container {container}")

    def stop_container(self, container: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"stop container {container}")

    def restart_container(self, container: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"restart container {container}")

    def unpause_container(self, container: str) -> None:
        """Refused: reads only."""
        raise self._refuse(f"unpause container {container}")

    def remove_container(self, container: str, *, volumes: bool = False) -> None:
        """Refused: reads only."""
        raise self._refuse(f"remove container {container}")

    def connect_network(self, container: str, network: str, endpoint: Mapping[str, Any]) -> None:
        """Refused: reads only."""
        raise self._refuse(f"connect {container} to {network}")
