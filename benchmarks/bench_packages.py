"""bakepy on a repository of packages, side by side with ``docker buildx bake --print``.

``packages.py`` writes the repository (default 200 packages x 10 targets: 40% Python, 20%
YAML manifests, 20% compose files, 20% bake files; shared bases at the root, a CODEOWNERS)
into a temporary folder, committed in git. Then, every run a new process, runs alternating so a
busy machine slows all alike:

| what | command |
|---|---|
| render, cold | ``bakepy render :: --out OUT`` with no render cache (the cache folder holds only\
  what ``docker buildx version`` and the engine answered, as after any earlier bakepy command) |
| render, cold, one process | the same with ``BAKEPY_JOBS=1``: no forked process shares the work |
| render, cold, empty cache | the same with an empty cache folder (asks docker for both versions) |
| buildx | ``docker buildx bake --print`` of every package's default group, in OUT |
| render, nothing changed | the same render again (the cache answers) |
| affected, one file | ``bakepy affected --since HEAD`` after one context file changed |
| affected, a definition | the same after one package's definition changed (loads both trees) |

It prints best and median wall time, median CPU time (user + sys) and each ratio to buildx.
Goals (issue 12): cold render <= 0.25x buildx, nothing changed <= 0.1x, affected for a
one-file change <= 0.5 s. It exits 0 whatever the figures; non-zero only if a tool fails.

    .venv/bin/python benchmarks/bench_packages.py [--packages 200] [--targets 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import Runs, bakepy_command, python_env, run_once
from packages import TEAMS, write

_MACHINE_FACTS = ("toolchain.json", "engine.json")
"""What the cache folder keeps about the machine, not the repository: the buildx and engine
versions (``docker buildx version``, ``docker version``), asked once and kept by any command."""


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.com",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _line(label: str, runs: Runs, reference: float | None) -> str:
    cpu = statistics.median(runs.cpu)
    ratio = f"{runs.median / reference:5.2f}x" if reference else "     -"
    times = f"best {runs.best:6.3f} s  median {runs.median:6.3f} s  cpu {cpu:6.3f} s"
    return f"{label:<28} {times}  {ratio}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    docker = shutil.which("docker")
    if docker is None:
        raise SystemExit("docker is not installed: buildx is the reference")
    scratch = Path(tempfile.mkdtemp(prefix="bakepy-bench-packages-"))
    repo = scratch / "repo"
    paths = write(repo, args.packages, args.targets)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "start")
    out = scratch / "out"
    bakepy = bakepy_command()
    env = python_env(scratch / "pycache")
    cache = scratch / "cache"
    groups = [f"{p.replace('/', '-')}-default" for p in paths]
    render = Runs("render, cold", [*bakepy, "render", "::", "--out", str(out)])
    buildx = Runs("buildx", [docker, "buildx", "bake", "--print", "-f", "docker-bake.hcl", *groups])
    again = Runs("render, nothing changed", render.command)
    affected_file = Runs("affected, one file", [*bakepy, "affected", "--since", "HEAD"])
    affected_definition = Runs("affected, a definition", affected_file.command)
    sink = scratch / "stdout"
    cold_env = {**env, "BAKEPY_CACHE_DIR": str(scratch / "cold-cache")}
    warm_env = {**env, "BAKEPY_CACHE_DIR": str(cache)}
    empty = Runs("render, cold, empty cache", render.command)
    alone = Runs("render, cold, one process", render.command)
    run_once(render.command, repo, sink, warm_env)  # warm-up: bytecode, caches, output
    run_once(buildx.command, out, sink)
    run_once(affected_file.command, repo, sink, warm_env)  # keeps the snapshot it answers from
    machine = [cache / name for name in _MACHINE_FACTS if (cache / name).is_file()]
    context_file = repo / paths[1] / "svc2" / "main.go"
    definition = repo / paths[0] / "bakepy.py"
    load_before = os.getloadavg()[0]
    for _ in range(args.repeat):
        shutil.rmtree(scratch / "cold-cache", ignore_errors=True)
        empty.record(*run_once(render.command, repo, sink, cold_env))
        shutil.rmtree(scratch / "cold-cache", ignore_errors=True)
        (scratch / "cold-cache").mkdir()
        for fact in machine:
            shutil.copy2(fact, scratch / "cold-cache" / fact.name)
        render.record(*run_once(render.command, repo, sink, cold_env))
        shutil.rmtree(scratch / "cold-cache" / "render", ignore_errors=True)
        alone.record(*run_once(render.command, repo, sink, {**cold_env, "BAKEPY_JOBS": "1"}))
        buildx.record(*run_once(buildx.command, out, sink))
        again.record(*run_once(again.command, repo, sink, warm_env))
        context_file.write_text(context_file.read_text() + "// changed\n")
        affected_file.record(*run_once(affected_file.command, repo, sink, warm_env))
        _git(repo, "checkout", "-q", "--", ".")
        definition.write_text(definition.read_text().replace('"1"', '"2"') + "\n# changed\n")
        affected_definition.record(*run_once(affected_definition.command, repo, sink, warm_env))
        _git(repo, "checkout", "-q", "--", ".")
    targets = args.packages * args.targets
    print(
        f"{args.packages} packages x {args.targets} targets ({targets} targets, "
        f"{len(TEAMS)} teams), {args.repeat} runs each, load average (1 min) "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    reference = buildx.median
    for label, runs in (
        ("buildx bake --print", buildx),
        ("bakepy render, cold", render),
        ("bakepy render, cold, 1 proc", alone),
        ("bakepy render, cold, empty", empty),
        ("bakepy render, unchanged", again),
        ("bakepy affected, one file", affected_file),
        ("bakepy affected, definition", affected_definition),
    ):
        print(_line(label, runs, None if runs is buildx else reference))
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
