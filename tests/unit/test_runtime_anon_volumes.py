"""Anonymous volumes against an in-memory engine, as ``docker compose`` handles them: a replaced
container's new one inherits them (``renew_anonymous_volumes`` removes them instead), only
``delete --volumes`` and ``--prune-volumes`` remove them, and an apply killed between removing
the old container and creating the new one still hands them on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.cli import app
from bakepy.engine import labels as L
from bakepy.engine.compose.anonymous import AnonymousVolume, anonymous_volumes, inherit, recorded
from bakepy.engine.compose.client import CountingClient
from bakepy.engine.compose.observed import ObservedContainer, ObservedMount
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.models.compose import ComposeVolume, Service
from bakepy.testing.fake_engine import FakeEngine, Interrupted

IMAGE = "registry.test/db:1"
"""An image with ``VOLUME /cache``."""


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(images={IMAGE: "sha256:one"}, image_volumes={IMAGE: ["/cache"]})


def project(
    mode: str = "a",
    *,
    volumes: tuple[str, ...] = ("/var/lib/data", "named:/named"),
    services: tuple[str, ...] = ("db",),
    side: dict[str, Any] | None = None,
) -> ComposeProject:
    """db: an anonymous volume in compose syntax, one from the image, one named volume."""
    declared = {
        "db": Service(image=IMAGE, environment={"MODE": mode}, volumes=list(volumes)),
        "side": Service(image=IMAGE, **(side or {})),
    }
    return ComposeProject(
        metadata="anon",
        spec=ComposeProjectSpec(
            services={k: v for k, v in declared.items() if k in services},
            volumes={"named": ComposeVolume()},
        ),
    )


def mounts(engine: FakeEngine, container: str = "anon-db-1") -> dict[str, str]:
    return engine.mounts_of(container)


# -- replace ----------------------------------------------------------------------------------


def test_a_replaced_container_inherits_its_anonymous_volumes(engine: FakeEngine) -> None:
    apply_runtime(project(), client=engine)
    before = mounts(engine)
    assert before["/named"] == "anon_named"
    assert {before["/var/lib/data"], before["/cache"]} == engine.anonymous_volumes()

    result = apply_runtime(project("b"), client=engine)

    assert result.plan.find("anon-db-1").action == "replace"  # type: ignore[union-attr]
    assert mounts(engine) == before
    assert engine.anonymous_volumes() == {before["/var/lib/data"], before["/cache"]}
    record = "bakepy-record.anon"  # which containers bakepy made (engine/compose/identity.py)
    assert set(engine.volumes) == {"anon_named", record, *engine.anonymous_volumes()}


def test_inheriting_keeps_the_spec_hash_and_a_reapply_makes_no_call_but_the_reads(
    engine: FakeEngine,
) -> None:
    apply_runtime(project(), client=engine)
    apply_runtime(project("b"), client=engine)
    db = next(c for c in engine.containers.values() if c.name == "anon-db-1")
    desired = plan_runtime(project("b"), client=engine).find("anon-db-1")
    assert desired is not None
    assert desired.action == "unchanged"
    assert db.body["Labels"][L.SPEC_HASH] == desired.desired.hash  # type: ignore[union-attr]
    counting = CountingClient(engine)
    again = apply_runtime(project("b"), client=counting)
    assert not again.changed
    assert counting.mutating_calls == 0
    reads = ["image_ids", "list_containers", "list_networks", "list_volumes"]
    assert sorted(counting.calls) == reads


def test_the_plan_of_a_replace_is_the_same_with_anonymous_volumes() -> None:
    plain, anonymous = (
        FakeEngine(images={IMAGE: "sha256:one"}),
        FakeEngine(images={IMAGE: "sha256:one"}, image_volumes={IMAGE: ["/cache"]}),
    )
    for engine in (plain, anonymous):
        apply_runtime(project(), client=engine)
    texts = {plan_runtime(project("b"), client=e).to_json() for e in (plain, anonymous)}
    assert len(texts) == 1


def test_renew_gives_new_anonymous_volumes_and_removes_the_old_ones(engine: FakeEngine) -> None:
    apply_runtime(project(), client=engine)
    old = engine.anonymous_volumes()
    apply_runtime(project("b"), client=engine)
    result = apply_runtime(project("c"), client=engine, renew_anonymous_volumes=True)
    now = mounts(engine)
    assert engine.anonymous_volumes() == {now["/var/lib/data"], now["/cache"]}
    assert not old & engine.anonymous_volumes()
    assert now["/named"] == "anon_named"
    assert "anon_named" in engine.volumes
    assert {d.name for d in result.done if d.resource == "volume/anonymous"} <= old


def test_a_volume_the_declaration_dropped_is_not_mounted_again(engine: FakeEngine) -> None:
    apply_runtime(project(), client=engine)
    dropped = mounts(engine)["/var/lib/data"]
    apply_runtime(project("b", volumes=("named:/named",)), client=engine)
    assert "/var/lib/data" not in mounts(engine)
    assert dropped in engine.volumes  # its data is kept, as compose keeps it


def test_volumes_from_another_service_are_not_inherited_as_its_own(engine: FakeEngine) -> None:
    both = ("db", "side")
    apply_runtime(project(services=both, side={"volumes_from": ["db"]}), client=engine)
    shared = mounts(engine)["/var/lib/data"]
    assert mounts(engine, "anon-side-1")["/var/lib/data"] == shared
    changed = {"volumes_from": ["db"], "environment": {"X": "1"}}
    apply_runtime(project(services=both, side=changed), client=engine)
    side = next(c for c in engine.containers.values() if c.name == "anon-side-1")
    sources = [m.get("Source") for m in side.body["HostConfig"].get("Mounts", [])]
    assert shared not in sources
    assert mounts(engine, "anon-side-1")["/var/lib/data"] == shared


# -- delete and prune -------------------------------------------------------------------------


def test_delete_keeps_anonymous_volumes_and_delete_volumes_removes_them(
    engine: FakeEngine,
) -> None:
    apply_runtime(project(), client=engine)
    apply_runtime(project("b"), client=engine)  # inherited: mounted by name now
    anonymous = engine.anonymous_volumes()
    assert len(anonymous) == 2
    delete_runtime(project("b"), client=engine)
    assert engine.anonymous_volumes() == anonymous
    assert not engine.containers

    again = FakeEngine(images={IMAGE: "sha256:one"}, image_volumes={IMAGE: ["/cache"]})
    apply_runtime(project(), client=again)
    apply_runtime(project("b"), client=again)
    anonymous = again.anonymous_volumes()
    result = delete_runtime(project("b"), client=again, volumes=True)
    assert again.volumes == {}
    assert not again.containers
    assert sorted(d.name for d in result.done if d.resource == "volume/anonymous") == sorted(
        anonymous
    )


def test_prune_keeps_a_removed_service_anonymous_volumes_unless_prune_volumes(
    engine: FakeEngine,
) -> None:
    both = ("db", "side")
    apply_runtime(project(services=both), client=engine)
    side = set(mounts(engine, "anon-side-1").values())
    apply_runtime(project(), client=engine, prune=True)
    assert "anon-side-1" not in {c.name for c in engine.containers.values()}
    assert side <= engine.anonymous_volumes()

    engine = FakeEngine(images={IMAGE: "sha256:one"}, image_volumes={IMAGE: ["/cache"]})
    apply_runtime(project(services=both), client=engine)
    side = set(mounts(engine, "anon-side-1").values())
    db = set(mounts(engine).values())
    plan = plan_runtime(project(), client=engine, prune_volumes=True)
    assert "its anonymous volumes go with it" in plan.find("anon-side-1").reasons  # type: ignore[union-attr]
    apply_runtime(project(), client=engine, prune_volumes=True)
    assert not side & set(engine.volumes)
    assert db <= set(engine.volumes)


def test_scaling_down_keeps_the_replica_anonymous_volumes_unless_prune_volumes() -> None:
    for prune_volumes in (False, True):
        engine = FakeEngine(images={IMAGE: "sha256:one"}, image_volumes={IMAGE: ["/cache"]})
        apply_runtime(project(services=("side",), side={"scale": 2}), client=engine)
        second = set(mounts(engine, "anon-side-2").values())
        apply_runtime(
            project(services=("side",), side={"scale": 1}),
            client=engine,
            prune_volumes=prune_volumes,
        )
        assert "anon-side-2" not in {c.name for c in engine.containers.values()}
        assert bool(second & set(engine.volumes)) is not prune_volumes


# -- interruption -----------------------------------------------------------------------------


def _kill_before_create(engine: FakeEngine, mode: str) -> None:
    """Apply a changed spec, killed after the old container is removed (stop, remove, create)."""
    engine.interrupt_at = len(engine.mutations) + 3
    with pytest.raises(Interrupted, match="create_container"):
        apply_runtime(project(mode), client=engine)
    engine.interrupt_at = None
    assert "anon-db-1" not in {c.name for c in engine.containers.values()}


def test_an_apply_killed_between_remove_and_create_still_hands_the_volumes_on(
    engine: FakeEngine,
) -> None:
    apply_runtime(project(), client=engine)
    before = mounts(engine)
    _kill_before_create(engine, "b")
    assert {v.name for v in recorded("anon", "anon-db-1")} == engine.anonymous_volumes()

    result = apply_runtime(project("b"), client=engine)

    assert result.plan.find("anon-db-1").action == "create"  # type: ignore[union-attr]
    assert mounts(engine) == before
    assert engine.anonymous_volumes() == {before["/var/lib/data"], before["/cache"]}
    assert recorded("anon", "anon-db-1") == ()
    counting = CountingClient(engine)
    apply_runtime(project("b"), client=counting)
    assert counting.mutating_calls == 0


def test_a_killed_apply_then_renew_removes_the_recorded_volumes(engine: FakeEngine) -> None:
    apply_runtime(project(), client=engine)
    old = engine.anonymous_volumes()
    _kill_before_create(engine, "b")
    apply_runtime(project("b"), client=engine, renew_anonymous_volumes=True)
    assert not old & set(engine.volumes)
    assert len(engine.anonymous_volumes()) == 2


def test_a_killed_apply_then_delete_volumes_removes_the_recorded_volumes(
    engine: FakeEngine,
) -> None:
    apply_runtime(project(), client=engine)
    _kill_before_create(engine, "b")
    delete_runtime(project("b"), client=engine, volumes=True)
    assert engine.volumes == {}
    assert recorded("anon", "anon-db-1") == ()


def test_a_recorded_volume_removed_meanwhile_is_not_mounted(engine: FakeEngine) -> None:
    apply_runtime(project(), client=engine)
    before = mounts(engine)
    _kill_before_create(engine, "b")
    engine.volumes.pop(before["/cache"])
    apply_runtime(project("b"), client=engine)
    now = mounts(engine)
    assert now["/var/lib/data"] == before["/var/lib/data"]
    assert now["/cache"] != before["/cache"]


# -- what is anonymous ------------------------------------------------------------------------

HEX = "ab" * 32


def _seen(*mounted: tuple[str, str, str], spec: str = "{}") -> ObservedContainer:
    return ObservedContainer(
        "c1",
        "p-db-1",
        "running",
        {L.SPEC: spec},
        mounts=tuple(ObservedMount(*m) for m in mounted),
    )


def test_only_engine_named_undeclared_volumes_are_anonymous() -> None:
    seen = _seen(
        ("volume", HEX, "/data"),
        ("volume", "cd" * 32, "/declared-elsewhere"),
        ("volume", "p_named", "/named"),
        ("volume", "ef" * 32, "/by-name"),
        ("bind", "", "/host"),
        spec='{"volumes": [{"type": "volume", "source": "x", "target": "/by-name/"}]}',
    )
    found = anonymous_volumes(seen, owned={"cd" * 32})
    assert found == (AnonymousVolume(HEX, "/data"),)


def test_inherit_fills_a_sourceless_volume_adds_image_paths_and_keeps_declared_ones() -> None:
    body = {
        "HostConfig": {
            "Mounts": [
                {"Type": "volume", "Target": "/data", "ReadOnly": True},
                {"Type": "bind", "Source": "/h", "Target": "/bound"},
            ],
            "Tmpfs": {"/run": ""},
        }
    }
    volumes = [
        AnonymousVolume("a" * 64, "/data", declared=True),
        AnonymousVolume("b" * 64, "/cache"),
        AnonymousVolume("c" * 64, "/bound"),
        AnonymousVolume("d" * 64, "/run"),
        AnonymousVolume("e" * 64, "/dropped", declared=True),
    ]
    assert inherit(body, volumes)["HostConfig"]["Mounts"] == [
        {"Type": "volume", "Target": "/data", "ReadOnly": True, "Source": "a" * 64},
        {"Type": "bind", "Source": "/h", "Target": "/bound"},
        {"Type": "volume", "Source": "b" * 64, "Target": "/cache"},
    ]
    assert "Source" not in body["HostConfig"]["Mounts"][0]  # the declared body is not changed


# -- command line -----------------------------------------------------------------------------


def test_apply_renew_anon_volumes_option_reaches_apply_runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bakepy.engine.compose.verbs
    from bakepy.errors import BakepyError

    seen: list[bool] = []

    def fake_apply(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["renew_anonymous_volumes"])
        raise BakepyError("stop here")

    monkeypatch.setattr(bakepy.engine.compose.verbs, "apply_runtime", fake_apply)
    (tmp_path / "compose.yaml").write_text(
        "name: anon\nservices:\n  db:\n    image: busybox\n    volumes: [/data]\n"
    )
    runner = CliRunner()
    for flag in ([], ["--renew-anon-volumes"], ["-V"]):
        runner.invoke(app, ["apply", "-f", str(tmp_path / "compose.yaml"), "--no-build", *flag])
    assert seen == [False, True, True]
