"""Host apply with a recording runner: reload vs restart vs daemon-reload, writes, backups."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bakepy import (
    BakepyError,
    DaemonConfig,
    DaemonConfigSpec,
    HostValidationError,
    Project,
    SystemdDropIn,
    SystemdDropInSpec,
    apply_host,
    plan_host,
)
from bakepy.engine.commands import CommandResult, RecordingRunner
from bakepy.engine.host import apply as host_engine, write as host_write
from bakepy.engine.host.keys import daemon_json_changes, drop_in_changes
from bakepy.engine.host.units import command_words, docker_service, parse_unit
from bakepy.errors import CommandError
from bakepy.models.host import DaemonProxies, SystemdServiceSection, SystemdUnitSection, drop_in_for

DAEMON_JSON = Path("etc/docker/daemon.json")
DROP_IN = Path("etc/systemd/system/docker.service.d/bakepy.conf")
DAEMON_RELOAD = ["systemctl", "daemon-reload"]
RESTART = ["systemctl", "restart", "docker.service"]
RELOAD = ["systemctl", "reload", "docker.service"]


def daemon(**spec: Any) -> DaemonConfig:
    return DaemonConfig(metadata="engine", spec=DaemonConfigSpec.model_validate(spec))


def service_drop_in(
    name: str = "tuning", unit: str = "docker.service", **service: Any
) -> SystemdDropIn:
    section = SystemdServiceSection.model_validate(service)
    return SystemdDropIn(metadata=name, spec=SystemdDropInSpec(unit=unit, service=section))


def host_with(root: Path, files: dict[Path, str]) -> Path:
    """A root holding ``files`` (relative path -> text)."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def applied(root: Path, *resources: Any) -> Path:
    """``root`` after applying ``resources`` (so the next plan starts from them)."""
    apply_host(Project(list(resources)), root=root, runner=RecordingRunner())
    return root


def validations(runner: RecordingRunner) -> list[list[str]]:
    return [call for call in runner.calls if "--validate" in call]


def systemctl(runner: RecordingRunner) -> list[list[str]]:
    return [call for call in runner.calls if call[0] == "systemctl"]


@pytest.fixture
def real_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder that bakepy treats as the machine's own ``/`` (systemctl is allowed to run)."""
    root = tmp_path / "system"
    root.mkdir()
    monkeypatch.setattr(host_engine, "SYSTEM_ROOT", root)
    return root


# -- what a change needs -------------------------------------------------------------------


def test_a_fresh_host_gets_both_files_a_daemon_reload_and_a_restart(tmp_path: Path) -> None:
    engine = daemon(hosts=["unix:///var/run/docker.sock"], live_restore=True)
    plan = plan_host(Project([engine, drop_in_for(engine)]), root=tmp_path)
    assert [(f.path, f.status) for f in plan.files] == [
        ("/etc/docker/daemon.json", "create"),
        ("/etc/systemd/system/docker.service.d/bakepy.conf", "create"),
    ]
    assert plan.commands == [DAEMON_RELOAD, RESTART]
    assert [k.describe() for k in plan.files[0].keys] == [
        "+hosts (restart)",
        "+live-restore (reload)",
    ]
    assert plan.files[0].diff.startswith("--- /dev/null\n+++ b/etc/docker/daemon.json\n")
    assert not any(path.exists() for path in tmp_path.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "spec",
    [
        {"debug": True},
        {"labels": ["tier=build"]},
        {"live_restore": True},
        {"max_concurrent_downloads": 6, "max_concurrent_uploads": 2, "max_download_attempts": 3},
        {"registry_mirrors": ["https://mirror.gcr.io"], "insecure_registries": ["r:5000"]},
        {"shutdown_timeout": 30, "authorization_plugins": []},
        {"allow_nondistributable_artifacts": ["r:5000"]},
        {"default_runtime": "crun", "runtimes": {"crun": {"path": "/usr/bin/crun"}}},
        {"features": {"buildkit": True}},
    ],
    ids=lambda spec: ",".join(spec),
)
def test_reloadable_keys_need_only_a_reload(spec: dict[str, Any], tmp_path: Path) -> None:
    root = applied(tmp_path, daemon(log_level="info"))
    plan = plan_host(Project([daemon(log_level="info", **spec)]), root=root)
    assert plan.commands == [RELOAD]
    assert {k.effect for k in plan.files[0].keys} == {"reload"}


