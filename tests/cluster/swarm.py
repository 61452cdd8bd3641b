"""The multi-node swarm scripts/cluster-up.sh starts, as the cluster tests see it: each node's
socket and address, the docker CLI and bakepy's swarm client pointed at a node, where a
service's tasks run, and commands run inside a task."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker

from bakepy.engine.compose.client import DockerEngineClient
from bakepy.engine.swarm.client import DockerSwarmClient


@dataclass(frozen=True)
class Cluster:
    """Nodes ``bakepy-n1`` (the manager) to ``bakepy-nN`` (workers), from the env file."""

    sockets: tuple[str, ...]
    """``unix:///var/run/bakepy-cluster/nI/docker.sock``, node 1 first."""
    addresses: tuple[str, ...]
    image: str

    @classmethod
    def from_environment(cls) -> Cluster | None:
        """The cluster the environment names (``source /tmp/bakepy-cluster.env``), if any."""
        sockets = os.environ.get("BAKEPY_CLUSTER_SOCKETS", "").split()
        addresses = os.environ.get("BAKEPY_CLUSTER_ADDRS", "").split()
        image = os.environ.get("BAKEPY_CLUSTER_IMAGE", "")
        if not sockets or len(sockets) != len(addresses) or not image:
            return None
        return cls(tuple(sockets), tuple(addresses), image)

    @property
    def hostnames(self) -> list[str]:
        """The swarm node names, node 1 first."""
        return [f"bakepy-n{i}" for i in range(1, len(self.sockets) + 1)]

    def pidfile(self, node: int) -> Path:
        """Node ``node``'s (1-based) dockerd pid file."""
        return Path(self.sockets[node - 1].removeprefix("unix://")).with_name("docker.pid")

    def docker(self, *args: str, node: int = 1, check: bool = True, timeout: float = 60) -> str:
        """The docker CLI against node ``node`` (1-based); its stdout."""
        env = {**os.environ, "DOCKER_HOST": self.sockets[node - 1]}
        env.pop("DOCKER_CONTEXT", None)
        done = subprocess.run(
            ["docker", *args], capture_output=True, text=True, env=env, timeout=timeout
        )
        if check and done.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} (node {node}): {done.stderr.strip()}")
        return done.stdout

    def api(self, node: int = 1) -> docker.APIClient:
        """The Engine API of node ``node``."""
        return docker.APIClient(base_url=self.sockets[node - 1], version="auto", timeout=60)

    def engine(self) -> DockerEngineClient:
        """bakepy's engine client on the manager."""
        return DockerEngineClient(self.api())

    def client(self, engine: DockerEngineClient | None = None) -> DockerSwarmClient:
        """bakepy's swarm client on the manager."""
        return DockerSwarmClient(engine if engine is not None else self.engine())

    def node_ids(self) -> dict[str, str]:
        """Node ID to hostname."""
        nodes = self.api().nodes()
        return {n["ID"]: n["Description"]["Hostname"] for n in nodes}

    def placement(self, service: str) -> list[str]:
        """The hostnames of the nodes running the service's tasks, sorted."""
        names = self.node_ids()
        tasks = self.api().tasks(filters={"service": service, "desired-state": "running"})
        running = [t for t in tasks if t["Status"]["State"] == "running"]
        return sorted(names[t["NodeID"]] for t in running)

    def containers(self, service: str) -> list[tuple[int, str]]:
        """(node, container ID) of each running task of the service."""
        found = []
        for node in range(1, len(self.sockets) + 1):
            listed = self.docker(
                "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={service}",
                node=node, check=False,
            )  # fmt: skip
            found += [(node, ident) for ident in listed.split()]
        return found

    def exec(self, node: int, container: str, script: str, check: bool = True) -> str:
        """Run ``sh -c script`` in a task's container on node ``node``."""
        return self.docker("exec", container, "sh", "-c", script, node=node, check=check)

    def inspect_container(self, node: int, container: str, network: str) -> str:
        """A task container's address on one network."""
        found = json.loads(self.docker("container", "inspect", container, node=node))[0]
        return str(found["NetworkSettings"]["Networks"][network]["IPAddress"])

    def inspect(self, what: str, name: str) -> dict[str, Any]:
        """``docker <what> inspect`` on the manager."""
        found: dict[str, Any] = json.loads(self.docker(what, "inspect", name))[0]
        return found

    def set_labels(self, labels: dict[str, dict[str, str]]) -> None:
        """Put these labels (hostname to labels) on the nodes, removing the others tests set."""
        for host, wanted in labels.items():
            spec = self.inspect("node", host)
            spec_labels = spec["Spec"].get("Labels") or {}
            ours = [k for k in spec_labels if k.startswith("t.") or k == "dev.bakepy.node-labels"]
            args = [f"--label-rm={k}" for k in ours]
            args += [f"--label-add={k}={v}" for k, v in wanted.items()]
            if args:
                self.docker("node", "update", *args, host)


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:g}s: {what}")
        time.sleep(0.5)
