"""``bakepy.plan``, ``apply`` and ``delete`` driven as a library, without the CLI: what they
decide (builds first, what to build by default, which compose projects, the host files last)
against an in-memory engine and a recording command runner."""

from __future__ import annotations

from pathlib import Path

import pytest

import bakepy
from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    DaemonConfig,
    DaemonConfigSpec,
    Group,
    GroupSpec,
    Project,
    Target,
    TargetSpec,
)
from bakepy.api.converge import ProjectPlan, ProjectResult, default_builds
from bakepy.engine.builds import BuildReport
from bakepy.engine.commands import RecordingRunner
from bakepy.engine.compose.apply import ApplyResult
from bakepy.models.compose import ComposeSecret, Service
from bakepy.testing import FakeEngine

IMAGE = "registry.test/app:1"


def compose(name: str, *, mode: str = "a", secret: Path | None = None) -> ComposeProject:
    service = Service(
        image=IMAGE,
        environment={"MODE": mode},
        secrets=["token"] if secret is not None else [],
    )
    secrets = {"token": ComposeSecret(file=str(secret))} if secret is not None else {}
    return ComposeProject(
        metadata=name, spec=ComposeProjectSpec(services={"app": service}, secrets=secrets)
    )


def target(name: str) -> Target:
    return Target(metadata=name, spec=TargetSpec(dockerfile_inline="FROM scratch", tags=[IMAGE]))


def bake_runs(runner: RecordingRunner) -> list[list[str]]:
    return [call for call in runner.calls if call[:3] == ["docker", "buildx", "bake"]]


def test_apply_builds_the_default_group_then_converges_each_compose_project(
    tmp_path: Path,
) -> None:
    app = target("app")
    project = Project(
        [app, target("tool"), Group(metadata="default", spec=GroupSpec(targets=[app]))],
        base_dir=tmp_path,
    ).add(compose("shop"), compose("blog"))
    runner, engine = RecordingRunner(), FakeEngine(images={IMAGE: "sha256:one"})
    steps: list[object] = []
    result = bakepy.apply(project, runner=runner, client=engine, on_step=steps.append)
    assert isinstance(result, ProjectResult)
    assert [type(step) for step in steps] == [BuildReport, ApplyResult, ApplyResult]
    [run] = bake_runs(runner)
    assert "app" in run
    assert "tool" not in run
    assert [r.plan.project for r in result.runtime] == ["shop", "blog"]
    assert result.host is None
    assert set(result.to_dict()) == {"builds", "runtime", "host"}
    again = bakepy.apply(project, runner=RecordingRunner(), client=engine)
    assert not any(r.changed for r in again.runtime)


def test_without_a_default_group_apply_builds_every_target_but_the_abstract_ones(
    tmp_path: Path,
) -> None:
    project = Project([target("_base"), target("api"), target("web")], base_dir=tmp_path)
    assert default_builds(project, []) == ["api", "web"]
    assert default_builds(project, ["web"]) == ["web"]
    assert default_builds(Project([compose("shop")]), []) is None
    runner = RecordingRunner()
    bakepy.apply(project, runner=runner, client=FakeEngine())
    [run] = bake_runs(runner)
    assert run[-2:] == ["api", "web"]


def test_no_build_dry_run_and_a_project_without_targets_build_nothing(tmp_path: Path) -> None:
    project = Project([target("app"), compose("shop")], base_dir=tmp_path)
    runner, engine = RecordingRunner(), FakeEngine(images={IMAGE: "sha256:one"})
    result = bakepy.apply(project, runner=runner, client=engine, dry_run=True)
    assert result.builds is None
    assert not bake_runs(runner)
    assert not engine.containers  # the dry run changed nothing on the engine either
    result = bakepy.apply(project, runner=runner, client=engine, build=False)
    assert result.builds is None
    assert not bake_runs(runner)
    assert engine.containers  # the compose project was applied without building
    runner = RecordingRunner()
    bakepy.apply(Project([compose("blog")], base_dir=tmp_path), runner=runner, client=engine)
    assert runner.calls == []


