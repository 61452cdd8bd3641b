"""Compose rules: every name a service uses is declared, depends_on does not loop, and a stack
uses nothing ``docker stack deploy`` refuses. One rule per test; each names where it fired."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    Project,
    Stack,
    StackSpec,
    Target,
    TargetSpec,
    ValidationError,
    check,
    load,
)
from bakepy.errors import Diagnostic
from bakepy.models.bake import TargetContext
from bakepy.resolution.checks.compose import check_compose


def project(services: dict[str, Any], stack: bool = False, *extra: Any, **top: Any) -> Project:
    compose = ComposeProject(
        metadata="web", spec=ComposeProjectSpec.model_validate({"services": services, **top})
    )
    resources: list[Any] = [*extra, compose]
    if stack:
        resources.append(Stack(metadata="web", spec=StackSpec(project=compose)))
    return Project(resources)


def problems(services: dict[str, Any], stack: bool = False, *extra: Any, **top: Any) -> list[str]:
    return [_text(d) for d in check_compose(project(services, stack, *extra, **top))]


def _text(diagnostic: Diagnostic) -> str:
    path = ".".join(str(p) for p in diagnostic.location.field_path)
    return f"{path}: {diagnostic.message}"


IMAGE = {"image": "busybox"}


def test_a_valid_project_has_no_problems() -> None:
    assert (
        problems(
            {
                "app": {**IMAGE, "networks": ["front"], "secrets": ["s"], "configs": ["c"]},
                "db": {**IMAGE, "volumes": ["data:/d"], "depends_on": ["app"]},
            },
            networks={"front": None},
            volumes={"data": None},
            secrets={"s": {"file": "s.txt"}},
            configs={"c": {"content": "x"}},
        )
        == []
    )


def test_service_needs_an_image_or_a_build() -> None:
    message = "service 'app' has neither an image nor a build context specified"
    assert problems({"app": {"command": ["true"]}}) == [f"spec.services.app: {message}"]
    assert problems({"app": {"image": ""}}) == [f"spec.services.app: {message}"]  # ${UNSET}


def test_a_service_that_runs_only_with_a_profile_is_not_checked_but_cannot_be_needed() -> None:
    """As compose 2.26 without --profile: the service is left out before the checks."""
    assert problems({"tool": {"profiles": ["debug"], "networks": ["nowhere"]}}) == []
    assert problems(
        {"app": {**IMAGE, "depends_on": ["db"]}, "db": {**IMAGE, "profiles": ["x"]}}
    ) == ["spec.services.app.depends_on.db: service 'app' depends on undefined service 'db'"]


def test_build_platforms_must_list_the_service_platform() -> None:
    build = {"context": ".", "platforms": ["linux/amd64"]}
    assert problems({"app": {**IMAGE, "platform": "linux/arm64", "build": build}}) == [
        "spec.services.app.build.platforms: service.build.platforms MUST include "
        "service.platform 'linux/arm64'"
    ]
    assert problems({"app": {**IMAGE, "platform": "linux/amd64", "build": build}}) == []


def test_scale_and_replicas_must_agree() -> None:
    assert problems({"app": {**IMAGE, "scale": 2, "deploy": {"replicas": 3}}}) == [
        "spec.services.app.scale: can't set distinct values on 'scale' and 'deploy.replicas'"
    ]


@pytest.mark.parametrize(
    ("field", "value", "where", "kind"),
    [
        ("secrets", ["token"], "secrets.0", "secret 'token'"),
        ("configs", ["conf"], "configs.0", "config 'conf'"),
        ("networks", ["back"], "networks.back", "network 'back'"),
        ("volumes", ["data:/data"], "volumes.0", "volume 'data'"),
    ],
)
def test_what_a_service_uses_must_be_declared(
    field: str, value: Any, where: str, kind: str
) -> None:
    assert problems({"app": {**IMAGE, field: value}}) == [
        f"spec.services.app.{where}: {kind} is not declared"
    ]


def test_default_network_external_objects_and_bind_mounts_need_no_declaration() -> None:
    assert (
        problems(
            {"app": {**IMAGE, "networks": ["default", "shared"], "volumes": ["./x:/x", "/tmp"]}},
            networks={"shared": {"external": True}},
        )
        == []
    )


def test_two_mounts_cannot_share_a_target() -> None:
    assert problems({"app": {**IMAGE, "volumes": ["./a:/data", "/data"]}}) == [
        "spec.services.app.volumes.1: two mounts target /data; compose would keep only the last"
    ]


def test_build_secrets_must_be_declared() -> None:
    assert problems({"app": {"build": {"context": ".", "secrets": ["npm"]}}}) == [
        "spec.services.app.build.secrets.0: secret 'npm' is not declared"
    ]


def test_dockerfile_and_dockerfile_inline_exclude_each_other() -> None:
    build = {"context": ".", "dockerfile": "Dockerfile", "dockerfile_inline": "FROM busybox"}
    assert problems({"app": {"build": build}}) == [
        "spec.services.app.build: build sets both dockerfile and dockerfile_inline"
    ]


def test_depends_on_names_existing_services() -> None:
    assert problems({"app": {**IMAGE, "depends_on": ["db"]}}) == [
        "spec.services.app.depends_on.db: service 'app' depends on undefined service 'db'"
    ]


def test_depends_on_cycles_are_reported_with_their_path() -> None:
    found = problems(
        {
            "a": {**IMAGE, "depends_on": ["b"]},
            "b": {**IMAGE, "depends_on": ["c"]},
            "c": {**IMAGE, "depends_on": ["a"]},
        }
    )
    assert found == ["spec.services.a.depends_on: dependency cycle: a -> b -> c -> a"]


@pytest.mark.parametrize(
    "needs_web",
    [
        {"volumes_from": ["web:ro"]},
        {"links": ["web:www"]},
        {"network_mode": "service:web"},
        {"pid": "service:web"},
        {"ipc": "service:web"},
    ],
)
def test_a_cycle_through_what_else_names_a_service_is_reported(
    needs_web: dict[str, Any],
) -> None:
    found = problems(
        {"web": {**IMAGE, "volumes_from": ["helper"]}, "helper": {**IMAGE, **needs_web}}
    )
    assert found == ["spec.services.helper: dependency cycle: helper -> web -> helper"]


def test_volumes_from_a_container_is_no_dependency() -> None:
    found = problems(
        {
            "web": {**IMAGE, "volumes_from": ["container:helper"]},
            "helper": {**IMAGE, "links": ["web"]},
        }
    )
    assert found == []


def test_container_name_needs_a_single_replica() -> None:
    found = problems({"app": {**IMAGE, "container_name": "app", "deploy": {"replicas": 2}}})
    assert found == [
        "spec.services.app.container_name: container_name 'app' cannot be used with 2 "
        "replicas: container names are unique"
    ]
    assert problems({"app": {**IMAGE, "container_name": "app", "scale": 3}})
    assert problems({"app": {**IMAGE, "container_name": "app", "deploy": {"replicas": 1}}}) == []


def test_network_mode_excludes_networks() -> None:
    found = problems(
        {"app": {**IMAGE, "network_mode": "host", "networks": ["n"]}}, networks={"n": None}
    )
    assert found == ["spec.services.app: network_mode and networks cannot be used together"]


def test_volumes_from_names_existing_services() -> None:
    assert problems({"app": {**IMAGE, "volumes_from": ["db:ro", "container:x"]}}) == [
        "spec.services.app.volumes_from.0: service 'app' depends on undefined service 'db'"
    ]


def test_service_limits_must_agree_with_deploy_limits() -> None:
    deploy = {"resources": {"limits": {"memory": "1g", "cpus": "0.5"}}}
    assert problems({"app": {**IMAGE, "mem_limit": "1024m", "cpus": 0.5, "deploy": deploy}}) == []
    assert problems({"app": {**IMAGE, "mem_limit": "2g", "deploy": deploy}}) == [
        "spec.services.app.mem_limit: mem_limit and deploy.resources.limits.memory differ"
    ]


def test_a_target_build_must_exist_and_be_one_image() -> None:
    assert problems({"app": {"build": "Target/missing"}}) == [
        "spec.services.app.build: Target 'missing' does not exist"
    ]
    matrix = Target(metadata="m", spec=TargetSpec(matrix={"v": ["1", "2"]}, name="m-${v}"))
    assert problems({"app": {"build": matrix}}) == [
        "spec.services.app.build: Target/m is a matrix: a service builds one image"
    ]
    base = Target(metadata="base")
    linked = Target(metadata="app", spec=TargetSpec(contexts={"base": TargetContext(target=base)}))
    assert problems({"app": {"build": linked}}) == [
        "spec.services.app.build: Target/app context 'base' links a target; compose cannot"
    ]


def test_a_target_brings_its_build_secrets_along() -> None:
    target = Target(metadata="app", spec=TargetSpec(secret=["id=npm,env=NPM_TOKEN"]))
    assert problems({"app": {"build": target, "secrets": ["npm"]}}) == []


def test_two_projects_cannot_share_a_project_name() -> None:
    first = ComposeProject(metadata="a", spec=ComposeProjectSpec(name="web"))
    second = ComposeProject(metadata="b", spec=ComposeProjectSpec(name="web"))
    assert [d.message for d in check_compose(Project([first, second]))] == [
        "compose project name 'web' is also used by ComposeProject/a"
    ]


# -- stacks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("mem_limit", "1g"),
        ("memswap_limit", "2g"),
        ("cpu_quota", 50000),
        ("cpu_shares", 512),
        ("cpuset", "0-1"),
        ("volumes_from", ["other"]),
        ("extends", "base"),
    ],
)
def test_a_stack_refuses_what_swarm_refuses(key: str, value: Any) -> None:
    services = {"app": {**IMAGE, key: value}, "other": IMAGE, "base": IMAGE}
    expected = (
        f"spec.services.app.{key}: docker stack deploy refuses {key} "
        "(Stack/web deploys this project)"
    )
    assert expected in problems(services, True)


def test_refused_keys_are_fine_without_a_stack() -> None:
    assert problems({"app": {**IMAGE, "mem_limit": "1g", "cpu_shares": 512}}) == []


def test_a_stack_service_needs_an_image_to_pull() -> None:
    found = problems({"app": {"build": "."}}, True)
    assert found == [
        "spec.services.app: service 'app' has no image; swarm does not build "
        "(Stack/web deploys this project)"
    ]
    tagged = Target(metadata="app", spec=TargetSpec(tags=["registry/app:1"]))
    assert problems({"app": {"build": tagged}}, True) == []


def test_a_stack_cannot_publish_a_range_on_one_port() -> None:
    assert problems({"app": {**IMAGE, "ports": ["9000-9001:80"]}}, True) == [
        "spec.services.app.ports.0.published: a stack cannot publish a port range on one "
        "container port (Stack/web deploys this project)"
    ]


def test_a_stack_refuses_device_reservations() -> None:
    deploy = {"resources": {"reservations": {"devices": [{"capabilities": ["gpu"]}]}}}
    assert len(problems({"app": {**IMAGE, "deploy": deploy}}, True)) == 1


def test_a_stack_network_cannot_use_a_local_driver() -> None:
    found = problems(
        {"app": {**IMAGE, "networks": ["n"]}}, True, networks={"n": {"driver": "bridge"}}
    )
    assert found == [
        "spec.networks.n.driver: a stack network cannot use the bridge driver "
        "(Stack/web deploys this project)"
    ]


def test_swarm_secrets_and_configs_come_from_files() -> None:
    found = problems(
        {"app": {**IMAGE, "secrets": ["s"]}}, True, secrets={"s": {"environment": "TOKEN"}}
    )
    assert found == [
        "spec.secrets.s.environment: swarm secrets cannot come from an environment variable "
        "(Stack/web deploys this project)"
    ]


def test_stack_config_content_cannot_interpolate() -> None:
    configs = {"c": {"content": "home=${HOME}"}}
    assert len(problems({"app": {**IMAGE, "configs": ["c"]}}, True, configs=configs)) == 1
    configs = {"c": {"content": "price: 5$$"}}
    assert problems({"app": {**IMAGE, "configs": ["c"]}}, True, configs=configs) == []


def test_a_stack_cannot_include_files() -> None:
    assert problems({"app": IMAGE}, True, include=["other.yaml"]) == [
        "spec.include: docker stack deploy cannot include other files "
        "(Stack/web deploys this project)"
    ]


def test_a_stack_must_name_an_existing_project() -> None:
    stack = Stack.model_validate(
        {"metadata": {"name": "s"}, "spec": {"project": "ComposeProject/x"}}
    )
    assert [d.message for d in check_compose(Project([stack]))] == [
        "ComposeProject/x does not exist"
    ]


# -- where ------------------------------------------------------------------------------------

MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: web}
spec:
  services:
    app:
      image: busybox
      depends_on: [db]
"""


def test_check_reports_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.yaml"
    path.write_text(MANIFEST)
    with pytest.raises(ValidationError) as info:
        check(load([path]))
    assert str(info.value) == (
        f"{path}:8: ComposeProject/web: spec.services.app.depends_on.db: "
        "service 'app' depends on undefined service 'db'"
    )