@pytest.mark.parametrize(
    "spec",
    [
        {"log_driver": "local"},
        {"data_root": "/srv/docker"},
        {"storage_driver": "overlay2"},
        {"default_address_pools": [{"base": "10.200.0.0/16", "size": 24}]},
        {"proxies": {"https-proxy": "http://proxy:3128"}},
        {"features": {"containerd-snapshotter": True}},
        {"features": {"cdi": True}},
    ],
    ids=lambda spec: ",".join(spec) + str(spec.get("features", "")),
)
def test_other_keys_need_a_restart(spec: dict[str, Any], tmp_path: Path) -> None:
    root = applied(tmp_path, daemon(debug=False))
    plan = plan_host(Project([daemon(debug=False, **spec)]), root=root)
    assert plan.commands == [RESTART]


def test_a_restart_covers_reloadable_keys_changed_with_it(tmp_path: Path) -> None:
    root = applied(tmp_path, daemon(debug=False))
    plan = plan_host(Project([daemon(debug=True, log_driver="local")]), root=root)
    assert plan.commands == [RESTART]
    [action] = plan.actions
    assert action.reasons == ("log-driver: read by dockerd only at start-up",)
    assert [k.describe() for k in plan.files[0].keys] == [
        "~debug (reload)",
        "+log-driver (restart)",
    ]


def test_removing_a_key_a_reload_keeps_needs_a_restart(tmp_path: Path) -> None:
    root = applied(tmp_path, daemon(debug=True, max_concurrent_downloads=6))
    plan = plan_host(Project([daemon(max_concurrent_downloads=6)]), root=root)
    assert plan.commands == [RESTART]
    assert "kept at the old value by a reload when removed" in plan.actions[0].reasons[0]
    reset = plan_host(Project([daemon(debug=True)]), root=root)
    assert reset.commands == [RELOAD]


def test_features_are_judged_one_by_one() -> None:
    changes = daemon_json_changes(
        {"features": {"buildkit": True, "cdi": False}},
        {"features": {"buildkit": False, "cdi": False, "containerd-snapshotter": True}},
    )
    assert [c.describe() for c in changes] == [
        "~features.buildkit (reload)",
        "+features.containerd-snapshotter (restart)",
    ]


def test_a_reformatted_daemon_json_is_rewritten_but_needs_nothing(tmp_path: Path) -> None:
    root = host_with(tmp_path, {DAEMON_JSON: '{"debug":true}'})
    plan = plan_host(Project([daemon(debug=True)]), root=root)
    assert (plan.files[0].status, plan.files[0].keys, plan.commands) == ("update", (), [])
    assert "no reload or restart needed" in plan.render()


def test_a_host_daemon_json_that_is_not_json_needs_a_restart(tmp_path: Path) -> None:
    root = host_with(tmp_path, {DAEMON_JSON: "{ broken"})
    plan = plan_host(Project([daemon(debug=True)]), root=root)
    assert plan.commands == [RESTART]
    assert plan.files[0].notes == ("the file on the host is not a JSON object",)


def test_a_drop_in_changing_the_environment_needs_daemon_reload_and_restart(
    tmp_path: Path,
) -> None:
    root = applied(tmp_path, service_drop_in(environment={"HTTP_PROXY": "http://a:3128"}))
    changed = service_drop_in(environment={"HTTP_PROXY": "http://b:3128"})
    plan = plan_host(Project([changed]), root=root)
    assert plan.commands == [DAEMON_RELOAD, RESTART]
    assert [k.describe() for k in plan.files[0].keys] == ["~Service.Environment (restart)"]


