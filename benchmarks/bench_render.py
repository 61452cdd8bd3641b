"""Time ``bakepy render`` against ``docker buildx bake --print`` on the same monorepo.

Generates a synthetic monorepo (benchmarks/monorepo.py) in a temporary folder, then runs each
tool K times, each run a fresh process (start-up included, as a user sees it), alternating
the two so that a busy machine slows both alike:

* ``bakepy render -f <repo>/bakepy.py -o <out>``: the whole CLI: load (run the Python
  definition), validate (references, cycles, resolve every target), render HCL and JSON, write;
* ``docker buildx bake --print -f docker-bake.hcl default`` in ``<out>``: buildx parsing the
  rendered HCL and resolving every target (``default`` lists every team group).

It prints wall-clock best and median, median CPU time (user + sys) and peak RSS of each, and
the ratio bakepy/buildx against the goal: bakepy's full render at most 0.25 times buildx's
print. It is a benchmark, not a test: it exits 0 whatever the ratio (non-zero only when a tool
fails).

bakepy runs with a bytecode cache of its own (``PYTHONPYCACHEPREFIX`` in the temporary folder,
filled by an untimed first run), so its start-up is that of an installed package even when the
environment sets ``PYTHONDONTWRITEBYTECODE``; ``--inherit-env`` runs it with the environment as
it is instead.

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from monorepo import Monorepo, write_monorepo

GOAL = 0.25
TEAMS = 20
BUILDX_PRINT = ["docker", "buildx", "bake", "--print", "-f", "docker-bake.hcl", "default"]

BREAKDOWN = r"""
import gc, sys, time
from pathlib import Path
t0 = time.perf_counter()
import bakepy.cli  # what the console script imports
from bakepy.api.definitions import check, load_selected
from bakepy.generators import render_project
from bakepy.api.output import write_files
gc.freeze()  # the collector settings bakepy.cli.main applies before running a command
gc.set_threshold(200_000, 30, 30)
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

    def record(self, wall: float, cpu: float, peak_rss_kib: int) -> None:
        """Add the measurements of one run."""
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.peak_rss_kib.append(peak_rss_kib)

    @property
    def best(self) -> float:
        """Fastest wall-clock time."""
        return min(self.wall)

    @property
    def median(self) -> float:
        """Median wall-clock time."""
        return statistics.median(self.wall)


def run_once(
    command: list[str], cwd: Path, stdout: Path, env: Mapping[str, str] | None = None
) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys) and peak RSS (KiB) of one run of ``command``.

    ``os.wait4`` returns the resource usage of that child alone, including the descendants it
    waited for (the buildx plugin under the docker CLI), so runs do not blur into each other.
    """
    with stdout.open("wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
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


def python_env(pycache: Path | None) -> dict[str, str]:
    """The environment of bakepy's runs: a private bytecode cache unless ``pycache`` is None."""
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def measure(
    repo: Monorepo, repeat: int, env: Mapping[str, str]
) -> tuple[Runs, Runs, dict[str, object]]:
    """Time both tools, alternating their runs.

    A first, untimed render writes ``out/`` (what buildx reads) and warms both tools' caches
    (bytecode, page cache); timed renders write a fresh ``render/`` folder each time, at the
    same depth as ``out/``, so their files are byte for byte the same (checked at the end).
    """
    out, fresh = repo.root / "out", repo.root / "render"
    bakepy = Runs("bakepy render", [*bakepy_command(), "render", "-f", str(repo.definition)])
    buildx = Runs("buildx bake --print", BUILDX_PRINT)
    log, printed = repo.root / "bakepy-render.log", repo.root / "buildx-print.json"
    run_once([*bakepy.command, "--out", str(out)], repo.root, log, env)
    run_once(buildx.command, out, printed)
    for _ in range(repeat):
        shutil.rmtree(fresh, ignore_errors=True)  # every run writes both files
        bakepy.record(*run_once([*bakepy.command, "--out", str(fresh)], repo.root, log, env))
        buildx.record(*run_once(buildx.command, out, printed))
    for name in ("docker-bake.hcl", "docker-bake.json"):
        if (fresh / name).read_bytes() != (out / name).read_bytes():
            raise SystemExit(f"bakepy rendered a different {name} on a later run")
    result: dict[str, object] = json.loads(printed.read_text())
    return bakepy, buildx, result


