"""Shared fixtures: the real Docker tools (required in CI, skipped with a reason elsewhere)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
REQUIRE_ENGINE = os.environ.get("BAKEPY_REQUIRE_ENGINE") == "1"


def _missing(reason: str) -> None:
    """Fail in CI (the engine must be there), skip with the reason elsewhere."""
    if REQUIRE_ENGINE:
        pytest.fail(f"BAKEPY_REQUIRE_ENGINE=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


_SESSION_VARIABLES = ("BAKEPY_STATE_DIR", "BAKEPY_CACHE_DIR")
_saved: dict[str, str | None] = {}
_SESSION_FOLDER = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """State and cache folders of the whole run, set before anything is collected: module-level
    code (``TOOLCHAIN = Toolchain(buildx=installed_buildx())``) and session or module fixtures
    run before a test's own folders, and wrote ``~/.cache/bakepy`` without these."""
    folder = Path(tempfile.mkdtemp(prefix="bakepy-tests-"))
    config.stash[_SESSION_FOLDER] = folder
    for name, sub in zip(_SESSION_VARIABLES, ("state", "cache"), strict=True):
        _saved[name] = os.environ.get(name)
        os.environ[name] = str(folder / sub)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put the variables back and remove the run's folders."""
    for name in _SESSION_VARIABLES:
        value = _saved.pop(name, None)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    folder = config.stash.get(_SESSION_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def state(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test keeps bakepy's state (locks, secret files, records) and its cache (parsed
    HCL, ``bakepy print`` results) in folders of its own, never the developer's
    ``~/.local/state/bakepy`` or ``~/.cache/bakepy``; child processes inherit them.

    bakepy reads bake files for the newest buildx, and Dockerfiles for any frontend, unless a
    test says otherwise (``BAKEPY_BUILDX_VERSION``, ``BAKEPY_DOCKERFILE_VERSION``, a
    toolchain): what a test expects must not depend on the tools installed where it runs. The
    conformance tests that compare with the installed buildx target it explicitly."""
    folder = tmp_path / "state"
    monkeypatch.setenv("BAKEPY_STATE_DIR", str(folder))
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("BAKEPY_BUILDX_VERSION", "latest")
    monkeypatch.setenv("BAKEPY_DOCKERFILE_VERSION", "latest")
    return folder


@pytest.fixture(scope="session")
def buildx() -> str:
    """The docker CLI with the buildx plugin (``bake --print`` needs no daemon)."""
    docker = shutil.which("docker")
    if docker is None:
        _missing("the docker CLI is not installed (run scripts/engine-up.sh)")
    assert docker is not None
    if _run(docker, "buildx", "version").returncode != 0:
        _missing("docker buildx is not installed (run scripts/engine-up.sh)")
    return docker


@pytest.fixture(scope="session")
def docker_engine(buildx: str) -> str:
    """A reachable Docker engine; returns the docker CLI path."""
    result = _run(buildx, "version", "--format", "{{.Server.Version}}")
    if result.returncode != 0 or not result.stdout.strip():
        _missing("no Docker engine is reachable (run scripts/engine-up.sh)")
    return buildx


@pytest.fixture(scope="session")
def base_image(docker_engine: str) -> str:
    """The local multi-platform base image that scripts/engine-up.sh imports."""
    image = os.environ.get("BAKEPY_BASE_IMAGE")
    if not image:
        _missing("BAKEPY_BASE_IMAGE is not set (source the env file engine-up.sh writes)")
    assert image is not None
    return image


@pytest.fixture(scope="session")
def registry(docker_engine: str) -> str:
    """The local registry (host:port) that scripts/engine-up.sh starts."""
    registry = os.environ.get("BAKEPY_REGISTRY")
    if not registry:
        _missing("BAKEPY_REGISTRY is not set (source the env file engine-up.sh writes)")
    assert registry is not None
    return registry


@pytest.fixture(scope="session")
def docker_compose(buildx: str) -> str:
    """The docker CLI with the compose plugin (``compose config`` needs no daemon)."""
    if _run(buildx, "compose", "version").returncode != 0:
        _missing("docker compose is not installed (run scripts/engine-up.sh)")
    return buildx


@pytest.fixture(scope="session")
def dockerd() -> str:
    """dockerd 23+ (``--validate`` judges a daemon.json without starting a daemon, as any user)."""
    found = shutil.which("dockerd") or next(
        (p for p in ("/usr/sbin/dockerd", "/usr/bin/dockerd") if os.access(p, os.X_OK)), None
    )
    if found is None:
        _missing("dockerd is not installed (run scripts/engine-up.sh)")
    assert found is not None
    if "--validate" not in _run(found, "--help").stdout:
        _missing(f"{found} has no --validate (Engine 23+ is needed)")
    return found


@pytest.fixture(scope="session")
def systemd_analyze() -> str:
    """systemd-analyze, whose ``verify`` checks unit files offline (PID 1 need not be systemd)."""
    found = shutil.which("systemd-analyze")
    if found is None or _run(found, "--version").returncode != 0:
        _missing("systemd-analyze is not installed (apt-get install systemd)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def graphviz_dot() -> str:
    """Graphviz's ``dot``, which judges ``bakepy graph --format dot``."""
    found = shutil.which("dot")
    if found is None or _run(found, "-V").returncode != 0:
        _missing("graphviz is not installed (apt-get install graphviz)")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def swarm(docker_engine: str) -> Iterator[None]:
    """A single-node swarm: this machine's, or one made for the tests and left afterwards."""
    state = _run(docker_engine, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()
    if state == "active":
        yield
        return
    if state != "inactive":
        _missing(f"this node's swarm state is {state!r}")
    joined = _run(docker_engine, "swarm", "init", "--advertise-addr", "127.0.0.1")
    if joined.returncode != 0:
        _missing(f"docker swarm init failed: {joined.stderr.strip()}")
    try:
        yield
    finally:
        _run(docker_engine, "swarm", "leave", "--force")