def test_a_drop_in_changing_only_unit_settings_needs_only_daemon_reload(tmp_path: Path) -> None:
    first = SystemdUnitSection(after=["network-online.target"])
    root = applied(
        tmp_path, SystemdDropIn(metadata="order", spec=SystemdDropInSpec(unit_section=first))
    )
    second = SystemdUnitSection(after=["network-online.target", "containerd.service"])
    plan = plan_host(
        Project([SystemdDropIn(metadata="order", spec=SystemdDropInSpec(unit_section=second))]),
        root=root,
    )
    assert plan.commands == [DAEMON_RELOAD]
    assert "no docker.service under the root" in plan.warnings[0]


def test_a_drop_in_changing_the_restart_policy_needs_only_daemon_reload(tmp_path: Path) -> None:
    root = applied(tmp_path, service_drop_in(restart_sec=2, timeout_stop_sec="30s"))
    plan = plan_host(Project([service_drop_in(restart_sec=5, timeout_stop_sec="30s")]), root=root)
    assert plan.commands == [DAEMON_RELOAD]


def test_a_drop_in_for_another_unit_restarts_that_unit(tmp_path: Path) -> None:
    drop_in = service_drop_in("limits", unit="containerd.service", limit_nofile="1048576")
    plan = plan_host(Project([drop_in]), root=tmp_path)
    assert plan.files[0].path == "/etc/systemd/system/containerd.service.d/limits.conf"
    assert plan.commands == [DAEMON_RELOAD, ["systemctl", "restart", "containerd.service"]]


def test_a_unit_without_exec_reload_is_sent_sighup_through_systemctl_kill(
    tmp_path: Path,
) -> None:
    unit = "[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd://\n"
    root = host_with(tmp_path, {Path("usr/lib/systemd/system/docker.service"): unit})
    applied(root, daemon(debug=False))
    plan = plan_host(Project([daemon(debug=True)]), root=root)
    assert plan.commands == [
        ["systemctl", "kill", "--signal=HUP", "--kill-whom=main", "docker.service"]
    ]


def test_drop_in_settings_are_compared_not_their_text() -> None:
    old = "# old header\n[Service]\nEnvironment=A=1\nLimitNOFILE=1024\n"
    new = "# generated by bakepy; do not edit\n\n[Service]\nLimitNOFILE=1024\nEnvironment=A=1\n"
    assert drop_in_changes(old, new) == []
    assert [c.describe() for c in drop_in_changes(old, "[Service]\nLimitNOFILE=1024\n")] == [
        "-Service.Environment (restart)"
    ]


# -- nothing to do ------------------------------------------------------------------------


def test_an_unchanged_host_needs_nothing_and_runs_nothing(real_root: Path) -> None:
    engine = daemon(hosts=["unix:///var/run/docker.sock"], live_restore=True)
    project = Project([engine, drop_in_for(engine)])
    applied(real_root, engine, drop_in_for(engine))
    before = sorted(real_root.rglob("*"))
    runner = RecordingRunner()
    result = apply_host(project, root=real_root, yes=True, runner=runner)
    assert not result.changed
    assert (runner.calls, result.written, result.backup_dir) == ([], (), None)
    assert sorted(real_root.rglob("*")) == before
    assert "nothing to do" in result.render()
    assert json.loads(result.to_json())["plan"]["changed"] is False


def test_a_project_without_host_resources_plans_nothing(tmp_path: Path) -> None:
    plan = plan_host(Project([]), root=tmp_path)
    assert (plan.files, plan.changed) == ((), False)
    assert "nothing to do" in plan.render()


# -- apply: validation, writes, commands ----------------------------------------------------


