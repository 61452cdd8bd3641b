"""DaemonConfig: every daemon.json key of dockerd 26.1, its JSON names, and each validation rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bakepy import DaemonConfig, DaemonConfigSpec, load
from bakepy.errors import BakepyError
from bakepy.models.host import DaemonBuilder, DaemonBuilderGC, DaemonBuilderGCPolicy, DaemonUlimit
from bakepy.models.host.daemon_keys import FLAG_KEYS

TLS = {"tlsverify": True, "tlscacert": "/ca.pem", "tlscert": "/cert.pem", "tlskey": "/key.pem"}
DAEMON_JSON_KEYS = [
    "allow-nondistributable-artifacts",
    "api-cors-header",
    "authorization-plugins",
    "bip",
    "bridge",
    "builder",
    "cdi-spec-dirs",
    "cgroup-parent",
    "containerd",
    "containerd-namespace",
    "containerd-plugins-namespace",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "cri-containerd",
    "data-root",
    "debug",
    "default-address-pools",
    "default-cgroupns-mode",
    "default-gateway",
    "default-gateway-v6",
    "default-ipc-mode",
    "default-network-opts",
    "default-runtime",
    "default-shm-size",
    "default-ulimits",
    "dns",
    "dns-opts",
    "dns-search",
    "exec-opts",
    "exec-root",
    "experimental",
    "features",
    "fixed-cidr",
    "fixed-cidr-v6",
    "group",
    "host-gateway-ip",
    "hosts",
    "icc",
    "init",
    "init-path",
    "insecure-registries",
    "ip",
    "ip-forward",
    "ip-masq",
    "ip6tables",
    "iptables",
    "ipv6",
    "labels",
    "live-restore",
    "log-driver",
    "log-format",
    "log-level",
    "log-opts",
    "max-concurrent-downloads",
    "max-concurrent-uploads",
    "max-download-attempts",
    "metrics-addr",
    "mtu",
    "network-control-plane-mtu",
    "network-diagnostic-port",
    "no-new-privileges",
    "node-generic-resources",
    "pidfile",
    "proxies",
    "raw-logs",
    "registry-mirrors",
    "rootless",
    "runtimes",
    "seccomp-profile",
    "selinux-enabled",
    "shutdown-timeout",
    "storage-driver",
    "storage-opts",
    "swarm-default-advertise-addr",
    "tls",
    "tlscacert",
    "tlscert",
    "tlskey",
    "tlsverify",
    "userland-proxy",
    "userland-proxy-path",
    "userns-remap",
]


def spec(**data: Any) -> DaemonConfigSpec:
    """A spec from daemon.json's own key names (Python names work as well)."""
    return DaemonConfigSpec.model_validate(data)


def rejected(data: dict[str, Any]) -> str:
    """The validation message for ``data``, which must be refused."""
    with pytest.raises(ValidationError) as caught:
        DaemonConfigSpec.model_validate(data)
    return str(caught.value)


def test_every_daemon_json_key_of_dockerd_26_1_is_a_field() -> None:
    aliases = {f.alias for f in DaemonConfigSpec.model_fields.values()}
    assert set(DAEMON_JSON_KEYS) <= aliases


def test_resource_envelope() -> None:
    daemon = DaemonConfig(metadata="engine", spec=DaemonConfigSpec(live_restore=True))
    assert (daemon.kind, daemon.ref) == ("DaemonConfig", "DaemonConfig/engine")


def test_python_and_native_names_are_the_same_field() -> None:
    assert spec(**{"live-restore": True}).live_restore is spec(live_restore=True).live_restore


def test_unset_keys_are_not_written() -> None:
    assert DaemonConfigSpec().to_daemon_json() == {}


def test_bakepy_only_fields_are_never_written() -> None:
    written = spec(
        swarm=True,
        hosts=["tcp://0.0.0.0:2375"],
        i_understand_tcp_without_tls_is_root_for_anyone=True,
    ).to_daemon_json()
    assert written == {"hosts": ["tcp://0.0.0.0:2375"]}


def test_builder_keys_are_camel_case() -> None:
    builder = DaemonBuilder(
        gc=DaemonBuilderGC(
            default_keep_storage="20GB",
            policy=[DaemonBuilderGCPolicy(keep_storage="10GB", filter=["unused-for=24h"])],
        )
    )
    assert DaemonConfigSpec(builder=builder).to_daemon_json() == {
        "builder": {
            "gc": {
                "defaultKeepStorage": "20GB",
                "policy": [{"filter": ["unused-for=24h"], "keepStorage": "10GB"}],
            }
        }
    }


