"""Run one ``apply_runtime`` in a process of its own, as a user runs ``bakepy apply``.

Test-only seam: ``BAKEPY_TEST_KILL_AFTER=N`` makes the process SIGKILL itself right after its
Nth mutating HTTP request to the engine has been answered, to interrupt an apply at a chosen
point. Prints one JSON line: what was done, and when the first and last mutating requests were.

    python runtime_child.py DEFINITION [--prune] [--prune-volumes] [--lock-timeout S]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time

from bakepy import load
from bakepy.engine.compose.client import CountingClient, DockerEngineClient
from bakepy.engine.compose.verbs import apply_runtime


def main() -> None:
    """Apply the definition once, and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("definition")
    parser.add_argument("--prune", action="store_true")
    parser.add_argument("--prune-volumes", action="store_true")
    parser.add_argument("--lock-timeout", type=float, default=120.0)
    args = parser.parse_args()
    kill_after = int(os.environ.get("BAKEPY_TEST_KILL_AFTER", "0"))
    times: list[float] = []

    def on_mutation(count: int) -> None:
        times.append(time.time())
        if kill_after and count >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    client = CountingClient(DockerEngineClient(), on_mutation=on_mutation)
    result = apply_runtime(
        load([args.definition]),
        client=client,
        prune=args.prune,
        prune_volumes=args.prune_volumes,
        lock_timeout=args.lock_timeout,
        wait_timeout=60,
    )
    report = {
        "changed": result.changed,
        "done": [f"{d.action} {d.name}" for d in result.done if d.action != "waited"],
        "mutating_requests": client.mutating_requests,
        "requests": len(client.requests),
        "first_mutation": times[0] if times else None,
        "last_mutation": times[-1] if times else None,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
