"""The engine wherever it is: `bakepy apply/plan/delete` against a second, real dockerd reached
over TLS, through ssh, and through Docker contexts (``--context``, ``DOCKER_CONTEXT``, ``docker
context use``); the build (buildx) and the Engine API calls land on that engine, never on the
shared one. The second engine is scripts/engines-extra-up.sh's; the docker CLI's configuration
is a folder of the test's own (``DOCKER_CONFIG``), never the user's ~/.docker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bakepy.engine import labels as L
from tests.conftest import _missing

from .buildkit import unique

pytestmark = pytest.mark.engine

BUSYBOX = Path("/bin/busybox")  # static (busybox-static, which engine-up.sh installs)

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {{name: app}}
spec:
  context: .
  dockerfile-inline: "FROM scratch\\nCOPY busybox /bin/busybox\\n"
  tags: ["{name}:1"]
---
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {{name: {name}}}
spec:
  services:
    app:
      image: {name}:1
      command: ["/bin/busybox", "sleep", "600"]
      networks: [front]
      volumes: ["data:/data"]
  networks:
    front: {{}}
  volumes:
    data: {{}}
"""


@dataclass(frozen=True)
class SecondEngine:
    """How to reach the second dockerd: its local socket (to check what landed there), TLS
    address and client certificates, and its ssh host with the folder holding `ssh`."""

    socket: str
    tls_host: str
    cert_path: str
    ssh_host: str
    ssh_path: str


@pytest.fixture(scope="module")
def engine2(docker_engine: str) -> SecondEngine:
    """The second engine scripts/engines-extra-up.sh starts (a failure in CI when missing)."""
    names = ("SOCKET", "TLS_HOST", "CERT_PATH", "SSH_HOST", "SSH_PATH")
    values = {n: os.environ.get(f"BAKEPY_ENGINE2_{n}", "") for n in names}
    if not all(values.values()):
        _missing("no second engine (run scripts/engines-extra-up.sh and source its env file)")
    engine = SecondEngine(*values.values())
    if _docker(engine.socket, "version", check=False).returncode != 0:
        _missing(f"the second engine at {engine.socket} does not answer")
    if not BUSYBOX.is_file():
        _missing("/bin/busybox is missing (busybox-static; run scripts/engine-up.sh)")
    return engine


