"""Host apply into a throw-away root, judged by the real ``dockerd --validate``.

The root stands in for a host: bakepy writes ``etc/docker/daemon.json`` and
``etc/systemd/system/docker.service.d/*.conf`` under it, keeps backups in
``var/lib/bakepy/backups``, and never runs systemctl for it. dockerd validates the new
daemon.json with the flags the root's docker.service would pass, so a refusal leaves the
old files exactly as they were.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from conftest import _missing

from bakepy import (
    DaemonConfig,
    DaemonConfigSpec,
    HostValidationError,
    Project,
    apply_host,
    load,
    plan_host,
)
from bakepy.engine.commands import CommandResult, SubprocessRunner
from bakepy.models.host import drop_in_for

pytestmark = pytest.mark.conformance

REPO = Path(__file__).resolve().parents[2]
DAEMON_JSON = Path("etc/docker/daemon.json")
DROP_INS = Path("etc/systemd/system/docker.service.d")
DEBIAN_UNIT = (
    "[Service]\nType=notify\nEnvironmentFile=-/etc/default/docker\n"
    "ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock "
    "$DOCKER_OPTS\nExecReload=/bin/kill -s HUP $MAINPID\n"
)
"""docker.io's docker.service on Debian, as far as ExecStart and its options go (specs §3.3)."""


class Recording(SubprocessRunner):
    """Runs commands for real, records them, and refuses to run systemctl at all."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> CommandResult:
        """Record, then run (never systemctl: the root is not the machine's)."""
        assert "systemctl" not in args[0], args
        self.calls.append(list(args))
        return super().run(args, cwd=cwd, env=env, stream=stream)


def host_with(root: Path, files: Mapping[Path, str]) -> dict[Path, str]:
    """Write ``files`` under ``root``; return them for comparing later."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return dict(files)


def files_under(root: Path) -> dict[Path, str]:
    """Every file under ``root`` and its text."""
    return {p.relative_to(root): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def engine_with_hosts(**spec: object) -> DaemonConfig:
    """A daemon.json that sets ``hosts``, which conflicts with ``-H fd://``."""
    return DaemonConfig(
        metadata="engine",
        spec=DaemonConfigSpec.model_validate(
            {"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"], **spec}
        ),
    )


def test_apply_shows_the_diff_writes_backs_up_and_a_second_apply_is_a_no_op(
    dockerd: str, tmp_path: Path
) -> None:
    old = json.dumps({"debug": True, "log-level": "info"}, indent=2) + "\n"
    host_with(tmp_path, {DAEMON_JSON: old, Path("lib/systemd/system/docker.service"): DEBIAN_UNIT})
    engine = engine_with_hosts(live_restore=True, log_level="warn")
    project = Project([engine, drop_in_for(engine)])

    plan = plan_host(project, root=tmp_path)
    daemon_json, drop_in = plan.files
    assert (daemon_json.status, drop_in.status) == ("update", "create")
    for line in ('-  "debug": true,', '-  "log-level": "info"', '+  "log-level": "warn"'):
        assert line in daemon_json.diff.splitlines()
    assert drop_in.diff.startswith("--- /dev/null\n+++ b/etc/systemd/system/docker.service.d/")

    runner = Recording()
    result = apply_host(project, root=tmp_path, yes=True, runner=runner, dockerd=dockerd)
    [validation] = runner.calls
    assert validation[:3] == [dockerd, "--validate", "--config-file"]
    assert validation[4:] == ["--containerd=/run/containerd/containerd.sock"]
    assert (tmp_path / DAEMON_JSON).read_text() == daemon_json.text
    assert (tmp_path / DROP_INS / "bakepy.conf").read_text() == drop_in.text
    assert result.backup_dir is not None
    assert files_under(result.backup_dir) == {DAEMON_JSON: old}
    assert [list(c) for c in result.pending] == [
        ["systemctl", "daemon-reload"],
        ["systemctl", "restart", "docker.service"],
    ]
    assert result.ran == ()

    after = files_under(tmp_path)
    runner = Recording()
    again = apply_host(project, root=tmp_path, yes=True, runner=runner, dockerd=dockerd)
    assert (again.changed, again.written, again.pending, runner.calls) == (False, (), (), [])
    assert files_under(tmp_path) == after
    assert "nothing to do" in again.render()


