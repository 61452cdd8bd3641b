"""plan / apply / delete against an in-memory engine: what is planned, in which order it is
done, that a second apply changes nothing, and that an apply interrupted anywhere converges."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine import labels as L
from bakepy.engine.compose.client import CountingClient
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.engine.lock import project_lock
from bakepy.errors import BakepyError, LockError
from bakepy.models.compose import (
    ComposeNetwork,
    ComposeSecret,
    ComposeVolume,
    DependsOn,
    Deploy,
    Service,
    ServiceHealthcheck,
)
from bakepy.testing.fake_engine import FakeEngine, Interrupted

IMAGE = "registry.test/busybox:1"
SECRET = "s3cr3t-value-never-shown"


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The secret the projects read from the environment."""
    monkeypatch.setenv("BKRT_PASSWORD", SECRET)


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(images={IMAGE: "sha256:one"})


def make_project(
    *,
    mode: str = "a",
    services: tuple[str, ...] = ("db", "app", "web"),
    replicas: int = 2,
    backend_internal: bool = True,
    volumes: bool = True,
    name: str = "shop",
) -> ComposeProject:
    """db (volume, secret, healthcheck) <- app (2 replicas, two networks) <- web (a port)."""
    check = ServiceHealthcheck(test=["CMD", "true"], interval="1s")
    declared = {
        "db": Service(
            image=IMAGE,
            volumes=["data:/data"] if volumes else [],
            networks=["back"],
            healthcheck=check,
            secrets=["password"],
        ),
        "app": Service(
            image=IMAGE,
            environment={"MODE": mode},
            networks=["back", "front"],
            depends_on={"db": DependsOn(condition="service_healthy")} if "db" in services else {},
            deploy=Deploy(replicas=replicas),
        ),
        "web": Service(image=IMAGE, ports=["8080:80"], networks=["front"], depends_on=["app"]),
    }
    return ComposeProject(
        metadata=name,
        spec=ComposeProjectSpec(
            services={k: v for k, v in declared.items() if k in services},
            networks={
                "back": ComposeNetwork(internal=backend_internal),
                "front": ComposeNetwork(),
            },
            volumes={"data": ComposeVolume()} if volumes else {},
            secrets={"password": ComposeSecret(environment="BKRT_PASSWORD")},
        ),
    )


def actions(plan: object) -> dict[str, str]:
    return {c.name: c.action for c in plan.changes}  # type: ignore[attr-defined]


# -- planning ---------------------------------------------------------------------------------


def test_first_plan_creates_every_declared_object(engine: FakeEngine) -> None:
    plan = plan_runtime(make_project(), client=engine)
    assert actions(plan) == {
        "shop_back": "create",
        "shop_front": "create",
        "shop_data": "create",
        "shop-db-1": "create",
        "shop-app-1": "create",
        "shop-app-2": "create",
        "shop-web-1": "create",
    }
    assert plan.has_changes
    assert engine.mutations == []


def test_plan_reads_the_engine_with_one_call_per_kind_whatever_the_size(
    engine: FakeEngine,
) -> None:
    small = make_project(replicas=1)
    large = make_project(replicas=40)
    for project in (small, large):
        apply_runtime(project, client=engine)
        engine.calls.clear()
        plan_runtime(project, client=engine)
        assert sorted(name for name, _ in engine.calls) == [
            "image_ids",
            "list_containers",
            "list_networks",
            "list_volumes",
        ]


def test_plan_json_and_has_changes(engine: FakeEngine) -> None:
    plan = plan_runtime(make_project(), client=engine)
    document = json.loads(plan.to_json())
    assert document["has_changes"] is True
    assert document["summary"]["create"] == 7
    assert {c["resource"] for c in document["changes"]} >= {"service/app", "network/back"}
    apply_runtime(make_project(), client=engine)
    again = json.loads(plan_runtime(make_project(), client=engine).to_json())
    assert again["has_changes"] is False
    assert again["summary"] == {
        "create": 0,
        "replace": 0,
        "update": 0,
        "unchanged": 7,
        "delete": 0,
    }