def test_default_ulimits_always_write_name() -> None:
    ulimits = {"nofile": DaemonUlimit(soft=1024, hard=2048)}
    assert DaemonConfigSpec(default_ulimits=ulimits).to_daemon_json() == {
        "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 2048, "Soft": 1024}}
    }


def test_ulimit_name_must_match_its_key() -> None:
    message = rejected({"default-ulimits": {"nofile": {"Name": "nproc", "Hard": 2, "Soft": 1}}})
    assert "Name 'nproc' differs from its key 'nofile'" in message


def test_ulimit_soft_above_hard_is_refused() -> None:
    assert "above the hard limit" in rejected({"default-ulimits": {"n": {"Hard": 1, "Soft": 2}}})


@pytest.mark.parametrize(("flag", "key"), sorted(FLAG_KEYS.items()))
def test_a_flag_name_as_key_names_the_daemon_json_key(flag: str, key: str) -> None:
    message = rejected({flag: "x"})
    assert f"the --{flag} flag" in message
    assert f"write {key!r}" in message
    assert "silently ignores it" in message


def test_a_flag_name_in_python_spelling_is_refused_too() -> None:
    assert "write 'registry-mirrors'" in rejected({"registry_mirror": ["https://m"]})


def test_top_level_proxy_keys_point_into_proxies() -> None:
    assert "write 'proxies.https-proxy'" in rejected({"https-proxy": "http://p:3128"})


def test_containerd_plugin_namespace_names_the_spelling_dockerd_accepts() -> None:
    message = rejected({"containerd-plugin-namespace": "p"})
    assert "write 'containerd-plugins-namespace'" in message
    assert "rejects it as unknown" in message


def test_oom_score_adjust_points_to_the_drop_in() -> None:
    assert "OOMScoreAdjust=" in rejected({"oom-score-adjust": -500})


def test_keys_are_case_sensitive() -> None:
    assert "case-sensitive; write 'debug'" in rejected({"Debug": True})


def test_unknown_keys_are_refused() -> None:
    assert "Extra inputs are not permitted" in rejected({"bogus": True})


def test_default_shm_size_number_is_refused() -> None:
    assert 'a size must be a string such as "64M"' in rejected({"default-shm-size": 67108864})


def test_default_shm_size_must_be_a_size() -> None:
    assert "is not a size" in rejected({"default-shm-size": "lots"})


def test_default_shm_size_string_is_kept() -> None:
    assert spec(**{"default-shm-size": "64M"}).to_daemon_json() == {"default-shm-size": "64M"}


def test_log_opts_values_must_be_strings() -> None:
    assert "log-opts 'max-file' must be a string such as \"3\"" in rejected(
        {"log-opts": {"max-file": 3}}
    )


