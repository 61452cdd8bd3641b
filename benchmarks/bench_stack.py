"""Time a no-change ``bakepy apply --stack`` against ``docker stack deploy`` of the same,
unchanged stack file, on the multi-node swarm of ``scripts/cluster-up.sh 3``.

Writes a definition with N services (busybox, 2 replicas spread over the nodes, one overlay
network, a secret and a config each service mounts) and its Stack, renders the stack file
bakepy renders from it, and deploys it twice under two stack names: once with ``bakepy apply
--stack`` and once with ``docker stack deploy -c <file>``. Then it times, alternating, K runs of
each with nothing changed, every run a fresh process as a user runs it:

* bakepy: ``bakepy apply -f bakepy.py --stack <name>`` (the venv's console script);
* docker: ``docker stack deploy -c <name>.stack.yaml <name>`` (it sends every service's spec
  again, whether or not it changed).

The Engine API requests of a no-change apply are counted in a separate, untimed library run
(``apply_stack`` with a CountingClient): the mutating ones must be 0. For the timed CLI runs it
says how many were answered from the apply cache (``bakepy.cli.noop_apply``; the others ran
the whole command) and how many create, update or remove events the manager's event stream
shows for bakepy's stack and its lock object meanwhile (must be 0: no lock is taken when
nothing changes). It prints the medians and the bakepy/docker ratio (target: at most 0.5) and
the load average, then removes both stacks. A benchmark, not a test: it exits 0 whatever the
figures.

    source /tmp/bakepy-cluster.env
    python benchmarks/bench_stack.py [--services 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DEFINITION = """
from bakepy import ComposeProject, ComposeProjectSpec, Stack, StackSpec
from bakepy.models.compose import ComposeConfig, ComposeNetwork, ComposeSecret, Service

services = {{
    f"svc{{i:02d}}": Service(
        image={image!r},
        command=["sleep", "86400"],
        stop_grace_period="1s",
        environment={{"INDEX": str(i)}},
        networks=["backend"],
        secrets=["token"],
        configs=["motd"],
        deploy={{"replicas": 2, "placement": {{"preferences": [{{"spread": "node.id"}}]}}}},
    )
    for i in range({count})
}}
compose = ComposeProject(
    metadata={name!r},
    spec=ComposeProjectSpec(
        services=services,
        networks={{"backend": ComposeNetwork()}},
        secrets={{"token": ComposeSecret(file="token.txt")}},
        configs={{"motd": ComposeConfig(file="motd.txt")}},
    ),
)
stack = Stack(metadata={name!r}, spec=StackSpec(project=compose))
"""

CHILD = """
import json, sys
from bakepy import load
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.swarm.client import DockerSwarmClient
from bakepy.engine.swarm.verbs import apply_stack

engine = DockerEngineClient()
counting = CountingClient(engine)
result = apply_stack(load([sys.argv[1]]), client=DockerSwarmClient(engine), wait_timeout=300)
print(json.dumps({"changed": result.changed, "requests": len(counting.requests),
                  "mutating": counting.mutating_requests}))
"""


def run(command: list[str], env: dict[str, str], what: str) -> tuple[float, str]:
    """Run a command; its wall time and output (stop on failure)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout + done.stderr


def engine_changes(since: float, name: str, env: dict[str, str]) -> list[str]:
    """Create, update and remove events the engine reported since ``since`` for objects whose
    name has ``name`` in it (the stack's objects and its lock object)."""
    until = f"{time.time():.3f}"
    command = [
        "docker",
        "events",
        "--since",
        f"{since:.3f}",
        "--until",
        until,
        "--format",
        "{{json .}}",
    ]
    _, output = run(command, env, "docker events")
    found = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        if name in attributes.get("name", "") and event.get("Type") != "container":
            found.append(f"{event['Type']} {event['Action']} {attributes['name']}")
    return found


def library_apply(definition: Path, env: dict[str, str]) -> dict[str, object]:
    """One library apply in a fresh process, counting its Engine API requests (untimed)."""
    _, output = run([sys.executable, "-c", CHILD, str(definition)], env, "bakepy apply_stack")
    report: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return report