def test_apply_names_one_compose_project_and_reports_a_missing_one(tmp_path: Path) -> None:
    project = Project([compose("shop"), compose("blog")], base_dir=tmp_path)
    engine = FakeEngine(images={IMAGE: "sha256:one"})
    result = bakepy.apply(project, compose="blog", client=engine)
    assert [r.plan.project for r in result.runtime] == ["blog"]
    with pytest.raises(bakepy.BakepyError, match="no ComposeProject named 'nope'"):
        bakepy.apply(project, compose="nope", client=engine)


def test_plan_covers_the_engine_and_the_host_and_says_whether_anything_changes(
    tmp_path: Path,
) -> None:
    host = DaemonConfig(metadata="engine", spec=DaemonConfigSpec(debug=True))
    project = Project([compose("shop"), host], base_dir=tmp_path)
    engine = FakeEngine(images={IMAGE: "sha256:one"})
    planned = bakepy.plan(project, client=engine, root=tmp_path / "root")
    assert isinstance(planned, ProjectPlan)
    assert planned.has_changes
    assert [p.project for p in planned.runtime] == ["shop"]
    assert planned.host is not None
    assert planned.host.changed
    assert planned.to_dict()["changes"] is True
    assert "daemon.json" in planned.render()
    assert not engine.containers  # planning changes nothing
    builds_only = bakepy.plan(Project([target("app")], base_dir=tmp_path), runner=RecordingRunner())
    assert builds_only.has_changes  # never built on this host: it would build
    assert builds_only.builds is not None
    assert builds_only.builds.to_build() == ["app"]
    assert "target/app: would build (no build of it is recorded on this host)" in (
        builds_only.render()
    )
    assert builds_only.to_dict()["builds"]["targets"][0]["action"] == "build"
    empty = bakepy.plan(Project([], base_dir=tmp_path))
    assert not empty.has_changes
    assert empty.render().startswith("nothing to plan")


def test_delete_removes_what_each_compose_project_owns(tmp_path: Path) -> None:
    project = Project([compose("shop"), compose("blog")], base_dir=tmp_path)
    engine = FakeEngine(images={IMAGE: "sha256:one"})
    bakepy.apply(project, client=engine)
    assert engine.containers
    results = bakepy.delete(project, client=engine)
    assert [r.verb for r in results] == ["Delete", "Delete"]
    assert not engine.containers


def test_a_plan_or_a_dry_run_of_a_project_with_secrets_writes_nothing(
    tmp_path: Path, state: Path
) -> None:
    secret = tmp_path / "token.txt"
    secret.write_text("s3cr3t-value")
    project = Project([compose("shop", secret=secret)], base_dir=tmp_path)
    engine = FakeEngine(images={IMAGE: "sha256:one"})
    bakepy.plan(project, client=engine)
    bakepy.apply(project, client=engine, dry_run=True)
    assert not state.exists()  # no key file, no secret file, no lock
    bakepy.apply(project, client=engine)
    assert (state / "digest.key").is_file()
    assert not bakepy.plan(project, client=engine).has_changes  # the key the plan used was kept


def test_a_missing_image_the_same_apply_builds_is_no_warning(tmp_path: Path) -> None:
    """plan (and apply --dry-run) said "build it first" of the image of a service built from
    a Target that apply builds before it converges the project; without the build it still
    says so."""
    app = target("app")
    shop = ComposeProject(
        metadata="shop", spec=ComposeProjectSpec(services={"app": Service(build=app)})
    )
    project = Project([app, shop], base_dir=tmp_path)
    warning = f"image {IMAGE} of service/app is not on the engine; build it first"
    planned = bakepy.plan(project, runner=RecordingRunner(), client=FakeEngine())
    assert planned.builds is not None
    assert planned.builds.to_build() == ["app"]
    assert warning not in planned.runtime[0].warnings
    dry = bakepy.apply(project, runner=RecordingRunner(), client=FakeEngine(), dry_run=True)
    assert warning not in dry.runtime[0].plan.warnings
    unbuilt = bakepy.plan(project, runner=RecordingRunner(), client=FakeEngine(), build=False)
    assert warning in unbuilt.runtime[0].warnings
