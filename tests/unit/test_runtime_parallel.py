"""A first bring-up starts independent services at the same time, on a bounded pool, while a
dependent waits for its dependencies' conditions; results read the same however the threads
ran; the first error stops the apply and the next apply converges."""

from __future__ import annotations

import _thread
import threading
import time

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.compose.verbs import apply_runtime, plan_runtime
from bakepy.engine.schedule import run_graph
from bakepy.errors import BakepyError
from bakepy.models.compose import DependsOn, Service, ServiceHealthcheck
from bakepy.testing.fake_engine import FakeContainer, FakeEngine

IMAGE = "registry.test/busybox:1"
CHECK = ServiceHealthcheck(test=["CMD", "true"], interval="1s")


def project(services: dict[str, Service], name: str = "par") -> ComposeProject:
    return ComposeProject(metadata=name, spec=ComposeProjectSpec(services=services))


def independent(count: int) -> ComposeProject:
    return project({f"s{i}": Service(image=IMAGE) for i in range(count)})


def test_independent_services_start_at_the_same_time() -> None:
    engine = FakeEngine(images={IMAGE: "sha256:one"}, start_delay=0.4)
    started = time.monotonic()
    apply_runtime(independent(6), client=engine)
    assert engine.peak_starts == 6
    assert time.monotonic() - started < 6 * 0.4  # one after the other would take 2.4s


def test_the_number_of_workers_bounds_the_starts_under_way() -> None:
    engine = FakeEngine(images={IMAGE: "sha256:one"}, start_delay=0.1)
    apply_runtime(independent(6), client=engine, workers=2)
    assert engine.peak_starts == 2
    serial = FakeEngine(images={IMAGE: "sha256:one"}, start_delay=0.05)
    apply_runtime(independent(3), client=serial, workers=1)
    assert serial.peak_starts == 1


def test_dependents_wait_for_a_healthy_dependency_while_others_go_on() -> None:
    healthy = {"db": DependsOn(condition="service_healthy")}
    engine = FakeEngine(
        images={IMAGE: "sha256:one"},
        start_delay=0.2,
        starting_polls={"par-db-1": 3},
    )
    services = {
        "db": Service(image=IMAGE, healthcheck=CHECK),
        "app": Service(image=IMAGE, depends_on=healthy),
        "worker": Service(image=IMAGE, depends_on=healthy),
        "cache": Service(image=IMAGE),
        "web": Service(image=IMAGE, depends_on=["app"]),
    }
    apply_runtime(project(services), client=engine)
    db_ready = engine.started["par-db-1"][1]
    for dependent in ("par-app-1", "par-worker-1"):
        assert engine.created_at[dependent] > db_ready
    assert engine.created_at["par-web-1"] > engine.started["par-app-1"][1]
    cache = engine.started["par-cache-1"]
    assert cache[0] < db_ready  # started while db was starting, not after it
    polls = [what for name, what in engine.calls if name == "container_state"]
    assert polls == ["par-db-1"] * 4  # three "starting", then healthy; polled by one thread
    assert {c.state for c in engine.containers.values()} == {"running"}


def test_what_was_done_is_listed_in_start_order_however_the_threads_ran() -> None:
    engine = FakeEngine(
        images={IMAGE: "sha256:one"}, start_delays={"par-slow-1": 0.3, "par-fast-1": 0.0}
    )
    lines: list[str] = []
    services = {"slow": Service(image=IMAGE), "fast": Service(image=IMAGE)}
    result = apply_runtime(project(services), client=engine, progress=lines.append)
    assert [d.name for d in result.done] == ["par_default", "par-slow-1", "par-fast-1"]
    assert [line.split()[2] for line in lines] == ["par_default", "par-fast-1", "par-slow-1"]
    assert all(line.startswith("created ") for line in lines)  # whole lines, as they ended


def test_the_first_error_stops_the_apply_and_the_next_apply_converges() -> None:
    engine = FakeEngine(images={IMAGE: "sha256:one"}, start_delays={"par-slow-1": 0.3})
    squatter = FakeContainer("x1", "par-bad-1", {"Image": IMAGE, "Labels": {}})
    engine.containers["x1"] = squatter
    services = {
        "slow": Service(image=IMAGE),
        "bad": Service(image=IMAGE),
        "after-bad": Service(image=IMAGE, depends_on=["bad"]),
        "after-slow": Service(image=IMAGE, depends_on=["slow"]),
    }
    with pytest.raises(BakepyError, match="par-bad-1 exists but is not bakepy's"):
        apply_runtime(project(services), client=engine)
    names = {c.name: c.state for c in engine.containers.values()}
    assert names == {"par-bad-1": "created", "par-slow-1": "running"}  # slow finished its step
    del engine.containers["x1"]
    apply_runtime(project(services), client=engine)
    assert not plan_runtime(project(services), client=engine).has_changes
    assert {c.state for c in engine.containers.values()} == {"running"}


def test_a_failure_ends_the_waits_of_other_services_at_once() -> None:
    engine = FakeEngine(images={IMAGE: "sha256:one"}, starting_polls={"par-db-1": 10_000})
    engine.containers["x1"] = FakeContainer("x1", "par-bad-1", {"Image": IMAGE, "Labels": {}})
    services = {
        "db": Service(image=IMAGE, healthcheck=CHECK),
        "app": Service(image=IMAGE, depends_on={"db": DependsOn(condition="service_healthy")}),
        "bad": Service(image=IMAGE, depends_on=["db"]),
    }
    started = time.monotonic()
    with pytest.raises(BakepyError, match="par-bad-1 exists"):
        apply_runtime(project(services), client=engine, wait_timeout=60)
    assert time.monotonic() - started < 5
    assert "par-app-1" not in {c.name for c in engine.containers.values()}


def test_ctrl_c_stops_the_run_lets_the_task_under_way_finish_and_starts_nothing_more() -> None:
    ran: list[str] = []
    stop = threading.Event()

    def task(node: str) -> None:
        ran.append(node)
        if node == "first":
            _thread.interrupt_main()  # as Ctrl-C does, in the thread that waits for the tasks
            assert stop.wait(30), "the run did not tell the task under way to stop"

    with pytest.raises(KeyboardInterrupt):
        run_graph(["first", "second", "third"], {}, task, workers=1, stop=stop)
    assert ran == ["first"]