def test_without_yes_nothing_is_run_and_the_commands_are_listed(real_root: Path) -> None:
    runner = RecordingRunner()
    engine = daemon(hosts=["unix:///var/run/docker.sock"])
    result = apply_host(Project([engine, drop_in_for(engine)]), root=real_root, runner=runner)
    assert systemctl(runner) == []
    assert [list(c) for c in result.pending] == [DAEMON_RELOAD, RESTART]
    assert "not run (apply with --yes to run them):" in result.render()
    assert (real_root / DAEMON_JSON).exists()


def test_yes_on_the_real_root_runs_the_commands_in_order(real_root: Path) -> None:
    runner = RecordingRunner()
    engine = daemon(hosts=["unix:///var/run/docker.sock"])
    result = apply_host(
        Project([engine, drop_in_for(engine)]), root=real_root, yes=True, runner=runner
    )
    assert systemctl(runner) == [DAEMON_RELOAD, RESTART]
    assert [list(c) for c in result.ran] == [DAEMON_RELOAD, RESTART]
    assert result.pending == ()
    assert runner.calls.index(validations(runner)[0]) == 0


def test_yes_under_another_root_never_runs_systemctl(tmp_path: Path) -> None:
    runner = RecordingRunner()
    result = apply_host(Project([daemon(debug=True)]), root=tmp_path, yes=True, runner=runner)
    assert systemctl(runner) == []
    assert [list(c) for c in result.pending] == [RELOAD]
    assert "not run (the root is not /); on the host, run:" in result.render()


def test_validation_passes_the_effective_exec_start_flags(tmp_path: Path) -> None:
    unit = (
        "[Service]\nEnvironmentFile=-/etc/default/docker\n"
        "ExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\nExecReload=/bin/kill -s HUP $MAINPID\n"
    )
    local = (
        "[Service]\nExecStart=\n"
        "ExecStart=/usr/sbin/dockerd --config-file /etc/docker/daemon.json $DOCKER_OPTS\n"
    )
    root = host_with(
        tmp_path,
        {
            Path("lib/systemd/system/docker.service"): unit,
            Path("etc/default/docker"): '# options\nDOCKER_OPTS="--dns 8.8.8.8 --mtu=1400"\n',
            Path("etc/systemd/system/docker.service.d/zz-local.conf"): local,
        },
    )
    runner = RecordingRunner()
    apply_host(Project([daemon(debug=True)]), root=root, runner=runner, dockerd="/x/dockerd")
    [call] = validations(runner)
    assert call[:3] == ["/x/dockerd", "--validate", "--config-file"]
    assert call[4:] == ["--dns", "8.8.8.8", "--mtu=1400"]


def test_validation_sees_the_declared_drop_in(tmp_path: Path) -> None:
    engine = daemon(hosts=["unix:///var/run/docker.sock"])
    runner = RecordingRunner()
    result = apply_host(Project([engine, drop_in_for(engine)]), root=tmp_path, runner=runner)
    [call] = validations(runner)
    assert call[4:] == ["--containerd=/run/containerd/containerd.sock"]
    assert result.validated == (
        "dockerd", "--validate", "--config-file", "/etc/docker/daemon.json",
        "--containerd=/run/containerd/containerd.sock",
    )  # fmt: skip


def test_a_drop_in_alone_validates_the_daemon_json_already_on_the_host(tmp_path: Path) -> None:
    root = host_with(tmp_path, {DAEMON_JSON: '{"hosts": ["unix:///var/run/docker.sock"]}'})
    seen: list[str] = []

    def respond(args: Sequence[str]) -> CommandResult:
        seen.append(Path(args[3]).read_text())
        return CommandResult(0)

    drop_in = service_drop_in("bakepy", exec_start=["/usr/sbin/dockerd"])
    apply_host(Project([drop_in]), root=root, runner=RecordingRunner(respond))
    assert seen == ['{"hosts": ["unix:///var/run/docker.sock"]}']


