"""Carry out a Plan in dependency order, and say what was done.

Order: images pulled and secret/config files written; containers that must leave a replaced
network or volume removed; networks, then volumes; then the services, each as soon as the
services it depends on are created and started and have reached the conditions it asks
(healthy, completed successfully), independent services at the same time on a bounded pool of
threads; prune last, containers before networks before volumes.

The first error stops the apply: no further service is started, those under way finish their
step, and the error is raised. What was done is recorded per service and listed in start
order, so the result reads the same however the threads ran; progress lines are whole lines.

A replaced container is stopped and removed, then created under the same name and started.
Each step leaves the engine in a state the planner reads correctly, so an apply killed at any
point is finished by the next one: a stopped old container is still replaced (its hash is old),
a missing one is created, a created but not started one is started.

Anonymous volumes are handled as ``docker compose`` does: the new container of a replace
inherits the old one's (``renew_anonymous_volumes`` removes them instead, as ``up -V``), and a
deleted container takes them along only with ``prune_volumes``. They are recorded in the state
folder before the old container goes (see ``anonymous``), so an apply killed in between
still hands them on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bakepy.engine import labels as L
from bakepy.engine.compose.anonymous import (
    AnonymousVolume,
    forget,
    inherit,
    record,
    recorded,
    recorded_all,
)
from bakepy.engine.compose.client import EngineClient
from bakepy.engine.compose.desired import (
    DesiredContainer,
    DesiredNetwork,
    DesiredState,
    DesiredVolume,
)
from bakepy.engine.compose.health import wait_for
from bakepy.engine.compose.observed import ContainerState
from bakepy.engine.compose.plan import Change, RuntimePlan
from bakepy.engine.compose.result import ApplyResult, Done, Progress
from bakepy.engine.progress import Status
from bakepy.engine.schedule import Stopped, run_graph
from bakepy.errors import BakepyError, EngineError

DEFAULT_WORKERS = 8
"""Services created and started at once by default."""
__all__ = ["DEFAULT_WORKERS", "ApplyResult", "Done", "Progress", "execute"]


class _Executor:
    def __init__(
        self,
        client: EngineClient,
        plan: RuntimePlan,
        wait_timeout: float,
        progress: Progress | None,
        workers: int,
        renew: bool = False,
    ) -> None:
        if plan.desired is None:
            raise ValueError("a plan made by make_plan carries its desired state")
        self.client = client
        self.plan = plan
        self.desired: DesiredState = plan.desired
        self.wait_timeout = wait_timeout
        self.progress = progress
        self.workers = workers
        self.renew = renew
        self.inherited: dict[str, tuple[AnonymousVolume, ...]] = {}
        """Container name: the anonymous volumes its removed predecessor hands on."""
        self.leftover: dict[str, None] = {}
        """Anonymous volumes of deleted containers, removed after every container is."""
        self._leftover_lock = threading.Lock()
        self.done: list[Done] = []
        self.by_service: dict[str, list[Done]] = {s: [] for s in self.desired.services}
        self.stop = threading.Event()
        self._printing = threading.Lock()
        self._conditions = {
            (d.service, d.condition): threading.Lock()
            for dependencies in self.desired.dependencies.values()
            for d in dependencies
        }
        self._reached: set[tuple[str, str]] = set()

    def status(self, key: str, text: str) -> None:
        """Say how a wait is going (a :class:`Status`: in place on a terminal)."""
        if self.progress is not None:
            with self._printing:
                self.progress(Status(key, text))

    def record(self, done: Done, into: list[Done], *, show: bool = True) -> None:
        """Keep ``done`` in ``into`` and print it (one whole line, whichever thread)."""
        into.append(done)
        if show and self.progress is not None:
            with self._printing:
                self.progress(done.describe())

    @contextmanager
    def step(
        self, action: str, resource: str, name: str, into: list[Done] | None = None
    ) -> Iterator[None]:
        started = time.monotonic()
        yield
        done = Done(action, resource, name, round(time.monotonic() - started, 3))
        self.record(done, self.done if into is None else into)

    def run(self) -> list[Done]:
        if self.plan.unbuilt:
            image, service = next(iter(self.plan.unbuilt.items()))
            raise BakepyError(
                f"service/{service}: image {image} is not on the engine",
                hint="build it first (apply_builds / bakepy apply builds the declared targets)",
            )
        for image in self.plan.pulls:
            self.status(image, f"pulling {image}")
            with self.step("pulled", "image", image):
                self.client.pull_image(image)
        for change in self.plan.changes:
            if change.detach_first and change.existing:
                self.retire(change)
        self.networks()
        self.volumes()
        after = {s: [d.service for d in deps] for s, deps in self.desired.dependencies.items()}
        run_graph(self.desired.services, after, self.service, workers=self.workers, stop=self.stop)
        self.done += [d for s in self.desired.services for d in self.by_service[s]]
        self.prune()
        return self.done

    def _changes(self, kind: str, *actions: str) -> list[Change]:
        return [c for c in self.plan.changes if c.kind == kind and c.action in actions]

    def networks(self) -> None:
        for change in self._changes("network", "create", "replace"):
            assert isinstance(change.desired, DesiredNetwork)
            verb = "created"
            if change.action == "replace" and change.existing:
                self.client.remove_network(change.existing)
                verb = "replaced"
            with self.step(verb, change.resource, change.name):
                self._create_network(change.desired)

    def _create_network(self, network: DesiredNetwork) -> None:
        try:
            self.client.create_network(network.body)
        except EngineError as error:
            if "already exists" not in error.message:
                raise
            raise BakepyError(
                f"{network.resource}: a network named {network.name} exists but is not "
                f"bakepy's for project {self.desired.project}",
                hint="remove it, or declare the network external",
            ) from None

    def volumes(self) -> None:
        for change in self._changes("volume", "create", "replace"):
            assert isinstance(change.desired, DesiredVolume)
            verb = "created"
            if change.action == "replace" and change.existing:
                self.client.remove_volume(change.existing)
                verb = "replaced"
            with self.step(verb, change.resource, change.name):
                volume = self.client.create_volume(change.desired.body)
            if volume.labels.get(L.PROJECT) != self.desired.project:
                raise BakepyError(
                    f"{change.resource}: a volume named {change.name} exists but is not "
                    f"bakepy's for project {self.desired.project}; it was left as it is",
                    hint="declare the volume external, or remove it (its data goes with it)",
                )

    def retire(self, change: Change) -> None:
        """Stop and remove a replaced container, its anonymous volumes recorded first: the new
        container inherits them, or they are removed with the old one when renewing."""
        assert change.existing is not None
        if change.anonymous:
            record(self.desired.project, change.name, change.anonymous)
        self.client.stop_container(change.existing)
        self.client.remove_container(change.existing, volumes=self.renew)
        self.inherited[change.name] = change.anonymous

    def delete(self, change: Change, into: list[Done]) -> None:
        """Stop and remove a container no longer declared; its anonymous volumes go only with
        prune_volumes (recorded first, so that a killed apply still removes them)."""
        assert change.existing is not None
        with self.step("deleted", change.resource, change.name, into):
            if change.anonymous:
                record(self.desired.project, change.name, change.anonymous)
            self.client.stop_container(change.existing)
            self.client.remove_container(change.existing, volumes=self.plan.prune_volumes)
        with self._leftover_lock:
            self.leftover.update(dict.fromkeys(v.name for v in change.anonymous))

    def handed_on(self, change: Change, into: list[Done]) -> tuple[AnonymousVolume, ...]:
        """The anonymous volumes a container being created inherits: its predecessor's in this
        apply, or those an interrupted apply recorded (when they still exist); none when
        renewing (they are removed)."""
        volumes = self.inherited.pop(change.name, None)
        if volumes is None:
            volumes = recorded(self.desired.project, change.name)
            if volumes and not self.renew:
                present = self.client.existing_volumes([v.name for v in volumes])
                volumes = tuple(v for v in volumes if v.name in present)
        if self.renew:
            self.remove_anonymous([v.name for v in volumes], into)
            return ()
        return volumes

    def remove_anonymous(self, names: list[str], into: list[Done]) -> None:
        """Remove anonymous volumes (gone already is fine; one another container still uses
        stays, as ``docker rm -v`` leaves it)."""
        for name in names:
            try:
                with self.step("deleted", "volume/anonymous", name, into):
                    self.client.remove_volume(name)
            except EngineError as error:
                if "in use" not in error.message:
                    raise

    def _pause(self, seconds: float) -> None:
        """Sleep between polls of a wait; give up when the apply is stopping."""
        if self.stop.wait(seconds):
            raise Stopped

    def wait_for_dependencies(self, service: str) -> None:
        """Wait until every dependency reached its condition (each one polled by one thread;
        the wait is recorded with the service waited for)."""
        for dependency in self.desired.dependencies.get(service, []):
            if dependency.condition == "service_started":
                continue
            key = (dependency.service, dependency.condition)
            with self._conditions[key]:
                if key in self._reached:
                    continue
                for container in self.desired.containers_of(dependency.service):
                    started = time.monotonic()
                    wait_for(
                        self.client,
                        container.name,
                        dependency.condition,
                        self.wait_timeout,
                        sleep=self._pause,
                        on_poll=self._waiting(container.name, dependency.condition),
                    )
                    seconds = round(time.monotonic() - started, 3)
                    resource = f"service/{dependency.service}"
                    done = Done("waited", resource, container.name, seconds)
                    self.record(done, self.by_service[dependency.service], show=seconds >= 0.5)
                self._reached.add(key)

    def _waiting(self, name: str, condition: str) -> Callable[[float, ContainerState], None]:
        """What a dependency wait says while it lasts."""
        wanted = condition.removeprefix("service_").replace("_", " ")

        def report(elapsed: float, state: ContainerState) -> None:
            now = state.health or state.status
            self.status(name, f"waiting for {name} to be {wanted} ({elapsed:.0f}s, it is {now})")

        return report

    def service(self, service: str) -> None:
        """Carry out the changes of one service's containers (on a worker thread)."""
        resource = f"service/{service}"
        into = self.by_service[service]
        changes = [
            c
            for c in self.plan.changes
            if c.kind == "container" and c.resource == resource and c.action != "unchanged"
        ]
        if not changes:
            return
        if any(c.action in ("create", "replace", "update") for c in changes):
            self.wait_for_dependencies(service)
        for change in changes:
            if self.stop.is_set():
                raise Stopped
            if change.action == "delete" and change.existing:
                self.delete(change, into)
            elif change.action in ("create", "replace"):
                assert isinstance(change.desired, DesiredContainer)
                verb = "created" if change.action == "create" else "replaced"
                with self.step(verb, change.resource, change.name, into):
                    if change.existing and not change.detach_first:
                        self.retire(change)
                    self._create_container(change.desired, self.handed_on(change, into))
            elif change.action == "update" and change.existing:
                self._update(change, into)

    def _create_container(
        self, container: DesiredContainer, volumes: tuple[AnonymousVolume, ...]
    ) -> None:
        body = inherit(container.body, volumes)
        try:
            created = self.client.create_container(container.name, body, container.platform)
        except EngineError as error:
            if "Conflict" not in error.message and "already in use" not in error.message:
                raise
            raise BakepyError(
                f"{container.resource}: a container named {container.name} exists but is not "
                f"bakepy's for project {self.desired.project}",
                hint=f"remove it (docker rm -f {container.name}) or rename the service",
            ) from None
        forget(self.desired.project, container.name)
        self.client.start_container(created)

    def _update(self, change: Change, into: list[Done]) -> None:
        assert change.existing is not None
        container = change.desired
        for operation in sorted(change.operations, key=lambda o: not o.startswith("connect")):
            if operation.startswith("connect ") and isinstance(container, DesiredContainer):
                network = operation.removeprefix("connect ")
                what = f"{change.name} to {network}"
                with self.step("connected", change.resource, what, into):
                    self.client.connect_network(
                        change.existing, network, container.endpoint(network)
                    )
            elif operation == "start":
                with self.step("started", change.resource, change.name, into):
                    self.client.start_container(change.existing)
            elif operation == "restart":
                with self.step("restarted", change.resource, change.name, into):
                    self.client.restart_container(change.existing)
            elif operation == "unpause":
                with self.step("unpaused", change.resource, change.name, into):
                    self.client.unpause_container(change.existing)

    def prune(self) -> None:
        declared = {f"service/{s}" for s in self.desired.services}
        for change in self._changes("container", "delete"):
            if change.resource not in declared and change.existing:
                self.delete(change, self.done)
        if self.plan.prune_volumes:
            for volumes in orphaned_records(self.plan).values():
                self.leftover.update(dict.fromkeys(v.name for v in volumes))
            self.remove_anonymous(list(self.leftover), self.done)
            for container in orphaned_records(self.plan):
                forget(self.desired.project, container)
        for change in self._changes("network", "delete"):
            if change.existing:
                with self.step("deleted", change.resource, change.name):
                    self.client.remove_network(change.existing)
        for change in self._changes("volume", "delete"):
            if change.existing:
                with self.step("deleted", change.resource, change.name):
                    self.client.remove_volume(change.existing)


