"""Stacks made by an older bakepy, whose objects carry ``dev.bakepy.project=<stack>`` instead of
``dev.bakepy.stack``, are the stack's like its own: a service is updated to the new labels (and
rolled when its spec changed), old secrets no rollback needs and undeclared objects are
removed, delete removes them all; a network counts only with docker stack's namespace label as
well."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy.engine import labels as L
from bakepy.engine.labels import NAMESPACE
from bakepy.engine.swarm.desired import SwarmKind
from bakepy.engine.swarm.observed import owned_by_stack
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.testing.fake_swarm import FakeObject, FakeSwarm

from .test_stack_plan import _project


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A secret file."""
    path = tmp_path / "token.txt"
    path.write_text("s3cr3t-one")
    return path


def _make_old(swarm: FakeSwarm) -> None:
    """Relabel every object as an older bakepy labelled it: project label, no stack label,
    no recorded spec."""
    for item in swarm.objects.values():
        labels = dict(item.body["Labels"])
        if L.STACK in labels:
            labels[L.PROJECT] = labels.pop(L.STACK)
        labels.pop(L.SPEC, None)
        item.body = {**item.body, "Labels": labels}


def _old_stack(secret: Path, services: tuple[str, ...] = ("web",)) -> FakeSwarm:
    swarm = FakeSwarm()
    apply_stack(_project(secret, services), client=swarm, wait_timeout=1)
    _make_old(swarm)
    swarm.calls.clear()
    return swarm


def test_an_old_service_is_updated_to_the_new_labels_then_left_alone(secret: Path) -> None:
    swarm = _old_stack(secret)
    plan = plan_stack(_project(secret), client=swarm)
    assert [(c.action, c.resource) for c in plan.changes] == [
        ("unchanged", "network/front"),
        ("unchanged", "config/motd"),
        ("unchanged", "secret/token"),
        ("update", "service/web"),
    ]
    assert "older bakepy" in plan.find("shop_web").reasons[0]  # type: ignore[union-attr]
    apply_stack(_project(secret), client=swarm, wait_timeout=1)
    assert swarm.mutations == ["update service shop_web"]
    (service,) = [o for o in swarm.objects.values() if o.kind == "service"]
    assert service.body["Labels"][L.STACK] == "shop"
    assert L.PROJECT not in service.body["Labels"]
    swarm.calls.clear()
    assert not apply_stack(_project(secret), client=swarm, wait_timeout=1).changed
    assert swarm.mutations == []


def test_an_old_stack_rolls_a_changed_secret_and_removes_the_old_one_a_change_later(
    secret: Path,
) -> None:
    swarm = _old_stack(secret)
    secret.write_text("s3cr3t-two")
    plan = plan_stack(_project(secret), client=swarm)
    assert [(c.action, c.resource) for c in plan.changes if c.action != "unchanged"] == [
        ("create", "secret/token"),
        ("update", "service/web"),
    ]
    apply_stack(_project(secret), client=swarm, wait_timeout=1)
    secret.write_text("s3cr3t-three")
    plan = plan_stack(_project(secret), client=swarm)
    assert [(c.action, c.resource) for c in plan.changes if c.action != "unchanged"] == [
        ("create", "secret/token"),
        ("update", "service/web"),
        ("delete", "secret/token"),
    ]
    apply_stack(_project(secret), client=swarm, wait_timeout=1)
    assert sorted(o.kind for o in swarm.objects.values()) == [
        "config",
        "network",
        "secret",
        "secret",
        "service",
    ]


def test_an_old_stack_is_pruned_and_deleted(secret: Path) -> None:
    swarm = _old_stack(secret, ("web", "worker"))
    apply_stack(_project(secret), client=swarm, prune=True, wait_timeout=1)
    assert "remove service shop_worker" in swarm.mutations
    _make_old(swarm)
    delete_stack("shop", client=swarm)
    assert swarm.objects == {}


def test_old_objects_of_another_stack_or_a_compose_project_are_left_alone(secret: Path) -> None:
    swarm = _old_stack(secret)
    project_labels = {L.PROJECT: "shop", L.RESOURCE: "network/back", NAMESPACE: "other"}
    swarm.objects["other"] = FakeObject("network", {"Name": "shop_back", "Labels": project_labels})
    delete_stack("shop", client=swarm)
    assert list(swarm.objects) == ["other"]


@pytest.mark.parametrize(
    ("kind", "labels", "owned"),
    [
        ("service", {L.STACK: "shop"}, True),
        ("service", {L.STACK: "other", L.PROJECT: "shop", L.RESOURCE: "service/web"}, False),
        ("service", {L.PROJECT: "shop", L.RESOURCE: "service/web"}, True),
        ("secret", {L.PROJECT: "shop", L.RESOURCE: "secret/token"}, True),
        ("config", {L.PROJECT: "shop", L.RESOURCE: "config/motd"}, True),
        ("config", {L.PROJECT: "shop"}, False),  # not made by bakepy's apply
        ("service", {L.PROJECT: "other", L.RESOURCE: "service/web"}, False),
        # A compose project's bridge network carries the project and resource labels too.
        ("network", {L.PROJECT: "shop", L.RESOURCE: "network/front"}, False),
        ("network", {L.PROJECT: "shop", L.RESOURCE: "network/front", NAMESPACE: "shop"}, True),
        ("network", {L.STACK: "shop", NAMESPACE: "shop"}, True),
    ],
)
def test_which_labels_make_an_object_the_stacks(
    kind: SwarmKind, labels: dict[str, str], owned: bool
) -> None:
    assert owned_by_stack(kind, labels, "shop") is owned
