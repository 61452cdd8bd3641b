"""Time ``bakepy print -f docker-bake.hcl`` against ``docker buildx bake --print`` on the
2,000-target HCL file of the render benchmark, cold (empty cache) and warm (cached).

The HCL file is what ``bakepy render`` writes for benchmarks/monorepo.py. Each run is a fresh
process, the three commands alternate so that a busy machine slows all alike:

* buildx: ``docker buildx bake --print -f docker-bake.hcl default``;
* bakepy cold: the same with ``bakepy print``, its cache folder emptied before every run
  (python-hcl2 parses the whole file, bakepy evaluates and resolves every target);
* bakepy warm: the same again with the cache left in place (parsed files and print results
  are cached by content hash, so an unchanged file costs almost nothing).

Goals: cold at most 1.5 times buildx, warm at most 0.1 times buildx (median wall clock). It
is a benchmark, not a test: it exits 0 whatever the ratios.

    python benchmarks/bench_load.py [--targets 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_render import Runs, bakepy_command, python_env, run_once, tool_version
from monorepo import write_monorepo

COLD_GOAL = 1.5
WARM_GOAL = 0.1
TEAMS = 20


def main() -> int:
    """Generate, measure, print; exit 0 whatever the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000, help="Service targets (~).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs per command.")
    args = parser.parse_args()
    per_team = max(1, round(args.targets / TEAMS))
    with tempfile.TemporaryDirectory(prefix="bakepy-bench-load-") as tmp:
        root = Path(tmp)
        repo = write_monorepo(root / "monorepo", TEAMS, per_team)
        out = root / "out"
        env = python_env(root / "pycache")
        run_once(
            [
                *bakepy_command(),
                "render",
                "-f",
                str(repo.definition),
                "--out",
                str(out),
                "--format",
                "hcl",
            ],
            root,
            root / "render.log",
            env,
        )
        size = (out / "docker-bake.hcl").stat().st_size
        cache = root / "cache"
        env["BAKEPY_CACHE_DIR"] = str(cache)
        printed = [*bakepy_command(), "print", "-f", "docker-bake.hcl", "default"]
        buildx = Runs(
            "buildx bake --print",
            ["docker", "buildx", "bake", "--print", "-f", "docker-bake.hcl", "default"],
        )
        cold = Runs("bakepy print (cold)", printed)
        warm = Runs("bakepy print (warm)", printed)
        run_once(buildx.command, out, root / "buildx.json")  # untimed: page cache, bytecode
        run_once(printed, out, root / "bakepy.json", env)
        for _ in range(args.repeat):
            buildx.record(*run_once(buildx.command, out, root / "buildx.json"))
            shutil.rmtree(cache, ignore_errors=True)
            cold.record(*run_once(printed, out, root / "cold.json", env))
            warm.record(*run_once(printed, out, root / "warm.json", env))
        theirs = json.loads((root / "buildx.json").read_text())
        ours = json.loads((root / "cold.json").read_text())
        same = (root / "cold.json").read_bytes() == (root / "warm.json").read_bytes()
        for target in ours["target"].values():
            target.pop("description", None)  # buildx 0.13 drops descriptions (bake.md §13)
        print(
            f"HCL file: {size / 1024:.0f} KiB, {len(theirs['target'])} targets resolved; "
            f"bakepy and buildx agree: {ours == theirs}; warm output identical: {same}"
        )
        print(
            f"python {sys.version.split()[0]}; {tool_version(['docker', 'buildx', 'version'])}"
            f"; {args.repeat} runs each, alternating, fresh processes"
        )
        print()
        header = f"{'command':<22}{'best':>9}{'median':>9}{'cpu med':>9}{'peak RSS':>12}"
        print(header)
        print("-" * len(header))
        for runs in (buildx, cold, warm):
            print(
                f"{runs.tool:<22}{runs.best:>8.3f}s{runs.median:>8.3f}s"
                f"{statistics.median(runs.cpu):>8.3f}s"
                f"{max(runs.peak_rss_kib) / 1024:>8.1f} MiB"
            )
        print("-" * len(header))
        for runs, goal in ((cold, COLD_GOAL), (warm, WARM_GOAL)):
            ratio = runs.median / buildx.median
            cpu = statistics.median(runs.cpu) / statistics.median(buildx.cpu)
            verdict = "MET" if ratio <= goal else "NOT MET"
            print(f"{runs.tool}: {ratio:.2f}x buildx (cpu {cpu:.2f}x); goal <= {goal}x: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