def _docker(host: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    result = subprocess.run(
        ["docker", "-H", host, *args], capture_output=True, text=True, timeout=120, env=env
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _shared_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


@dataclass
class Project:
    """A project folder and its name (image, compose project)."""

    folder: Path
    name: str


@pytest.fixture
def project(tmp_path: Path, engine2: SecondEngine) -> Iterator[Project]:
    """A target built FROM scratch with busybox, run as a compose service with a network and a
    volume; everything it leaves on either engine is removed afterwards."""
    name = unique("bakepy-e2")
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(BUSYBOX, folder / "busybox")
    (folder / "bakepy.yaml").write_text(DEFINITION.format(name=name), encoding="utf-8")
    yield Project(folder, name)
    for host in (engine2.socket, _shared_host()):
        label = f"label={L.PROJECT}={name}"
        ids = _docker(host, "ps", "-aq", "--filter", label, check=False).stdout.split()
        if ids:
            _docker(host, "rm", "-f", *ids, check=False)
        for kind in ("network", "volume"):
            found = _docker(host, kind, "ls", "-q", "--filter", label, check=False).stdout.split()
            if found:
                _docker(host, kind, "rm", *found, check=False)
        _docker(host, "image", "rm", "-f", f"{name}:1", check=False)


def _bakepy(project: Project, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bakepy", *args, "-f", str(project.folder)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=project.folder,
    )


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment without any DOCKER_* setting, with a docker configuration
    folder of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    (tmp_path / "docker-config").mkdir(exist_ok=True)
    return env


def _converges_on_engine2(project: Project, env: dict[str, str], engine2: SecondEngine) -> None:
    """apply builds and runs on the second engine only; plan then sees no change; delete
    removes the containers; the shared engine never sees any of it."""
    applied = _bakepy(project, env, "apply", "--progress", "quiet")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    label = f"label={L.PROJECT}={project.name}"
    running = _docker(engine2.socket, "ps", "-q", "--filter", label).stdout.split()
    assert len(running) == 1, applied.stdout
    _docker(engine2.socket, "image", "inspect", f"{project.name}:1")
    shared = _shared_host()
    assert _docker(shared, "ps", "-aq", "--filter", label).stdout.split() == []
    assert _docker(shared, "image", "inspect", f"{project.name}:1", check=False).returncode != 0

    planned = _bakepy(project, env, "plan")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "No changes" in planned.stdout

    deleted = _bakepy(project, env, "delete", "--volumes")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert _docker(engine2.socket, "ps", "-aq", "--filter", label).stdout.split() == []


def test_tls_from_docker_tls_verify_without_requests_ca_bundle(
    project: Project, engine2: SecondEngine, tmp_path: Path
) -> None:
    env = _clean_env(tmp_path)
    env |= {
        "DOCKER_HOST": engine2.tls_host,
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": engine2.cert_path,
        # a CA bundle that does not hold the engine's CA: requests would use it instead
        "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
    }
    _converges_on_engine2(project, env, engine2)


def test_tls_refused_without_the_client_certificate(
    project: Project, engine2: SecondEngine, tmp_path: Path
) -> None:
    env = _clean_env(tmp_path) | {"DOCKER_HOST": engine2.tls_host}
    result = _bakepy(project, env, "plan")
    assert result.returncode == 2
    assert "cannot reach the Docker engine at tcp://127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_ssh_host(project: Project, engine2: SecondEngine, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    env |= {"DOCKER_HOST": engine2.ssh_host, "PATH": f"{engine2.ssh_path}:{env['PATH']}"}
    _converges_on_engine2(project, env, engine2)


def _create_context(env: dict[str, str], name: str, engine2: SecondEngine) -> None:
    """``docker context create``: the real CLI writes the context store bakepy reads."""
    certs = Path(engine2.cert_path)
    endpoint = (
        f"host={engine2.tls_host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},"
        f"key={certs / 'key.pem'}"
    )
    subprocess.run(
        ["docker", "context", "create", name, "--docker", endpoint],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_context_flag_overrides_docker_host(
    project: Project, engine2: SecondEngine, tmp_path: Path
) -> None:
    env = _clean_env(tmp_path) | {"DOCKER_HOST": _shared_host()}
    _create_context(env, "second", engine2)
    applied = _bakepy(project, env, "apply", "--context", "second", "--progress", "quiet")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    label = f"label={L.PROJECT}={project.name}"
    assert len(_docker(engine2.socket, "ps", "-q", "--filter", label).stdout.split()) == 1
    _docker(engine2.socket, "image", "inspect", f"{project.name}:1")
    assert _docker(_shared_host(), "ps", "-aq", "--filter", label).stdout.split() == []
    # the global spelling, as docker's: `bakepy --context NAME plan`
    planned = subprocess.run(
        [sys.executable, "-m", "bakepy", "--context", "second", "plan", "-f", str(project.folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert planned.returncode == 0, planned.stdout + planned.stderr
    deleted = _bakepy(project, env, "delete", "--context", "second")
    assert deleted.returncode == 0, deleted.stderr


def test_docker_context_variable(project: Project, engine2: SecondEngine, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    _create_context(env, "second", engine2)
    _converges_on_engine2(project, env | {"DOCKER_CONTEXT": "second"}, engine2)


def test_current_context_of_docker_context_use(
    project: Project, engine2: SecondEngine, tmp_path: Path
) -> None:
    env = _clean_env(tmp_path)
    ssh_env = env | {"PATH": f"{engine2.ssh_path}:{env['PATH']}"}
    subprocess.run(
        ["docker", "context", "create", "over-ssh", "--docker", f"host={engine2.ssh_host}"],
        env=ssh_env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        ["docker", "context", "use", "over-ssh"],
        env=ssh_env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    _converges_on_engine2(project, ssh_env, engine2)


def test_unknown_context_is_refused_before_anything_runs(
    project: Project, engine2: SecondEngine, tmp_path: Path
) -> None:
    env = _clean_env(tmp_path)
    result = _bakepy(project, env, "apply", "--context", "nowhere")
    assert result.returncode == 2
    assert result.stderr.startswith("error: Docker context 'nowhere' (from --context)")
    assert "Traceback" not in result.stderr