def write_files(desired: DesiredState) -> None:
    """Write the secret and config files that are missing or out of date."""
    written: set[str] = set()
    for container in desired.containers:
        for file in container.files:
            if str(file.path) not in written and not file.is_current():
                file.write()
            written.add(str(file.path))


def orphaned_records(plan: RuntimePlan) -> dict[str, tuple[AnonymousVolume, ...]]:
    """Recorded anonymous volumes of containers that are no longer declared (an apply or
    delete was killed after removing them): prune_volumes removes them."""
    if plan.desired is None:
        return {}
    declared = {c.name for c in plan.desired.containers}
    found = recorded_all(plan.project)
    return {name: found[name] for name in sorted(found) if name not in declared}


def execute(
    client: EngineClient,
    plan: RuntimePlan,
    *,
    wait_timeout: float = 120.0,
    progress: Progress | None = None,
    workers: int = DEFAULT_WORKERS,
    renew_anonymous_volumes: bool = False,
) -> ApplyResult:
    """Carry out ``plan``; nothing is called on the engine when it has no changes.

    Up to ``workers`` services are created and started at once (1: one after the other).
    The secret and config files containers mount are (re)written first whatever the plan, so
    a running container whose file went missing can still restart. A replaced container's
    anonymous volumes are inherited by the new one, or removed with
    ``renew_anonymous_volumes``.
    """
    if plan.desired is not None:
        write_files(plan.desired)
    pending = plan.prune_volumes and bool(orphaned_records(plan))
    if not plan.has_changes and not pending:
        return ApplyResult(plan)
    executor = _Executor(client, plan, wait_timeout, progress, workers, renew_anonymous_volumes)
    done = executor.run()
    return ApplyResult(plan, done)