def main() -> None:
    """Deploy both, time the no-change runs, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    manager = os.environ.get("BAKEPY_CLUSTER_MANAGER")
    if not manager:
        raise SystemExit("no cluster: run scripts/cluster-up.sh 3 and source its env file")
    image = os.environ.get("BAKEPY_CLUSTER_IMAGE", "localhost:5000/busybox:latest")
    tag = uuid.uuid4().hex[:6]
    ours, theirs = f"benchbk{tag}", f"benchds{tag}"
    with tempfile.TemporaryDirectory(prefix="bakepy-bench-stack-") as work:
        root = Path(work)
        env = {
            **os.environ,
            "DOCKER_HOST": manager,
            "BAKEPY_STATE_DIR": str(root / "state"),
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),  # an installed package's .pyc files
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("DOCKER_CONTEXT", None)
        definition = root / "bakepy.py"
        definition.write_text(DEFINITION.format(image=image, count=args.services, name=ours))
        (root / "token.txt").write_text("bench-token")
        (root / "motd.txt").write_text("hello")
        bakepy = str(Path(sys.executable).with_name("bakepy"))
        run([bakepy, "render", "-f", str(definition), "--out", str(root / "out")], env, "render")
        stack_file = root / "out" / f"{ours}.stack.yaml"
        for name in ("token.txt", "motd.txt"):  # the stack file names them beside itself
            (root / "out" / name).write_text((root / name).read_text())
        deploy = ["docker", "stack", "deploy", "--detach=true", "-c", str(stack_file), theirs]
        try:
            print(f"deploying {args.services} services x 2 replicas on the cluster, twice ...")
            first = library_apply(definition, env)
            print(f"  bakepy apply --stack (first): changed={first['changed']}")
            seconds, _ = run(deploy, env, "docker stack deploy")
            print(f"  docker stack deploy (first): {seconds:.2f}s")
            report = library_apply(definition, env)
            print(
                f"  no-change apply_stack: {report['requests']} Engine API requests, "
                f"{report['mutating']} mutating (changed={report['changed']})"
            )
            command = [bakepy, "apply", "-f", str(definition), "--stack", ours]
            run(command, env, "bakepy apply --stack")  # warm the bytecode cache, record
            run(command, env, "bakepy apply --stack")
            times: dict[str, list[float]] = {"bakepy": [], "docker": []}
            traced = {**env, "BAKEPY_APPLY_CACHE_TRACE": "1"}
            cached = 0
            changes: list[str] = []
            for _ in range(args.repeat):
                since = time.time()
                seconds, output = run(command, traced, "bakepy apply --stack")
                times["bakepy"].append(seconds)
                cached += "apply cache: not used" not in output
                time.sleep(0.2)  # the manager's event stream is read up to now
                changes += engine_changes(since, ours, env)
                seconds, _ = run(deploy, env, "docker stack deploy")
                times["docker"].append(seconds)
            bakepy_median = statistics.median(times["bakepy"])
            docker_median = statistics.median(times["docker"])
            print()
            print(f"no-change, {args.services} services, median of {args.repeat}:")
            print(
                f"  bakepy apply --stack   {bakepy_median:.3f}s  (best {min(times['bakepy']):.3f}s)"
            )
            print(
                f"  docker stack deploy    {docker_median:.3f}s  (best {min(times['docker']):.3f}s)"
            )
            print(f"  ratio bakepy/docker    {bakepy_median / docker_median:.2f}  (target <= 0.5)")
            print(f"  answered from the apply cache: {cached} of {args.repeat} bakepy runs")
            print(f"  engine changes during bakepy's runs (stack and lock): {len(changes)}")
            for change in changes:
                print(f"    {change}")
            print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            subprocess.run(
                [bakepy, "delete", "-f", str(definition), "--stack", ours],
                env=env, capture_output=True, check=False,
            )  # fmt: skip
            subprocess.run(
                ["docker", "stack", "rm", theirs], env=env, capture_output=True, check=False
            )


if __name__ == "__main__":
    main()
