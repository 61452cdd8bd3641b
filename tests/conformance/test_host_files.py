"""dockerd and systemd judge the host files.

``dockerd --validate --config-file daemon.json <flags of docker.service's ExecStart>`` runs
dockerd's own start-up checks (unknown keys, JSON types, flag conflicts, TLS files) without a
daemon; ``systemd-analyze verify`` loads docker.service with the rendered drop-ins from a
throw-away root. Every rendered file must pass; every file bakepy refuses is shown to be
refused by the tool too, or documented as one the tool accepts (silently ignored keys, rules
dockerd only enforces at start-up or never).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import _missing
from pydantic import ValidationError

from bakepy import (
    DaemonConfig,
    DaemonConfigSpec,
    Project,
    SystemdDropIn,
    SystemdDropInSpec,
    load,
    render,
)
from bakepy.generators.files import RenderOptions
from bakepy.models.host import (
    DaemonAddressPool,
    DaemonBuilder,
    DaemonBuilderEntitlements,
    DaemonBuilderGC,
    DaemonBuilderGCPolicy,
    DaemonBuilderHistory,
    DaemonProxies,
    DaemonRuntime,
    DaemonUlimit,
    SystemdServiceSection,
    SystemdUnitSection,
    drop_in_for,
)
from bakepy.resolution.checks.host import check_host, docker_service_command

pytestmark = pytest.mark.conformance

REPO = Path(__file__).resolve().parents[2]
STOCK_FLAGS = ["-H", "fd://", "--containerd=/run/containerd/containerd.sock"]
TLS_KEYS = ("tlscacert", "tlscert", "tlskey")
UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
FALLBACK_UNITS = {
    "docker.service": "[Unit]\nRequires=docker.socket\nAfter=docker.socket\n\n[Service]\n"
    "Type=notify\nExecStart=/usr/sbin/dockerd -H fd:// "
    "--containerd=/run/containerd/containerd.sock\nExecReload=/bin/kill -s HUP $MAINPID\n",
    "docker.socket": "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n",
}
"""Used only where docker.io's own units are not installed (the stock ExecStart, §3.3)."""


# -- dockerd --validate -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A throw-away self-signed certificate (also its own CA): dockerd loads the files."""
    openssl = shutil.which("openssl")
    if openssl is None:
        _missing("openssl is not installed (apt-get install openssl)")
    assert openssl is not None
    folder = tmp_path_factory.mktemp("tls")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    files = ["-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost"]
    command = [openssl, "req", "-x509", *key, *files]
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=60)
    return {
        "tlscacert": str(folder / "cert.pem"),
        "tlscert": str(folder / "cert.pem"),
        "tlskey": str(folder / "key.pem"),
    }


def validate(
    dockerd: str, document: dict[str, Any], flags: list[str], folder: Path
) -> subprocess.CompletedProcess[str]:
    """``dockerd --validate`` of ``document`` written as a file, with the unit's flags."""
    path = folder / "daemon.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return subprocess.run(
        [dockerd, "--validate", "--config-file", str(path), *flags],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def accepted(result: subprocess.CompletedProcess[str]) -> bool:
    """dockerd says ``configuration OK`` on stderr and exits 0, or it refused the file."""
    if result.returncode == 0:
        assert result.stderr.strip() == "configuration OK", result.stderr
        return True
    assert "configuration OK" not in result.stderr
    return False


def rendered(project: Project, folder: Path) -> dict[str, str]:
    """The project's rendered files (checked first, as ``bakepy render`` does)."""
    return {f.path: f.text for f in render(project, folder / "out", RenderOptions())}


def execstart_flags(project: Project) -> list[str]:
    """The flags docker.service starts dockerd with, after the project's drop-ins."""
    return docker_service_command(project)[0][1:]


def with_tls(document: dict[str, Any], tls_files: dict[str, str]) -> dict[str, Any]:
    """The same daemon.json with its certificate paths pointing at real files."""
    return {**document, **{k: tls_files[k] for k in TLS_KEYS if k in document}}


def test_dockerd_accepts_the_example_daemon_json(
    dockerd: str, tls_files: dict[str, str], tmp_path: Path
) -> None:
    project = load([REPO / "examples" / "engine-host" / "bakepy.py"])
    document = with_tls(json.loads(rendered(project, tmp_path)["daemon.json"]), tls_files)
    flags = execstart_flags(project)
    assert "-H" not in flags
    assert accepted(validate(dockerd, document, flags, tmp_path))


