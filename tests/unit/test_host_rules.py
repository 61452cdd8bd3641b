"""A host's files together: daemon.json against docker.service's ExecStart, and their rendering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bakepy import (
    DaemonConfig,
    DaemonConfigSpec,
    Project,
    SystemdDropIn,
    SystemdDropInSpec,
    ValidationError,
    render,
)
from bakepy.errors import Diagnostic
from bakepy.generators.files import RenderOptions
from bakepy.generators.host import render_host_files
from bakepy.models.host import drop_in_for
from bakepy.resolution.checks.host import check_host, command_flags

UNIX = "unix:///var/run/docker.sock"


def daemon(name: str = "engine", **data: Any) -> DaemonConfig:
    return DaemonConfig(metadata=name, spec=DaemonConfigSpec.model_validate(data))


def drop_in(*command: str, name: str = "bakepy", unit: str = "docker.service") -> SystemdDropIn:
    spec = SystemdDropInSpec(unit=unit, service={"ExecStart": list(command)})
    return SystemdDropIn(metadata=name, spec=spec)


def problems(*resources: Any) -> list[Diagnostic]:
    return check_host(Project(resources))


def test_hosts_without_a_drop_in_conflict_with_the_stock_unit() -> None:
    engine = daemon(hosts=[UNIX])
    [problem] = problems(engine)
    assert "the stock docker.service starts dockerd with -H fd://" in problem.message
    assert "specified both as a flag and in the configuration file" in problem.message
    assert problem.location.field_path == ("spec", "hosts")
    assert problem.hint is not None
    assert "drop_in_for(engine)" in problem.hint


def test_the_hint_gives_the_command_for_yaml() -> None:
    [problem] = problems(daemon(hosts=[UNIX]))
    assert problem.hint is not None
    expected = "ExecStart: [/usr/sbin/dockerd, --containerd=/run/containerd/containerd.sock]"
    assert expected in problem.hint


def test_containerd_without_a_drop_in_conflicts_with_the_stock_unit() -> None:
    [problem] = problems(daemon(containerd="/run/c.sock"))
    assert "starts dockerd with --containerd=/run/containerd/containerd.sock" in problem.message
    assert problem.location.field_path == ("spec", "containerd")


def test_drop_in_for_resolves_the_conflict() -> None:
    engine = daemon(hosts=[UNIX], containerd="/run/c.sock")
    assert problems(engine, drop_in_for(engine)) == []


def test_a_daemon_without_hosts_needs_no_drop_in() -> None:
    assert problems(daemon(debug=True)) == []


def test_a_drop_in_still_passing_dash_h_is_refused() -> None:
    [problem] = problems(daemon(hosts=[UNIX]), drop_in("/usr/sbin/dockerd", "-H", "fd://"))
    assert problem.message.startswith("ExecStart passes -H fd://, but DaemonConfig/engine sets")
    assert problem.location.resource == "SystemdDropIn/bakepy"
    assert problem.location.field_path == ("spec", "Service", "ExecStart", 1)


def test_long_host_flag_with_equals_is_found() -> None:
    [problem] = problems(daemon(hosts=[UNIX]), drop_in("/usr/sbin/dockerd", "--host=fd://"))
    assert "ExecStart passes --host=fd://" in problem.message


@pytest.mark.parametrize(
    ("flag", "data"),
    [
        ("--debug", {"debug": True}),
        ("-D", {"debug": False}),
        ("--log-level=warn", {"log-level": "warn"}),
        ("--registry-mirror=https://m", {"registry-mirrors": ["https://m"]}),
        ("--http-proxy=http://p", {"proxies": {"http-proxy": "http://p"}}),
    ],
)
def test_any_flag_that_daemon_json_also_sets_is_refused(flag: str, data: dict[str, Any]) -> None:
    [problem] = problems(daemon(**data), drop_in("/usr/sbin/dockerd", flag))
    assert "specified both as a flag and in the configuration file" in problem.message


def test_add_runtime_merges_with_runtimes() -> None:
    engine = daemon(runtimes={"crun": {"path": "/usr/bin/crun"}})
    assert problems(engine, drop_in("/usr/sbin/dockerd", "--add-runtime", "x=/usr/bin/x")) == []


def test_drop_ins_of_other_units_are_not_docker_service() -> None:
    other = drop_in("/usr/bin/containerd", unit="containerd.service")
    assert len(problems(daemon(hosts=[UNIX]), other)) == 1


def test_the_last_drop_in_by_file_name_sets_exec_start() -> None:
    stale = drop_in("/usr/sbin/dockerd", "-H", "fd://", name="10-stale")
    fixed = drop_in("/usr/sbin/dockerd", name="20-fixed")
    assert problems(daemon(hosts=[UNIX]), fixed, stale) == []


def test_an_earlier_drop_in_does_not_override_a_later_one() -> None:
    stale = drop_in("/usr/sbin/dockerd", "-H", "fd://", name="10-stale")
    early = drop_in("/usr/sbin/dockerd", name="00-early")
    [problem] = problems(daemon(hosts=[UNIX]), early, stale)
    assert problem.location.resource == "SystemdDropIn/10-stale"


def test_two_drop_ins_rendering_one_path_are_refused() -> None:
    first = drop_in("/usr/sbin/dockerd", name="a")
    second = SystemdDropIn(
        metadata="b", spec=SystemdDropInSpec(file="a.conf", service={"LimitNOFILE": 1})
    )
    [problem] = problems(first, second)
    assert (
        problem.message == "SystemdDropIn/b and SystemdDropIn/a both render docker.service.d/a.conf"
    )


def test_command_flags_pair_a_flag_with_its_value() -> None:
    assert command_flags(["/usr/sbin/dockerd", "-H", "fd://", "--debug", "--tls=true"]) == [
        (1, "-H fd://", "hosts"),
        (3, "--debug", "debug"),
        (4, "--tls=true", "tls"),
    ]


def files(*resources: Any) -> dict[str, str]:
    rendered = render_host_files(Project(resources), Path("out"), RenderOptions())
    return {file.path: file.text for file in rendered}


def test_one_daemon_renders_daemon_json_with_sorted_keys_and_no_header() -> None:
    text = files(daemon(debug=True, **{"live-restore": True}))["daemon.json"]
    assert text == '{\n  "debug": true,\n  "live-restore": true\n}\n'


def test_several_daemons_render_name_daemon_json() -> None:
    assert set(files(daemon("a"), daemon("b"))) == {"a.daemon.json", "b.daemon.json"}


def test_daemon_json_has_no_comment_key() -> None:
    assert "//" not in json.loads(files(daemon(debug=True))["daemon.json"])


def test_drop_ins_render_under_their_unit_folder() -> None:
    rendered = files(drop_in("/usr/sbin/dockerd"))
    assert list(rendered) == ["docker.service.d/bakepy.conf"]
    assert rendered["docker.service.d/bakepy.conf"].startswith(
        "# generated by bakepy; do not edit\n"
    )


def test_render_runs_the_host_rules(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"stock docker\.service"):
        render(Project([daemon(hosts=[UNIX])]), tmp_path)


@pytest.mark.parametrize(
    "flags",
    [
        ("-H", "tcp://0.0.0.0:2375"),
        ("-H=tcp://0.0.0.0:2375",),
        ("-Htcp://0.0.0.0:2375",),
        ("--host", "tcp://:2375"),
        ("--host=0.0.0.0:2375",),
        ("-H", "tcp://[::]:2375"),
        ("-H", "tcp://10.0.0.5:2376", "--tls", "--tlscert=c", "--tlskey=k"),  # TLS, no verify
    ],
)
def test_an_open_tcp_host_on_exec_start_is_refused_as_in_daemon_json(
    flags: tuple[str, ...],
) -> None:
    found = problems(drop_in("/usr/bin/dockerd", "-H", "fd://", *flags))
    assert len(found) == 1
    assert "without TLS client verification" in found[0].message
    assert "ExecStart" in str(found[0].location.field_path)


@pytest.mark.parametrize(
    "extra",
    [
        (("-H", "tcp://127.0.0.1:2375"), {}),
        (("-H", "unix:///run/x.sock"), {}),
        (
            (
                "-H",
                "tcp://0.0.0.0:2376",
                "--tlsverify",
                "--tlscacert=a",
                "--tlscert=b",
                "--tlskey=c",
            ),
            {},
        ),
        (
            ("-H", "tcp://0.0.0.0:2376"),
            {"tlsverify": True, "tlscacert": "/a", "tlscert": "/b", "tlskey": "/c"},
        ),
        (("-H", "tcp://0.0.0.0:2375"), {"i_understand_tcp_without_tls_is_root_for_anyone": True}),
    ],
)
def test_a_verified_or_local_host_passes(extra: tuple[tuple[str, ...], dict[str, Any]]) -> None:
    flags, settings = extra
    resources: list[Any] = [drop_in("/usr/bin/dockerd", *flags)]
    if settings:
        resources.append(daemon(**settings))
    assert [p for p in problems(*resources) if "TLS client verification" in p.message] == []


def drop_in_with_environment(command: list[str], environment: dict[str, str]) -> SystemdDropIn:
    service = {"ExecStart": command, "Environment": environment}
    return SystemdDropIn(
        metadata="bakepy", spec=SystemdDropInSpec(unit="docker.service", service=service)
    )


@pytest.mark.parametrize(
    ("word", "name", "value"),
    [
        ("$OPTS", "OPTS", "-H tcp://0.0.0.0:2375"),  # a word of its own: split at blanks
        ("${OPTS}", "OPTS", "--host=tcp://0.0.0.0:2375"),  # one word, the exact value
        ("--host=${ADDRESS}", "ADDRESS", "tcp://0.0.0.0:2375"),  # replaced inside a word
    ],
)
def test_an_open_host_hidden_in_an_environment_variable_is_refused(
    word: str, name: str, value: str
) -> None:
    found = problems(drop_in_with_environment(["/usr/bin/dockerd", word], {name: value}))
    assert len(found) == 1
    assert "without TLS client verification" in found[0].message
    assert found[0].location.field_path[-2:] == ("ExecStart", 1)


def test_a_variable_that_is_not_set_expands_to_nothing() -> None:
    command = ["/usr/bin/dockerd", "$DOCKER_OPTS", "-H", "tcp://127.0.0.1:2375"]
    assert problems(drop_in_with_environment(command, {})) == []


def test_a_daemon_json_key_hidden_in_an_environment_variable_conflicts() -> None:
    command = ["/usr/bin/dockerd", "$OPTS"]
    found = problems(drop_in_with_environment(command, {"OPTS": "-H fd://"}), daemon(hosts=[UNIX]))
    assert [p.message.split(",")[0] for p in found] == ["ExecStart passes -H fd://"]
