"""A stack and a compose project of the same name own separate objects: a stack's objects carry
``dev.bakepy.stack`` (never the compose project label), the compose planner ignores anything
with the stack label, and the stack planner lists only its own label."""

from __future__ import annotations

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine import labels as L
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.engine.swarm.verbs import apply_stack, delete_stack, plan_stack
from bakepy.models.compose import ComposeNetwork, Service
from bakepy.models.compose.project import Stack, StackSpec
from bakepy.project import Project
from bakepy.testing.fake_engine import FakeEngine
from bakepy.testing.fake_swarm import FakeObject, FakeSwarm

IMAGE = "registry.test/busybox:1"


def _compose(network: str) -> ComposeProject:
    return ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={"web": Service(image=IMAGE, networks=[network])},
            networks={network: ComposeNetwork()},
        ),
    )


def test_stack_objects_carry_the_stack_label_and_not_the_project_label() -> None:
    compose = _compose("front")
    plan = plan_stack(Stack(metadata="shop", spec=StackSpec(project=compose)), client=FakeSwarm())
    assert plan.stack is not None  # type: ignore[attr-defined]
    for item in plan.stack.objects:  # type: ignore[attr-defined]
        labels = item.body["Labels"]
        assert labels[L.STACK] == "shop", item.resource
        assert L.PROJECT not in labels, item.resource
        assert labels[L.RESOURCE] == item.resource
        assert labels[L.SPEC_HASH].startswith("sha256:")


def test_a_compose_project_and_a_stack_of_one_name_never_touch_each_other() -> None:
    engine = FakeEngine(images={IMAGE: "sha256:one"})
    swarm = FakeSwarm()
    compose_project = _compose("back")
    stack_compose = _compose("front")
    stack = Project([stack_compose, Stack(metadata="shop", spec=StackSpec(project=stack_compose))])
    apply_runtime(compose_project, client=engine)
    apply_stack(stack, client=swarm, wait_timeout=5)

    # The engine lists the stack's overlay network among the compose project's networks when
    # it also carries the project label (a user label, or an object made by an older bakepy).
    (stack_network,) = [o for o in swarm.objects.values() if o.kind == "network"]
    labels = {**stack_network.body["Labels"], L.PROJECT: "shop"}
    engine.networks["shop_front"] = {"Id": "swarmnet", "Labels": labels}
    # The swarm lists the compose project's bridge network with the other networks.
    compose_labels = engine.networks["shop_back"]["Labels"]
    swarm.objects["bridge"] = FakeObject("network", {"Name": "shop_back", "Labels": compose_labels})

    compose_plan = plan_runtime(compose_project, client=engine, prune=True, prune_volumes=True)
    assert not compose_plan.has_changes
    assert "shop_front" not in [c.name for c in compose_plan.changes]
    stack_plan = plan_stack(stack, client=swarm, prune=True)
    assert not stack_plan.has_changes
    assert "shop_back" not in [c.name for c in stack_plan.changes]

    engine.calls.clear()
    delete_runtime("shop", client=engine)
    assert "shop_front" in engine.networks
    assert not [c for c in engine.calls if c[1] == "swarmnet"]
    swarm.calls.clear()
    delete_stack("shop", client=swarm)
    assert "bridge" in swarm.objects
    assert "remove network shop_back" not in swarm.calls


def test_the_compose_planner_leaves_an_older_bakepy_stack_network_alone() -> None:
    """An older bakepy marked stack objects with the project label and docker stack's
    namespace label only: a compose project of the same name must not prune or delete them."""
    engine = FakeEngine(images={IMAGE: "sha256:one"})
    compose_project = _compose("back")
    apply_runtime(compose_project, client=engine)
    old_labels = {L.PROJECT: "shop", L.RESOURCE: "network/front", L.NAMESPACE: "shop"}
    engine.networks["shop_front"] = {"Id": "oldstacknet", "Labels": old_labels}

    plan = plan_runtime(compose_project, client=engine, prune=True, prune_volumes=True)
    assert not plan.has_changes
    engine.calls.clear()
    delete_runtime("shop", client=engine)
    assert "shop_front" in engine.networks
    assert not [call for call in engine.calls if call[1] == "oldstacknet"]
