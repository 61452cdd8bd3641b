"""Compose variables (``${VAR}`` and its forms) where the models expect a typed value or parse
short syntax: kept as written, literal parts still checked, never reported as undeclared;
rendered through; read again (short syntax to long, strings to numbers) once interpolated, and
still invalid then is an error naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError as PydanticValidationError

from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    Project,
    Stack,
    StackSpec,
    check,
    load,
    render,
)
from bakepy.engine.compose.interpolate import interpolate_document
from bakepy.errors import BakepyError
from bakepy.generators.files import RenderOptions
from bakepy.models.compose import Port, Service, ServiceVolume
from bakepy.models.compose.base import split_outside_variables
from bakepy.resolution.checks.compose import check_compose
from bakepy.resolution.compose.lower import reparse_interpolated

FORMS = ["$P", "${P}", "${P:-80}", "${P-80}", "${P:?no port}", "${P?no}", "${P:+81}"]


@pytest.mark.parametrize("form", FORMS)
def test_a_short_port_with_a_variable_stays_short(form: str) -> None:
    service = Service(image="x", ports=[f"{form}:80", "8080:80"])
    assert service.ports == [f"{form}:80", Port(target=80, published="8080")]


def test_a_variable_default_may_hold_colons_and_dashes() -> None:
    assert split_outside_variables("${IP:-::1}:${P:-80}:80/udp", ":") == [
        "${IP:-::1}",
        "${P:-80}",
        "80/udp",
    ]
    service = Service(image="x", ports=["${RANGE:-8000-8001}:90-91", "127.0.0.1:${P}:80/tcp"])
    assert service.ports == ["${RANGE:-8000-8001}:90-91", "127.0.0.1:${P}:80/tcp"]


@pytest.mark.parametrize(
    ("port", "problem"),
    [
        ("${P}:http", "container port 'http'"),
        ("http:${P}", "published port 'http'"),
        ("${P}:80/ftp", "must be"),
    ],
)
def test_the_literal_parts_of_a_port_with_a_variable_are_checked(port: str, problem: str) -> None:
    with pytest.raises(PydanticValidationError, match=problem):
        Service(image="x", ports=[port])


def test_an_escaped_dollar_is_not_a_variable() -> None:
    with pytest.raises(PydanticValidationError, match="published port"):
        Service(image="x", ports=["$$P:80"])


@pytest.mark.parametrize("mount", ["${DATA}:/data", "${SRC:-./x}:/y", "${SRC}:/y:ro,z", "${T}"])
def test_a_short_mount_with_a_variable_stays_short(mount: str) -> None:
    service = Service(image="x", volumes=[mount, "./lit:/lit"])
    assert service.volumes[0] == mount
    assert isinstance(service.volumes[1], ServiceVolume)
    assert service.volumes[1].type == "bind"


def test_a_mount_with_a_variable_is_kept_and_only_too_many_parts_refused() -> None:
    """compose ignores options it does not know; it refuses a fifth part."""
    assert Service(image="x", volumes=["${SRC}:/y:bogus"]).volumes == ["${SRC}:/y:bogus"]
    with pytest.raises(PydanticValidationError, match="must be"):
        Service(image="x", volumes=["${SRC}:/y:ro:a:b"])


def test_typed_fields_take_a_variable_and_still_refuse_nonsense() -> None:
    service = Service.model_validate(
        {
            "image": "x",
            "read_only": "${RO}",
            "cpu_shares": "${N:-512}",
            "pids_limit": "100",
            "ulimits": {"nofile": "${N}", "nproc": {"soft": "${S}", "hard": 10}},
            "restart": "${RESTART:-no}",
            "container_name": "${NAME}",
            "pull_policy": "${PULL}",
            "healthcheck": {"retries": "${R}", "disable": "${D}"},
            "deploy": {"replicas": "${REPLICAS}", "update_config": {"max_failure_ratio": "$R"}},
        }
    )
    assert service.read_only == "${RO}"
    assert service.pids_limit == 100
    assert service.deploy is not None
    assert service.deploy.replicas == "${REPLICAS}"
    for field, value in (("cpu_shares", "lots"), ("read_only", "maybe"), ("scale", "$$N")):
        with pytest.raises(PydanticValidationError, match=field):
            Service.model_validate({"image": "x", field: value})


def rule_problems(spec: dict[str, Any], stack: bool = False) -> list[str]:
    compose = ComposeProject(metadata="web", spec=ComposeProjectSpec.model_validate(spec))
    resources: list[Any] = [compose]
    if stack:
        resources.append(Stack(metadata="web", spec=StackSpec(project=compose)))
    return [d.message for d in check_compose(Project(resources))]


def test_references_holding_a_variable_are_not_reported_as_undeclared() -> None:
    app = {
        "image": "x",
        "volumes": [
            "${DATA}:/data",
            {"type": "volume", "source": "${CACHE:-cache}", "target": "/cache"},
        ],
        "networks": ["${NET}"],
        "secrets": ["${SECRET}"],
        "configs": [{"source": "${CONFIG-c}", "target": "/c"}],
        "depends_on": ["${DEP}"],
        "volumes_from": ["${OTHER}"],
        "mem_limit": "${MEM}",
        "deploy": {"resources": {"limits": {"memory": "64m"}}},
    }
    assert rule_problems({"services": {"app": app}}) == []
    assert rule_problems({"services": {"app": {**app, "volumes": ["data:/d"]}}}) == [
        "volume 'data' is not declared"
    ]


def test_a_stack_port_with_a_variable_is_not_taken_for_a_range() -> None:
    ports = [{"target": 80, "published": "${P:-8080}"}, "${Q}:81"]
    assert rule_problems({"services": {"app": {"image": "x", "ports": ports}}}, stack=True) == []


def test_a_yaml_manifest_takes_the_same_forms(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.yaml"
    path.write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: ComposeProject\nmetadata: {name: web}\n"
        "spec:\n  services:\n    app:\n      image: busybox:${TAG:-1}\n"
        "      ports: ['${PORT:-18080}:80']\n      volumes: ['${DATA}:/data', '${SRC:-./x}:/y']\n"
        "      read_only: ${RO}\n      deploy: {replicas: '${N}'}\n"
    )
    project = load([path])
    check(project)
    app = project.get(ComposeProject, "web").spec.services["app"]
    assert app.ports == ["${PORT:-18080}:80"]
    assert app.volumes == ["${DATA}:/data", "${SRC:-./x}:/y"]
    assert app.read_only == "${RO}"


def rendered(tmp_path: Path, services: dict[str, Any], stack: bool = False) -> dict[str, str]:
    spec = ComposeProjectSpec.model_validate({"services": services, "networks": {"n": None}})
    compose = ComposeProject(metadata="web", spec=spec)
    resources: list[Any] = [compose]
    if stack:
        resources.append(Stack(metadata="web", spec=StackSpec(project=compose)))
    files = render(Project(resources, base_dir=tmp_path), tmp_path / "out", RenderOptions())
    return {f.path: f.text for f in files}


def test_render_writes_variables_through_in_forms_compose_interpolates(tmp_path: Path) -> None:
    services = {
        "app": {
            "image": "x",
            "ports": ["${PORT:-18080}:80"],
            "volumes": ["${SRC:-./x}:/y", "./lit:/lit"],
            "networks": ["${NET}"],
            "extra_hosts": ["${HOST}=1.2.3.4", "db:${DB_IP}"],
            "env_file": ["${ENV_FILE}"],
            "build": {"context": "${CONTEXT}"},
        }
    }
    texts = rendered(tmp_path, services, stack=True)
    app = yaml.safe_load(texts["compose.yaml"])["services"]["app"]
    assert app["ports"] == ["${PORT:-18080}:80"]
    assert app["volumes"][0] == "${SRC:-./x}:/y"
    assert app["volumes"][1]["source"] == "../lit"  # a literal path is still rebased
    assert app["networks"] == ["${NET}"]  # list form: compose never interpolates keys
    assert app["extra_hosts"] == ["${HOST}=1.2.3.4", "db=${DB_IP}"]
    assert app["env_file"] == ["${ENV_FILE}"]
    assert app["build"]["context"] == "${CONTEXT}"
    stacked = yaml.safe_load(texts["web.stack.yaml"])["services"]["app"]
    assert stacked["ports"] == ["${PORT:-18080}:80"]
    assert stacked["volumes"][0] == "${SRC:-./x}:/y"
    assert stacked["extra_hosts"] == ["${HOST}:1.2.3.4", "db:${DB_IP}"]


DOCUMENT: dict[str, Any] = {
    "name": "p",
    "services": {
        "x": {
            "ports": ["${PORT}:80"],
            "volumes": ["${DATA}:/d"],
            "networks": ["${NET}"],
            "cpu_shares": "${N}",
            "read_only": "${RO}",
            "deploy": {"replicas": "${N}"},
        }
    },
    "volumes": {"data": {}},
    "networks": {"n": {"internal": "${RO}"}},
}
GOOD = {"PORT": "8080", "DATA": "data", "NET": "n", "N": "2", "RO": "true"}


def test_interpolated_values_are_read_again_by_the_models() -> None:
    done = interpolate_document(DOCUMENT, GOOD, "ComposeProject/p")
    service = done.data["services"]["x"]
    assert service["ports"] == [{"target": 80, "published": "8080"}]
    assert service["volumes"] == [
        {"type": "volume", "source": "data", "target": "/d", "volume": {}}
    ]
    assert service["networks"] == {"n": None}
    assert (service["cpu_shares"], service["read_only"], service["deploy"]) == (
        2,
        True,
        {"replicas": 2},
    )
    assert done.data["networks"]["n"] == {"internal": True}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"PORT": "http"}, "services.x.ports[0]"),
        ({"N": "two"}, "'two' is not an integer"),
        ({"RO": "maybe"}, "networks.n.internal"),
        ({"DATA": "elsewhere"}, "services.x.volumes[0]: volume 'elsewhere' is not declared"),
        ({"NET": "m"}, "services.x.networks: network 'm' is not declared"),
    ],
)
def test_a_value_invalid_after_interpolation_names_the_field(
    change: dict[str, str], field: str
) -> None:
    with pytest.raises(BakepyError) as raised:
        interpolate_document(DOCUMENT, {**GOOD, **change}, "ComposeProject/p")
    assert str(raised.value).startswith("ComposeProject/p: ")
    assert field in str(raised.value)
    assert "after interpolation" in str(raised.value)


def test_only_what_held_a_variable_is_read_again() -> None:
    data = {"name": "p", "services": {"x": {"ports": ["not parsed"]}}}
    assert reparse_interpolated(data, frozenset(), "p") == data
