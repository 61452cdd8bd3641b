"""plan / apply / delete against the real engine: the webapp example, a second apply without a
single mutating request, replacement, prune, drift, applies killed midway, concurrent applies.

Each test has a project name of its own and removes everything it made, pass or fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bakepy import load
from bakepy.api.converge import apply_builds
from bakepy.engine import labels as L
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.models.compose import Port
from bakepy.models.compose.project import ComposeProject

from .buildkit import docker, unique

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "webapp-stack"
CHILD = Path(__file__).with_name("runtime_child.py")

DEFINITION = """
from bakepy.models.compose import (
    ComposeConfig,
    ComposeNetwork,
    ComposeSecret,
    ComposeVolume,
    DependsOn,
    Deploy,
    Service,
    ServiceConfig,
    ServiceHealthcheck,
)
from bakepy import ComposeProject, ComposeProjectSpec

IMAGE = {image!r}
SERVICES = {services!r}
check = ServiceHealthcheck(test=["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"],
                           interval="30s", timeout="2s", retries=3, start_period="20s",
                           start_interval="250ms")


def serve(text):
    script = f"mkdir -p /srv && echo {{text}} > /srv/index.html && exec httpd -f -h /srv"
    return ["sh", "-c", script]


on_db = {{"db": DependsOn(condition="service_healthy")}} if "db" in SERVICES else {{}}


declared = {{
    "db": Service(image=IMAGE, init=True, command=serve("db"), volumes=["db-data:/data"],
                  networks=["backend"], secrets=["db_password"], healthcheck=check),
    "app": Service(image=IMAGE, init=True, command=serve("app"), environment={{"MODE": {mode!r}}},
                   networks=["frontend", "backend"], healthcheck=check,
                   depends_on=on_db,
                   deploy=Deploy(replicas=2)),
    "proxy": Service(image=IMAGE, init=True, command=["httpd", "-f", "-h", "/www"],
                     ports=["127.0.0.1::80"], networks=["frontend"],
                     configs=[ServiceConfig(source="index", target="/www/index.html")],
                     depends_on={{"app": DependsOn(condition="service_healthy")}}),
}}
project = ComposeProject(metadata={name!r}, spec=ComposeProjectSpec(
    services={{k: v for k, v in declared.items() if k in SERVICES}},
    networks={{"frontend": ComposeNetwork(), "backend": ComposeNetwork(internal=True)}},
    volumes={{"db-data": ComposeVolume()}} if {volume!r} else {{}},
    configs={{"index": ComposeConfig(content="<p>proxy</p>")}},
    secrets={{"db_password": ComposeSecret(file="db-password.txt")}},
))
"""


class Fixture:
    """A small webapp-shaped project (db <- app x2 <- proxy) written as a definition file."""

    def __init__(self, folder: Path, image: str) -> None:
        self.folder = folder
        self.image = image
        self.name = unique("bkrt")
        self.path = folder / "bakepy.py"
        (folder / "db-password.txt").write_text("change-me\n")
        self.write()

    def write(
        self,
        *,
        mode: str = "a",
        services: tuple[str, ...] = ("db", "app", "proxy"),
        volume: bool = True,
    ) -> Path:
        text = DEFINITION.format(
            image=self.image, services=services, mode=mode, name=self.name, volume=volume
        )
        self.path.write_text(text)
        return self.path

    def project(self) -> Any:
        return load([self.path])

    def child(
        self, *flags: str, kill_after: int = 0, wait: bool = True
    ) -> subprocess.Popen[str] | dict[str, Any]:
        env = {**os.environ, "BAKEPY_TEST_KILL_AFTER": str(kill_after)}
        process = subprocess.Popen(
            [sys.executable, str(CHILD), str(self.path), *flags],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if not wait:
            return process
        return finish(process)

    def containers(self) -> dict[str, dict[str, Any]]:
        """The project's containers by name: ID, state and spec hash."""
        listed = docker(
            "ps",
            "-a",
            "--filter",
            f"label={L.PROJECT}={self.name}",
            "--format",
            "{{json .}}",
        )
        found = {}
        for line in listed.splitlines():
            entry = json.loads(line)
            found[entry["Names"]] = {"id": entry["ID"], "state": entry["State"]}
        return found

    def objects(self, kind: str) -> list[str]:
        listed = docker(kind, "ls", "-q", "--filter", f"label={L.PROJECT}={self.name}")
        if kind == "network":
            names = docker(
                "network",
                "ls",
                "--filter",
                f"label={L.PROJECT}={self.name}",
                "--format",
                "{{.Name}}",
            )
            return sorted(names.split())
        record = f"bakepy-record.{self.name}"  # which containers bakepy made, not a volume
        return sorted(name for name in listed.split() if name != record)

    def remove(self) -> None:
        delete_runtime(self.name, volumes=True)