def every_key() -> DaemonConfigSpec:
    """A daemon.json that sets almost every key dockerd 26.1 reads, with valid values."""
    return DaemonConfigSpec(
        allow_nondistributable_artifacts=["registry.corp.example:5000"],
        api_cors_header="https://ui.corp.example",
        authorization_plugins=[],
        bip="172.30.0.1/16",
        builder=DaemonBuilder(
            gc=DaemonBuilderGC(
                enabled=True,
                default_keep_storage="20GB",
                policy=[
                    DaemonBuilderGCPolicy(keep_storage="10GB", filter=["unused-for=168h"]),
                    DaemonBuilderGCPolicy(keep_storage="50GB", all=True),
                ],
            ),
            entitlements=DaemonBuilderEntitlements(network_host=True, security_insecure=False),
            history=DaemonBuilderHistory(max_age="48h", max_entries=50),
        ),
        cdi_spec_dirs=["/etc/cdi"],
        cgroup_parent="docker.slice",
        containerd="/run/containerd/containerd.sock",
        containerd_namespace="moby",
        containerd_plugins_namespace="plugins.moby",
        cpu_rt_period=1000000,
        cpu_rt_runtime=950000,
        cri_containerd=False,
        data_root="/var/lib/docker",
        debug=False,
        default_address_pools=[
            DaemonAddressPool(base="10.200.0.0/16", size=24),
            DaemonAddressPool(base="fd00:dead::/48", size=64),
        ],
        default_cgroupns_mode="private",
        default_gateway="172.30.0.254",
        default_gateway_v6="fd00:1::1",
        default_ipc_mode="private",
        default_network_opts={"bridge": {"com.docker.network.driver.mtu": "1400"}},
        default_runtime="runc",
        default_shm_size="128M",
        default_ulimits={"nofile": DaemonUlimit(soft=65536, hard=1048576)},
        dns=["1.1.1.1", "2606:4700:4700::1111"],
        dns_opts=["ndots:2"],
        dns_search=["corp.example"],
        exec_opts=["native.cgroupdriver=systemd"],
        exec_root="/var/run/docker",
        experimental=False,
        features={"containerd-snapshotter": True, "cdi": False},
        fixed_cidr="172.30.1.0/24",
        fixed_cidr_v6="fd00:1::/64",
        group="root",
        host_gateway_ip="172.30.0.1",
        hosts=["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"],
        icc=True,
        init=True,
        init_path="/usr/bin/docker-init",
        insecure_registries=["10.0.0.0/8", "registry.local:5000"],
        ip="0.0.0.0",
        ip_forward=True,
        ip_masq=True,
        ip6tables=True,
        iptables=True,
        ipv6=True,
        labels=["region=eu-west", "tier=build"],
        live_restore=True,
        log_driver="json-file",
        log_format="json",
        log_level="info",
        log_opts={"max-size": "10m", "max-file": "3", "compress": "true"},
        max_concurrent_downloads=6,
        max_concurrent_uploads=4,
        max_download_attempts=5,
        metrics_addr="127.0.0.1:9323",
        mtu=1500,
        network_control_plane_mtu=1500,
        network_diagnostic_port=0,
        no_new_privileges=False,
        node_generic_resources=["gpu=1"],
        pidfile="/var/run/docker.pid",
        proxies=DaemonProxies(
            http_proxy="http://proxy:3128", https_proxy="http://proxy:3128", no_proxy="localhost"
        ),
        raw_logs=False,
        registry_mirrors=["https://mirror.gcr.io"],
        runtimes={
            "crun": DaemonRuntime(path="/usr/bin/crun", runtime_args=["--debug"]),
            "gvisor": DaemonRuntime(
                runtime_type="io.containerd.runsc.v1",
                options={"ConfigPath": "/etc/containerd/runsc.toml"},
            ),
        },
        seccomp_profile="builtin",
        selinux_enabled=False,
        shutdown_timeout=15,
        storage_driver="overlay2",
        storage_opts=["overlay2.override_kernel_check=true"],
        swarm_default_advertise_addr="eth0",
        userland_proxy=True,
        userland_proxy_path="/bin/sh",
    )


