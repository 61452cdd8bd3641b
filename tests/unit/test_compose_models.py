"""Compose models: short syntax becomes long syntax, loose forms one form; bad input fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError as PydanticValidationError

from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    Project,
    Stack,
    StackSpec,
    Target,
    ValidationError,
    load,
)
from bakepy.models.compose import (
    ComposeConfig,
    ComposeNetwork,
    ComposeSecret,
    ComposeVolume,
    Deploy,
    Port,
    Service,
    ServiceConfig,
    ServiceHealthcheck,
    ServiceSecret,
    ServiceVolume,
)
from bakepy.models.compose.build import ComposeBuild
from bakepy.models.resource import ResourceRef

DUMP: dict[str, Any] = {"by_alias": True, "exclude_none": True, "exclude_defaults": True}


def ports(*specs: str | int) -> list[dict[str, Any]]:
    return [p.model_dump(**DUMP) for p in Service(image="x", ports=list(specs)).ports]


def mount(spec: str) -> dict[str, Any]:
    return ServiceVolume.model_validate(spec).model_dump(**DUMP)


# -- ports ------------------------------------------------------------------------------------


def test_short_port_becomes_long_syntax() -> None:
    assert ports("8080:80") == [{"target": 80, "published": "8080"}]
    assert ports(3000) == [{"target": 3000}]
    assert ports("6060:6060/udp") == [{"target": 6060, "published": "6060", "protocol": "udp"}]


def test_short_port_with_host_address() -> None:
    assert ports("127.0.0.1:8080:80") == [
        {"target": 80, "published": "8080", "host_ip": "127.0.0.1"}
    ]
    assert ports("127.0.0.1::5000") == [{"target": 5000, "host_ip": "127.0.0.1"}]
    assert ports("[::1]:6001:6001") == [{"target": 6001, "published": "6001", "host_ip": "::1"}]


def test_port_ranges_expand_to_one_entry_per_container_port() -> None:
    assert ports("127.0.0.1:9000-9001:9000-9001/udp") == [
        {"target": 9000, "published": "9000", "host_ip": "127.0.0.1", "protocol": "udp"},
        {"target": 9001, "published": "9001", "host_ip": "127.0.0.1", "protocol": "udp"},
    ]
    assert ports("4000-4001") == [{"target": 4000}, {"target": 4001}]


def test_a_published_range_on_one_container_port_stays_a_range() -> None:
    assert ports("9000-9002:80") == [{"target": 80, "published": "9000-9002"}]


@pytest.mark.parametrize("spec", ["80-81:8080-8082", "http", "1:2:3:4", "90-80:90-80"])
def test_bad_short_ports_are_refused(spec: str) -> None:
    with pytest.raises(PydanticValidationError):
        Service(image="x", ports=[spec])


def test_long_port_takes_an_integer_published_port_as_a_string() -> None:
    assert Port(target=80, published=8080).published == "8080"  # type: ignore[arg-type]


# -- volumes ----------------------------------------------------------------------------------


def test_short_bind_mount_becomes_long_syntax() -> None:
    assert mount("./data:/data:ro,z") == {
        "type": "bind",
        "source": "./data",
        "target": "/data",
        "read_only": True,
        "bind": {"create_host_path": True, "selinux": "z"},
    }
    assert mount("/abs:/abs:rshared")["bind"] == {
        "create_host_path": True,
        "propagation": "rshared",
    }


def test_short_named_and_anonymous_volumes() -> None:
    assert mount("data:/var/lib/db") == {
        "type": "volume",
        "source": "data",
        "target": "/var/lib/db",
        "volume": {},
    }
    assert mount("data:/d:nocopy")["volume"] == {"nocopy": True}
    assert mount("/cache") == {"type": "volume", "target": "/cache", "volume": {}}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (":/data", "empty section between colons"),  # ${UNSET}:/data once interpolated
        ("data:/x:", "empty section between colons"),
        ("./a::ro", "empty section between colons"),
        ("data:/x:ro:rw", "too many colons"),
        ("", "invalid empty volume spec"),
    ],
)
def test_volume_specs_compose_refuses_are_refused(spec: str, message: str) -> None:
    with pytest.raises(PydanticValidationError, match=message):
        ServiceVolume.model_validate(spec)


@pytest.mark.parametrize(
    ("spec", "mount"),
    [
        (
            "data:/d:Z",
            {"type": "volume", "source": "data", "target": "/d", "bind": {"selinux": "Z"}},
        ),
        (
            "./x:/x:nocopy",
            {"type": "bind", "source": "./x", "target": "/x", "volume": {"nocopy": True}},
        ),
        ("./x:/x:cached,bogus", {"type": "bind", "source": "./x", "target": "/x"}),
        ("C:/a:/b", {"type": "bind", "source": "C:/a", "target": "/b"}),
        ("/a", {"type": "volume", "target": "/a"}),
    ],
)
def test_volume_specs_read_as_compose_reads_them(spec: str, mount: dict[str, Any]) -> None:
    """Options of another mount type are kept, unknown options dropped (compose 2.26)."""
    dumped = ServiceVolume.model_validate(spec).model_dump(**DUMP)
    dumped.get("bind", {}).pop("create_host_path", None)
    if not dumped.get("bind"):
        dumped.pop("bind", None)
    if mount["type"] == "volume" and spec != "/a":
        assert dumped.pop("volume") == {}
    assert dumped == mount


def test_a_bind_mount_needs_a_source() -> None:
    volume = ServiceVolume(type="volume", source="v", target="/v", bind={"selinux": "z"})
    assert volume.bind is not None
    assert volume.bind.selinux == "z"
    with pytest.raises(PydanticValidationError, match="Source must not be empty"):
        ServiceVolume(type="bind", target="/v")


# -- key/value forms --------------------------------------------------------------------------


def test_environment_list_becomes_a_sorted_mapping_of_strings() -> None:
    service = Service(image="x", environment=["B=2", "A", "C=", "D=x=y"])
    assert service.environment == {"A": None, "B": "2", "C": "", "D": "x=y"}
    assert list(Service(image="x", environment={"Z": 1, "Y": True}).environment.items()) == [
        ("Y", "true"),
        ("Z", "1"),
    ]


def test_labels_without_a_value_are_empty_strings() -> None:
    assert Service(image="x", labels=["a=1", "b"]).labels == {"a": "1", "b": ""}


def test_depends_on_list_means_service_started() -> None:
    service = Service(image="x", depends_on=["db"])
    assert service.model_dump(**DUMP)["depends_on"] == {"db": {"condition": "service_started"}}
    with pytest.raises(PydanticValidationError):
        Service(image="x", depends_on={"db": {"condition": "healthy"}})


def test_network_list_becomes_a_mapping() -> None:
    assert Service(image="x", networks=["front", "back"]).networks == {
        "front": None,
        "back": None,
    }


def test_secret_and_config_short_syntax_and_octal_modes() -> None:
    service = Service(image="x", secrets=["token"], configs=[{"source": "c", "mode": "0440"}])
    assert service.secrets == [ServiceSecret(source="token")]
    assert service.configs[0].mode == 0o440
    assert ServiceConfig(source="c", uid=1000).uid == "1000"  # type: ignore[arg-type]


def test_extra_hosts_in_every_form_become_one_mapping() -> None:
    assert Service(image="x", extra_hosts=["b=1.1.1.1", "a:2.2.2.2", "b=3.3.3.3"]).extra_hosts == {
        "a": "2.2.2.2",
        "b": ["1.1.1.1", "3.3.3.3"],
    }


# -- scalars ----------------------------------------------------------------------------------


def test_durations_sizes_and_cpus_are_validated() -> None:
    check = ServiceHealthcheck(test=["CMD", "true"], interval=30, timeout="1m30s")  # type: ignore[arg-type]
    assert (check.interval, check.timeout) == ("30s", "1m30s")
    with pytest.raises(PydanticValidationError, match="duration"):
        ServiceHealthcheck(interval="soon")
    with pytest.raises(PydanticValidationError, match="size"):
        Service(image="x", mem_limit="lots")
    assert Service(image="x", cpus=0.5).cpus == "0.5"  # type: ignore[arg-type]
    assert Service(image="x", stop_grace_period="${GRACE:-10s}").stop_grace_period


def test_healthcheck_test_list_starts_with_cmd() -> None:
    with pytest.raises(PydanticValidationError, match="CMD"):
        ServiceHealthcheck(test=["curl", "-f", "http://localhost"])


def test_restart_and_container_name_are_checked() -> None:
    assert Service(image="x", restart="on-failure:3").restart == "on-failure:3"
    with pytest.raises(PydanticValidationError, match="restart"):
        Service(image="x", restart="sometimes")
    with pytest.raises(PydanticValidationError, match="container_name"):
        Service(image="x", container_name="-bad")


def test_replicas_only_with_a_replicated_mode() -> None:
    assert Deploy(replicas="3").replicas == 3  # type: ignore[arg-type]
    with pytest.raises(PydanticValidationError, match="replicated"):
        Deploy(mode="global", replicas=2)


# -- extensions -------------------------------------------------------------------------------


def test_x_keys_are_kept_and_rendered_back_in_place() -> None:
    service = Service.model_validate({"image": "x", "x-team": "web", "x-port": 80})
    assert service.extensions == {"x-team": "web", "x-port": 80}
    assert service.model_dump(**DUMP) == {"image": "x", "x-team": "web", "x-port": 80}
    assert Service(image="x", extensions={"x-a": 1}).model_dump(**DUMP)["x-a"] == 1


def test_other_unknown_keys_are_errors() -> None:
    with pytest.raises(PydanticValidationError, match="Extra inputs"):
        Service.model_validate({"image": "x", "imgae": "y"})
    with pytest.raises(PydanticValidationError, match="must start with 'x-'"):
        Service(image="x", extensions={"team": "web"})


# -- build ------------------------------------------------------------------------------------


def test_build_string_is_a_context_and_target_reference_a_target() -> None:
    assert Service(build="./app").build == ComposeBuild(context="./app")  # type: ignore[arg-type]
    ref = Service(build="Target/app").build  # type: ignore[arg-type]
    assert ref == ResourceRef(kind="Target", name="app")
    target = Target(metadata="app")
    service = Service(build=target)
    assert service.build is target
    assert service.model_dump(**DUMP)["build"] == "Target/app"


# -- top level --------------------------------------------------------------------------------


def test_a_compose_secret_never_takes_a_value() -> None:
    with pytest.raises(PydanticValidationError, match="never a value") as info:
        ComposeSecret.model_validate({"value": "hunter2"})
    assert "hunter2" not in str(info.value)
    with pytest.raises(PydanticValidationError, match="mutually exclusive"):
        ComposeSecret(file="a", environment="B")
    with pytest.raises(PydanticValidationError, match=r"one of file\|environment must be set"):
        ComposeSecret(name="x")
    assert ComposeSecret(external=True, file="ignored").external
    assert ComposeSecret(environment="TOKEN").environment == "TOKEN"


def test_a_service_secret_never_takes_a_value() -> None:
    with pytest.raises(PydanticValidationError, match="never its value") as info:
        Service.model_validate({"image": "x", "secrets": [{"value": "hunter2"}]})
    assert "hunter2" not in str(info.value)


def test_version_is_refused_as_obsolete() -> None:
    with pytest.raises(PydanticValidationError, match="obsolete"):
        ComposeProjectSpec.model_validate({"version": "3.8"})


def test_a_config_has_exactly_one_source() -> None:
    assert ComposeConfig(content="hello").content == "hello"
    with pytest.raises(PydanticValidationError, match="mutually exclusive"):
        ComposeConfig(content="a", file="b")


def test_an_external_volume_cannot_be_configured_an_external_network_can() -> None:
    """What compose 2.26 refuses: driver, driver_opts or labels on an external volume."""
    assert ComposeNetwork(external=True, name="shared").name == "shared"
    assert ComposeNetwork(external=True, driver="overlay").driver == "overlay"
    with pytest.raises(PydanticValidationError, match='"external" and "driver"'):
        ComposeVolume(external=True, driver="local")
    with pytest.raises(PydanticValidationError, match='"external" and "labels"'):
        ComposeVolume(external=True, labels={"a": "b"})


def test_overlay_helper_encrypts_with_driver_opts() -> None:
    network = ComposeNetwork.overlay(encrypted=True, attachable=True)
    assert (network.driver, network.driver_opts, network.attachable) == (
        "overlay",
        {"encrypted": ""},
        True,
    )
    assert network.encrypted
    assert not ComposeNetwork.overlay().encrypted


def test_project_and_object_names_are_checked() -> None:
    assert ComposeProject(metadata="web").project_name == "web"
    assert ComposeProject(metadata="Web", spec=ComposeProjectSpec(name="web")).project_name == "web"
    with pytest.raises(PydanticValidationError, match="compose project name"):
        ComposeProject(metadata="Web")
    with pytest.raises(PydanticValidationError, match="may only use"):
        ComposeProjectSpec(services={"a b": Service(image="x")})


def test_null_networks_and_volumes_are_declared_with_defaults() -> None:
    spec = ComposeProjectSpec.model_validate({"networks": {"n": None}, "volumes": {"v": None}})
    assert spec.networks == {"n": ComposeNetwork()}
    assert spec.volumes == {"v": ComposeVolume()}


def test_stack_references_a_project_by_object_or_name() -> None:
    web = ComposeProject(metadata="web")
    assert Stack(metadata="prod", spec=StackSpec(project=web)).spec.project is web
    stack = Stack.model_validate(
        {"metadata": {"name": "prod"}, "spec": {"project": "ComposeProject/web", "name": "p"}}
    )
    assert stack.spec.project == ResourceRef(kind="ComposeProject", name="web")
    assert stack.stack_name == "p"
    assert stack.model_dump(mode="json")["spec"]["project"] == "ComposeProject/web"


def test_project_pulls_in_what_a_stack_and_its_services_hold() -> None:
    target = Target(metadata="app")
    web = ComposeProject(
        metadata="web", spec=ComposeProjectSpec(services={"app": Service(build=target)})
    )
    stack = Stack(metadata="web", spec=StackSpec(project=web))
    assert Project([stack]).resources == [target, web, stack]


MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: web}
spec:
  x-common: &common
    image: busybox
    restart: always
  services:
    a:
      <<: *common
      restart: "no"
    b:
      <<: *common
      ports: ["8080:80"]
"""


def test_manifest_merge_keys_work_and_own_keys_win(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.yaml"
    path.write_text(MANIFEST)
    web = load([path]).get(ComposeProject, "web")
    assert web.spec.services["a"].restart == "no"
    assert web.spec.services["b"].restart == "always"
    assert web.spec.extensions["x-common"] == {"image": "busybox", "restart": "always"}


def test_manifest_errors_name_the_line_of_the_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.yaml"
    path.write_text(MANIFEST.replace('ports: ["8080:80"]', "ports: [http]"))
    with pytest.raises(ValidationError) as info:
        load([path])
    assert f"{path}:14: ComposeProject/web: spec.services.b.ports" in str(info.value)