def finish(process: subprocess.Popen[str], timeout: float = 120) -> dict[str, Any]:
    """Wait for a child apply; its JSON report (``killed`` when it SIGKILLed itself)."""
    out, err = process.communicate(timeout=timeout)
    if process.returncode == -9:
        return {"killed": True}
    assert process.returncode == 0, err[-4000:]
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return report


@pytest.fixture
def fixture(tmp_path: Path, base_image: str) -> Iterator[Fixture]:
    made = (
        Fixture(tmp_path / "project", base_image)
        if (tmp_path / "project").mkdir() is None
        else None
    )
    assert made is not None
    try:
        yield made
    finally:
        made.remove()


def _running(fixture: Fixture) -> dict[str, str]:
    return {name: c["state"] for name, c in fixture.containers().items()}


ALL_RUNNING = {"db-1": "running", "app-1": "running", "app-2": "running", "proxy-1": "running"}


def _expected(fixture: Fixture, states: dict[str, str] = ALL_RUNNING) -> dict[str, str]:
    return {f"{fixture.name}-{k}": v for k, v in states.items()}


# -- the example ------------------------------------------------------------------------------


def test_apply_of_the_webapp_example_creates_what_it_declares_then_changes_nothing(
    base_image: str, registry: str
) -> None:
    project = load([EXAMPLE / "bakepy.py"])
    compose = project.of_kind(ComposeProject)[0]
    name = unique("bkrt-webapp")
    compose.spec.name = name
    compose.spec.services["proxy"].ports = [Port(target=80, host_ip="127.0.0.1")]
    apply_builds(project, ["app"], progress="quiet", syntax_directive=False)
    try:
        result = apply_runtime(project, wait_timeout=90)
        created = sorted(d.name for d in result.done if d.action == "created")
        assert created == sorted(
            [
                f"{name}_frontend",
                f"{name}_backend",
                f"{name}_db-data",
                f"{name}_db-backup",
                *(f"{name}-{s}" for s in ("proxy-1", "app-1", "app-2", "db-1", "backup-1")),
            ]
        )
        backend = json.loads(docker("network", "inspect", f"{name}_backend"))[0]
        assert backend["Internal"] is True
        assert backend["Labels"][L.RESOURCE] == "network/backend"

        def run(container: str, *command: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["docker", "exec", f"{name}-{container}", *command],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )

        assert run("app-1", "cat", "/run/secrets/db_password").stdout == "change-me\n"
        db = run("app-2", "wget", "-q", "-O", "-", "http://db:5432/health")
        assert (db.returncode, db.stdout) == (0, "ok\n"), db.stderr
        assert "<p>proxy</p>" in run("app-1", "wget", "-q", "-O", "-", "http://proxy/").stdout
        assert run("proxy-1", "wget", "-q", "-O", "-", "http://db:5432/health").returncode != 0
        app = json.loads(docker("inspect", f"{name}-app-1"))[0]["HostConfig"]
        assert (app["NanoCpus"], app["Memory"], app["PidsLimit"]) == (500_000_000, 2**26, 100)

        counting = CountingClient(DockerEngineClient())
        plan = plan_runtime(project, client=counting)
        assert not plan.has_changes
        assert plan.counts()["unchanged"] == 9
        again = apply_runtime(project, client=counting)
        assert not again.changed
        assert counting.mutating_requests == 0
        assert counting.mutating_calls == 0
        assert [r.method for r in counting.requests] == ["GET"] * 8  # two plans, 4 lists each
    finally:
        delete_runtime(name, volumes=True)
    assert docker("ps", "-aq", "--filter", f"label={L.PROJECT}={name}").strip() == ""
    assert docker("volume", "ls", "-q", "--filter", f"label={L.PROJECT}={name}").strip() == ""


# -- changes, prune, drift, dry run -----------------------------------------------------------


def test_changing_one_service_environment_replaces_that_service_only(fixture: Fixture) -> None:
    apply_runtime(fixture.project())
    before = fixture.containers()
    fixture.write(mode="b")
    plan = plan_runtime(fixture.project())
    replaced = sorted(c.name for c in plan.of("replace"))
    assert replaced == [f"{fixture.name}-app-1", f"{fixture.name}-app-2"]
    assert '~ environment.MODE: "a" -> "b"' in plan.render()
    result = apply_runtime(fixture.project())
    assert sorted(d.name for d in result.done if d.action == "replaced") == replaced
    after = fixture.containers()
    for name in (f"{fixture.name}-db-1", f"{fixture.name}-proxy-1"):
        assert after[name]["id"] == before[name]["id"]
    assert after[replaced[0]]["id"] != before[replaced[0]]["id"]
    env = docker("inspect", "-f", "{{json .Config.Env}}", replaced[0])
    assert "MODE=b" in env


