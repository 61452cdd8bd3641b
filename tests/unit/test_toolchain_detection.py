"""Which buildx and engine this machine has (bakepy.engine.toolchain): docker is asked once and
the answers kept in the cache folder; with nothing kept, both questions run at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bakepy.engine.toolchain import detect_toolchain, installed_buildx
from bakepy.models.dockerfile.features import builtin_frontend
from bakepy.models.toolchain import Version

# Each question waits (up to 5 s) until the other has started: asked one after the other,
# the first fails, and no version is found.
FAKE_DOCKER = """\
#!/bin/sh
echo "$*" >> "$FAKE_LOG"
wait_for() {
  i=0
  while [ ! -e "$FAKE_MARKS/$1" ] && [ $i -lt "${FAKE_WAIT:-50}" ]; do sleep 0.1; i=$((i+1)); done
  [ -e "$FAKE_MARKS/$1" ]
}
case "$1" in
  buildx) touch "$FAKE_MARKS/buildx"; wait_for engine || exit 1
          echo "github.com/docker/buildx v0.19.2 1fc5647" ;;
  version) touch "$FAKE_MARKS/engine"; wait_for buildx || exit 1; echo "27.3.1" ;;
  *) exit 1 ;;
esac
"""


@pytest.fixture(name="fake_docker")
def fake_docker_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    (tmp_path / "marks").mkdir()
    socket = tmp_path / "docker.sock"
    socket.write_text("")  # stands for the engine's socket: its inode and time key the answer
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "log"))
    monkeypatch.setenv("FAKE_MARKS", str(tmp_path / "marks"))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable in ("BAKEPY_BUILDX_VERSION", "BAKEPY_DOCKERFILE_VERSION", "DOCKER_CONTEXT"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path / "log"


def test_both_versions_are_asked_at_once_then_kept(fake_docker: Path) -> None:
    toolchain = detect_toolchain(engine=True)
    assert toolchain.buildx == Version(0, 19, 2)
    assert toolchain.dockerfile == builtin_frontend(Version(27, 3, 1))
    assert sorted(fake_docker.read_text().splitlines()) == [
        "buildx version",
        "version --format {{.Server.Version}}",
    ]
    assert detect_toolchain(engine=True) == toolchain  # kept: docker is not asked again
    assert installed_buildx() == Version(0, 19, 2)
    assert len(fake_docker.read_text().splitlines()) == 2


def test_a_version_given_asks_docker_nothing(
    fake_docker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKEPY_BUILDX_VERSION", "0.13")
    monkeypatch.setenv("BAKEPY_DOCKERFILE_VERSION", "1.7")
    toolchain = detect_toolchain(engine=True)
    assert (toolchain.buildx, toolchain.dockerfile) == (Version(0, 13, 0), Version(1, 7, 0))
    assert not fake_docker.exists()


def test_a_failing_docker_gives_no_version_and_that_is_kept_too(
    fake_docker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # asked alone, the buildx question waits for an engine question that never comes
    monkeypatch.setenv("FAKE_WAIT", "2")
    assert installed_buildx() is None
    assert installed_buildx() is None
    assert fake_docker.read_text().splitlines() == ["buildx version"]  # "none" is kept too
