"""Throw-away containers: run an image with ports published on 127.0.0.1, wait until it is
healthy (or running, without a healthcheck), and remove every container and image afterwards.

What ``bakepy.testing``'s ``bakepy_run`` fixture runs a built target with.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import docker

from bakepy.errors import RunError

TEST_LABEL = "dev.bakepy.test"
"""Label on every container the runner starts (its owner, e.g. the pytest node id)."""


@dataclass
class RunningContainer:
    """A container started by a :class:`ContainerRunner`."""

    name: str
    id: str
    image: str
    ports: dict[int, int] = field(default_factory=dict)
    """Host port by container port (published on 127.0.0.1)."""
    api: docker.APIClient | None = field(default=None, repr=False)

    def url(self, port: int, path: str = "/") -> str:
        """``http://127.0.0.1:<host port><path>`` for a published container port."""
        return f"http://127.0.0.1:{self.ports[port]}{path}"

    def exec(self, *command: str) -> tuple[int, str]:
        """Run a command in the container: its exit code and output."""
        assert self.api is not None
        created = self.api.exec_create(self.id, list(command))
        output = self.api.exec_start(created["Id"])
        code = self.api.exec_inspect(created["Id"])["ExitCode"]
        return int(code), output.decode(errors="replace")

    def logs(self) -> str:
        """Everything the container printed so far."""
        assert self.api is not None
        data: bytes = self.api.logs(self.id)
        return data.decode(errors="replace")


class ContainerRunner:
    """Starts containers and remembers every container (and image) it is to remove."""

    def __init__(self, owner: str = "bakepy", *, api: Any = None) -> None:
        self.owner = owner
        self._api = api
        self.containers: list[str] = []
        self.images: list[str] = []
        """Images to remove at cleanup (those that did not exist before they were built)."""

    @property
    def api(self) -> docker.APIClient:
        """The docker SDK's low-level client (connected on first use)."""
        if self._api is None:
            from bakepy.engine.compose.client import DockerEngineClient

            self._api = DockerEngineClient().api
        return self._api

    def image_exists(self, reference: str) -> bool:
        """Whether the engine's image store holds ``reference``."""
        try:
            self.api.inspect_image(reference)
        except docker.errors.ImageNotFound:
            return False
        return True

    def run(
        self,
        image: str,
        *,
        command: Sequence[str] | None = None,
        environment: Mapping[str, str] | None = None,
        ports: Sequence[int] = (),
        healthcheck: dict[str, Any] | None = None,
        wait_timeout: float = 60.0,
    ) -> RunningContainer:
        """Run ``image`` with ``ports`` published on 127.0.0.1 and wait until it is healthy
        (``healthcheck``: the Engine API's ``Healthcheck`` body), or running without one."""
        name = f"bakepy-test-{uuid.uuid4().hex[:10]}"
        body: dict[str, Any] = {
            "Image": image,
            "Labels": {TEST_LABEL: self.owner},
            "ExposedPorts": {f"{p}/tcp": {} for p in ports},
            "HostConfig": {
                "PortBindings": {
                    f"{p}/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}] for p in ports
                }
            },
        }
        if command is not None:
            body["Cmd"] = list(command)
        if environment:
            body["Env"] = [f"{k}={v}" for k, v in sorted(environment.items())]
        if healthcheck is not None:
            body["Healthcheck"] = healthcheck
        created = self.api.create_container_from_config(body, name=name)
        self.containers.append(created["Id"])
        self.api.start(created["Id"])
        running = RunningContainer(name, created["Id"], image, api=self.api)
        state = self._wait(running, wait_timeout)
        published = (state.get("NetworkSettings") or {}).get("Ports") or {}
        running.ports = {p: int(published[f"{p}/tcp"][0]["HostPort"]) for p in ports}
        return running

    def _wait(self, running: RunningContainer, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            data: dict[str, Any] = self.api.inspect_container(running.id)
            state = data["State"]
            health = (state.get("Health") or {}).get("Status")
            if state["Status"] in ("exited", "dead") or health == "unhealthy":
                raise RunError(
                    f"container {running.name} of {running.image} is "
                    f"{health or state['Status']} (exit code {state.get('ExitCode')}); "
                    f"its output: {running.logs()[-2000:]!r}"
                )
            if (health is None and state["Status"] == "running") or health == "healthy":
                return data
            if time.monotonic() > deadline:
                raise RunError(
                    f"container {running.name} of {running.image} was not healthy after "
                    f"{timeout:g}s (it is {health or state['Status']})"
                )
            time.sleep(0.2)

    def cleanup(self) -> None:
        """Remove every container started and every image listed in ``images``."""
        for container in reversed(self.containers):
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_container(container, force=True, v=True)
        for image in self.images:
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_image(image)
        self.containers.clear()
        self.images.clear()
