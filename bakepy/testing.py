"""A pytest plugin for users' own test suites: build a declared bake Target, run it as a
throw-away container, wait until it is healthy, and remove everything it created afterwards.

Installed with bakepy (entry point ``pytest11``); in a test::

    def test_home_page(bakepy_run):
        app = bakepy_run("deploy/bakepy.py", "app", ports=[8080])
        assert "Hello" in urllib.request.urlopen(app.url(8080)).read().decode()

The image must land in the engine's image store: the default ``docker`` buildx driver does
that; a ``docker-container`` builder needs an ``output=type=docker`` (or a registry the engine
pulls from). Set ``bakepy_syntax_directive = false`` in the pytest ini for engines that cannot
pull the Dockerfile frontend image.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from bakepy.errors import BakepyError

if TYPE_CHECKING:
    import docker

    from bakepy.models.compose_service import ServiceHealthcheck
    from bakepy.project import Project

TEST_LABEL = "dev.bakepy.test"
"""Label on every container the fixture starts (the pytest node id)."""


class RunError(BakepyError):
    """The container did not build, start or become healthy."""


@dataclass
class RunningContainer:
    """A container started by ``bakepy_run``."""

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


class RunContainer(Protocol):
    """The ``bakepy_run`` fixture's call."""

    def __call__(
        self,
        definition: Project | Path | str,
        target: str,
        *,
        command: Sequence[str] | None = None,
        environment: Mapping[str, str] | None = None,
        ports: Sequence[int] = (),
        healthcheck: ServiceHealthcheck | None = None,
        wait_timeout: float = 60.0,
        build: bool = True,
    ) -> RunningContainer:
        """Build ``target`` of ``definition``, run it, wait for it; see :class:`BakepyRunner`."""
        ...


def _health_body(check: ServiceHealthcheck) -> dict[str, Any]:
    from bakepy.engine.runtime.container_spec import healthcheck_body

    data = check.model_dump(mode="json", exclude_none=True)
    if isinstance(data.get("test"), str):
        data["test"] = ["CMD-SHELL", data["test"]]
    return healthcheck_body(data)


class BakepyRunner:
    """Runs declared targets as containers and remembers everything it created."""

    def __init__(
        self, owner: str = "bakepy", *, syntax_directive: bool = True, api: Any = None
    ) -> None:
        self.owner = owner
        self.syntax_directive = syntax_directive
        self._api = api
        self.containers: list[str] = []
        self.images: list[str] = []
        """Images that did not exist before this runner built them."""

    @property
    def api(self) -> docker.APIClient:
        """The docker SDK's low-level client (connected on first use)."""
        if self._api is None:
            from bakepy.engine.runtime.client import DockerEngineClient

            self._api = DockerEngineClient().api
        return self._api

    def _image_exists(self, reference: str) -> bool:
        import docker

        try:
            self.api.inspect_image(reference)
        except docker.errors.ImageNotFound:
            return False
        return True

    def build(self, project: Project, target: str) -> str:
        """Build ``target`` through ``apply_builds``; returns its first tag."""
        from bakepy.api import resolve
        from bakepy.api_engine import apply_builds

        tags = list(resolve(project, [target]).targets.get(target, {}).get("tags", []))
        if not tags:
            raise RunError(f"Target/{target} has no tags", hint="tag it so the engine can run it")
        fresh = [tag for tag in tags if not self._image_exists(tag)]
        apply_builds(project, [target], progress="plain", syntax_directive=self.syntax_directive)
        self.images += fresh
        return str(tags[0])

    def __call__(
        self,
        definition: Project | Path | str,
        target: str,
        *,
        command: Sequence[str] | None = None,
        environment: Mapping[str, str] | None = None,
        ports: Sequence[int] = (),
        healthcheck: ServiceHealthcheck | None = None,
        wait_timeout: float = 60.0,
        build: bool = True,
    ) -> RunningContainer:
        """Build ``target`` (unless ``build=False``), run it with ``ports`` published on
        127.0.0.1, and wait until it is healthy (or running, without a healthcheck)."""
        from bakepy.loaders import load
        from bakepy.project import Project

        project = definition if isinstance(definition, Project) else load([Path(definition)])
        if build:
            image = self.build(project, target)
        else:
            from bakepy.api import resolve

            image = str(resolve(project, [target]).targets[target]["tags"][0])
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
            body["Healthcheck"] = _health_body(healthcheck)
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
        """Remove every container started and every image built that was not there before."""
        import docker

        for container in reversed(self.containers):
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_container(container, force=True, v=True)
        for image in self.images:
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_image(image)
        self.containers.clear()
        self.images.clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``bakepy_syntax_directive`` ini option."""
    parser.addini(
        "bakepy_syntax_directive",
        type="bool",
        default=True,
        help="bakepy_run: keep the '# syntax=' line in rendered Dockerfiles (default true)",
    )


@pytest.fixture
def bakepy_run(request: pytest.FixtureRequest) -> Iterator[RunContainer]:
    """Build a declared Target, run it as a container, wait for its healthcheck; everything
    it created is removed when the test ends, whether it passed or not."""
    syntax = bool(request.config.getini("bakepy_syntax_directive"))
    runner = BakepyRunner(request.node.nodeid, syntax_directive=syntax)
    try:
        yield runner
    finally:
        runner.cleanup()