def test_a_refused_configuration_writes_nothing_and_quotes_dockerd(tmp_path: Path) -> None:
    old = {DAEMON_JSON: '{"debug": true}\n', DROP_IN: "[Service]\nLimitNOFILE=1024\n"}
    root = host_with(tmp_path, old)

    def refuse(args: Sequence[str]) -> CommandResult:
        said = f"unable to configure the Docker daemon with file {args[3]}: bad key"
        return CommandResult(1, "", said + "\n")

    engine = daemon(hosts=["unix:///var/run/docker.sock"])
    runner = RecordingRunner(refuse)
    with pytest.raises(HostValidationError) as caught:
        apply_host(Project([engine, drop_in_for(engine)]), root=root, yes=True, runner=runner)
    assert "with file /etc/docker/daemon.json: bad key" in caught.value.message
    assert "nothing was written" in str(caught.value.diagnostic.hint)
    assert {rel: (root / rel).read_text() for rel in old} == old
    assert not (root / "var").exists()
    assert systemctl(runner) == []


def test_a_missing_dockerd_is_a_clear_error(tmp_path: Path) -> None:
    def missing(args: Sequence[str]) -> CommandResult:
        raise CommandError(f"{args[0]} is not installed or not on PATH")

    with pytest.raises(HostValidationError, match=r"validates daemon\.json with it"):
        apply_host(Project([daemon(debug=True)]), root=tmp_path, runner=RecordingRunner(missing))


def test_a_failing_systemctl_says_the_files_are_written(real_root: Path) -> None:
    def fail_restart(args: Sequence[str]) -> CommandResult:
        failed = list(args) == RESTART
        return (
            CommandResult(1, "", "Job for docker.service failed.") if failed else CommandResult(0)
        )

    with pytest.raises(CommandError, match="the host files are written, but systemctl restart"):
        apply_host(
            Project([daemon(data_root="/srv")]),
            root=real_root,
            yes=True,
            runner=RecordingRunner(fail_restart),
        )
    assert (real_root / DAEMON_JSON).exists()


def test_dry_run_validates_but_writes_and_runs_nothing(real_root: Path) -> None:
    runner = RecordingRunner()
    result = apply_host(
        Project([daemon(debug=True)]), root=real_root, yes=True, dry_run=True, runner=runner
    )
    assert len(validations(runner)) == 1
    assert systemctl(runner) == []
    assert (result.dry_run, result.written, [list(c) for c in result.pending]) == (
        True,
        (),
        [RELOAD],
    )
    assert list(real_root.iterdir()) == []
    assert "dry run: nothing written" in result.render()


def test_the_previous_files_are_backed_up_with_their_mode(tmp_path: Path) -> None:
    root = host_with(tmp_path, {DAEMON_JSON: '{"debug": true}\n'})
    (root / DAEMON_JSON).chmod(0o600)
    result = apply_host(Project([daemon(debug=False)]), root=root, runner=RecordingRunner())
    assert result.backup_dir is not None
    assert result.backup_dir.parent == root / "var/lib/bakepy/backups"
    assert result.backups == (result.backup_dir / DAEMON_JSON,)
    assert result.backups[0].read_text() == '{"debug": true}\n'
    assert (root / DAEMON_JSON).read_text() == '{\n  "debug": false\n}\n'
    assert (root / DAEMON_JSON).stat().st_mode & 0o777 == 0o600
    assert f"cp -a {result.backup_dir}/. {root}/" in result.render()


def test_new_files_are_world_readable_and_leave_no_temporary_files(tmp_path: Path) -> None:
    engine = daemon(hosts=["unix:///var/run/docker.sock"])
    result = apply_host(
        Project([engine, drop_in_for(engine)]), root=tmp_path, runner=RecordingRunner()
    )
    assert result.backup_dir is None
    assert {p.stat().st_mode & 0o777 for p in result.written} == {0o644}
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()) == [
        DAEMON_JSON,
        DROP_IN,
    ]


