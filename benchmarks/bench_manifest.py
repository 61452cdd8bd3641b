"""A big YAML manifest: ``bakepy validate`` against ``docker buildx bake --print`` (issue 15).

Writes a manifest of N Target resources (each with labels, two tags, three args, two platforms,
all building one Dockerfile) and the same targets as a docker-bake.json, for N = 4,000 and
16,000 (about 1.1 MB and 4.6 MB of YAML), then times one run of each tool per size in a new
process: wall-clock seconds and peak RSS (``os.wait4``). bakepy's time per target at the two
sizes shows whether anything grows faster than the input. Always exits 0 unless a tool fails.

    python benchmarks/bench_manifest.py [N ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BAKEPY = Path(sys.executable).with_name("bakepy")


def manifest(count: int) -> str:
    """``count`` Target resources as one multi-document manifest."""
    documents = [
        f"""apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata:
  name: t{i}
  labels: {{team: t{i % 10}}}
spec:
  context: .
  dockerfile: Dockerfile
  tags: ["registry.example/app{i}:1.0", "registry.example/app{i}:latest"]
  args: {{A: "1", B: "2", C: "3"}}
  platforms: [linux/amd64, linux/arm64]
"""
        for i in range(count)
    ]
    return "---\n".join(documents)


def bake_json(count: int) -> str:
    """The same targets as a bake JSON file, with a default group of all of them."""
    targets = {
        f"t{i}": {
            "context": ".",
            "dockerfile": "Dockerfile",
            "tags": [f"registry.example/app{i}:1.0", f"registry.example/app{i}:latest"],
            "args": {"A": "1", "B": "2", "C": "3"},
            "platforms": ["linux/amd64", "linux/arm64"],
        }
        for i in range(count)
    }
    return json.dumps({"group": {"default": {"targets": list(targets)}}, "target": targets})


def timed(command: list[str], folder: Path) -> tuple[float, int]:
    """Wall-clock seconds and peak RSS (MB) of one run; the command must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        assert process.stderr is not None
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    """Time both tools at each size and print the figures side by side."""
    sizes = [int(arg) for arg in sys.argv[1:]] or [4000, 16000]
    docker = shutil.which("docker")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "Dockerfile").write_text("FROM busybox\nARG A\nARG B\nARG C\n")
        print(f"{'targets':>8} {'YAML MB':>8} {'bakepy s':>9} {'ms/target':>9} {'RSS MB':>7}"
              f" {'buildx s':>9} {'RSS MB':>7}")  # fmt: skip
        for count in sizes:
            path = folder / f"targets-{count}.yaml"
            path.write_text(manifest(count))
            (folder / "docker-bake.json").write_text(bake_json(count))
            seconds, rss = timed([str(BAKEPY), "validate", "-f", path.name], folder)
            buildx = "-"
            buildx_rss = "-"
            if docker is not None:
                command = [docker, "buildx", "bake", "--print", "-f", "docker-bake.json"]
                spent, used = timed(command, folder)
                buildx, buildx_rss = f"{spent:.1f}", str(used)
            megabytes = path.stat().st_size / 1e6
            per_target = seconds / count * 1000
            print(f"{count:>8} {megabytes:>8.1f} {seconds:>9.1f} {per_target:>9.2f} {rss:>7}"
                  f" {buildx:>9} {buildx_rss:>7}")  # fmt: skip


if __name__ == "__main__":
    main()