def test_prune_removes_an_undeclared_service_and_keeps_its_volume_unless_asked(
    fixture: Fixture,
) -> None:
    apply_runtime(fixture.project())
    volume = f"{fixture.name}_db-data"
    fixture.write(services=("app", "proxy"), volume=False)
    kept = apply_runtime(fixture.project())
    assert not kept.changed
    assert f"{fixture.name}-db-1" in fixture.containers()

    pruned = apply_runtime(fixture.project(), prune=True)
    assert [d.name for d in pruned.done if d.action == "deleted"] == [f"{fixture.name}-db-1"]
    assert f"{fixture.name}-db-1" not in fixture.containers()
    assert fixture.objects("volume") == [volume]
    assert any("volume/db-data" in w for w in pruned.plan.warnings)

    gone = apply_runtime(fixture.project(), prune=True, prune_volumes=True)
    assert [d.name for d in gone.done] == [volume]
    assert fixture.objects("volume") == []


def test_a_container_deleted_or_stopped_behind_bakepys_back_is_brought_back(
    fixture: Fixture,
) -> None:
    apply_runtime(fixture.project())
    docker("rm", "-f", f"{fixture.name}-db-1")
    docker("stop", "-t", "1", f"{fixture.name}-proxy-1")
    plan = plan_runtime(fixture.project())
    assert plan.find(f"{fixture.name}-db-1").action == "create"  # type: ignore[union-attr]
    assert plan.find(f"{fixture.name}-proxy-1").operations == ["start"]  # type: ignore[union-attr]
    result = apply_runtime(fixture.project())
    assert sorted(f"{d.action} {d.name}" for d in result.done if d.action != "waited") == [
        f"created {fixture.name}-db-1",
        f"started {fixture.name}-proxy-1",
    ]
    assert _running(fixture) == _expected(fixture)
    assert not plan_runtime(fixture.project()).has_changes


def test_dry_run_makes_no_mutating_request(fixture: Fixture) -> None:
    counting = CountingClient(DockerEngineClient())
    result = apply_runtime(fixture.project(), client=counting, dry_run=True)
    assert result.plan.counts()["create"] == 7
    assert counting.mutating_requests == 0
    assert fixture.containers() == {}
    assert fixture.objects("network") == []


# -- interruption and concurrency -------------------------------------------------------------


@pytest.mark.parametrize("kill_after", [2, 4, 7])
def test_a_first_apply_killed_midway_is_finished_by_the_next(
    fixture: Fixture, kill_after: int
) -> None:
    # mutating requests: networks (1, 2), volume (3), db create (4) and start (5), app-1 create
    # (6) and start (7), ...: killed with networks half made, a container created but not
    # started, and between the replicas of a service (every point: tests/unit)
    assert fixture.child(kill_after=kill_after) == {"killed": True}
    report = fixture.child()
    assert report["changed"]
    assert _running(fixture) == _expected(fixture)
    assert fixture.child()["mutating_requests"] == 0


def test_a_replacing_apply_killed_after_each_step_of_a_replacement_converges(
    fixture: Fixture,
) -> None:
    apply_runtime(fixture.project())
    for step, mode in ((1, "b"), (2, "c"), (3, "d")):  # after stop, after remove, after create
        fixture.write(mode=mode)
        assert fixture.child(kill_after=step) == {"killed": True}
        report = fixture.child()
        assert report["changed"]
        assert _running(fixture) == _expected(fixture)
        env = docker("inspect", "-f", "{{json .Config.Env}}", f"{fixture.name}-app-1")
        assert f"MODE={mode}" in env
        assert not plan_runtime(fixture.project()).has_changes


def test_two_applies_at_once_take_turns_and_only_one_mutates(fixture: Fixture) -> None:
    first = fixture.child(wait=False)
    time.sleep(0.3)
    second = fixture.child(wait=False)
    assert isinstance(first, subprocess.Popen)
    assert isinstance(second, subprocess.Popen)
    reports = sorted([finish(first), finish(second)], key=lambda r: r["first_mutation"] is None)
    assert reports[0]["changed"]
    assert reports[1]["mutating_requests"] == 0, reports[1]
    assert not reports[1]["changed"]
    assert _running(fixture) == _expected(fixture)
