"""Time a no-change ``bakepy apply`` against a no-change ``docker compose up -d``.

Writes a definition with N services (busybox, one network, a label and an environment each),
brings it up twice side by side under two project names: once with bakepy's
``apply_runtime`` and once with ``docker compose up -d`` on the compose file bakepy renders
from the same definition. Then it times, alternating, K no-change runs of each, every run a
fresh process as a user runs it (start-up, loading the definition and planning included):

* bakepy: ``bakepy apply -f bakepy.py`` (the venv's console script), as a user runs it;
* compose: ``docker compose -p <name> -f compose.yaml up -d``.

The Engine API requests of a no-change apply are counted in separate, untimed runs of the
library (``apply_runtime`` with a CountingClient on the docker SDK's HTTP requests).

It prints the medians, the bakepy/compose ratio (target: at most 1.0), and bakepy's request
count for a no-change apply at 10 and at N services (target: the same count), then removes
everything it created. A benchmark, not a test: it exits 0 whatever the figures.

    python benchmarks/bench_apply.py [--services 50] [--repeat 5] [--breakdown]
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
from bakepy.models.compose import ComposeNetwork, Service
from bakepy import ComposeProject, ComposeProjectSpec

services = {{
    f"svc{{i:03d}}": Service(
        image={image!r},
        init=True,
        command=["sleep", "86400"],
        environment={{"INDEX": str(i), "MODE": "bench"}},
        labels={{"bench.index": str(i)}},
        networks=["backend"],
    )
    for i in range({count})
}}
project = ComposeProject(
    metadata={name!r},
    spec=ComposeProjectSpec(services=services, networks={{"backend": ComposeNetwork()}}),
)
"""

BREAKDOWN = """
import time
t0 = time.perf_counter()
import gc, json, sys
import bakepy
import bakepy.engine.compose.verbs
t1 = time.perf_counter()
from bakepy.engine.compose.client import DockerEngineClient
from bakepy.engine.compose.verbs import apply_runtime
client = DockerEngineClient()
t2 = time.perf_counter()
gc.freeze()
gc.set_threshold(200_000, 30, 30)
project = bakepy.load([sys.argv[1]])
t3 = time.perf_counter()
result = apply_runtime(project, client=client)
t4 = time.perf_counter()
print(json.dumps({"import bakepy (compose models, runtime)": t1 - t0,
                  "import docker SDK + connect": t2 - t1,
                  "load the definition": t3 - t2,
                  "check, lower, plan (4 engine reads)": t4 - t3}))
"""

CHILD = """
import gc, json, sys
from bakepy import apply_runtime, load
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
gc.freeze()  # as bakepy.cli.main does before running a command
gc.set_threshold(200_000, 30, 30)
client = CountingClient(DockerEngineClient())
result = apply_runtime(load([sys.argv[1]]), client=client, wait_timeout=300)
print(json.dumps({"changed": result.changed, "requests": len(client.requests),
                  "mutating": client.mutating_requests}))
"""


def count_requests(definition: Path, env: dict[str, str]) -> dict[str, object]:
    """One library apply in a fresh process, counting its Engine API requests (untimed)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(definition)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bakepy apply failed:\n{done.stderr[-3000:]}")
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def bakepy_cli_apply(definition: Path, env: dict[str, str]) -> float:
    """One ``bakepy apply`` from the command line: its wall time."""
    command = [str(Path(sys.executable).with_name("bakepy")), "apply", "-f", str(definition)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bakepy apply failed:\n{done.stderr[-3000:]}")
    if "no changes" not in (done.stdout + done.stderr).lower():
        print(f"warning: bakepy apply changed something:\n{done.stdout[-2000:]}")
    return seconds


def compose_up(compose_file: Path, name: str) -> float:
    """One ``docker compose up -d``: its wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        ["docker", "compose", "-p", name, "-f", str(compose_file), "up", "-d"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"docker compose up failed:\n{done.stderr[-3000:]}")
    return seconds