def breakdown(
    repo: Monorepo, out: Path, repeat: int, env: Mapping[str, str]
) -> list[tuple[str, float]]:
    """bakepy render split into phases, in one process per run; the best of ``repeat`` runs.

    ``-P`` keeps the monorepo's ``bakepy.py`` (in the current folder) from shadowing bakepy.
    """
    best: dict[str, float] = {}
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        text = subprocess.run(
            [sys.executable, "-P", "-c", BREAKDOWN, str(repo.definition), str(out)],
            cwd=repo.root,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in text.splitlines():
            name, _, seconds = line.partition("\t")
            best[name] = min(best.get(name, float("inf")), float(seconds))
    return list(best.items())


def interpreter_startup(repeat: int) -> float:
    """Best wall time of a bare ``python -c pass`` (the floor any Python CLI pays)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def tool_version(command: list[str]) -> str:
    """First line of a ``version`` command's output."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "not found"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def report(
    repo: Monorepo, bakepy: Runs, buildx: Runs, printed: dict[str, object], cached: bool
) -> None:
    """The table: both tools, the ratio, and whether the goal is met."""
    targets = printed.get("target", {})
    groups = printed.get("group", {})
    if not isinstance(targets, dict) or not isinstance(groups, dict):
        raise SystemExit("buildx printed no target/group maps")
    print(
        f"definitions: {repo.targets} targets ({repo.teams} teams x {repo.services_per_team} "
        f"services + {repo.teams} team bases + _base), {repo.groups} groups, 2 platforms"
    )
    print(f"buildx --print resolved {len(targets)} targets in {len(groups)} groups")
    if len(targets) != repo.services:
        print(f"WARNING: expected {repo.services} resolved targets")
    print(f"python {sys.version.split()[0]}; {tool_version(['docker', 'buildx', 'version'])}")
    cache = "private bytecode cache" if cached else "environment as is"
    print(
        f"cpus: {os.cpu_count()}; {len(bakepy.wall)} runs per tool, alternating, "
        f"each a fresh process; bakepy: {cache}"
    )
    print()
    header = f"{'tool':<22}{'best':>9}{'median':>9}{'cpu med':>9}{'peak RSS':>12}"
    print(header)
    print("-" * len(header))
    for runs in (bakepy, buildx):
        rss = max(runs.peak_rss_kib) / 1024
        print(
            f"{runs.tool:<22}{runs.best:>8.3f}s{runs.median:>8.3f}s"
            f"{statistics.median(runs.cpu):>8.3f}s{rss:>8.1f} MiB"
        )
    print("-" * len(header))
    ratio_best = bakepy.best / buildx.best
    ratio_median = bakepy.median / buildx.median
    print(f"{'ratio bakepy/buildx':<22}{ratio_best:>8.2f}x{ratio_median:>8.2f}x")
    verdict = "MET" if ratio_median <= GOAL else "NOT MET"
    print(f"\ngoal: bakepy render <= {GOAL}x buildx --print (median ratio): {verdict}")


def main() -> int:
    """Generate, measure, print; exit 0 whatever the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000, help="Service targets (~).")
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs per tool.")
    parser.add_argument(
        "--breakdown", action="store_true", help="Also time bakepy's phases in one process."
    )
    parser.add_argument(
        "--inherit-env",
        action="store_true",
        help="Run bakepy with the environment as is (no private bytecode cache).",
    )
    parser.add_argument("--keep", type=Path, help="Generate into this folder and keep it.")
    args = parser.parse_args()
    teams = min(TEAMS, max(1, args.targets))
    per_team = max(1, round(args.targets / teams))

    with tempfile.TemporaryDirectory(prefix="bakepy-bench-") as tmp:
        root = args.keep or Path(tmp) / "monorepo"
        repo = write_monorepo(root, teams, per_team)
        env = python_env(None if args.inherit_env else Path(tmp) / "pycache")
        bakepy, buildx, printed = measure(repo, args.repeat, env)
        report(repo, bakepy, buildx, printed, cached=not args.inherit_env)
        if args.breakdown:
            print(f"\nbare `python -c pass`: {interpreter_startup(args.repeat):.3f}s (best)")
            print("bakepy render in one process, by phase (best of each):")
            for name, seconds in breakdown(repo, root / "render", args.repeat, env):
                print(f"  {name:<28}{seconds:>7.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
