"""Progress lines of apply and delete: results printed once; how a long wait is going (a
``Status``: health checks, rollouts, pulls) shown live in place on a terminal, and as a plain
line when it starts and then every few seconds in CI logs and pipes."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bakepy.engine.progress import Status

PLAIN_EVERY = 10.0
"""Seconds between two plain lines about the same wait (CI logs stay short)."""


def is_terminal(stream: TextIO, mode: str = "auto") -> bool:
    """Whether waits are shown live: ``--progress tty``, or ``auto`` on a terminal that is not
    ``TERM=dumb``; ``plain`` and ``quiet`` never."""
    if mode in ("plain", "quiet"):
        return False
    if mode == "tty":
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


class LivePrinter:
    """Prints progress lines to ``stream``; a ``Status`` (see ``bakepy.engine.progress``)
    replaces the previous one in place on a terminal, or is printed as a plain line at most
    every ``every`` seconds per wait elsewhere; ``quiet`` drops statuses."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        live: bool | None = None,
        quiet: bool = False,
        every: float = PLAIN_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.live = is_terminal(self.stream) if live is None else live
        self.quiet = quiet
        self.every = every
        self.clock = clock
        self._shown = False
        self._printed: dict[str, float] = {}

    def __call__(self, line: str) -> None:
        """Print one progress line (a result) or status (a wait going on)."""
        from bakepy.engine.progress import Status

        if isinstance(line, Status):
            self._status(line)
        else:
            self._clear()
            self.stream.write(f"{line}\n")
            self.stream.flush()

    def _status(self, status: Status) -> None:
        if self.quiet:
            return
        if self.live:
            width = shutil.get_terminal_size().columns
            self.stream.write("\r\033[K" + str(status)[: max(width - 1, 20)])
            self.stream.flush()
            self._shown = True
            return
        now = self.clock()
        last = self._printed.get(status.key)
        if last is None or now - last >= self.every:
            self._printed[status.key] = now
            self.stream.write(f"{status}\n")
            self.stream.flush()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self._shown = False

    def close(self) -> None:
        """Take a live status off the screen (at the end of the command)."""
        self._clear()
        self.stream.flush()
