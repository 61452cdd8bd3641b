"""Time a rebuild with nothing changed: ``bakepy apply`` of N targets against ``docker buildx
bake`` of the same targets, both after a first build, on the real engine.

Writes a project of N targets (default 6), each with its own context folder (a Dockerfile
that copies 40 source files and runs a step, a ``.dockerignore``), tagged and loaded into the
engine (``type=docker``), or pushed to the local registry with ``--push``. Both tools build
once untimed; then K alternating runs of each, every run a fresh process as a user runs it:

* bakepy: ``bakepy apply -f bakepy.py --no-syntax-directive`` (the venv's console script):
  load the definition, check it, plan the builds (input digests, base image digests, the
  recorded results) and build what changed: nothing;
* buildx: ``docker buildx bake -f docker-bake.json --progress=quiet <targets>`` on the bake
  file ``bakepy render`` wrote for the same definition (what a user would run instead), and
  the same with provenance off (``--set *.attest=type=provenance,disabled=true``), which is
  how bakepy builds.

It prints the medians and the bakepy/buildx ratios (target: at most 1.05), then removes the
images it made. A benchmark, not a test: it exits 0 whatever the figures.

    python benchmarks/bench_rebuild.py [--targets 6] [--repeat 7] [--push]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DEFINITION = """
from bakepy import Project, Target, TargetSpec

project = Project([
    Target(
        metadata=f"svc{{i}}",
        spec=TargetSpec(
            context=f"services/svc{{i}}",
            tags=[f"{repository}-svc{{i}}:bench"],
            output=[{output!r}],
        ),
    )
    for i in range({count})
])
"""

DOCKERFILE = """FROM {base}
COPY src/ /app/src/
RUN --network=none find /app/src -type f | sort > /app/manifest.txt
CMD ["cat", "/app/manifest.txt"]
"""


def write_project(root: Path, count: int, base: str, repository: str, push: bool) -> None:
    """The definition and each target's context folder."""
    output = "type=registry" if push else "type=docker"
    (root / "bakepy.py").write_text(
        DEFINITION.format(count=count, repository=repository, output=output)
    )
    for i in range(count):
        folder = root / "services" / f"svc{i}"
        (folder / "src").mkdir(parents=True)
        (folder / "Dockerfile").write_text(DOCKERFILE.format(base=base))
        (folder / ".dockerignore").write_text("*.log\n")
        for n in range(40):
            (folder / "src" / f"module{n:02d}.py").write_text(f"VALUE = {i * 100 + n}\n" * 20)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one run; the run must succeed (a failure is retried once: an engine
    overloaded by other work answers BuildKit's session with DeadlineExceeded now and then)."""
    for attempt in (1, 2):
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        if result.returncode == 0:
            return seconds
        print(f"{' '.join(command[:3])} failed (try {attempt}): {result.stderr.strip()[-300:]}")
    sys.exit(f"{' '.join(command[:3])} failed twice")


def main() -> None:
    """Build once with each tool, then time the no-change runs side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--push", action="store_true", help="push to the local registry")
    options = parser.parse_args()
    base = os.environ.get("BAKEPY_BASE_IMAGE", "localhost:5000/busybox:latest")
    registry = os.environ.get("BAKEPY_REGISTRY", "localhost:5000")
    tag = uuid.uuid4().hex[:8]
    repository = f"{registry}/bakepy-rebuild-{tag}" if options.push else f"bakepy-rebuild-{tag}"
    names = [f"svc{i}" for i in range(options.targets)]
    bakepy = str(Path(sys.executable).with_name("bakepy"))
    with tempfile.TemporaryDirectory(prefix="bakepy-bench-rebuild-") as work:
        root = Path(work)
        project = root / "project"
        project.mkdir()
        write_project(project, options.targets, base, repository, options.push)
        env = {
            **os.environ,
            "BAKEPY_STATE_DIR": str(root / "state"),
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),  # an installed package's .pyc files
        }
        # ... written by the untimed runs: with PYTHONDONTWRITEBYTECODE (set in some shells and
        # CI jobs) every run compiled bakepy and the stdlib modules it imports from source,
        # which is not what an installed bakepy does (0.25 to 0.45 s of a no-change run here)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # buildx builds the same targets under other tags: each run finds its own images
        rendered: dict[str, Path] = {}
        for suffix in ("bx", "bxoff"):
            twin = root / suffix
            twin.mkdir()
            write_project(twin, options.targets, base, f"{repository}-{suffix}", options.push)
            rendered[suffix] = twin / "rendered"
            render = [
                bakepy,
                "render",
                "-f",
                str(twin / "bakepy.py"),
                "--out",
                str(rendered[suffix]),
            ]
            timed([*render, "--no-syntax-directive", "--format", "json"], twin, env)
        apply = [bakepy, "apply", "-f", "bakepy.py", "--no-syntax-directive", "--progress", "quiet"]
        bake = ["docker", "buildx", "bake", "-f", "docker-bake.json", "--progress=quiet", *names]
        bake_off = [*bake, "--set", "*.attest=type=provenance,disabled=true"]
        runs: dict[str, list[float]] = {"bakepy": [], "buildx": [], "buildx-noprov": []}
        commands = {
            "bakepy": (apply, project),
            "buildx": (bake, rendered["bx"]),
            "buildx-noprov": (bake_off, rendered["bxoff"]),
        }
        try:
            for command, cwd in commands.values():
                timed(command, cwd, env)  # the first build, and a warm-up
                timed(command, cwd, env)
            for _ in range(options.repeat):
                for key, (command, cwd) in commands.items():
                    runs[key].append(timed(command, cwd, env))
        finally:
            images = [
                f"{repo}-{name}:bench"
                for repo in (repository, f"{repository}-bx", f"{repository}-bxoff")
                for name in names
            ]
            subprocess.run(["docker", "rmi", "-f", *images], capture_output=True, check=False)
    medians = {key: statistics.median(values) for key, values in runs.items()}
    where = "pushed to the local registry" if options.push else "loaded into the engine"
    print(f"{options.targets} targets, {where}; median of {options.repeat} no-change runs")
    print(f"  bakepy apply                         {medians['bakepy']:.3f} s")
    print(f"  docker buildx bake                   {medians['buildx']:.3f} s")
    print(f"  docker buildx bake, provenance off   {medians['buildx-noprov']:.3f} s")
    print(f"  ratio bakepy / buildx bake           {medians['bakepy'] / medians['buildx']:.2f}")
    ratio = medians["bakepy"] / medians["buildx-noprov"]
    print(f"  ratio bakepy / bake, provenance off  {ratio:.2f}  (target: at most 1.05)")


if __name__ == "__main__":
    main()