VALID_SPECS = {
    "every-key": every_key,
    "empty": DaemonConfigSpec,
    "tcp-opt-in": lambda: DaemonConfigSpec(
        hosts=["tcp://0.0.0.0:2375"], i_understand_tcp_without_tls_is_root_for_anyone=True
    ),
    "tls-remote": lambda: DaemonConfigSpec(
        hosts=["fd://", "tcp://0.0.0.0:2376"],
        tlsverify=True,
        tlscacert="/ca.pem",
        tlscert="/cert.pem",
        tlskey="/key.pem",
    ),
}


@pytest.mark.parametrize("name", sorted(VALID_SPECS))
def test_dockerd_accepts_every_rendered_daemon_json_with_its_drop_in(
    name: str, dockerd: str, tls_files: dict[str, str], tmp_path: Path
) -> None:
    engine = DaemonConfig(metadata="engine", spec=VALID_SPECS[name]())
    project = Project([engine, drop_in_for(engine)])
    document = with_tls(json.loads(rendered(project, tmp_path)["daemon.json"]), tls_files)
    assert accepted(validate(dockerd, document, execstart_flags(project), tmp_path))


@pytest.mark.parametrize(("key", "flag"), [("hosts", "-H fd://"), ("containerd", "--containerd")])
def test_a_key_the_stock_unit_passes_is_refused_by_both(
    key: str, flag: str, dockerd: str, tmp_path: Path
) -> None:
    value: Any = ["unix:///var/run/docker.sock"] if key == "hosts" else "/run/c.sock"
    engine = DaemonConfig(metadata="engine", spec=DaemonConfigSpec.model_validate({key: value}))
    [problem] = check_host(Project([engine]))
    assert flag in problem.message
    result = validate(dockerd, engine.spec.to_daemon_json(), STOCK_FLAGS, tmp_path)
    assert not accepted(result)
    assert f"specified both as a flag and in the configuration file: {key}" in result.stderr
    fixed = Project([engine, drop_in_for(engine)])
    assert check_host(fixed) == []
    assert accepted(
        validate(dockerd, engine.spec.to_daemon_json(), execstart_flags(fixed), tmp_path)
    )


REJECTS = "rejects"
IGNORES = "accepts and ignores"
ACCEPTS = "accepts (start-up or never checked)"
REFUSED_BY_BAKEPY: list[tuple[str, dict[str, Any], str]] = [
    # Flag names instead of JSON keys: dockerd 26.1 lets them through and ignores them (§3.1).
    ("host", {"host": ["unix:///var/run/docker.sock"]}, IGNORES),
    ("label", {"label": ["a=b"]}, IGNORES),
    ("registry-mirror", {"registry-mirror": ["https://m.example"]}, IGNORES),
    ("insecure-registry", {"insecure-registry": ["r:5000"]}, IGNORES),
    ("storage-opt", {"storage-opt": ["a=b"]}, IGNORES),
    ("exec-opt", {"exec-opt": ["native.cgroupdriver=systemd"]}, IGNORES),
    ("top-level-http-proxy", {"http-proxy": "http://proxy:3128"}, IGNORES),
    # ... unless the value is an object, which dockerd flattens into unknown keys.
    ("default-ulimit", {"default-ulimit": {"nofile": {"Hard": 1, "Soft": 1}}}, REJECTS),
    ("log-opt", {"log-opt": {"max-size": "10m"}}, REJECTS),
    # Names dockerd 26.1 does not know at all.
    ("containerd-plugin-namespace", {"containerd-plugin-namespace": "p"}, REJECTS),
    ("oom-score-adjust", {"oom-score-adjust": -500}, REJECTS),
    ("swarm-raft-heartbeat-tick", {"swarm-raft-heartbeat-tick": 1}, REJECTS),
    ("case", {"Debug": True}, REJECTS),
    # Values dockerd refuses.
    ("shm-size-number", {"default-shm-size": 67108864}, REJECTS),
    ("shm-size-text", {"default-shm-size": "lots"}, REJECTS),
    ("log-opts-number", {"log-opts": {"max-file": 3}}, REJECTS),
    ("labels-conflict", {"labels": ["a=b", "a=c"]}, REJECTS),
    ("label-without-value", {"labels": ["nokey"]}, REJECTS),
    ("log-level", {"log-level": "verbose"}, REJECTS),
    ("dns", {"dns": ["dns.example"]}, REJECTS),
    ("mtu", {"mtu": -1}, REJECTS),
    ("fixed-cidr-v6", {"fixed-cidr-v6": "10.0.0.0/24"}, REJECTS),
    ("windows-dns-proxy", {"features": {"windows-dns-proxy": True}}, REJECTS),
    ("host-scheme", {"hosts": ["http://0.0.0.0:2375"]}, REJECTS),
    ("tls-without-cert", {"tls": True}, REJECTS),
    ("history-max-age", {"builder": {"history": {"maxAge": "2 days"}}}, REJECTS),
    # Rules dockerd 26.1 does not check in --validate: plain tcp:// only logs a warning at
    # start-up (27+ refuses it), others fail at start-up or never (tlsverify without a CA
    # trusts every public CA; a ulimit's Name is used as written).
    ("tcp-without-tls", {"hosts": ["tcp://0.0.0.0:2375"]}, ACCEPTS),
    ("tcp-without-address", {"hosts": ["tcp://:2375"]}, ACCEPTS),
    ("tlsverify-without-ca", {"tlsverify": True, "tlscert": "@", "tlskey": "@"}, ACCEPTS),
    ("bip-without-prefix", {"bip": "172.17.0.1"}, ACCEPTS),
    ("pool-size", {"default-address-pools": [{"base": "10.0.0.0/16", "size": 8}]}, ACCEPTS),
    ("mirror-without-scheme", {"registry-mirrors": ["mirror.gcr.io"]}, ACCEPTS),
    ("insecure-with-scheme", {"insecure-registries": ["http://r:5000"]}, ACCEPTS),
    ("runc-runtime", {"runtimes": {"runc": {"path": "/usr/bin/runc"}}}, ACCEPTS),
    ("empty-runtime", {"runtimes": {"x": {}}}, ACCEPTS),
    ("keep-storage", {"builder": {"gc": {"defaultKeepStorage": "much"}}}, ACCEPTS),
    ("ulimit-name", {"default-ulimits": {"n": {"Name": "x", "Hard": 2, "Soft": 1}}}, ACCEPTS),
]  # fmt: skip
"""Raw daemon.json that bakepy refuses, with what ``dockerd --validate`` does with it."""


