"""Time a no-change ``bakepy apply`` of a realistic compose project against a no-change
``docker compose up -d`` of the same file (issue 13: at most 0.6x).

Writes a compose file of N services (default 50): every tenth one a "database" with a health
check and a named volume, the others depending on their database (``service_healthy``) and on
the service before them (``service_started``); two networks; environment with an interpolated
variable and an env file; labels. bakepy brings it up as project ``bk-<tag>`` from the file's
folder, compose as ``dc-<tag>`` from the same file. Then it alternates K no-change runs of:

* bakepy: ``bakepy apply -f <folder>`` (the venv's console script), answered from its cache;
* bakepy, whole: the same with ``BAKEPY_APPLY_CACHE=0`` (load, check, lower, plan);
* compose: ``docker compose -p dc-<tag> -f <folder>/compose.yaml up -d``.

Every run is a fresh process, start-up included. bakepy runs from a copy of its package made
at the start (``PYTHONPATH``), as an installed bakepy would: a cache entry is valid for one
bakepy source only, and a working tree edited meanwhile would change it. It prints medians,
bests, CPU time and the ratios, checks that each cached run was answered from the cache
(``BAKEPY_APPLY_CACHE_TRACE``), then removes everything it made. A benchmark, not a test.

    python benchmarks/bench_noop_apply.py [--services 50] [--repeat 7] [--no-healthchecks]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import bakepy


def compose_file(count: int, image: str, *, health: bool = True) -> str:
    """The project: databases with health checks and volumes, services depending on them
    (``health=False``: no health checks, and ``service_started`` for every dependency)."""
    lines = ["services:"]
    for i in range(count):
        database = i % 10 == 0
        lines += [
            f"  svc{i:02d}:",
            f"    image: {image}",
            "    init: true",
            '    command: ["sleep", "86400"]',
            "    environment:",
            f'      INDEX: "{i}"',
            "      MODE: ${MODE:-bench}",
            f"      PEER: svc{(i + 1) % count:02d}",
            "    env_file: [common.env]",
            "    labels:",
            f'      bench.index: "{i}"',
            f"      bench.tier: {'db' if database else 'app'}",
            f"    networks: [{'frontend, backend' if database else 'backend'}]",
        ]
        if database and health:
            lines += [
                "    healthcheck:",
                '      test: ["CMD", "true"]',
                "      interval: 2s",
                "      timeout: 2s",
                "      retries: 3",
            ]
        if database:
            lines += ["    volumes:", f"      - data{i // 10}:/data"]
        else:
            condition = "service_healthy" if health else "service_started"
            lines += ["    depends_on:", f"      svc{i // 10 * 10:02d}:"]
            lines += [f"        condition: {condition}"]
            if i % 10 > 1:
                lines += [f"      svc{i - 1:02d}:", "        condition: service_started"]
    lines += ["networks:", "  frontend: {}", "  backend: {}", "volumes:"]
    lines += [f"  data{k}: {{}}" for k in range((count + 9) // 10)]
    return "\n".join(lines) + "\n"


@dataclass
class Timings:
    """Wall and CPU seconds of one tool's runs."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def line(self, reference: Timings | None) -> str:
        """One row: best, median, CPU median, ratio to ``reference``'s median."""
        median = statistics.median(self.wall)
        ratio = f"{median / statistics.median(reference.wall):5.2f}x" if reference else "    -"
        return (
            f"  {self.name:<28} best {min(self.wall):6.3f} s  median {median:6.3f} s  "
            f"cpu {statistics.median(self.cpu):6.3f} s  {ratio}"
        )


def run(command: list[str], env: dict[str, str], timings: Timings) -> str:
    """Run ``command``, record its wall and CPU time (children included); its stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    timings.wall.append(seconds)
    timings.cpu.append(_children_cpu_delta())
    return stdout + stderr


_last_cpu = 0.0


def _children_cpu_delta() -> float:
    """CPU seconds of the children reaped since the previous call (user + system)."""
    global _last_cpu
    times = os.times()
    total = times.children_user + times.children_system
    delta, _last_cpu = total - _last_cpu, total
    return delta


def main() -> None:
    """Bring both up, time the no-change runs side by side, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--no-healthchecks",
        action="store_true",
        help="no health checks (compose then waits for none on a no-change up)",
    )
    args = parser.parse_args()
    image = os.environ.get("BAKEPY_BASE_IMAGE", "localhost:5000/busybox:latest")
    tag = uuid.uuid4().hex[:8]
    ours, theirs = f"bk-{tag}", f"dc-{tag}"
    with tempfile.TemporaryDirectory(prefix="bakepy-bench-noop-") as work:
        root = Path(work)
        package = root / "package"
        shutil.copytree(
            Path(bakepy.__file__).parent,
            package / "bakepy",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        folder = root / ours
        folder.mkdir()
        declared = compose_file(args.services, image, health=not args.no_healthchecks)
        (folder / "compose.yaml").write_text(declared)
        (folder / "common.env").write_text("REGION=eu\nTIER=bench\n")
        env = {
            **os.environ,
            "PYTHONPATH": str(package),
            "BAKEPY_STATE_DIR": str(root / "state"),
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
            "BAKEPY_APPLY_CACHE_TRACE": "1",
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # or every run compiles every module
        whole_env = {**env, "BAKEPY_APPLY_CACHE": "0"}
        bakepy_cli = [str(Path(sys.executable).with_name("bakepy")), "apply", "-f", str(folder)]
        compose = ["docker", "compose", "-p", theirs, "-f", str(folder / "compose.yaml")]
        cached = Timings("bakepy apply (cache)")
        whole = Timings("bakepy apply (whole path)")
        upped = Timings("docker compose up -d")
        scratch = Timings("first")
        try:
            print(f"bringing up {args.services} services with bakepy and with compose ...")
            run(bakepy_cli, env, scratch)
            run([*compose, "up", "-d"], env, scratch)
            print(f"  bakepy {scratch.wall[0]:.1f} s, compose {scratch.wall[1]:.1f} s")
            run(bakepy_cli, env, scratch)  # warm: bytecode written, the entry kept
            run([*compose, "up", "-d"], env, scratch)
            misses = 0
            for _ in range(args.repeat):
                output = run(bakepy_cli, env, cached)
                misses += "apply cache: not used" in output
                if "No changes." not in output:
                    print(f"warning: bakepy apply changed something:\n{output[-2000:]}")
                run([*compose, "up", "-d"], env, upped)
                run(bakepy_cli, whole_env, whole)
            print()
            shape = "without health checks" if args.no_healthchecks else "with health checks"
            print(f"no-change run, {args.services} services {shape}, {args.repeat} runs each:")
            print(upped.line(None))
            print(cached.line(upped))
            print(whole.line(upped))
            ratio = statistics.median(cached.wall) / statistics.median(upped.wall)
            cpu = statistics.median(cached.cpu) / statistics.median(upped.cpu)
            verdict = "MET" if ratio <= 0.6 else "NOT MET"
            print(
                f"  target: bakepy apply <= 0.6x compose: {verdict} ({ratio:.2f}x, cpu {cpu:.2f}x)"
            )
            if misses:
                print(f"warning: {misses} of the cached runs were not answered from the cache")
        finally:
            from bakepy.engine.compose.verbs import delete_runtime

            os.environ["BAKEPY_STATE_DIR"] = env["BAKEPY_STATE_DIR"]
            delete_runtime(ours, volumes=True)
            subprocess.run([*compose, "down", "-v"], capture_output=True, check=False)


if __name__ == "__main__":
    main()
