"""Run one ``apply_builds`` in a process of its own, as a user runs ``bakepy apply``.

Prints one JSON line: when each ``docker buildx bake`` this process ran started and ended,
and which targets it built.

    python build_child.py DEFINITION_FOLDER [--lock-timeout S]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bakepy import apply_builds, load
from bakepy.engine.commands import CommandResult, SubprocessRunner


class TimedRunner(SubprocessRunner):
    """Runs commands for real, noting when each ``buildx bake`` started and ended."""

    def __init__(self) -> None:
        self.bakes: list[tuple[float, float]] = []

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> CommandResult:
        """Run ``args``; a bake's start and end are kept."""
        started = time.time()
        result = super().run(args, cwd=cwd, env=env, stream=stream)
        if "bake" in args[:4] and "--print" not in args:
            self.bakes.append((started, time.time()))
        return result


def main() -> None:
    """Build the definition's targets once, and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--lock-timeout", type=float, default=120.0)
    args = parser.parse_args()
    runner = TimedRunner()
    report = apply_builds(
        load([Path(args.folder)]), runner=runner, progress="quiet", lock_timeout=args.lock_timeout
    )
    built = [r.target for r in report.results if r.action == "built"]
    print(json.dumps({"bakes": runner.bakes, "built": built}))


if __name__ == "__main__":
    main()
