"""``docker compose config`` judges values that hold variables where the models expect a typed
value or parse short syntax: bakepy renders them through unchanged, compose accepts the file,
and prints exactly the view ``bakepy apply`` computes once it interpolated them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_runtime_interpolation import unescaped

from bakepy import ComposeProject, ComposeProjectSpec, Project, render
from bakepy.api.output import write_files
from bakepy.engine.compose.desired import compose_view
from bakepy.generators.compose import compose_filename
from bakepy.generators.files import RenderOptions

pytestmark = pytest.mark.conformance

SERVICES: dict[str, Any] = {
    "app": {
        "image": "busybox:${TAG:-latest}",
        "ports": ["${PORT:-18080}:80", "${IP}:${UDP}:81/udp", "$PLAIN:82", "8000-8001:90-91"],
        "volumes": ["${DATA}:/data", "${SRC:-./src}:/src:ro", "${CACHE-cache}:/cache:nocopy"],
        "extra_hosts": ["${HOST}=1.2.3.4", "db:${DB_IP}"],
        "networks": ["${NET}"],
        "depends_on": ["${DEP:-worker}"],
        "read_only": "${YES}",
        "init": "${YES}",
        "tty": "${YES}",
        "cpu_shares": "${NUMBER}",
        "pids_limit": "${NUMBER}",
        "oom_score_adj": "${NUMBER}",
        "mem_limit": "${MEMORY}",
        "shm_size": "${MEMORY}",
        "cpus": "${CPUS}",
        "stop_grace_period": "${GRACE}",
        "restart": "${RESTART}",
        "ulimits": {"nofile": "${NUMBER}", "nproc": {"soft": "${NUMBER}", "hard": "${NUMBER}"}},
        "healthcheck": {"test": ["CMD", "true"], "retries": "${NUMBER}", "interval": "${GRACE}"},
        "deploy": {
            "replicas": "${ONE}",
            "resources": {
                "limits": {"cpus": "${CPUS}", "memory": "${MEMORY}", "pids": "${NUMBER}"}
            },
            "update_config": {"parallelism": "${NUMBER}", "max_failure_ratio": "${RATIO}"},
            "restart_policy": {"max_attempts": "${NUMBER}", "delay": "${GRACE}"},
        },
    },
    "worker": {"image": "busybox", "networks": ["${NET}"]},
}
TOP: dict[str, Any] = {
    "networks": {"back": {"name": "${NET_NAME:-vars_back}", "internal": "${YES}"}},
    "volumes": {"data": {}, "cache": {"name": "${PREFIX}-cache"}},
}
ENVIRONMENT = {
    "PATH": "/usr/bin:/bin:/usr/local/bin",
    "HOME": "/root",
    "PORT": "18081",
    "IP": "127.0.0.1",
    "UDP": "9001",
    "PLAIN": "9002",
    "DATA": "data",
    "HOST": "gateway",
    "DB_IP": "10.0.0.5",
    "NET": "back",
    "YES": "true",
    "NUMBER": "5",
    "MEMORY": "64m",
    "CPUS": "0.5",
    "GRACE": "1m30s",
    "RESTART": "unless-stopped",
    "ONE": "1",
    "RATIO": "0.25",
    "PREFIX": "mine",
}


def test_compose_accepts_the_variables_and_prints_bakepys_interpolated_view(
    docker_compose: str, tmp_path: Path
) -> None:
    spec = ComposeProjectSpec.model_validate({"services": SERVICES, **TOP})
    compose = ComposeProject(metadata="vars", spec=spec)
    project = Project([compose], base_dir=tmp_path)
    write_files(render(project, tmp_path, RenderOptions(syntax_directive=False)), tmp_path)
    file = tmp_path / compose_filename(compose, project)
    text = file.read_text()
    for written in ("${PORT:-18080}:80", "${DATA}:/data", "${SRC:-./src}:/src:ro", "${NET}"):
        assert written in text  # rendered through, for compose to interpolate
    printed = subprocess.run(
        [docker_compose, "compose", "-f", str(file), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=ENVIRONMENT,
    )
    assert printed.returncode == 0, printed.stderr
    theirs = unescaped(json.loads(printed.stdout))
    ours = compose_view(project, compose, ENVIRONMENT)
    assert ours.data == theirs
    app = ours.data["services"]["app"]
    assert [p["published"] for p in app["ports"][:3]] == ["18081", "9001", "9002"]
    assert [m["type"] for m in app["volumes"]] == ["volume", "bind", "volume"]
    assert app["volumes"][1]["source"] == str(tmp_path / "src")
    assert app["deploy"]["replicas"] == 1
    assert app["read_only"] is True


def test_compose_rejects_what_bakepy_apply_rejects_after_interpolation(
    docker_compose: str, tmp_path: Path
) -> None:
    """A value still invalid once interpolated fails both tools: neither starts anything."""
    from bakepy.errors import BakepyError

    spec = ComposeProjectSpec.model_validate(
        {"services": {"app": {"image": "busybox", "ports": ["${PORT}:80"]}}}
    )
    compose = ComposeProject(metadata="badvars", spec=spec)
    project = Project([compose], base_dir=tmp_path)
    write_files(render(project, tmp_path, RenderOptions(syntax_directive=False)), tmp_path)
    environment = {"PATH": ENVIRONMENT["PATH"], "PORT": "eighty"}
    printed = subprocess.run(
        [docker_compose, "compose", "-f", str(tmp_path / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )
    assert printed.returncode != 0
    with pytest.raises(BakepyError, match=r"services\.app\.ports\[0\].*eighty"):
        compose_view(project, compose, environment)