def test_a_failed_rename_puts_every_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = {DAEMON_JSON: '{"debug": true}\n'}
    root = host_with(tmp_path, old)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if str(dst).endswith("bakepy.conf"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    engine = daemon(hosts=["unix:///var/run/docker.sock"])
    with pytest.raises(
        BakepyError, match="No space left on device; the previous files are in place"
    ):
        apply_host(Project([engine, drop_in_for(engine)]), root=root, runner=RecordingRunner())
    assert (root / DAEMON_JSON).read_text() == old[DAEMON_JSON]
    assert not (root / DROP_IN).exists()
    assert [p.name for p in (root / DROP_IN).parent.iterdir()] == []


def test_a_second_apply_at_the_same_time_is_refused(tmp_path: Path) -> None:
    with host_write.host_lock(tmp_path), pytest.raises(BakepyError, match="another bakepy apply"):
        apply_host(Project([daemon(debug=True)]), root=tmp_path, runner=RecordingRunner())


def test_two_daemon_configs_cannot_share_a_host(tmp_path: Path) -> None:
    other = DaemonConfig(metadata="other", spec=DaemonConfigSpec(debug=True))
    with pytest.raises(BakepyError, match=r"a host has one daemon\.json"):
        plan_host(Project([daemon(debug=False), other]), root=tmp_path)


def test_project_checks_run_first(tmp_path: Path) -> None:
    with pytest.raises(BakepyError, match=r"stock docker\.service starts dockerd with -H fd://"):
        apply_host(
            Project([daemon(hosts=["unix:///var/run/docker.sock"])]),
            root=tmp_path,
            runner=RecordingRunner(),
        )
    assert list(tmp_path.iterdir()) == []


# -- output ---------------------------------------------------------------------------------


def test_render_and_json_show_diff_keys_and_commands_without_passwords(tmp_path: Path) -> None:
    proxies = DaemonProxies(https_proxy="http://builder:s3cret@proxy.corp:3128")
    engine = daemon(proxies=proxies, live_restore=True)
    tuning = service_drop_in(environment={"HTTPS_PROXY": "http://builder:s3cret@proxy.corp:3128"})
    plan = plan_host(Project([engine, tuning]), root=tmp_path)
    text = plan.render()
    assert "s3cret" not in text
    assert "http://builder:***@proxy.corp:3128" in text
    assert "create    /etc/docker/daemon.json  +live-restore (reload), +proxies (restart)" in text
    restart = "  systemctl restart docker.service\n      because proxies: read by dockerd only"
    assert restart in text
    document = json.loads(plan.to_json())
    assert "s3cret" not in plan.to_json()
    assert document["changed"] is True
    assert [a["command"] for a in document["actions"]] == [DAEMON_RELOAD, RESTART]
    assert document["files"][0]["keys"][0] == {
        "key": "live-restore", "change": "added", "effect": "reload",
        "why": "applied by dockerd on SIGHUP",
    }  # fmt: skip


def test_a_restart_without_live_restore_is_warned_about(tmp_path: Path) -> None:
    assert "live-restore is off" in " ".join(
        plan_host(Project([daemon(data_root="/srv")]), root=tmp_path).warnings
    )
    assert not any(
        "live-restore" in w
        for w in plan_host(Project([daemon(live_restore=True)]), root=tmp_path).warnings
    )


def test_a_config_file_flag_elsewhere_is_warned_about(tmp_path: Path) -> None:
    drop_in = service_drop_in(
        "bakepy", exec_start=["/usr/sbin/dockerd", "--config-file=/srv/d.json"]
    )
    plan = plan_host(Project([daemon(debug=True), drop_in]), root=tmp_path)
    assert "dockerd does not read /etc/docker/daemon.json" in " ".join(plan.warnings)


# -- reading units --------------------------------------------------------------------------


def test_unit_parsing_handles_comments_continuations_and_resets(tmp_path: Path) -> None:
    text = (
        '# c\n[Service]\n; c\nExecStart=/usr/bin/dockerd \\\n  -H fd://\nEnvironment="A=1 2" B=3\n'
    )
    assert parse_unit(text) == [
        ("Service", "ExecStart", "/usr/bin/dockerd    -H fd://"),
        ("Service", "Environment", '"A=1 2" B=3'),
    ]
    env = {"OPTS": "-D  --mtu 1", "X": "x"}
    assert command_words('-/usr/bin/dockerd --label=a%%b $OPTS "${X}y"', env) == [
        "/usr/bin/dockerd", "--label=a%b", "-D", "--mtu", "1", "xy",
    ]  # fmt: skip


def test_drop_ins_are_read_across_folders_by_name_with_etc_masking(tmp_path: Path) -> None:
    unit = "[Service]\nExecStart=/usr/sbin/dockerd -H fd://\n"
    root = host_with(
        tmp_path,
        {
            Path("usr/lib/systemd/system/docker.service"): unit,
            Path(
                "usr/lib/systemd/system/docker.service.d/50-vendor.conf"
            ): "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --vendor\n",
            Path(
                "etc/systemd/system/docker.service.d/50-vendor.conf"
            ): "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --masked\n",
            Path(
                "run/systemd/system/docker.service.d/10-run.conf"
            ): "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --run\n",
        },
    )
    assert docker_service(root).exec_start == ("/usr/sbin/dockerd", "--masked")
    overlay = {"60-bakepy.conf": "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --declared\n"}
    assert docker_service(root, overlay).exec_start == ("/usr/sbin/dockerd", "--declared")
    assert docker_service(root, overlay).unit_found


def test_absolute_symlinks_are_followed_inside_the_root(tmp_path: Path) -> None:
    root = host_with(
        tmp_path,
        {Path("lib/systemd/system/docker.service"): "[Service]\nExecStart=/opt/dockerd --inside\n"},
    )
    link = root / "etc/systemd/system/docker.service"
    link.parent.mkdir(parents=True)
    link.symlink_to("/lib/systemd/system/docker.service")
    assert docker_service(root).exec_start == ("/opt/dockerd", "--inside")


def test_a_second_exec_start_without_reset_is_warned_about(tmp_path: Path) -> None:
    drop_in = host_with(
        tmp_path,
        {
            Path(
                "etc/systemd/system/docker.service.d/x.conf"
            ): "[Service]\nExecStart=/usr/sbin/dockerd\n"
        },
    )
    plan = plan_host(Project([daemon(debug=True)]), root=drop_in)
    assert "ends up with 2 ExecStart= commands" in " ".join(plan.warnings)


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() if p.is_file() else ""
        for p in sorted(folder.rglob("*"))
        if not p.is_symlink()
    }


