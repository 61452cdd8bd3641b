"""Compare what a project declares with what the engine reports for the project's label.

Reading is four list calls (networks, volumes, containers, images) plus one per kind of
external object declared, made side by side: the spec-hash label tells unchanged objects apart
without an inspect, and the spec label names the fields that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

from bakepy.engine import labels as L
from bakepy.engine.compose.anonymous import AnonymousVolume, anonymous_volumes
from bakepy.engine.compose.client import EngineClient
from bakepy.engine.compose.desired import DesiredContainer, DesiredState
from bakepy.engine.compose.identity import impostor, is_record, recorded_ids
from bakepy.engine.compose.observed import (
    Observed,
    ObservedContainer,
    ObservedNetwork,
    ObservedVolume,
    hash_of,
    resource_of,
)
from bakepy.engine.compose.plan import (
    Change,
    FieldChange,
    RuntimePlan,
    field_changes,
    unbuilt_warning,
)
from bakepy.errors import BakepyError

_Listed = TypeVar("_Listed", ObservedNetwork, ObservedVolume, ObservedContainer)


class Reads:
    """The engine reads of one plan, started before the declaration is lowered and run side by
    side, so the engine's slowest answer (the container list) overlaps the local work."""

    def __init__(self, client: EngineClient, project: str) -> None:
        self.client = client
        self.project = project
        self.pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="bakepy-read")
        self.networks = self.pool.submit(client.list_networks, project)
        self.volumes = self.pool.submit(client.list_volumes, project)
        self.containers = self.pool.submit(client.list_containers, project)

    def finish(self, desired: DesiredState) -> Observed:
        """The reads that need the declaration (images, external objects), and every answer."""
        with self.pool:
            external_networks = [n.name for n in desired.networks if n.external]
            external_volumes = [v.name for v in desired.volumes if v.external]
            images = sorted({c.image for c in desired.containers})
            found_images = self.pool.submit(self.client.image_ids, images) if images else None
            found_networks = (
                self.pool.submit(self.client.existing_networks, external_networks)
                if external_networks
                else None
            )
            found_volumes = (
                self.pool.submit(self.client.existing_volumes, external_volumes)
                if external_volumes
                else None
            )
            return Observed(
                networks=_not_stacks(self.networks.result()),
                volumes=_not_stacks(self.volumes.result()),
                containers=_not_stacks(self.containers.result()),
                images=found_images.result() if found_images else {},
                external_networks=found_networks.result() if found_networks else set(),
                external_volumes=found_volumes.result() if found_volumes else set(),
            )

    def cancel(self) -> None:
        """Wait for the reads in flight and drop their answers (the plan failed first)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _not_stacks(found: list[_Listed]) -> list[_Listed]:
    """Leave out what a swarm stack owns (the stack label, or docker stack's namespace label
    that an older bakepy's stack objects carry beside the project label): a compose project
    never plans changes to a stack's objects."""
    return [item for item in found if L.STACK not in item.labels and L.NAMESPACE not in item.labels]


def observe(client: EngineClient, desired: DesiredState) -> Observed:
    """Everything the plan needs from the engine, in a number of calls that does not grow."""
    return Reads(client, desired.project).finish(desired)


def plan_with(
    client: EngineClient,
    project: str,
    declare: Callable[[], DesiredState],
    *,
    prune: bool = False,
    prune_volumes: bool = False,
) -> RuntimePlan:
    """Start reading the engine, compute the desired state meanwhile, then plan."""
    reads = Reads(client, project)
    try:
        desired = declare()
    except BaseException:
        reads.cancel()
        raise
    return make_plan(desired, reads.finish(desired), prune=prune, prune_volumes=prune_volumes)


def _spec_fields(labels: Mapping[str, str], spec: Mapping[str, Any]) -> list[FieldChange]:
    stored = L.stored_spec(labels)
    if stored is None:
        return [FieldChange("(spec)", "(not recorded)", "(declared)")]
    return field_changes(stored, dict(spec))


class _Planner:
    def __init__(
        self, desired: DesiredState, observed: Observed, prune: bool, prune_volumes: bool
    ) -> None:
        self.desired = desired
        self.observed = observed
        self.prune = prune or prune_volumes
        self.prune_volumes = prune_volumes
        self.plan = RuntimePlan(desired.project, prune_volumes=prune_volumes, desired=desired)
        self.listed_volumes = [v for v in observed.volumes if not is_record(v)]
        self.owned_volumes = {v.name for v in self.listed_volumes} | {
            v.name for v in desired.volumes
        }
        """Volumes that are not anonymous: labelled by bakepy for the project, or declared."""
        self.replaced: dict[str, str] = {}
        """Engine name of a network or volume that is replaced (old and new) -> its resource."""
        self.recorded = recorded_ids(observed.volumes)
        """The containers bakepy made, by name (None: no record on the engine)."""
        self.plan.recorded = self.recorded
        self.network_ids = {n.name: n.id for n in observed.networks}
        self.declared_networks = {n.name: n.resource for n in desired.networks if not n.external}

    def run(self) -> RuntimePlan:
        self.check_externals()
        deletes = self.networks() + self.volumes()
        deletes = self.containers() + deletes
        self.restarts()
        self.images()
        self.plan.changes += deletes
        return self.plan

    def images(self) -> None:
        """Images to pull before creating containers, and missing ones only a build makes."""
        for change in self.plan.changes:
            container = change.desired
            if not isinstance(container, DesiredContainer) or change.action not in (
                "create",
                "replace",
            ):
                continue
            present = container.image in self.observed.images
            if present and container.pull_policy != "always":
                continue
            if not present and (container.builds or container.pull_policy in ("never", "build")):
                self.plan.unbuilt.setdefault(container.image, container.service)
            elif container.image not in self.plan.pulls:
                self.plan.pulls.append(container.image)
        for image, service in self.plan.unbuilt.items():
            self.plan.warnings.append(unbuilt_warning(image, service))

    def check_externals(self) -> None:
        for network in self.desired.networks:
            if network.external and network.name not in self.observed.external_networks:
                raise BakepyError(
                    f"{network.resource}: external network {network.name!r} does not exist",
                    hint=f"create it first (docker network create {network.name})",
                )
        for volume in self.desired.volumes:
            if volume.external and volume.name not in self.observed.external_volumes:
                raise BakepyError(
                    f"{volume.resource}: external volume {volume.name!r} does not exist",
                    hint=f"create it first (docker volume create {volume.name})",
                )

    def _leftovers(
        self,
        kind: Literal["network", "volume"],
        found: dict[str, ObservedNetwork] | dict[str, ObservedVolume],
        allowed: bool,
        flag: str,
    ) -> list[Change]:
        deletes = []
        for resource, obj in found.items():
            existing = obj.id if isinstance(obj, ObservedNetwork) else obj.name
            if allowed:
                reason = "no longer declared"
                deletes.append(
                    Change(kind, resource, obj.name, "delete", [reason], existing=existing)
                )
            else:
                self.plan.warnings.append(
                    f"{resource} ({obj.name}) is no longer declared; {flag} removes it"
                )
        return deletes

    def networks(self) -> list[Change]:
        found = {resource_of(n.labels): n for n in self.observed.networks}
        for network in self.desired.networks:
            if network.external:
                continue
            seen = found.pop(network.resource, None)
            change = Change("network", network.resource, network.name, "create", desired=network)
            if seen is not None:
                change.existing = seen.id
                if seen.name == network.name and hash_of(seen.labels) == network.hash:
                    change.action = "unchanged"
                else:
                    change.action = "replace"
                    change.fields = _spec_fields(seen.labels, network.spec)
                    if seen.name != network.name:
                        change.fields.insert(0, FieldChange("name", seen.name, network.name))
                    change.reasons = ["spec changed"]
                    self.replaced[seen.name] = self.replaced[network.name] = network.resource
            self.plan.changes.append(change)
        return self._leftovers("network", found, self.prune, "prune")

    def volumes(self) -> list[Change]:
        found = {resource_of(v.labels): v for v in self.listed_volumes}
        for volume in self.desired.volumes:
            if volume.external:
                continue
            seen = found.pop(volume.resource, None)
            change = Change("volume", volume.resource, volume.name, "create", desired=volume)
            if seen is not None:
                change.existing = seen.name
                same = seen.name == volume.name and hash_of(seen.labels) == volume.hash
                change.action = "unchanged"
                if not same:
                    change.fields = _spec_fields(seen.labels, volume.spec)
                    if seen.name != volume.name:
                        change.fields.insert(0, FieldChange("name", seen.name, volume.name))
                    if self.prune_volumes:
                        change.action = "replace"
                        change.reasons = ["spec changed; its data is lost"]
                        self.replaced[seen.name] = self.replaced[volume.name] = volume.resource
                    else:
                        self.plan.warnings.append(
                            f"{volume.resource} ({seen.name}) differs from the declaration but "
                            "keeps its data; prune_volumes recreates it"
                        )
            self.plan.changes.append(change)
        return self._leftovers("volume", found, self.prune_volumes, "prune_volumes")

    def _container(self, container: DesiredContainer, seen: ObservedContainer | None) -> Change:
        change = Change("container", container.resource, container.name, "create")
        change.desired = container
        if seen is None:
            return change
        change.existing = seen.id
        image_id = self.observed.images.get(container.image)
        reasons = []
        if hash_of(seen.labels) != container.hash:
            change.fields = _spec_fields(seen.labels, container.spec)
            reasons.append("spec changed")
        if image_id and seen.image_id and image_id != seen.image_id:
            reasons.append(f"image {container.image} changed")
        if seen.state in ("dead", "removing"):
            reasons.append(f"container is {seen.state}")
        not_ours = impostor(seen, self.recorded)
        if not_ours is not None:
            reasons.append(not_ours)
        reasons += self._stale_attachments(seen)
        for name in sorted({*container.networks, *container.volumes, *seen.networks}):
            if name in self.replaced:
                reasons.append(f"{self.replaced[name]} is replaced")
                change.detach_first = True
        if reasons:
            change.action = "replace"
            change.reasons = reasons
            change.anonymous = self._anonymous(seen)
            return change
        finished = seen.state == "exited" and seen.exit_code == 0 and container.runs_once
        if seen.state in ("created", "exited") and not finished:
            change.operations.append("start")
        elif seen.state == "paused":
            change.operations.append("unpause")
        for network in container.networks:
            if network not in seen.networks:
                change.operations.append(f"connect {network}")
        change.action = "update" if change.operations else "unchanged"
        return change

    def _stale_attachments(self, seen: ObservedContainer) -> list[str]:
        """A declared network the container was attached to that is gone or was recreated
        since (removed behind bakepy's back): the container must be made again on the new one."""
        reasons = []
        for name, attached in sorted(seen.network_ids.items()):
            resource = self.declared_networks.get(name)
            if resource is None or not attached or name in self.replaced:
                continue
            now = self.network_ids.get(name)
            if now != attached:
                what = "was removed" if now is None else "was recreated"
                reasons.append(f"{resource} ({name}) {what} outside bakepy")
        return reasons

    def containers(self) -> list[Change]:
        found = {c.name: c for c in self.observed.containers}
        scope = self.desired.scope
        for service in self.desired.services:
            if scope is not None and service not in scope:
                continue
            for container in self.desired.containers_of(service):
                self.plan.changes.append(
                    self._container(container, found.pop(container.name, None))
                )
        deletes = []
        declared = set(self.desired.services)
        for seen in sorted(found.values(), key=lambda c: c.name):
            resource = resource_of(seen.labels)
            service = resource.removeprefix("service/")
            if scope is not None and service in declared and service not in scope:
                continue  # a declared service the selector left out: not this run's
            if service in declared:
                reason = "not a declared replica of the service"
            elif self.prune:
                reason = "no longer declared"
            else:
                self.plan.warnings.append(
                    f"{resource} ({seen.name}) is no longer declared; prune removes it"
                )
                continue
            change = Change("container", resource, seen.name, "delete", [reason], existing=seen.id)
            if self.prune_volumes:
                change.anonymous = self._anonymous(seen)
                if change.anonymous:
                    change.reasons.append("its anonymous volumes go with it")
            deletes.append(change)
        return deletes

    def _anonymous(self, seen: ObservedContainer) -> tuple[AnonymousVolume, ...]:
        return anonymous_volumes(seen, self.owned_volumes, self.observed.containers)

    def restarts(self) -> None:
        """``depends_on.restart``: a dependent restarts when its dependency is recreated."""
        touched = {
            c.resource.removeprefix("service/")
            for c in self.plan.changes
            if c.kind == "container" and c.action in ("create", "replace")
        }
        for change in self.plan.changes:
            if change.kind != "container" or change.action not in ("unchanged", "update"):
                continue
            service = change.resource.removeprefix("service/")
            for dependency in self.desired.dependencies.get(service, []):
                if dependency.restart and dependency.service in touched:
                    if "start" not in change.operations and "restart" not in change.operations:
                        change.operations.append("restart")
                    change.action = "update"


def make_plan(
    desired: DesiredState, observed: Observed, *, prune: bool = False, prune_volumes: bool = False
) -> RuntimePlan:
    """The changes that converge ``observed`` to ``desired``.

    Deletes of undeclared objects carrying the project label happen only with ``prune``
    (containers, networks) and ``prune_volumes`` (volumes too; it implies ``prune``).
    """
    return _Planner(desired, observed, prune, prune_volumes).run()
