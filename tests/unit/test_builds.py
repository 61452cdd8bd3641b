"""apply's build half with a recording runner: builder convergence, bake runs, results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bakepy import (
    Builder,
    BuilderSpec,
    Dockerfile,
    DockerfileSpec,
    Project,
    Target,
    TargetSpec,
    apply_builds,
)
from bakepy.engine.builders import apply_builder, create_command, parse_inspect, plan_builder
from bakepy.engine.commands import CommandResult, RecordingRunner
from bakepy.errors import CommandError
from bakepy.models.dockerfile import Stage

INSPECT = """\
Name:          ci
Driver:        docker-container
Last Activity: 2026-11-28 04:05:06 +0000 UTC

Nodes:
Name:                  ci0
Endpoint:              unix:///var/run/docker.sock
Driver Options:        image="moby/buildkit:v0.13.0" network="host"
Status:                inactive
BuildKit daemon flags: --allow-insecure-entitlement=network.host
Platforms:             linux/amd64*, linux/arm64*
"""


def builder(**spec: object) -> Builder:
    return Builder(metadata="ci", spec=BuilderSpec.model_validate(spec))


def answering(inspect: str | None) -> RecordingRunner:
    def respond(args: Sequence[str]) -> CommandResult:
        if list(args[:3]) == ["docker", "buildx", "inspect"]:
            return CommandResult(0, inspect) if inspect is not None else CommandResult(1)
        return CommandResult(0)

    return RecordingRunner(respond)


def test_parse_inspect_reads_driver_options_and_fixed_platforms() -> None:
    state = parse_inspect(INSPECT)
    assert state.driver == "docker-container"
    assert state.endpoint == "unix:///var/run/docker.sock"
    assert state.driver_opts == {"image": "moby/buildkit:v0.13.0", "network": "host"}
    assert state.fixed_platforms == ("linux/amd64", "linux/arm64")


def test_create_command_carries_every_setting() -> None:
    declared = builder(
        driver="remote",
        endpoint="tcp://127.0.0.1:1234",
        platforms=["linux/arm64"],
        buildkitd_flags="--debug",
    )
    assert create_command(declared) == [
        "docker",
        "buildx",
        "create",
        "--name",
        "ci",
        "--driver",
        "remote",
        "--platform",
        "linux/arm64",
        "--buildkitd-flags",
        "--debug",
        "tcp://127.0.0.1:1234",
    ]


def test_missing_builder_is_created() -> None:
    runner = answering(None)
    assert apply_builder(runner, builder(driver_opts={"network": "host"})) == "create"
    assert runner.calls[-1][:4] == ["docker", "buildx", "create", "--name"]


def test_matching_builder_is_left_alone() -> None:
    runner = answering(INSPECT)
    declared = builder(
        driver_opts={"image": "moby/buildkit:v0.13.0", "network": "host"},
        platforms=["linux/amd64", "linux/arm64"],
    )
    assert apply_builder(runner, declared) == "unchanged"
    assert [c[2] for c in runner.calls] == ["inspect"]


def test_changed_builder_is_replaced() -> None:
    runner = answering(INSPECT)
    action, why = plan_builder(runner, builder(driver_opts={"network": "host"}))
    assert (action, why) == ("replace", ["driver-opts", "platforms"])
    apply_builder(runner, builder(driver_opts={"network": "host"}))
    assert [c[2] for c in runner.calls[-2:]] == ["rm", "create"]


def test_remote_builder_needs_an_endpoint() -> None:
    with pytest.raises(ValueError, match="needs an endpoint"):
        builder(driver="remote")


def test_docker_driver_builders_cannot_be_created() -> None:
    with pytest.raises(CommandError, match="docker driver"):
        apply_builder(answering(None), Builder(metadata="ci", spec=BuilderSpec(driver="docker")))


def test_targets_run_in_one_bake_per_builder_and_results_come_from_metadata(
    tmp_path: Path,
) -> None:
    dockerfile = Dockerfile(metadata="d", spec=DockerfileSpec(stages=[Stage(from_="scratch")]))
    ci = builder(driver_opts={"network": "host"})
    on_ci = Target(
        metadata="on-ci", spec=TargetSpec(dockerfile=dockerfile, tags=["r/a:1"], builder=ci)
    )
    local = Target(
        metadata="local", spec=TargetSpec(dockerfile=dockerfile, platforms=["linux/arm64"])
    )

    def respond(args: Sequence[str]) -> CommandResult:
        if args[2] == "inspect":
            return CommandResult(1)
        if args[2] == "bake":
            metadata = Path(args[args.index("--metadata-file") + 1])
            targets = [a for a in args if a in ("on-ci", "local")]
            metadata.write_text(
                json.dumps({t: {"containerimage.digest": f"sha256:{t}"} for t in targets})
            )
        return CommandResult(0)

    runner = RecordingRunner(respond)
    report = apply_builds(
        Project([on_ci, local], base_dir=tmp_path), ["on-ci", "local"], runner=runner
    )
    bakes = [c for c in runner.calls if c[2] == "bake"]
    assert len(bakes) == 2
    assert any("--builder" in c and c[-1] == "on-ci" for c in bakes)
    assert report.builders == {"ci": "create"}
    by_target = {r.target: r for r in report.results}
    assert by_target["on-ci"].digest == "sha256:on-ci"
    assert by_target["on-ci"].images == ["r/a:1"]
    assert by_target["local"].platforms == ["linux/arm64"]
    assert json.loads(report.to_json())["targets"][0]["target"] in ("on-ci", "local")


def test_a_failed_bake_is_a_user_facing_error(tmp_path: Path) -> None:
    target = Target(metadata="t", spec=TargetSpec(dockerfile_inline="FROM scratch\n"))
    runner = RecordingRunner(lambda args: CommandResult(1))
    with pytest.raises(CommandError, match="docker buildx bake failed for t"):
        apply_builds(Project([target], base_dir=tmp_path), ["t"], runner=runner)
