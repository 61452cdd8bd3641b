"""Run one task per node of a dependency graph on a bounded thread pool: each node as soon as
the tasks of the nodes it comes after have finished, independent nodes at the same time.

The first error stops the run: nothing more is started, tasks not yet started are cancelled,
running ones finish (their waits see ``stop`` and give up), then the error is raised. An
interrupt (Ctrl-C) in the calling thread does the same before it propagates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


class Stopped(Exception):
    """Raised in a task that gave up because the run is stopping (never the reported error)."""


def run_graph(
    nodes: Sequence[str],
    after: Mapping[str, Sequence[str]],
    task: Callable[[str], None],
    *,
    workers: int,
    stop: threading.Event,
) -> None:
    """Call ``task(node)`` for every node, never before the nodes it comes ``after`` are done.

    ``nodes`` must have no cycle (the caller ordered them); ready nodes start in ``nodes``
    order. At most ``workers`` tasks run at once.
    """
    known = set(nodes)
    pending = {node: set(after.get(node, ())) & known for node in nodes}
    running: dict[Future[None], str] = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="bakepy") as pool:
        try:
            while True:
                if not stop.is_set():
                    for node in [n for n in nodes if n in pending and not pending[n]]:
                        del pending[node]
                        running[pool.submit(task, node)] = node
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: nodes.index(running[f])):
                    node = running.pop(future)
                    error = None if future.cancelled() else future.exception()
                    if error is None:
                        for waiting in pending.values():
                            waiting.discard(node)
                    elif failure is None and not isinstance(error, Stopped):
                        failure = error
                        stop.set()
                        for queued in running:
                            queued.cancel()
        except BaseException:
            stop.set()
            for queued in running:
                queued.cancel()
            raise
    if failure is not None:
        raise failure