def test_tcp_on_the_network_without_tls_is_refused() -> None:
    message = rejected({"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]})
    assert "hosts.1" in message
    assert "gives root on this host to anyone who can reach the port" in message


def test_tcp_on_loopback_without_tls_is_allowed() -> None:
    assert spec(hosts=["tcp://127.0.0.1:2375", "tcp://localhost:2375", "tcp://[::1]:2375"])


def test_a_host_without_scheme_is_tcp() -> None:
    assert "without TLS client verification" in rejected({"hosts": ["0.0.0.0:2375"]})


def test_tcp_without_an_address_is_refused() -> None:
    assert "without TLS client verification" in rejected({"hosts": ["tcp://:2375"]})


def test_tcp_with_tls_client_verification_is_allowed() -> None:
    assert spec(hosts=["tcp://0.0.0.0:2376"], **TLS).hosts == ["tcp://0.0.0.0:2376"]


def test_tls_without_client_verification_does_not_protect_tcp() -> None:
    data = {"hosts": ["tcp://0.0.0.0:2376"], "tls": True, "tlscert": "/c", "tlskey": "/k"}
    assert "without TLS client verification" in rejected(data)


def test_the_loud_opt_in_allows_tcp_without_tls() -> None:
    opted = spec(hosts=["tcp://0.0.0.0:2375"], i_understand_tcp_without_tls_is_root_for_anyone=True)
    assert opted.hosts == ["tcp://0.0.0.0:2375"]


def test_unsupported_host_scheme_is_refused() -> None:
    assert "cannot listen on http://" in rejected({"hosts": ["http://0.0.0.0:2375"]})


def test_tls_needs_certificate_and_key() -> None:
    assert "tls needs tlscert and tlskey" in rejected({"tls": True})


def test_tlsverify_needs_the_ca() -> None:
    message = rejected({"tlsverify": True, "tlscert": "/c", "tlskey": "/k"})
    assert "tlsverify needs tlscacert" in message


def test_live_restore_with_swarm_is_refused() -> None:
    assert "incompatible with swarm mode" in rejected({"live-restore": True, "swarm": True})


def test_live_restore_without_swarm_is_allowed() -> None:
    assert spec(**{"live-restore": True}).to_daemon_json() == {"live-restore": True}


def test_conflicting_labels_are_refused() -> None:
    message = rejected({"labels": ["a=b", "a=c"]})
    assert "label 'a' is set to 'b' and to 'c'" in message


def test_a_repeated_identical_label_is_allowed() -> None:
    assert spec(labels=["a=b", "a=b"]).labels == ["a=b", "a=b"]


def test_a_label_needs_key_and_value() -> None:
    assert "must be key=value" in rejected({"labels": ["nokey"]})


def test_dns_servers_are_ip_addresses() -> None:
    assert "'dns.example' is not an IP address" in rejected({"dns": ["dns.example"]})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("bip", "172.17.0.1"),
        ("fixed-cidr", "fd00::/64"),
        ("fixed-cidr-v6", "10.0.0.0/24"),
        ("default-gateway", "fd00::1"),
        ("ip", "any"),
    ],
)
def test_addresses_and_subnets_are_checked(key: str, value: str) -> None:
    assert f"{value!r} is not" in rejected({key: value})


def test_registry_mirrors_are_urls() -> None:
    assert "must be an http(s):// URL" in rejected({"registry-mirrors": ["mirror.gcr.io"]})


def test_insecure_registries_have_no_scheme() -> None:
    assert "without a scheme" in rejected({"insecure-registries": ["http://r:5000"]})


def test_windows_dns_proxy_is_refused_on_linux() -> None:
    assert "only exists on Windows" in rejected({"features": {"windows-dns-proxy": True}})


def test_runc_is_a_reserved_runtime_name() -> None:
    assert "'runc' is reserved" in rejected({"runtimes": {"runc": {"path": "/usr/bin/runc"}}})


def test_a_runtime_needs_path_or_type() -> None:
    assert "exactly one of path and runtimeType" in rejected({"runtimes": {"x": {}}})


def test_address_pool_size_must_fit_the_base() -> None:
    message = rejected({"default-address-pools": [{"base": "10.0.0.0/16", "size": 8}]})
    assert "size 8 must be between" in message


def test_address_pool_base_is_a_cidr() -> None:
    message = rejected({"default-address-pools": [{"base": "ten", "size": 24}]})
    assert "is not a CIDR" in message


def test_builder_keep_storage_is_a_size() -> None:
    assert "is not a size" in rejected({"builder": {"gc": {"defaultKeepStorage": "much"}}})


def test_builder_history_max_age_is_a_go_duration() -> None:
    assert "not a Go duration" in rejected({"builder": {"history": {"maxAge": "2 days"}}})


def test_log_level_is_one_of_dockerds() -> None:
    assert "log-level" in rejected({"log-level": "verbose"})


def test_mtu_is_not_negative() -> None:
    assert "greater than or equal to 0" in rejected({"mtu": -1})


def test_manifest_errors_point_at_the_key_line(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.yaml"
    path.write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: DaemonConfig\nmetadata: {name: e}\n"
        "spec:\n  live-restore: true\n  registry-mirror: [https://m]\n"
    )
    with pytest.raises(BakepyError) as caught:
        load([path])
    assert f"{path}:6: DaemonConfig/e: spec.registry-mirror:" in str(caught.value)


def test_manifest_loads_a_daemon_config(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.yaml"
    path.write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: DaemonConfig\nmetadata: {name: e}\n"
        "spec:\n  log-opts: {max-size: 10m}\n"
    )
    daemon = load([path]).get(DaemonConfig, "e")
    assert daemon.spec.to_daemon_json() == {"log-opts": {"max-size": "10m"}}