def test_a_reloadable_change_passes_dockerd_and_needs_only_a_reload(
    dockerd: str, tmp_path: Path
) -> None:
    host_with(tmp_path, {Path("lib/systemd/system/docker.service"): DEBIAN_UNIT})
    first = DaemonConfig(metadata="engine", spec=DaemonConfigSpec(log_driver="local"))
    apply_host(Project([first]), root=tmp_path, runner=Recording(), dockerd=dockerd)
    changed = DaemonConfig(
        metadata="engine",
        spec=DaemonConfigSpec(log_driver="local", labels=["tier=build"], debug=True),
    )
    result = apply_host(Project([changed]), root=tmp_path, runner=Recording(), dockerd=dockerd)
    assert result.validated[:2] == ("dockerd", "--validate")
    assert [list(c) for c in result.pending] == [["systemctl", "reload", "docker.service"]]
    assert json.loads((tmp_path / DAEMON_JSON).read_text())["labels"] == ["tier=build"]


def test_a_local_drop_in_passing_the_same_flag_makes_dockerd_refuse_and_nothing_changes(
    dockerd: str, tmp_path: Path
) -> None:
    # An administrator's override sorts after bakepy.conf, so its ExecStart wins and passes -H.
    local = "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd://\n"
    before = host_with(
        tmp_path,
        {
            DAEMON_JSON: '{"debug": true}\n',
            DROP_INS / "zz-local.conf": local,
            DROP_INS / "bakepy.conf": "[Service]\nLimitNOFILE=1024\n",
        },
    )
    engine = engine_with_hosts()
    with pytest.raises(HostValidationError) as caught:
        apply_host(Project([engine, drop_in_for(engine)]), root=tmp_path, dockerd=dockerd)
    assert "specified both as a flag and in the configuration file: hosts" in caught.value.message
    assert "file /etc/docker/daemon.json" in caught.value.message
    assert "-H fd://" in str(caught.value.diagnostic.hint)
    assert files_under(tmp_path) == before


def test_options_from_the_environment_file_reach_dockerd(dockerd: str, tmp_path: Path) -> None:
    before = host_with(
        tmp_path,
        {
            Path("lib/systemd/system/docker.service"): DEBIAN_UNIT,
            Path("etc/default/docker"): 'DOCKER_OPTS="--dns 1.1.1.1"\n',
        },
    )
    engine = DaemonConfig(metadata="engine", spec=DaemonConfigSpec(dns=["9.9.9.9"]))
    with pytest.raises(HostValidationError, match="configuration file: dns"):
        apply_host(Project([engine]), root=tmp_path, dockerd=dockerd)
    assert files_under(tmp_path) == before


@pytest.fixture
def tls_root(tmp_path: Path) -> Path:
    """A root with the example's certificate files in etc/docker/tls (one self-signed cert)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        _missing("openssl is not installed (apt-get install openssl)")
    assert openssl is not None
    folder = tmp_path / "root" / "etc" / "docker" / "tls"
    folder.mkdir(parents=True)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    out = ["-keyout", "server-key.pem", "-out", "server-cert.pem", "-days", "1"]
    command = [openssl, "req", "-x509", *key, *out, "-subj", "/CN=localhost"]
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=60)
    shutil.copy(folder / "server-cert.pem", folder / "ca.pem")
    return tmp_path / "root"


def test_the_example_host_applies_with_its_certificates_under_the_root(
    dockerd: str, tls_root: Path
) -> None:
    project = load([REPO / "examples" / "engine-host" / "bakepy.py"])
    result = apply_host(project, root=tls_root, runner=Recording(), dockerd=dockerd)
    assert sorted(str(p.relative_to(tls_root)) for p in result.written) == [
        "etc/docker/daemon.json",
        "etc/systemd/system/docker.service.d/bakepy.conf",
    ]
    written = json.loads((tls_root / DAEMON_JSON).read_text())
    assert written["tlscacert"] == "/etc/docker/tls/ca.pem"  # the host's path, not the root's


def test_certificates_dockerd_cannot_load_are_refused_before_writing(
    dockerd: str, tls_root: Path
) -> None:
    # The model accepts any path; dockerd opens the files and refuses a missing key.
    (tls_root / "etc/docker/tls/server-key.pem").unlink()
    host_with(tls_root, {DAEMON_JSON: '{"debug": true}\n'})
    before = files_under(tls_root)
    project = load([REPO / "examples" / "engine-host" / "bakepy.py"])
    with pytest.raises(HostValidationError, match="TLS"):
        apply_host(project, root=tls_root, dockerd=dockerd)
    assert files_under(tls_root) == before
