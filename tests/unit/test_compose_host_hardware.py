"""What a container gets of the host's hardware when ``bakepy apply`` creates it: devices in
both forms, cgroup device rules, GPUs, the UTS namespace and real-time CPU limits, mapped to
the Engine API as ``docker compose up`` maps them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bakepy.engine.compose.container_spec import ServiceContext, container_body
from bakepy.resolution.compose.config_view import compose_config_view


def context() -> ServiceContext:
    return ServiceContext(
        project="p",
        service="app",
        networks={"default": "p_default"},
        volumes={},
        containers={},
        environment={},
    )


def host_config(service: dict[str, Any]) -> dict[str, Any]:
    """The HostConfig of the service as bakepy's compose view prints it."""
    view = compose_config_view({"name": "p", "services": {"app": service}}, Path("/srv"))
    body = container_body(view["services"]["app"], context())
    host: dict[str, Any] = body["HostConfig"]
    return host


def test_devices_in_short_and_long_form_become_device_mappings() -> None:
    host = host_config(
        {
            "image": "x",
            "devices": ["/dev/fuse", "/dev/sda:/dev/xvda:r", {"source": "/dev/ttyUSB0"}],
            "device_cgroup_rules": ["c 188:* rmw"],
        }
    )
    assert host["Devices"] == [
        {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/sda", "PathInContainer": "/dev/xvda", "CgroupPermissions": "r"},
        {
            "PathOnHost": "/dev/ttyUSB0",
            "PathInContainer": "/dev/ttyUSB0",
            "CgroupPermissions": "rwm",
        },
    ]
    assert host["DeviceCgroupRules"] == ["c 188:* rmw"]


def test_gpus_all_is_one_request_for_every_gpu() -> None:
    host = host_config({"image": "x", "gpus": "all", "uts": "host", "cpu_rt_runtime": 400})
    assert host["DeviceRequests"] == [{"Capabilities": [["gpu"]], "Count": -1}]
    assert host["UTSMode"] == "host"
    assert host["CpuRealtimeRuntime"] == 400


def test_listed_gpus_keep_their_driver_and_count() -> None:
    host = host_config({"image": "x", "gpus": [{"driver": "nvidia", "count": 2}]})
    assert host["DeviceRequests"] == [{"Capabilities": [["gpu"]], "Driver": "nvidia", "Count": 2}]
