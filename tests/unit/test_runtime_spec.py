"""A compose service as an Engine API create body; env files; waiting; counting HTTP calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.compose.container_spec import ServiceContext, container_body, restart_policy
from bakepy.engine.compose.env_files import service_environment
from bakepy.engine.compose.health import wait_for
from bakepy.engine.compose.observed import ContainerState, ObservedContainer
from bakepy.errors import RuntimeSpecError, WaitError
from bakepy.models.image_reference import ImageReference


def context(**overrides: Any) -> ServiceContext:
    values: dict[str, Any] = {
        "project": "p",
        "service": "web",
        "networks": {"front": "p_front", "back": "p_back"},
        "volumes": {"data": "p_data"},
        "containers": {"db": "p-db-1"},
        "environment": {},
    }
    values.update(overrides)
    return ServiceContext(**values)


def test_restart_policy_maps_deploy_restart_policy_as_compose_does() -> None:
    assert restart_policy({"restart": "on-failure:3"}) == {
        "Name": "on-failure",
        "MaximumRetryCount": 3,
    }
    policy = {"condition": "on-failure", "max_attempts": 5}
    assert restart_policy({"deploy": {"restart_policy": policy}}) == {
        "Name": "on-failure",
        "MaximumRetryCount": 5,
    }
    any_policy = {"deploy": {"restart_policy": {"condition": "any"}}}
    assert restart_policy(any_policy)["Name"] == "always"
    assert restart_policy({}) == {"Name": "no"}


def test_ports_mounts_healthcheck_and_limits_become_engine_fields() -> None:
    service = {
        "image": "busybox",
        "command": ["httpd", "-f"],
        "ports": [
            {"target": 80, "published": "8080", "host_ip": "127.0.0.1", "protocol": "tcp"},
            {"target": 53, "protocol": "udp"},
        ],
        "expose": ["9000"],
        "volumes": [
            {
                "type": "bind",
                "source": "/srv",
                "target": "/srv",
                "bind": {"create_host_path": True},
            },
            {"type": "volume", "source": "data", "target": "/data", "read_only": True},
            {"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": "64m"}},
        ],
        "healthcheck": {"test": ["CMD", "true"], "interval": "1m30s", "retries": 2},
        "deploy": {"resources": {"limits": {"cpus": 0.5, "memory": "67108864", "pids": 10}}},
        "ulimits": {"nofile": {"soft": 10, "hard": 20}, "nproc": 5},
        "extra_hosts": ["db=10.0.0.2"],
        "stop_grace_period": "1m0s",
        "logging": {"driver": "local", "options": {"max-size": "1m"}},
        "networks": {"front": None, "back": {"aliases": ["api"], "ipv4_address": "10.9.0.5"}},
    }
    body = container_body(service, context())
    host = body["HostConfig"]
    assert body["ExposedPorts"] == {"53/udp": {}, "80/tcp": {}, "9000/tcp": {}}
    assert host["PortBindings"]["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": "8080"}]
    assert host["PortBindings"]["53/udp"] == [{"HostIp": "", "HostPort": ""}]
    assert host["Mounts"] == [
        {
            "Type": "bind",
            "Target": "/srv",
            "Source": "/srv",
            "BindOptions": {"CreateMountpoint": True},
        },
        {"Type": "volume", "Target": "/data", "ReadOnly": True, "Source": "p_data"},
        {"Type": "tmpfs", "Target": "/tmp", "TmpfsOptions": {"SizeBytes": 64 * 2**20}},
    ]
    assert body["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 90 * 10**9, "Retries": 2}
    assert (host["NanoCpus"], host["Memory"], host["PidsLimit"]) == (500_000_000, 2**26, 10)
    assert host["Ulimits"] == [
        {"Name": "nofile", "Soft": 10, "Hard": 20},
        {"Name": "nproc", "Soft": 5, "Hard": 5},
    ]
    assert host["ExtraHosts"] == ["db:10.0.0.2"]
    assert body["StopTimeout"] == 60
    assert host["LogConfig"] == {"Type": "local", "Config": {"max-size": "1m"}}
    assert host["NetworkMode"] == "p_back"
    assert body["NetworkingConfig"]["EndpointsConfig"] == {
        "p_back": {"Aliases": ["web", "api"], "IPAMConfig": {"IPv4Address": "10.9.0.5"}},
        "p_front": {"Aliases": ["web"]},
    }


def test_namespaces_shared_with_a_service_name_its_first_container() -> None:
    body = container_body({"image": "x", "network_mode": "service:db"}, context())
    assert body["HostConfig"]["NetworkMode"] == "container:p-db-1"
    assert "NetworkingConfig" not in body


def test_a_disabled_healthcheck_is_none() -> None:
    body = container_body({"image": "x", "healthcheck": {"disable": True}}, context())
    assert body["Healthcheck"] == {"Test": ["NONE"]}


def test_an_unsupported_field_is_an_error_naming_it() -> None:
    with pytest.raises(RuntimeSpecError, match=r"services\.web\.links: is not supported"):
        container_body({"image": "x", "links": ["db"]}, context())


def test_a_service_without_an_image_is_an_error() -> None:
    with pytest.raises(RuntimeSpecError, match="needs an image"):
        container_body({"build": {"context": "."}}, context())


def test_environment_merges_env_files_then_environment_then_the_shell(tmp_path: Path) -> None:
    (tmp_path / "app.env").write_text(
        "# comment\nA=from-file\nexport B='quoted value'\nC=plain # trailing\nFROM_SHELL\n"
    )
    service = {
        "env_file": ["./app.env", {"path": "./missing.env", "required": False}],
        "environment": {"A": "declared", "D": None, "UNSET": None},
    }
    env = service_environment(service, tmp_path, {"D": "shell", "FROM_SHELL": "s"})
    assert env == {
        "A": "declared",
        "B": "quoted value",
        "C": "plain",
        "D": "shell",
        "FROM_SHELL": "s",
    }


def test_observed_container_reads_the_list_entry() -> None:
    entry = {
        "Id": "abc",
        "Names": ["/p-web-1"],
        "State": "exited",
        "Status": "Exited (137) 3 seconds ago",
        "Labels": {"a": "b"},
        "ImageID": "sha256:1",
        "NetworkSettings": {"Networks": {"p_front": {}, "p_back": {}}},
    }
    seen = ObservedContainer.from_api(entry)
    assert (seen.name, seen.exit_code, seen.networks) == ("p-web-1", 137, ("p_back", "p_front"))


def test_references_are_normalized_as_the_engine_lists_them() -> None:
    def familiar(text: str) -> str:
        return ImageReference.parse(text).familiar()

    assert familiar("busybox") == "busybox:latest"
    assert familiar("localhost:5000/busybox") == "localhost:5000/busybox:latest"
    assert familiar("localhost:5000/b:1") == "localhost:5000/b:1"
    assert familiar("b@sha256:" + "0" * 64) == "b@sha256:" + "0" * 64


class _States:
    """Answers container_state with a scripted sequence."""

    def __init__(self, *states: ContainerState) -> None:
        self.states = list(states)

    def container_state(self, container: str) -> ContainerState:
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


def test_waiting_for_healthy_polls_until_healthy() -> None:
    states = _States(ContainerState("running", "starting"), ContainerState("running", "healthy"))
    wait_for(states, "db", "service_healthy", 5, sleep=lambda s: None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "condition", "message"),
    [
        (ContainerState("running", "unhealthy"), "service_healthy", "is unhealthy"),
        (ContainerState("running", None), "service_healthy", "has no healthcheck"),
        (ContainerState("exited", None, 2), "service_completed_successfully", "exited with code 2"),
    ],
)
def test_waiting_fails_at_once_when_the_condition_cannot_be_reached(
    state: ContainerState, condition: str, message: str
) -> None:
    with pytest.raises(WaitError, match=message):
        wait_for(_States(state), "db", condition, 5, sleep=lambda s: None)  # type: ignore[arg-type]


def test_waiting_times_out_with_a_clear_error() -> None:
    ticks = iter(range(100))
    with pytest.raises(WaitError, match=r"timed out after 3s waiting for container db \(healthy"):
        wait_for(
            _States(ContainerState("running", "starting")),  # type: ignore[arg-type]
            "db",
            "service_healthy",
            3,
            clock=lambda: float(next(ticks)),
            sleep=lambda s: None,
        )


class _FakeApi:
    """Stands for docker.APIClient: its calls go through ``request`` as the SDK's do."""

    api_version = "1.45"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        self.sent.append((method, url))
        return None

    def networks(self, names: Any = None, filters: Any = None) -> list[Any]:
        self.request("GET", "http+docker://localhost/v1.45/networks")
        return []

    def remove_network(self, network: str) -> None:
        self.request("DELETE", f"http+docker://localhost/v1.45/networks/{network}")


def test_counting_client_counts_every_http_request_and_calls_back_on_mutations() -> None:
    seen: list[int] = []
    counting = CountingClient(DockerEngineClient(_FakeApi()), on_mutation=seen.append)
    counting.list_networks("p")
    counting.remove_network("n1")
    counting.remove_network("n2")
    assert counting.http
    assert [(r.method, r.path) for r in counting.requests] == [
        ("GET", "/v1.45/networks"),
        ("DELETE", "/v1.45/networks/n1"),
        ("DELETE", "/v1.45/networks/n2"),
    ]
    assert (counting.mutating_requests, counting.mutating_calls, counting.total_calls) == (2, 2, 3)
    assert seen == [1, 2]