def test_every_object_carries_the_ownership_labels(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    db = next(c for c in engine.containers.values() if c.name == "shop-db-1")
    labels = db.body["Labels"]
    assert labels[L.PROJECT] == "shop"
    assert labels[L.RESOURCE] == "service/db"
    assert labels[L.SPEC_HASH].startswith("sha256:")
    assert engine.networks["shop_back"]["Labels"][L.RESOURCE] == "network/back"
    assert engine.volumes["shop_data"]["Labels"][L.RESOURCE] == "volume/data"


# -- applying ---------------------------------------------------------------------------------


def test_apply_creates_networks_and_volumes_first_then_services_in_depends_on_order(
    engine: FakeEngine,
) -> None:
    result = apply_runtime(make_project(), client=engine)
    order = [f"{name} {what}" for name, what in engine.calls if name != "start_container"]
    creates = [c for c in order if c.startswith(("create", "container_state"))]
    assert creates == [
        "create_network shop_back",
        "create_network shop_front",
        "create_volume shop_data",
        "create_container shop-db-1",
        "container_state shop-db-1",  # app waits for db to be healthy
        "create_container shop-app-1",
        "create_container shop-app-2",
        "create_container shop-web-1",  # web depends on app being started: no wait
        "create_volume bakepy-record.shop",  # the record of the containers bakepy made
    ]
    assert result.changed
    assert {c.state for c in engine.containers.values()} == {"running"}


def test_second_apply_makes_no_mutating_call_and_says_so(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    counting = CountingClient(engine)
    result = apply_runtime(make_project(), client=counting)
    assert counting.mutating_calls == 0
    assert counting.total_calls == 4
    assert not result.changed
    assert "no mutating call" in result.render()


def test_dry_run_makes_no_mutating_call(engine: FakeEngine, state: Path) -> None:
    counting = CountingClient(engine)
    result = apply_runtime(make_project(), client=counting, dry_run=True)
    assert counting.mutating_calls == 0
    assert result.dry_run
    assert not result.changed
    assert result.plan.has_changes
    assert "+ service/db" in result.render()
    assert not (state / "files").exists()  # not even the secret files are written


def test_changing_one_service_environment_replaces_only_its_containers(
    engine: FakeEngine,
) -> None:
    apply_runtime(make_project(mode="a"), client=engine)
    plan = plan_runtime(make_project(mode="b"), client=engine)
    assert {n for n, a in actions(plan).items() if a != "unchanged"} == {
        "shop-app-1",
        "shop-app-2",
    }
    change = plan.find("shop-app-1")
    assert change is not None
    assert [f.describe() for f in change.fields] == ['environment.MODE: "a" -> "b"']
    assert '~ environment.MODE: "a" -> "b"' in plan.render()
    untouched = {
        value
        for c in engine.containers.values()
        if not c.name.startswith("shop-app")
        for value in (c.id, c.name)
    }
    engine.calls.clear()
    apply_runtime(make_project(mode="b"), client=engine)
    assert engine.mutations
    assert not any(what in untouched for _, what in engine.mutations)


def test_a_secret_change_rolls_the_container_without_showing_the_value(
    engine: FakeEngine, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_runtime(make_project(), client=engine)
    secret_file = state / "files" / "shop" / "db" / "secrets" / "password"
    assert secret_file.read_text() == SECRET
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    monkeypatch.setenv("BKRT_PASSWORD", "another-value-never-shown")
    plan = plan_runtime(make_project(), client=engine)
    assert plan.find("shop-db-1").action == "replace"  # type: ignore[union-attr]
    shown = plan.render() + plan.to_json()
    assert "secrets/password: content changed (hidden)" in shown
    assert SECRET not in shown
    assert "another-value-never-shown" not in shown
    result = apply_runtime(make_project(), client=engine)
    assert "another-value-never-shown" not in result.to_json() + result.render()
    for container in engine.containers.values():
        assert SECRET not in json.dumps(container.body)
    assert secret_file.read_text() == "another-value-never-shown"


def test_a_stopped_container_is_started_and_a_deleted_one_recreated(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    web = next(c for c in engine.containers.values() if c.name == "shop-web-1")
    db = next(c for c in engine.containers.values() if c.name == "shop-db-1")
    web.state, web.exit_code = "exited", 137
    del engine.containers[db.id]
    plan = plan_runtime(make_project(), client=engine)
    assert plan.find("shop-web-1").operations == ["start"]  # type: ignore[union-attr]
    assert plan.find("shop-db-1").action == "create"  # type: ignore[union-attr]
    apply_runtime(make_project(), client=engine)
    assert not plan_runtime(make_project(), client=engine).has_changes


def test_a_missing_network_attachment_is_connected_in_place(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    app = next(c for c in engine.containers.values() if c.name == "shop-app-1")
    app.networks.remove("shop_front")
    plan = plan_runtime(make_project(), client=engine)
    change = plan.find("shop-app-1")
    assert change is not None
    assert (change.action, change.operations) == ("update", ["connect shop_front"])
    apply_runtime(make_project(), client=engine)
    assert "shop_front" in app.networks


def test_a_finished_one_shot_container_is_left_alone(engine: FakeEngine) -> None:
    job = ComposeProject(
        metadata="jobs",
        spec=ComposeProjectSpec(services={"migrate": Service(image=IMAGE, command=["true"])}),
    )
    apply_runtime(job, client=engine)
    container = next(iter(engine.containers.values()))
    container.state, container.exit_code = "exited", 0
    assert not plan_runtime(job, client=engine).has_changes


def test_scaling_down_removes_the_extra_replicas_without_prune(engine: FakeEngine) -> None:
    apply_runtime(make_project(replicas=3), client=engine)
    plan = plan_runtime(make_project(replicas=1), client=engine)
    assert {n for n, a in actions(plan).items() if a == "delete"} == {"shop-app-2", "shop-app-3"}
    apply_runtime(make_project(replicas=1), client=engine)
    assert sorted(c.name for c in engine.containers.values()) == [
        "shop-app-1",
        "shop-db-1",
        "shop-web-1",
    ]


def test_removed_service_is_deleted_only_with_prune_and_volumes_only_with_prune_volumes(
    engine: FakeEngine,
) -> None:
    apply_runtime(make_project(), client=engine)
    smaller = make_project(services=("app", "web"), volumes=False)
    plan = plan_runtime(smaller, client=engine)
    assert "shop-db-1" not in actions(plan)
    assert any("service/db (shop-db-1) is no longer declared" in w for w in plan.warnings)

    result = apply_runtime(smaller, client=engine, prune=True)
    assert [d.name for d in result.done if d.action == "deleted"] == ["shop-db-1"]
    assert "shop_data" in engine.volumes
    assert any("volume/data" in w for w in result.plan.warnings)

    engine.calls.clear()
    result = apply_runtime(smaller, client=engine, prune=True, prune_volumes=True)
    assert [d.name for d in result.done] == ["shop_data"]
    assert "shop_data" not in engine.volumes


def test_prune_removes_containers_before_networks(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    engine.calls.clear()
    only_db = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={"db": make_project().spec.services["db"]},
            networks={"back": ComposeNetwork(internal=True)},
            volumes={"data": ComposeVolume()},
            secrets={"password": ComposeSecret(environment="BKRT_PASSWORD")},
        ),
    )
    apply_runtime(only_db, client=engine, prune=True)
    removals = [name for name, _ in engine.mutations if name.startswith("remove")]
    # the last: the record of bakepy's containers, rewritten after the apply
    assert removals == ["remove_container"] * 3 + ["remove_network", "remove_volume"]
    assert sorted(engine.networks) == ["shop_back"]


def test_a_changed_network_is_replaced_with_the_containers_on_it(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    plan = plan_runtime(make_project(backend_internal=False), client=engine)
    replaced = {n for n, a in actions(plan).items() if a == "replace"}
    assert replaced == {"shop_back", "shop-db-1", "shop-app-1", "shop-app-2"}
    network = plan.find("shop_back")
    assert network is not None
    assert [f.path for f in network.fields] == ["internal"]
    engine.calls.clear()
    apply_runtime(make_project(backend_internal=False), client=engine)
    names = [name for name, _ in engine.mutations]
    assert names.index("remove_network") > max(
        i for i, n in enumerate(names) if n == "remove_container"
    )
    assert not plan_runtime(make_project(backend_internal=False), client=engine).has_changes


def test_a_missing_image_to_build_fails_before_any_mutating_call(engine: FakeEngine) -> None:
    built = ComposeProject(
        metadata="built",
        spec=ComposeProjectSpec(
            services={"app": Service(image="registry.test/app:2", build={"context": "."})}
        ),
    )
    with pytest.raises(BakepyError, match=r"image registry\.test/app:2 is not on the engine"):
        apply_runtime(built, client=engine)
    assert engine.mutations == []


def test_a_missing_image_is_pulled_first(engine: FakeEngine) -> None:
    pulled = ComposeProject(
        metadata="pulled", spec=ComposeProjectSpec(services={"x": Service(image="other:1")})
    )
    assert plan_runtime(pulled, client=engine).pulls == ["other:1"]
    apply_runtime(pulled, client=engine)
    assert engine.mutations[0] == ("pull_image", "other:1")


def test_an_external_network_must_exist_and_is_never_created(engine: FakeEngine) -> None:
    project = ComposeProject(
        metadata="ext",
        spec=ComposeProjectSpec(
            services={"x": Service(image=IMAGE, networks=["shared"])},
            networks={"shared": ComposeNetwork(external=True, name="shared-net")},
        ),
    )
    with pytest.raises(BakepyError, match="external network 'shared-net' does not exist"):
        plan_runtime(project, client=engine)
    engine.networks["shared-net"] = {"Id": "n0", "Labels": {}}
    apply_runtime(project, client=engine)
    assert [n for n, _ in engine.mutations if n == "create_network"] == []
    assert not plan_runtime(project, client=engine).has_changes


def test_a_missing_required_variable_names_the_field_and_the_variable(
    engine: FakeEngine,
) -> None:
    project = ComposeProject(
        metadata="interp",
        spec=ComposeProjectSpec(
            services={"x": Service(image=IMAGE, environment={"A": "${BKRT_NOPE:?set it}"})}
        ),
    )
    with pytest.raises(BakepyError, match=r"services\.x\.environment\.A: .*BKRT_NOPE"):
        plan_runtime(project, client=engine, environment={})
    assert engine.mutations == []


def test_delete_removes_what_the_project_owns_and_volumes_only_when_asked(
    engine: FakeEngine, state: Path
) -> None:
    apply_runtime(make_project(), client=engine)
    delete_runtime(make_project(), client=engine)
    assert engine.containers == {}
    assert engine.networks == {}
    assert list(engine.volumes) == ["shop_data"]
    assert not (state / "files" / "shop").exists()
    delete_runtime("shop", client=engine, volumes=True)
    assert engine.volumes == {}


# -- interruption -----------------------------------------------------------------------------


def _converges_after_interrupting_each_step(
    before: ComposeProject | None, after: ComposeProject, **flags: bool
) -> int:
    reference = FakeEngine(images={IMAGE: "sha256:one"})
    if before is not None:
        apply_runtime(before, client=reference)
    reference.calls.clear()
    apply_runtime(after, client=reference, **flags)
    steps = len(reference.mutations)
    assert steps > 0
    for point in range(1, steps + 1):
        engine = FakeEngine(images={IMAGE: "sha256:one"})
        if before is not None:
            apply_runtime(before, client=engine)
        engine.interrupt_at = len(engine.mutations) + point
        with pytest.raises(Interrupted):
            apply_runtime(after, client=engine, **flags)
        engine.interrupt_at = None
        apply_runtime(after, client=engine, **flags)
        assert engine.snapshot() == reference.snapshot(), f"interrupted before step {point}"
        assert not plan_runtime(after, client=engine, **flags).has_changes
    return steps


def test_a_first_apply_interrupted_before_any_step_converges_on_the_next() -> None:
    assert _converges_after_interrupting_each_step(None, make_project()) == 12  # with the record


def test_a_replacing_apply_interrupted_before_any_step_converges_on_the_next() -> None:
    _converges_after_interrupting_each_step(make_project(mode="a"), make_project(mode="b"))


def test_a_network_replacing_pruning_apply_interrupted_anywhere_converges() -> None:
    _converges_after_interrupting_each_step(
        make_project(), make_project(backend_internal=False, services=("db", "app")), prune=True
    )


# -- locking ----------------------------------------------------------------------------------


def test_a_second_holder_of_the_project_lock_fails_clearly_after_the_timeout(
    state: Path,
) -> None:
    with (
        project_lock("shop", timeout=1),
        pytest.raises(
            LockError, match=rf"another bakepy apply of project shop .*pid {os.getpid()}"
        ),
        project_lock("shop", timeout=0.3),
    ):
        pass
    with project_lock("shop", timeout=0.3):
        pass  # released


def test_apply_waits_for_the_lock(engine: FakeEngine) -> None:
    """It plans first (reads only), then waits for the lock before any change."""
    with project_lock("shop", timeout=1), pytest.raises(LockError):
        apply_runtime(make_project(), client=engine, lock_timeout=0.2)
    assert engine.calls
    assert engine.mutations == []


def test_a_no_change_apply_takes_no_lock(engine: FakeEngine) -> None:
    """Taking the lock is a change on the engine: an apply with nothing to change succeeds
    while another holder has it, and makes no mutating call."""
    assert apply_runtime(make_project(), client=engine).changed
    engine.calls.clear()
    with project_lock("shop", timeout=1):
        result = apply_runtime(make_project(), client=engine, lock_timeout=0.2)
    assert not result.changed
    assert engine.calls
    assert engine.mutations == []


# -- details ----------------------------------------------------------------------------------


def test_values_from_the_shell_are_compared_but_never_shown(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def from_shell() -> ComposeProject:
        service = Service(image=IMAGE, environment={"TOKEN": None, "PLAIN": "shown"})
        return ComposeProject(metadata="shell", spec=ComposeProjectSpec(services={"x": service}))

    monkeypatch.setenv("TOKEN", "first-token-value")
    apply_runtime(from_shell(), client=engine)
    container = next(iter(engine.containers.values()))
    assert "TOKEN=first-token-value" in container.body["Env"]
    assert "first-token-value" not in container.body["Labels"][L.SPEC]
    monkeypatch.setenv("TOKEN", "second-token-value")
    plan = plan_runtime(from_shell(), client=engine)
    change = plan.find("shell-x-1")
    assert change is not None
    assert change.action == "replace"
    assert [f.describe() for f in change.fields] == [
        "contents.environment/TOKEN: content changed (hidden)"
    ]
    assert "token-value" not in plan.render() + plan.to_json()


def test_a_rebuilt_image_replaces_its_containers(engine: FakeEngine) -> None:
    apply_runtime(make_project(), client=engine)
    engine.images[IMAGE] = "sha256:two"
    for container in engine.containers.values():  # what the engine lists: the old image
        container.body["Image"] = "registry.test/old-listing"
    engine.images["registry.test/old-listing"] = "sha256:one"
    plan = plan_runtime(make_project(), client=engine)
    assert plan.find("shop-db-1").reasons == [f"image {IMAGE} changed"]  # type: ignore[union-attr]


def test_depends_on_restart_restarts_the_dependent_when_its_dependency_is_recreated(
    engine: FakeEngine,
) -> None:
    def project(mode: str) -> ComposeProject:
        return ComposeProject(
            metadata="chain",
            spec=ComposeProjectSpec(
                services={
                    "db": Service(image=IMAGE, environment={"MODE": mode}),
                    "app": Service(
                        image=IMAGE,
                        depends_on={"db": DependsOn(condition="service_started", restart=True)},
                    ),
                }
            ),
        )

    apply_runtime(project("a"), client=engine)
    plan = plan_runtime(project("b"), client=engine)
    change = plan.find("chain-app-1")
    assert change is not None
    assert (change.action, change.operations) == ("update", ["restart"])
    engine.calls.clear()
    apply_runtime(project("b"), client=engine)
    containers = [n for n, _ in engine.mutations if not n.endswith("_volume")]  # not the record
    assert containers[-1] == "restart_container"
