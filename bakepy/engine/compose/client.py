"""The seam between bakepy and the Engine API: a small protocol, the docker SDK behind it, and
a counting wrapper that tests (and ``dry_run``) use to prove which calls were made.

A plan reads the engine with one list call per kind (containers, networks, volumes, images),
filtered by the project label, never an inspect per object.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from bakepy.engine import labels as L
from bakepy.engine.compose.observed import (
    ContainerState,
    ObservedContainer,
    ObservedNetwork,
    ObservedVolume,
)
from bakepy.errors import EngineError
from bakepy.models.image_reference import ImageReference

if TYPE_CHECKING:
    import docker


class EngineClient(Protocol):
    """What plan and apply need from a Docker engine."""

    def list_networks(self, project: str) -> list[ObservedNetwork]:
        """Networks carrying the project label (one call)."""
        ...

    def list_volumes(self, project: str) -> list[ObservedVolume]:
        """Volumes carrying the project label (one call)."""
        ...

    def list_containers(self, project: str) -> list[ObservedContainer]:
        """Containers, running or not, carrying the project label (one call)."""
        ...

    def existing_networks(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` exist as networks (one call; for external networks)."""
        ...

    def existing_volumes(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` exist as volumes (one call; for external volumes)."""
        ...

    def image_ids(self, references: Sequence[str]) -> dict[str, str]:
        """Image ID by reference, for the references present locally (one call)."""
        ...

    def pull_image(self, reference: str) -> None:
        """Pull an image."""
        ...

    def create_network(self, body: Mapping[str, Any]) -> str:
        """Create a network from an Engine API body; returns its ID."""
        ...

    def remove_network(self, network: str) -> None:
        """Remove a network (gone already is fine)."""
        ...

    def create_volume(self, body: Mapping[str, Any]) -> ObservedVolume:
        """Create a volume (the engine returns an existing one of that name as it is)."""
        ...

    def remove_volume(self, name: str) -> None:
        """Remove a volume (gone already is fine)."""
        ...

    def create_container(
        self, name: str, body: Mapping[str, Any], platform: str | None = None
    ) -> str:
        """Create a container attached to every network of its body; returns its ID."""
        ...

    def start_container(self, container: str) -> None:
        """Start a container (started already is fine)."""
        ...

    def stop_container(self, container: str) -> None:
        """Stop a container with its own stop signal and timeout."""
        ...

    def restart_container(self, container: str) -> None:
        """Restart a container."""
        ...

    def unpause_container(self, container: str) -> None:
        """Resume a paused container."""
        ...

    def remove_container(self, container: str, *, volumes: bool = False) -> None:
        """Remove a container (gone already is fine); ``volumes``: with the anonymous volumes
        the engine made for it (``docker rm -v``)."""
        ...

    def connect_network(self, container: str, network: str, endpoint: Mapping[str, Any]) -> None:
        """Attach a container to one more network."""
        ...

    def container_state(self, container: str) -> ContainerState:
        """Status, health and exit code of one container (for waiting on a condition)."""
        ...


MUTATING = frozenset(
    {
        "pull_image",
        "create_network",
        "remove_network",
        "create_volume",
        "remove_volume",
        "create_container",
        "start_container",
        "stop_container",
        "restart_container",
        "remove_container",
        "connect_network",
    }
)
"""EngineClient methods that change the engine."""


@dataclass(frozen=True)
class HttpRequest:
    """One request the docker SDK sent to the engine."""

    method: str
    path: str

    @property
    def mutating(self) -> bool:
        """Anything but GET and HEAD changes the engine."""
        return self.method not in ("GET", "HEAD")


RequestHook = Callable[[HttpRequest], None]

POOL_SIZE = 32
"""Connections the SDK keeps open to the engine: one per thread of a parallel apply (its
requests session is shared by the threads; past this urllib3 would drop connections)."""


def _label_filter(project: str) -> dict[str, list[str]]:
    return {"label": [f"{L.PROJECT}={project}"]}


def _explain(error: Exception) -> str:
    explanation = getattr(error, "explanation", None)
    return str(explanation or error).strip()


class DockerEngineClient:
    """EngineClient over the docker SDK's low-level ``APIClient`` (imported only when used)."""

    def __init__(self, api: docker.APIClient | None = None) -> None:
        self.api = api if api is not None else self._connect()
        self._hooks: list[RequestHook] = []
        self._wrap_requests()

    @staticmethod
    def _connect() -> docker.APIClient:
        from bakepy.engine.endpoint import current_endpoint

        return current_endpoint().connect(max_pool_size=POOL_SIZE)

    def add_request_hook(self, hook: RequestHook) -> None:
        """Call ``hook`` after every HTTP request the SDK sends (counting, tests)."""
        self._hooks.append(hook)

    def _wrap_requests(self) -> None:
        send = self.api.request

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            try:
                return send(method, url, *args, **kwargs)
            finally:
                seen = HttpRequest(method.upper(), urlsplit(url).path)
                for hook in self._hooks:
                    hook(seen)

        self.api.request = request

    def _call(self, what: str, call: Callable[[], Any], *, missing_ok: bool = False) -> Any:
        import docker
        import requests

        try:
            return call()
        except docker.errors.NotFound:
            if missing_ok:
                return None
            raise EngineError(f"{what}: not found") from None
        except docker.errors.APIError as error:
            raise EngineError(f"{what}: {_explain(error)}") from None
        except docker.errors.DockerException as error:
            raise EngineError(f"{what}: {_explain(error)}") from None
        except requests.RequestException as error:  # the connection itself (TLS, ssh, reset)
            raise EngineError(f"{what}: the engine connection failed: {error}") from None

    # -- reads --------------------------------------------------------------------------------

    def list_networks(self, project: str) -> list[ObservedNetwork]:
        """Networks carrying the project label (one call)."""
        found = self._call(
            "list networks", lambda: self.api.networks(filters=_label_filter(project))
        )
        return [ObservedNetwork.from_api(n) for n in found or []]

    def list_volumes(self, project: str) -> list[ObservedVolume]:
        """Volumes carrying the project label (one call)."""
        found = self._call("list volumes", lambda: self.api.volumes(filters=_label_filter(project)))
        return [ObservedVolume.from_api(v) for v in (found or {}).get("Volumes") or []]

    def list_containers(self, project: str) -> list[ObservedContainer]:
        """Containers, running or not, carrying the project label (one call)."""
        found = self._call(
            "list containers",
            lambda: self.api.containers(all=True, filters=_label_filter(project)),
        )
        return [ObservedContainer.from_api(c) for c in found or []]

    def existing_networks(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` exist as networks (one call; the name filter matches substrings)."""
        found = self._call("list networks", lambda: self.api.networks(names=list(names)))
        return {str(n["Name"]) for n in found or []} & set(names)

    def existing_volumes(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` exist as volumes (one call)."""
        found = self._call("list volumes", lambda: self.api.volumes(filters={"name": list(names)}))
        return {str(v["Name"]) for v in (found or {}).get("Volumes") or []} & set(names)

    def image_ids(self, references: Sequence[str]) -> dict[str, str]:
        """Image ID by reference, for the references present locally (one call)."""
        if not references:
            return {}
        parsed = [ref for r in references if (ref := _parsed(r)) is not None]
        familiar = sorted({ref.familiar_name for ref in parsed})
        found = self._call("list images", lambda: self.api.images(filters={"reference": familiar}))
        return matching_images(references, found or [])

    def container_state(self, container: str) -> ContainerState:
        """Status, health and exit code of one container."""
        data = self._call(
            f"inspect container {container}", lambda: self.api.inspect_container(container)
        )
        return ContainerState.from_api(data)

    # -- writes -------------------------------------------------------------------------------

    def pull_image(self, reference: str) -> None:
        """Pull an image (its progress stream is read to the end)."""
        repository, tag = split_reference(reference)

        def pull() -> None:
            for event in self.api.pull(repository, tag=tag, stream=True, decode=True):
                if "error" in event:
                    raise EngineError(f"pull {reference}: {event['error']}")

        self._call(f"pull {reference}", pull)

    def create_network(self, body: Mapping[str, Any]) -> str:
        """Create a network from an Engine API body."""
        created = self._call(
            f"create network {body['Name']}",
            lambda: self.api.create_network(
                body["Name"],
                driver=body.get("Driver"),
                options=body.get("Options") or None,
                ipam=body.get("IPAM"),
                internal=bool(body.get("Internal")),
                labels=dict(body.get("Labels") or {}),
                enable_ipv6=bool(body.get("EnableIPv6")),
                attachable=body.get("Attachable"),
            ),
        )
        return str(created["Id"])

    def remove_network(self, network: str) -> None:
        """Remove a network (gone already is fine)."""
        self._call(
            f"remove network {network}", lambda: self.api.remove_network(network), missing_ok=True
        )

    def create_volume(self, body: Mapping[str, Any]) -> ObservedVolume:
        """Create a volume."""
        created = self._call(
            f"create volume {body['Name']}",
            lambda: self.api.create_volume(
                body["Name"],
                driver=body.get("Driver"),
                driver_opts=body.get("DriverOpts") or None,
                labels=dict(body.get("Labels") or {}),
            ),
        )
        return ObservedVolume.from_api(created)

    def remove_volume(self, name: str) -> None:
        """Remove a volume (gone already is fine)."""
        self._call(f"remove volume {name}", lambda: self.api.remove_volume(name), missing_ok=True)

    def create_container(
        self, name: str, body: Mapping[str, Any], platform: str | None = None
    ) -> str:
        """Create a container; engines older than API 1.44 get extra networks connected after."""
        from docker.utils import version_lt

        config = json.loads(json.dumps(body))
        endpoints: dict[str, Any] = (config.get("NetworkingConfig") or {}).get(
            "EndpointsConfig"
        ) or {}
        later: dict[str, Any] = {}
        if len(endpoints) > 1 and version_lt(self.api.api_version, "1.44"):
            first = config["HostConfig"]["NetworkMode"]
            later = {k: v for k, v in endpoints.items() if k != first}
            config["NetworkingConfig"]["EndpointsConfig"] = {first: endpoints[first]}
        created = self._call(
            f"create container {name}",
            lambda: self.api.create_container_from_config(config, name=name, platform=platform),
        )
        container = str(created["Id"])
        for network, endpoint in later.items():
            self.connect_network(container, network, endpoint)
        return container

    def start_container(self, container: str) -> None:
        """Start a container."""
        self._call(f"start container {container}", lambda: self.api.start(container))

    def stop_container(self, container: str) -> None:
        """Stop a container with its own stop signal and timeout."""
        self._call(f"stop container {container}", lambda: self.api.stop(container), missing_ok=True)

    def restart_container(self, container: str) -> None:
        """Restart a container."""
        self._call(f"restart container {container}", lambda: self.api.restart(container))

    def unpause_container(self, container: str) -> None:
        """Resume a paused container."""
        self._call(f"unpause container {container}", lambda: self.api.unpause(container))

    def remove_container(self, container: str, *, volumes: bool = False) -> None:
        """Remove a container, running or not (gone already is fine); ``volumes``: with the
        anonymous volumes the engine made for it."""
        self._call(
            f"remove container {container}",
            lambda: self.api.remove_container(container, force=True, v=volumes),
            missing_ok=True,
        )

    def connect_network(self, container: str, network: str, endpoint: Mapping[str, Any]) -> None:
        """Attach a container to one more network with its aliases and addresses."""
        ipam = endpoint.get("IPAMConfig") or {}
        self._call(
            f"connect container {container} to network {network}",
            lambda: self.api.connect_container_to_network(
                container,
                network,
                aliases=endpoint.get("Aliases"),
                ipv4_address=ipam.get("IPv4Address"),
                ipv6_address=ipam.get("IPv6Address"),
                link_local_ips=ipam.get("LinkLocalIPs"),
                driver_opt=endpoint.get("DriverOpts"),
                mac_address=endpoint.get("MacAddress"),
            ),
        )


def split_reference(reference: str) -> tuple[str, str | None]:
    """``repo:tag`` or ``repo@digest`` as (repository, tag-or-digest), as the pull API takes
    them (a reference with both pulls by digest)."""
    parsed = _parsed(reference)
    if parsed is None:
        return reference, "latest"
    return parsed.familiar_name, parsed.digest or parsed.tag or "latest"


def _parsed(reference: str) -> ImageReference | None:
    try:
        return ImageReference.parse(reference)
    except ValueError:
        return None


def matching_images(
    references: Sequence[str], images: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Image ID by wanted reference, among ``images`` as the engine lists them (familiar tags
    and digests): ``docker.io/library/nginx`` finds ``nginx:latest``, ``app:1@sha256:...``
    finds ``app@sha256:...``."""
    wanted = [(_parsed(text), text) for text in references]
    ids: dict[str, str] = {}
    for image in images:
        listed = [
            parsed
            for text in [*(image.get("RepoTags") or []), *(image.get("RepoDigests") or [])]
            if (parsed := _parsed(str(text))) is not None
        ]
        for reference, text in wanted:
            if reference is not None and any(reference.same_image(item) for item in listed):
                ids[text] = str(image["Id"])
    return ids


@dataclass
class CountingClient:
    """An EngineClient that counts the calls it passes on, and every HTTP request below them.

    ``on_mutation`` is called with the running count after each mutating HTTP request (each
    mutating call when the inner client has no HTTP hook): a seam for tests that interrupt an
    apply at a chosen point. Safe to share between threads: counts are kept under a lock, and
    each mutation gets its own number.
    """

    inner: EngineClient
    on_mutation: Callable[[int], None] | None = None
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[HttpRequest] = field(default_factory=list)
    http: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        add_hook = getattr(self.inner, "add_request_hook", None)
        if add_hook is not None:
            add_hook(self._on_request)
            self.http = True

    def _on_request(self, request: HttpRequest) -> None:
        with self._lock:
            self.requests.append(request)
            count = sum(1 for r in self.requests if r.mutating) if request.mutating else 0
        if request.mutating and self.on_mutation is not None:
            self.on_mutation(count)

    @property
    def total_calls(self) -> int:
        """EngineClient calls made."""
        with self._lock:
            return sum(self.calls.values())

    @property
    def mutating_calls(self) -> int:
        """EngineClient calls that change the engine."""
        with self._lock:
            return self._mutating_calls()

    @property
    def mutating_requests(self) -> int:
        """HTTP requests other than GET and HEAD."""
        with self._lock:
            return sum(1 for r in self.requests if r.mutating)

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self.calls.clear()
            self.requests.clear()

    def _count(self, name: str) -> None:
        with self._lock:  # plans read the engine, and applies start services, from threads
            self.calls[name] += 1
            count = self._mutating_calls()
        if name in MUTATING and not self.http and self.on_mutation is not None:
            self.on_mutation(count)

    def _mutating_calls(self) -> int:
        return sum(n for name, n in self.calls.items() if name in MUTATING)

    def list_networks(self, project: str) -> list[ObservedNetwork]:
        """Counted :meth:`EngineClient.list_networks`."""
        self._count("list_networks")
        return self.inner.list_networks(project)

    def list_volumes(self, project: str) -> list[ObservedVolume]:
        """Counted :meth:`EngineClient.list_volumes`."""
        self._count("list_volumes")
        return self.inner.list_volumes(project)

    def list_containers(self, project: str) -> list[ObservedContainer]:
        """Counted :meth:`EngineClient.list_containers`."""
        self._count("list_containers")
        return self.inner.list_containers(project)

    def existing_networks(self, names: Sequence[str]) -> set[str]:
        """Counted :meth:`EngineClient.existing_networks`."""
        self._count("existing_networks")
        return self.inner.existing_networks(names)

    def existing_volumes(self, names: Sequence[str]) -> set[str]:
        """Counted :meth:`EngineClient.existing_volumes`."""
        self._count("existing_volumes")
        return self.inner.existing_volumes(names)

    def image_ids(self, references: Sequence[str]) -> dict[str, str]:
        """Counted :meth:`EngineClient.image_ids`."""
        self._count("image_ids")
        return self.inner.image_ids(references)

    def container_state(self, container: str) -> ContainerState:
        """Counted :meth:`EngineClient.container_state`."""
        self._count("container_state")
        return self.inner.container_state(container)

    def pull_image(self, reference: str) -> None:
        """Counted :meth:`EngineClient.pull_image`."""
        self._count("pull_image")
        self.inner.pull_image(reference)

    def create_network(self, body: Mapping[str, Any]) -> str:
        """Counted :meth:`EngineClient.create_network`."""
        self._count("create_network")
        return self.inner.create_network(body)

    def remove_network(self, network: str) -> None:
        """Counted :meth:`EngineClient.remove_network`."""
        self._count("remove_network")
        self.inner.remove_network(network)

    def create_volume(self, body: Mapping[str, Any]) -> ObservedVolume:
        """Counted :meth:`EngineClient.create_volume`."""
        self._count("create_volume")
        return self.inner.create_volume(body)

    def remove_volume(self, name: str) -> None:
        """Counted :meth:`EngineClient.remove_volume`."""
        self._count("remove_volume")
        self.inner.remove_volume(name)

    def create_container(
        self, name: str, body: Mapping[str, Any], platform: str | None = None
    ) -> str:
        """Counted :meth:`EngineClient.create_container`."""
        self._count("create_container")
        return self.inner.create_container(name, body, platform)

    def start_container(self, container: str) -> None:
        """Counted :meth:`EngineClient.start_container`."""
        self._count("start_container")
        self.inner.start_container(container)

    def stop_container(self, container: str) -> None:
        """Counted :meth:`EngineClient.stop_container`."""
        self._count("stop_container")
        self.inner.stop_container(container)

    def restart_container(self, container: str) -> None:
        """Counted :meth:`EngineClient.restart_container`."""
        self._count("restart_container")
        self.inner.restart_container(container)

    def unpause_container(self, container: str) -> None:
        """Counted :meth:`EngineClient.unpause_container`."""
        self._count("unpause_container")
        self.inner.unpause_container(container)

    def remove_container(self, container: str, *, volumes: bool = False) -> None:
        """Counted :meth:`EngineClient.remove_container`."""
        self._count("remove_container")
        self.inner.remove_container(container, volumes=volumes)

    def connect_network(self, container: str, network: str, endpoint: Mapping[str, Any]) -> None:
        """Counted :meth:`EngineClient.connect_network`."""
        self._count("connect_network")
        self.inner.connect_network(container, network, endpoint)