@pytest.mark.parametrize(
    ("document", "verdict"),
    [pytest.param(doc, verdict, id=name) for name, doc, verdict in REFUSED_BY_BAKEPY],
)
def test_bakepy_refuses_what_dockerd_refuses_or_silently_ignores(
    document: dict[str, Any], verdict: str, dockerd: str, tls_files: dict[str, str], tmp_path: Path
) -> None:
    document = {k: tls_files[k] if v == "@" else v for k, v in document.items()}
    with pytest.raises(ValidationError):
        DaemonConfigSpec.model_validate(document)
    assert accepted(validate(dockerd, document, [], tmp_path)) is (verdict != REJECTS)


def test_dockerd_accepts_the_flag_spelling_bakepy_writes(dockerd: str, tmp_path: Path) -> None:
    spec = DaemonConfigSpec(containerd_plugins_namespace="plugins.moby")
    assert spec.to_daemon_json() == {"containerd-plugins-namespace": "plugins.moby"}
    assert accepted(validate(dockerd, spec.to_daemon_json(), STOCK_FLAGS, tmp_path))


# -- systemd-analyze verify -------------------------------------------------------------------


def system_units() -> Path:
    """The folder holding systemd's own targets and slices (sysinit.target, system.slice)."""
    found = next((d for d in UNIT_DIRS if (d / "sysinit.target").exists()), None)
    if found is None:
        _missing("systemd's unit folder (sysinit.target) is not installed")
    assert found is not None
    return found


def _stub_executables(root: Path, text: str) -> None:
    """An executable stub for every absolute Exec*= path, as verify checks they exist."""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if not key.startswith("Exec") or not value.strip():
            continue
        executable = value.split()[0].lstrip("@-:+!")
        if executable.startswith("/"):
            stub = root / executable.lstrip("/")
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("#!/bin/sh\nexit 0\n")
            stub.chmod(0o755)