def test_symlinks_in_the_root_never_lead_out_of_it(tmp_path: Path) -> None:
    """A rootfs from an image links etc/docker to /host/docker (absolute): under --root it
    means root/host/docker, never the real /host/docker; a relative link climbing out stops
    at the root. The backups land under the root too."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "daemon.json").write_text('{"debug": true}\n')
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "docker").symlink_to("/host/docker")
    (root / "host" / "docker").mkdir(parents=True)
    (root / "host" / "docker" / "daemon.json").write_text('{"debug": false}\n')
    (root / "etc" / "systemd").symlink_to("../../../outside")
    before = _tree(outside)
    applied(root, daemon(debug=True, log_level="warn"))
    assert _tree(outside) == before  # nothing written (or backed up) outside the root
    written = json.loads((root / "host" / "docker" / "daemon.json").read_text())
    assert written["log-level"] == "warn"
    backups = list((root / "var" / "lib" / "bakepy" / "backups").rglob("daemon.json"))
    assert [json.loads(b.read_text()) for b in backups] == [{"debug": False}]


def test_a_symlink_loop_in_the_root_is_a_clear_error(tmp_path: Path) -> None:
    from bakepy.errors import BakepyError

    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "docker").symlink_to("/etc/docker")  # inside the root: itself
    with pytest.raises(BakepyError, match=r"cannot place /etc/docker/daemon\.json"):
        plan_host(Project([daemon(debug=True)]), root=root)
