"""The rendered webapp-stack example on a real engine: ``docker compose up`` and, on a
single-node swarm, ``docker stack deploy``.

Checks what the declaration promises, not just exit codes: the proxy cannot reach the db (no
shared network) while the app reaches both, the db's volume outlives ``down``, swarm runs the
declared replicas with the declared resources, update, restart and placement policies.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bakepy import load, render
from bakepy.api.output import write_files
from bakepy.generators.files import RenderOptions

from .buildkit import docker, unique

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "webapp-stack"
APP_IMAGE = "localhost:5000/webapp-app:0.1.0"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, base_image: str) -> Path:
    """The example rendered for an engine that cannot pull the Dockerfile frontend."""
    out = tmp_path_factory.mktemp("webapp-stack")
    project = load([EXAMPLE / "bakepy.py"])
    write_files(render(project, out, RenderOptions(syntax_directive=False)), out)
    return out


def run(
    *args: str, cwd: Path | None = None, timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    """A command whose failure the test inspects itself."""
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Poll ``condition`` once a second until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(1)


class Compose:
    """``docker compose`` on the rendered compose.yaml under a project name of its own."""

    def __init__(self, out: Path) -> None:
        self.file = out / "compose.yaml"
        self.name = unique("bakepy-webapp")

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = run("docker", "compose", "-f", str(self.file), "-p", self.name, *args)
        if check:
            assert result.returncode == 0, result.stderr[-4000:]
        return result

    def exec(self, service: str, *command: str) -> subprocess.CompletedProcess[str]:
        return self("exec", "-T", service, *command, check=False)

    def up(self) -> None:
        self("up", "-d", "--wait", "--wait-timeout", "90")

    def address(self, service: str, network: str) -> str:
        container = self("ps", "-q", service).stdout.split()[0]
        template = f'{{{{(index .NetworkSettings.Networks "{self.name}_{network}").IPAddress}}}}'
        return docker("inspect", "-f", template, container).strip()


def test_compose_up_isolates_the_proxy_from_the_db_and_keeps_db_data(rendered: Path) -> None:
    compose = Compose(rendered)
    try:
        compose("build", "app")  # the build section derived from the bake Target
        compose.up()
        db = compose.exec("app", "wget", "-q", "-O", "-", "http://db:5432/health")
        assert (db.returncode, db.stdout) == (0, "ok\n"), db.stderr
        proxy = compose.exec("app", "wget", "-q", "-O", "-", "http://proxy:80/")
        assert "<p>proxy</p>" in proxy.stdout, proxy.stderr
        app = compose.exec("proxy", "wget", "-q", "-O", "-", "http://app:8080/")
        assert "Hello from the app service." in app.stdout, app.stderr
        assert compose.exec("app", "cat", "/run/secrets/db_password").stdout == "change-me\n"

        by_name = compose.exec("proxy", "wget", "-q", "-O", "-", "http://db:5432/health")
        assert by_name.returncode != 0
        assert "bad address" in by_name.stderr
        db_address = compose.address("db", "backend")
        by_address = compose.exec("proxy", "nc", "-w", "2", db_address, "5432")
        assert by_address.returncode != 0, "the proxy reached the db's address"
        assert compose.exec("app", "nc", "-w", "2", db_address, "5432").returncode == 0

        write = compose.exec("db", "sh", "-c", "echo persisted > /data/marker")
        assert write.returncode == 0, write.stderr
        compose("down")
        compose.up()
        assert compose.exec("db", "cat", "/data/marker").stdout == "persisted\n"
        assert compose.exec("backup", "cat", "/data/marker").stdout == "persisted\n"
    finally:
        compose("down", "-v", "--remove-orphans", check=False)


def _service_replicas(stack: str) -> dict[str, str]:
    listed = docker(
        "service",
        "ls",
        "--filter",
        f"label=com.docker.stack.namespace={stack}",
        "--format",
        "{{.Name}} {{.Replicas}}",
    )
    return dict(line.split(" ", 1) for line in listed.splitlines())


def _remove_stack(stack: str) -> None:
    run("docker", "stack", "rm", stack)
    label = f"label=com.docker.stack.namespace={stack}"

    def gone() -> bool:
        containers = docker("ps", "-aq", "--filter", label)
        networks = docker("network", "ls", "-q", "--filter", label)
        return not containers.strip() and not networks.strip()

    wait_for(gone, f"stack {stack} to be removed", timeout=60)
    volumes = docker("volume", "ls", "-q", "--filter", label).split()
    if volumes:
        docker("volume", "rm", *volumes)


def test_stack_deploy_runs_the_declared_replicas_and_policies(
    rendered: Path, swarm: None, registry: str
) -> None:
    bake = run("docker", "buildx", "bake", "-f", "docker-bake.hcl", "--push", "app", cwd=rendered)
    assert bake.returncode == 0, bake.stderr[-4000:]
    stack = unique("bakepy-webapp")
    try:
        deploy = run(
            "docker",
            "stack",
            "deploy",
            "--detach=true",
            "-c",
            "webapp.stack.yaml",
            stack,
            cwd=rendered,
        )
        assert deploy.returncode == 0, deploy.stderr
        expected = {
            f"{stack}_{s}": n for s, n in (("proxy", 1), ("app", 2), ("db", 1), ("backup", 1))
        }
        wait_for(
            lambda: _service_replicas(stack) == {k: f"{n}/{n}" for k, n in expected.items()},
            f"the replicas of {stack}",
        )
        spec = json.loads(docker("service", "inspect", f"{stack}_app"))[0]["Spec"]
        assert spec["Mode"] == {"Replicated": {"Replicas": 2}}
        task = spec["TaskTemplate"]
        assert task["Resources"] == {
            "Limits": {"NanoCPUs": 500_000_000, "MemoryBytes": 64 * 2**20, "Pids": 100},
            "Reservations": {"NanoCPUs": 100_000_000, "MemoryBytes": 16 * 2**20},
        }
        assert task["RestartPolicy"] == {
            "Condition": "on-failure",
            "Delay": 5 * 10**9,
            "MaxAttempts": 3,
            "Window": 60 * 10**9,
        }
        assert task["Placement"]["Constraints"] == ["node.role == manager"]
        update = spec["UpdateConfig"]
        assert (update["Parallelism"], update["Delay"]) == (1, 10 * 10**9)
        assert (update["FailureAction"], update["Order"]) == ("rollback", "start-first")
        rollback = spec["RollbackConfig"]
        assert (rollback["Parallelism"], rollback["Order"]) == (1, "stop-first")
        assert [s["SecretName"] for s in task["ContainerSpec"]["Secrets"]] == [
            f"{stack}_db_password"
        ]
        config = json.loads(docker("config", "inspect", f"{stack}_proxy_index"))[0]
        assert (
            base64.b64decode(config["Spec"]["Data"]).decode() == "<!doctype html>\n<p>proxy</p>\n"
        )
        proxy = json.loads(docker("service", "inspect", f"{stack}_proxy"))[0]["Spec"]
        assert proxy["EndpointSpec"]["Ports"] == [
            {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 18080, "PublishMode": "ingress"}
        ]
    finally:
        _remove_stack(stack)
