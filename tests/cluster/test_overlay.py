"""Overlay networks across nodes as a stack declares them: a task on the manager reaches a
service whose tasks run only on the workers, by its name (swarm's DNS) and its virtual IP (where
the kernel has IPVS; the VIP is checked in DNS and the service everywhere); a task on an
``internal`` network has no way out of it; an encrypted network is made encrypted, and carries
traffic between nodes where the kernel has IPsec."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from bakepy.engine.swarm.verbs import apply_stack, delete_stack
from bakepy.models.compose import ComposeNetwork

from .stacks import stack_project, unique
from .swarm import Cluster

HTTP_GET = r'printf "GET /etc/hostname HTTP/1.0\r\n\r\n" | nc -w 3 {ip} 80 | tail -n 1'


def _services(cluster: Cluster, web_networks: list[str]) -> dict[str, dict[str, Any]]:
    manager = {"placement": {"constraints": [f"node.hostname == {cluster.hostnames[0]}"]}}
    sleep = {"image": cluster.image, "command": ["sleep", "3600"]}
    workers = {"constraints": ["node.role == worker"], "max_replicas_per_node": 1}
    httpd = {"image": cluster.image, "command": ["httpd", "-f", "-p", "80", "-h", "/"]}
    return {
        "web": {**httpd, "networks": web_networks, "deploy": {"replicas": 2, "placement": workers}},
        "named": {
            **httpd,
            "networks": web_networks,
            "deploy": {"replicas": 2, "placement": workers, "endpoint_mode": "dnsrr"},
        },
        "client": {**sleep, "networks": ["front"], "deploy": manager},
        "jail": {**sleep, "networks": ["sealed"], "deploy": manager},
    }


def _lookup(cluster: Cluster, node: int, container: str, name: str) -> list[str]:
    """The addresses swarm's DNS gives for ``name`` inside a task."""
    answer = cluster.exec(node, container, f"nslookup {name} 127.0.0.11")
    found = [
        line.split()[-1]
        for line in answer.split("Name:", 1)[-1].splitlines()
        if line.startswith("Address")
    ]
    assert found, answer
    return sorted(found)


def test_cross_node_by_name_and_vip_and_internal_has_no_way_out(
    cluster: Cluster, tmp_path: Path
) -> None:
    name = unique("bknet")
    project = stack_project(
        name,
        _services(cluster, ["front"]),
        tmp_path,
        networks={"front": ComposeNetwork(), "sealed": ComposeNetwork(internal=True)},
    )
    client = cluster.client()
    try:
        apply_stack(project, client=client, wait_timeout=180)
        workers = cluster.hostnames[1:3]
        assert cluster.placement(f"{name}_web") == sorted(workers)
        web_hosts = {ident[:12] for _, ident in cluster.containers(f"{name}_web")}
        ((node, probe),) = cluster.containers(f"{name}_client")
        assert node == 1

        # By name: a dnsrr service's name gives its tasks' addresses, on the two workers.
        named_hosts = {ident[:12] for _, ident in cluster.containers(f"{name}_named")}
        addresses = _lookup(cluster, 1, probe, "named")
        assert len(addresses) == 2
        reached = {cluster.exec(1, probe, HTTP_GET.format(ip=ip)).strip() for ip in addresses}
        assert reached == named_hosts
        # tasks.<service> names the tasks of a VIP service too.
        addresses = _lookup(cluster, 1, probe, "tasks.web")
        reached = {cluster.exec(1, probe, HTTP_GET.format(ip=ip)).strip() for ip in addresses}
        assert reached == web_hosts
        # By VIP: the name gives the service's virtual IP on the shared network.
        (vip,) = _lookup(cluster, 1, probe, "web")
        front = cluster.inspect("network", f"{name}_front")["Id"]
        endpoint = cluster.inspect("service", f"{name}_web")["Endpoint"]["VirtualIPs"]
        assert [v["Addr"].split("/")[0] for v in endpoint if v["NetworkID"] == front] == [vip]

        # Out of the overlay: the manager's swarm port, on the nodes' own network.
        manager_port = f"nc -w 2 {cluster.addresses[0]} 2377 </dev/null && echo open"
        assert cluster.exec(1, probe, manager_port, check=False).strip() == "open"
        ((_, jail),) = cluster.containers(f"{name}_jail")
        assert "open" not in cluster.exec(1, jail, manager_port, check=False)
        assert "default" not in cluster.exec(1, jail, "ip route")
    finally:
        delete_stack(name, client=client)


def test_the_vip_balances_over_tasks_on_other_nodes(cluster: Cluster, tmp_path: Path) -> None:
    if not Path("/proc/net/ip_vs").exists():
        pytest.skip("this kernel has no IPVS: swarm's VIP load balancing cannot forward here")
    name = unique("bkvip")
    services = _services(cluster, ["front"])
    project = stack_project(
        name,
        {key: services[key] for key in ("web", "client")},
        tmp_path,
        networks={"front": ComposeNetwork()},
    )
    client = cluster.client()
    try:
        apply_stack(project, client=client, wait_timeout=180)
        web_hosts = {ident[:12] for _, ident in cluster.containers(f"{name}_web")}
        ((_, probe),) = cluster.containers(f"{name}_client")
        (vip,) = _lookup(cluster, 1, probe, "web")
        answers = {cluster.exec(1, probe, HTTP_GET.format(ip=vip)).strip() for _ in range(6)}
        assert answers == web_hosts
    finally:
        delete_stack(name, client=client)


def _kernel_has_ipsec() -> bool:
    """Whether this kernel can hold the ESP state an encrypted overlay needs (tried in a
    network namespace of its own)."""
    key = "0x" + "01" * 20
    done = subprocess.run(
        ["unshare", "--net", "ip", "xfrm", "state", "add", "src", "10.1.1.1", "dst",
         "10.1.1.2", "proto", "esp", "spi", "0x1", "mode", "transport", "aead",
         "rfc4106(gcm(aes))", key, "128"],
        capture_output=True, check=False,
    )  # fmt: skip
    return done.returncode == 0


def test_an_encrypted_network_across_nodes(cluster: Cluster, tmp_path: Path) -> None:
    name = unique("bkenc")
    services = {"web": _services(cluster, ["front"])["named"]}
    project = stack_project(
        name,
        services,
        tmp_path,
        networks={"front": ComposeNetwork(driver_opts={"encrypted": ""})},
    )
    client = cluster.client()
    try:
        apply_stack(project, client=client, wait_timeout=180)
        assert "encrypted" in cluster.inspect("network", f"{name}_front")["Options"]
        assert cluster.placement(f"{name}_web") == sorted(cluster.hostnames[1:3])
        if not _kernel_has_ipsec():
            pytest.skip("this kernel has no IPsec (rfc4106(gcm(aes)) ESP): encrypted overlay "
                        "traffic cannot cross nodes here")  # fmt: skip
        (first, one), (second, two) = sorted(cluster.containers(f"{name}_web"))
        address = cluster.inspect_container(second, two, f"{name}_front")
        assert cluster.exec(first, one, HTTP_GET.format(ip=address)).strip() == two[:12]
    finally:
        delete_stack(name, client=client)
