"""Parse several HCL bake files at once, one process each, before they are loaded.

python-hcl2 is pure Python and CPU-bound, so threads would not help; worker processes fill
the content-hash cache that the sequential load then reads. Cached files cost nothing here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from bakepy.errors import BakepyError
from bakepy.loaders.bake.parse import is_cached, parse_hcl


def _parse(path: str) -> None:
    """Worker: parse one file into the cache (errors are reported by the sequential load)."""
    file = Path(path)
    with contextlib.suppress(OSError, UnicodeDecodeError, BakepyError):
        parse_hcl(file.read_text(encoding="utf-8"), file, parallel=False)


def prefetch_hcl(paths: Sequence[Path]) -> None:
    """Parse the HCL files among ``paths`` that are not cached yet, in parallel. Fewer than
    two files are left to the load before anything is read: telling a cached or plain file
    reads it and runs the quick reader, which a repository's packages (a bake file each)
    paid for every file on top of the load's own reading."""
    files = [path for path in paths if path.suffix == ".hcl"]
    if len(files) < 2 or (os.cpu_count() or 1) < 2:
        return
    pending = [str(path) for path in files if not is_cached(path)]
    workers = min(len(pending), os.cpu_count() or 1)
    if workers < 2:
        return
    from concurrent.futures import ProcessPoolExecutor  # here: multiprocessing costs ~5 ms

    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_parse, pending))