def print_breakdown(definition: Path, env: dict[str, str], repeat: int) -> None:
    """bakepy's no-change apply in one fresh process, phase by phase (best of ``repeat``)."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, str(definition)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        for phase, seconds in json.loads(done.stdout.strip().splitlines()[-1]).items():
            best[phase] = min(seconds, best.get(phase, seconds))
    print()
    print("bakepy no-change apply by phase (best of each):")
    for phase, seconds in best.items():
        print(f"  {phase:<42}{seconds:.3f}s")


def write_definition(folder: Path, name: str, count: int, image: str) -> Path:
    """A definition file of ``count`` services under project ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bakepy.py"
    path.write_text(DEFINITION.format(image=image, count=count, name=name))
    return path


def render_compose(definition: Path, out: Path) -> Path:
    """The compose file bakepy renders from the definition."""
    from bakepy import load, render
    from bakepy.api.output import write_files

    write_files(render(load([definition]), out), out)
    return out / "compose.yaml"


def main() -> None:
    """Bring both up, time the no-change runs, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--breakdown", action="store_true", help="time bakepy's phases too")
    args = parser.parse_args()
    image = os.environ.get("BAKEPY_BASE_IMAGE", "localhost:5000/busybox:latest")
    tag = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="bakepy-bench-apply-") as work:
        root = Path(work)
        env = {
            **os.environ,
            "BAKEPY_STATE_DIR": str(root / "state"),
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),  # an installed package's .pyc files
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # or every run compiles every module
        os.environ["BAKEPY_STATE_DIR"] = env["BAKEPY_STATE_DIR"]
        small = write_definition(root / "small", f"bench-small-{tag}", 10, image)
        large = write_definition(root / "large", f"bench-bk-{tag}", args.services, image)
        compose_file = render_compose(large, root / "rendered")
        compose_name = f"bench-dc-{tag}"
        try:
            print(f"bringing up {args.services} services with bakepy and with compose ...")
            for definition in (small, large):
                count_requests(definition, env)
                print(f"  bakepy apply (first) {definition.parent.name}: done")
            print(f"  docker compose up -d (first): {compose_up(compose_file, compose_name):.2f}s")

            small_report = count_requests(small, env)
            large_report = count_requests(large, env)
            bakepy_cli_apply(large, env)  # warm: the console script's bytecode is written once
            bakepy_times: list[float] = []
            compose_times: list[float] = []
            for _ in range(args.repeat):
                bakepy_times.append(bakepy_cli_apply(large, env))
                compose_times.append(compose_up(compose_file, compose_name))
            if large_report.get("mutating") or small_report.get("mutating"):
                print("warning: a no-change apply made a mutating request:", large_report)
            ours, theirs = statistics.median(bakepy_times), statistics.median(compose_times)
            print()
            print(f"no-change run, {args.services} services, median of {args.repeat}:")
            print(f"  bakepy apply           {ours:.3f}s  (best {min(bakepy_times):.3f}s)")
            print(f"  docker compose up -d   {theirs:.3f}s  (best {min(compose_times):.3f}s)")
            verdict = "MET" if ours <= theirs else "NOT MET"
            print(f"  ratio bakepy/compose   {ours / theirs:.2f}  (target <= 1.0: {verdict})")
            print()
            print("Engine API requests of a no-change bakepy apply (+1 version negotiation):")
            print(f"  10 services: {small_report['requests']}, mutating {small_report['mutating']}")
            print(
                f"  {args.services} services: {large_report['requests']}, "
                f"mutating {large_report['mutating']}"
            )
            if args.breakdown:
                print_breakdown(large, env, args.repeat)
        finally:
            from bakepy.engine.compose.verbs import delete_runtime

            delete_runtime(f"bench-small-{tag}", volumes=True)
            delete_runtime(f"bench-bk-{tag}", volumes=True)
            subprocess.run(
                ["docker", "compose", "-p", compose_name, "-f", str(compose_file), "down"],
                capture_output=True,
                check=False,
            )


if __name__ == "__main__":
    main()