def system_root(folder: Path, drop_ins: dict[str, str]) -> Path:
    """A root with systemd's targets, docker.service/.socket, the drop-ins and stub binaries."""
    root = folder / "root"
    units = root / "usr" / "lib" / "systemd" / "system"
    units.mkdir(parents=True)
    source = system_units()
    for pattern in ("*.target", "*.slice"):
        for unit in source.glob(pattern):
            if unit.is_file():
                shutil.copy(unit, units / unit.name)
    for name, fallback in FALLBACK_UNITS.items():
        installed = source / name
        text = installed.read_text() if installed.is_file() else fallback
        (units / name).write_text(text)
        _stub_executables(root, text)
    for path, text in drop_ins.items():
        target = root / "etc" / "systemd" / "system" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        _stub_executables(root, text)
    return root


def verify(systemd_analyze: str, folder: Path, drop_ins: dict[str, str]) -> tuple[int, str]:
    """Exit code and everything systemd-analyze printed (warnings exit 0, so both matter)."""
    root = system_root(folder, drop_ins)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYSTEMD_")}
    result = subprocess.run(
        [systemd_analyze, "verify", f"--root={root}", "docker.service"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    return result.returncode, (result.stderr + result.stdout).strip()


def rich_drop_in() -> SystemdDropIn:
    """A drop-in that uses every kind of value: quoting, %% escaping, limits, raw lines."""
    return SystemdDropIn(
        metadata="tuning",
        spec=SystemdDropInSpec(
            unit_section=SystemdUnitSection(
                description="Docker 100% tuned",
                after=["network-online.target", "containerd.service"],
                wants=["network-online.target"],
                start_limit_burst=3,
                start_limit_interval_sec="60s",
            ),
            service=SystemdServiceSection(
                exec_start_pre=[["/bin/sh", "-c", "echo 'starting docker' > /dev/null"]],
                exec_reload=["/bin/kill", "-s", "HUP", "$MAINPID"],
                environment={
                    "HTTP_PROXY": "http://domain%5Cuser:complex%23pass@proxy.example:3128",
                    "NO_PROXY": "localhost,127.0.0.1,.corp.example",
                    "GREETING": 'say "hi" with spaces',
                },
                environment_file=["-/etc/default/docker"],
                limit_nofile="1024:524288",
                limit_nproc="infinity",
                limit_core="infinity",
                limit_memlock="64M",
                tasks_max="infinity",
                restart="always",
                restart_sec=2,
                timeout_start_sec=0,
                timeout_stop_sec="2min 30s",
                kill_mode="process",
                delegate=True,
                oom_score_adjust=-500,
                extra=["KillSignal=SIGTERM"],
            ),
        ),
    )


def test_systemd_accepts_the_example_drop_in(systemd_analyze: str, tmp_path: Path) -> None:
    files = rendered(load([REPO / "examples" / "engine-host" / "bakepy.py"]), tmp_path)
    drop_ins = {path: text for path, text in files.items() if path.endswith(".conf")}
    assert list(drop_ins) == ["docker.service.d/bakepy.conf"]
    assert verify(systemd_analyze, tmp_path, drop_ins) == (0, "")


def test_systemd_accepts_every_kind_of_setting(systemd_analyze: str, tmp_path: Path) -> None:
    engine = DaemonConfig(metadata="engine", spec=DaemonConfigSpec(hosts=["fd://"]))
    files = rendered(Project([engine, drop_in_for(engine), rich_drop_in()]), tmp_path)
    drop_ins = {path: text for path, text in files.items() if path.endswith(".conf")}
    assert sorted(drop_ins) == ["docker.service.d/bakepy.conf", "docker.service.d/tuning.conf"]
    assert verify(systemd_analyze, tmp_path, drop_ins) == (0, "")


def test_systemd_refuses_a_second_exec_start_without_reset(
    systemd_analyze: str, tmp_path: Path
) -> None:
    raw = "[Service]\nExecStart=/usr/sbin/dockerd\n"
    code, output = verify(systemd_analyze, tmp_path, {"docker.service.d/raw.conf": raw})
    assert code != 0
    assert "more than one ExecStart= setting" in output


def test_systemd_only_warns_about_what_bakepy_refuses(systemd_analyze: str, tmp_path: Path) -> None:
    raw = "[Service]\nLimitNOFILE=lots\n"
    code, output = verify(systemd_analyze, tmp_path, {"docker.service.d/raw.conf": raw})
    assert (code, "Failed to parse resource value" in output) == (0, True)
    with pytest.raises(ValidationError, match="'lots' is not a limit"):
        SystemdServiceSection(limit_nofile="lots")
