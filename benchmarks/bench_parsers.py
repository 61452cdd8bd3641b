"""The small machinery's libraries against what they replaced (issue 16).

- Regular expressions: bake's ``regexall`` on RE2 (google-re2, what bakepy uses) against
  Python's ``re`` with bakepy's translation (the fallback), on an ordinary pattern and on
  ``(a+)+$`` (exponential for a backtracking engine, linear for RE2).
- YAML: a manifest file of 2,000 Target documents read with libyaml's loader (what bakepy
  uses) against the pure-Python one; a compose-sized file as well.

Each figure is the best of ``--repeat`` runs, in the same process (start-up is not the
question here). The script always exits 0.

    .venv/bin/python benchmarks/bench_parsers.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import yaml

from bakepy.hcl.functions import regex as bake_regex


def best(repeat: int, work: Callable[..., object]) -> float:
    """The fastest of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def regex_figures(repeat: int) -> list[tuple[str, float, float]]:
    """(case, RE2 seconds, re seconds) for an ordinary and a pathological pattern."""
    text = "release-1.2.3 release-2.0.0-rc.1 nightly " * 2_000
    cases = [
        ("semver tags in 80 kB, 1 call", r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.]+))?", text),
        ("(a+)+$ on 25 chars", r"(a+)+$", "a" * 24 + "b"),
    ]
    found: list[tuple[str, float, float]] = []
    for label, pattern, subject in cases:
        bake_regex.compile_go_regex.cache_clear()
        with_re2 = best(repeat, lambda p=pattern, t=subject: bake_regex.regexall(p, t))
        saved = bake_regex.re2
        bake_regex.re2 = None
        bake_regex.compile_go_regex.cache_clear()
        try:
            runs = 1 if "+)+" in pattern else repeat  # seconds per run for re
            with_re = best(runs, lambda p=pattern, t=subject: bake_regex.regexall(p, t))
        finally:
            bake_regex.re2 = saved
            bake_regex.compile_go_regex.cache_clear()
        found.append((label, with_re2, with_re))
    return found


TARGET = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata:
  name: svc{index}
  labels: {{team: payments, tier: web}}
spec:
  inherits: [_base]
  context: services/svc{index}
  args: {{SERVICE: svc{index}, GO_VERSION: "1.22"}}
  tags: ["registry.example.com/payments/svc{index}:${{TAG}}", "r.example.com/svc{index}:latest"]
  platforms: [linux/amd64, linux/arm64]
"""


def yaml_figures(repeat: int) -> list[tuple[str, float, float]]:
    """(case, libyaml seconds, pure-Python seconds)."""
    manifests = "---\n".join(TARGET.format(index=i) for i in range(2_000))
    compose = "services:\n" + "".join(
        f"  svc{i}:\n    image: app/svc{i}:1\n    environment: {{A: '1', B: '2'}}\n"
        f"    ports: ['{8000 + i}:80']\n    depends_on: [db]\n"
        for i in range(500)
    )
    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: list[tuple[str, float, float]] = []
    for label, text in (("2,000 Target manifests", manifests), ("compose, 500 services", compose)):
        with_c = best(repeat, lambda t=text: list(yaml.load_all(t, Loader=fast)))
        with_python = best(repeat, lambda t=text: list(yaml.load_all(t, Loader=yaml.SafeLoader)))
        found.append((label, with_c, with_python))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("regexall                          RE2 (bakepy)    re (fallback)   ratio")
    for label, with_re2, with_re in regex_figures(args.repeat):
        ratio = with_re / with_re2
        print(f"  {label:<31} {with_re2 * 1000:9.3f} ms  {with_re * 1000:11.3f} ms  {ratio:8.1f}x")
    print("YAML                              libyaml (bakepy) pure Python    ratio")
    for label, with_c, with_python in yaml_figures(args.repeat):
        ratio = with_python / with_c
        print(
            f"  {label:<31} {with_c * 1000:9.1f} ms  {with_python * 1000:11.1f} ms  {ratio:8.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
