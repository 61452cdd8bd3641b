"""``bakepy apply --stack`` from the command line on the 3-node swarm, declared as YAML
manifests with the nodes' labels as SwarmNodes: the first run labels the node and deploys; a
second run with nothing changed says so, and the manager records no event for any object but
the apply's engine lock (no service, secret, config, network or node was touched); ``validate``
refuses a constraint no declared node meets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .stacks import unique
from .swarm import Cluster

MANIFESTS = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {{name: {name}}}
spec:
  services:
    web:
      image: {image}
      command: [sleep, "3600"]
      stop_grace_period: 1s
      secrets: [token]
      deploy:
        replicas: 2
        placement:
          constraints: ["node.labels.t.tier == {tier}"]
  secrets:
    token: {{file: token.txt}}
---
apiVersion: bakepy.dev/v1alpha1
kind: Stack
metadata: {{name: {name}}}
spec: {{project: ComposeProject/{name}}}
---
apiVersion: bakepy.dev/v1alpha1
kind: SwarmNode
metadata: {{name: {node}}}
spec:
  labels: {{t.tier: front}}
"""


def _bakepy(cluster: Cluster, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": cluster.sockets[0]}
    env.pop("DOCKER_CONTEXT", None)
    command = [str(Path(sys.executable).with_name("bakepy")), *args]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_no_change_apply_stack_touches_nothing(cluster: Cluster, tmp_path: Path) -> None:
    name = unique("bkcli")
    node = cluster.hostnames[2]
    (tmp_path / "token.txt").write_text("cli-token")
    manifest = tmp_path / "bakepy.yaml"
    manifest.write_text(MANIFESTS.format(name=name, image=cluster.image, node=node, tier="back"))
    refused = _bakepy(cluster, tmp_path, "validate")
    assert refused.returncode == 2
    assert "bakepy.yaml:" in refused.stderr
    assert "service web can run on no declared node" in refused.stderr
    manifest.write_text(MANIFESTS.format(name=name, image=cluster.image, node=node, tier="front"))
    try:
        first = _bakepy(cluster, tmp_path, "apply", "--stack", name)
        assert first.returncode == 0, first.stderr
        assert cluster.placement(f"{name}_web") == [node, node]

        time.sleep(1.1)  # events are filtered by whole seconds: none of the first apply's
        since = str(int(time.time()))
        second = _bakepy(cluster, tmp_path, "apply", "--stack", name)
        until = str(int(time.time()) + 1)
        assert second.returncode == 0, second.stderr
        assert "no mutating call was made" in second.stdout + second.stderr
        events = cluster.docker(
            "events", "--since", since, "--until", until,
            "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}",
            "--filter", "type=service", "--filter", "type=secret", "--filter", "type=config",
            "--filter", "type=network", "--filter", "type=node",
        )  # fmt: skip
        # The apply's engine lock (a config-only network bakepy-lock.<stack>, taken and given
        # back) is the only thing it may create or remove; no stack object or node is touched.
        touched = [e for e in events.splitlines() if e and " bakepy-lock." not in e]
        assert touched == []
    finally:
        _bakepy(cluster, tmp_path, "delete", "--stack", name)
        cluster.set_labels({node: {}})
