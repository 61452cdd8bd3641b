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

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from bakepy.errors import RunError

if TYPE_CHECKING:
    from bakepy.engine.containers import ContainerRunner, RunningContainer
    from bakepy.models.compose.service import ServiceHealthcheck
    from bakepy.project import Project


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
    from bakepy.engine.compose.container_spec import healthcheck_body

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
        self._containers: ContainerRunner | None = None

    @property
    def containers(self) -> ContainerRunner:
        """The engine side (docker is imported only when a test runs a container)."""
        if self._containers is None:
            from bakepy.engine.containers import ContainerRunner

            self._containers = ContainerRunner(self.owner, api=self._api)
        return self._containers

    def build(self, project: Project, target: str) -> str:
        """Build ``target`` through ``apply_builds``; returns its first tag."""
        from bakepy.api.converge import apply_builds
        from bakepy.api.definitions import resolve

        tags = list(resolve(project, [target]).targets.get(target, {}).get("tags", []))
        if not tags:
            raise RunError(f"Target/{target} has no tags", hint="tag it so the engine can run it")
        fresh = [tag for tag in tags if not self.containers.image_exists(tag)]
        apply_builds(project, [target], progress="plain", syntax_directive=self.syntax_directive)
        self.containers.images += fresh
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
        from bakepy.api.definitions import resolve
        from bakepy.loaders import load
        from bakepy.project import Project

        project = definition if isinstance(definition, Project) else load([Path(definition)])
        if build:
            image = self.build(project, target)
        else:
            image = str(resolve(project, [target]).targets[target]["tags"][0])
        return self.containers.run(
            image,
            command=command,
            environment=environment,
            ports=ports,
            healthcheck=_health_body(healthcheck) if healthcheck is not None else None,
            wait_timeout=wait_timeout,
        )

    def cleanup(self) -> None:
        """Remove every container started and every image built that was not there before."""
        if self._containers is not None:
            self._containers.cleanup()


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
