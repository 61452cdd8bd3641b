"""Time ``bakepy render`` against ``docker buildx bake --print`` on the same monorepo.

Generates a synthetic monorepo (benchmarks/monorepo.py) in a temporary folder, then runs, K
times each and each in a fresh process (start-up included, as a user sees it):

* ``bakepy render -f <repo>/bakepy.py -o <out>``: the whole CLI, load (run the Python
  definition), validate (references, cycles, resolve every target), render HCL and JSON, write;
* ``docker buildx bake --print -f <out>/docker-bake.hcl default``: buildx parsing the rendered
  HCL and resolving every target (the ``default`` group lists every team group).

It prints wall-clock best and median, CPU time and peak RSS of each, and the ratio
bakepy/buildx against the goal (bakepy's render at most 0.25 times buildx's print). It is a
benchmark, not a test: it exits 0 whatever the ratio, non-zero only if a tool fails.

    python benchmarks/bench_render.py [--targets 2000] [--repeat 5] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from monorepo import Monorepo, write_monorepo  # noqa: E402

GOAL = 0.25
TEAMS = 20

BREAKDOWN = r"""
import sys, time
from pathlib import Path
t0 = time.perf_counter()
import bakepy.cli  # what the console script imports
from bakepy.api import check, load_selected
from bakepy.generators import render_project
from bakepy.output import write_files
t1 = time.perf_counter()
project = load_selected([Path(sys.argv[1])], [], None)
t2 = time.perf_counter()
check(project)
t3 = time.perf_counter()
files = render_project(project, Path(sys.argv[2]))
t4 = time.perf_counter()
write_files(files, Path(sys.argv[2]))
t5 = time.perf_counter()
phases = [("import bakepy + cli", t1 - t0), ("load definition", t2 - t1),
          ("check (validate + resolve)", t3 - t2), ("render HCL + JSON", t4 - t3),
          ("write files", t5 - t4)]
for name, seconds in phases:
    print(f"{name}\t{seconds}")
"""


@dataclass
class Runs:
    """Measurements of one command over the repeats."""

    tool: str
    command: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_rss_kib: list[int] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


def run_once(command: list[str], cwd: Path, stdout: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys) and peak RSS (KiB) of one run of ``command``.

    ``os.wait4`` returns the resource usage of that child alone, including the descendants it
    waited for (the buildx plugin under the docker CLI), so runs do not blur into each other.
    """
    with stdout.open("wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{message}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def bakepy_command() -> list[str]:
    """The bakepy console script of the running interpreter's venv, else ``python -m bakepy``."""
    script = Path(sys.executable).with_name("bakepy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bakepy"]


def measure_bakepy(repo: Monorepo, out: Path, repeat: int) -> Runs:
    runs = Runs("bakepy render", [*bakepy_command(), "render", "-f", str(repo.definition)])
    runs.command += ["-o", str(out)]
    log = repo.root / "bakepy-render.log"
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)  # every run writes both files, as the first one
        wall, cpu, rss = run_once(runs.command, repo.root, log)
        runs.wall.append(wall)
        runs.cpu.append(cpu)
        runs.peak_rss_kib.append(rss)
    return runs


def measure_buildx(out: Path, repeat: int) -> tuple[Runs, dict[str, object]]:
    command = ["docker", "buildx", "bake", "--print", "-f", "docker-bake.hcl", "default"]
    runs = Runs("buildx bake --print", command)
    printed = out.parent / "buildx-print.json"
    for _ in range(repeat):
        wall, cpu, rss = run_once(command, out, printed)
        runs.wall.append(wall)
        runs.cpu.append(cpu)
        runs.peak_rss_kib.append(rss)
    result: dict[str, object] = json.loads(printed.read_text())
    return runs, result


def breakdown(repo: Monorepo, out: Path) -> list[tuple[str, float]]:
    """One in-process run split into phases (no start-up of the interpreter itself)."""
    shutil.rmtree(out, ignore_errors=True)
    text = subprocess.run(
        [sys.executable, "-P", "-c", BREAKDOWN, str(repo.definition), str(out)],
        cwd=repo.root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    phases = []
    for line in text.splitlines():
        name, _, seconds = line.partition("\t")
        phases.append((name, float(seconds)))
    return phases


def interpreter_startup(repeat: int) -> float:
    """Best wall time of a bare ``python -c pass`` (the floor any Python CLI pays)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "not found"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def report(repo: Monorepo, bakepy: Runs, buildx: Runs, printed: dict[str, object]) -> None:
    targets = printed.get("target", {})
    groups = printed.get("group", {})
    assert isinstance(targets, dict) and isinstance(groups, dict)
    print(
        f"definitions: {repo.targets} targets ({repo.teams} teams x {repo.services_per_team} "
        f"services + {repo.teams} team bases + _base), {repo.groups} groups, 2 platforms"
    )
    print(f"buildx --print resolved {len(targets)} targets in {len(groups)} groups")
    if len(targets) != repo.services:
        print(f"WARNING: expected {repo.services} resolved targets")
    print(f"python: {sys.version.split()[0]}; {tool_version(['docker', 'buildx', 'version'])}")
    print(f"cpus: {os.cpu_count()}; runs per tool: {len(bakepy.wall)} (fresh process each)")
    print()
    header = f"{'tool':<22}{'best':>9}{'median':>9}{'cpu med':>9}{'peak RSS':>11}"
    print(header)
    print("-" * len(header))
    for runs in (bakepy, buildx):
        rss = max(runs.peak_rss_kib) / 1024
        print(
            f"{runs.tool:<22}{runs.best:>8.3f}s{runs.median:>8.3f}s"
            f"{statistics.median(runs.cpu):>8.3f}s{rss:>8.1f} MiB"
        )
    ratio_best = bakepy.best / buildx.best
    ratio_median = bakepy.median / buildx.median
    print("-" * len(header))
    print(f"{'ratio bakepy/buildx':<22}{ratio_best:>8.2f}x{ratio_median:>8.2f}x")
    verdict = "MET" if ratio_median <= GOAL else "NOT MET"
    print(f"\ngoal: bakepy render <= {GOAL}x buildx --print (median): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000, help="Service targets (~).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs per tool.")
    parser.add_argument(
        "--breakdown", action="store_true", help="Also time bakepy's phases in one process."
    )
    parser.add_argument("--keep", type=Path, help="Generate into this folder and keep it.")
    args = parser.parse_args()
    teams = min(TEAMS, max(1, args.targets))
    per_team = max(1, round(args.targets / teams))

    with tempfile.TemporaryDirectory(prefix="bakepy-bench-") as tmp:
        root = args.keep or Path(tmp) / "monorepo"
        repo = write_monorepo(root, teams, per_team)
        out = root / "out"
        bakepy = measure_bakepy(repo, out, args.repeat)
        buildx, printed = measure_buildx(out, args.repeat)
        report(repo, bakepy, buildx, printed)
        if args.breakdown:
            print(f"\nbare `python -c pass`: {interpreter_startup(args.repeat):.3f}s (best)")
            print("bakepy render in one process, by phase:")
            for name, seconds in breakdown(repo, out):
                print(f"  {name:<28}{seconds:>7.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
