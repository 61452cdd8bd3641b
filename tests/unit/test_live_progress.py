"""Long waits show live progress on a terminal (one line rewritten in place) and plain lines
in CI and pipes (when a wait starts, then every ten seconds); results print once either way."""

from __future__ import annotations

import io

from bakepy.cli.progress import LivePrinter, is_terminal
from bakepy.engine.progress import Status


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_rewrites_the_wait_in_place_and_clears_it_for_results() -> None:
    out = io.StringIO()
    printer = LivePrinter(out, live=True)
    printer(Status("db", "waiting for db to be healthy (1s, it is starting)"))
    printer(Status("db", "waiting for db to be healthy (2s, it is starting)"))
    printer("waited service/db db (2.1s)")
    printer.close()
    assert out.getvalue() == (
        "\r\033[Kwaiting for db to be healthy (1s, it is starting)"
        "\r\033[Kwaiting for db to be healthy (2s, it is starting)"
        "\r\033[Kwaited service/db db (2.1s)\n"
    )


def test_plain_output_prints_a_wait_when_it_starts_then_every_ten_seconds() -> None:
    out, clock = io.StringIO(), Clock()
    printer = LivePrinter(out, live=False, clock=clock)
    for second in range(25):
        clock.now = float(second)
        printer(Status("db", f"waiting for db ({second}s)"))
        if second == 3:
            printer(Status("cache", f"waiting for cache ({second}s)"))
    printer("waited service/db db (25s)")
    assert out.getvalue().splitlines() == [
        "waiting for db (0s)",
        "waiting for cache (3s)",
        "waiting for db (10s)",
        "waiting for db (20s)",
        "waited service/db db (25s)",
    ]
    assert "\r" not in out.getvalue()


def test_quiet_drops_waits_but_not_results() -> None:
    out = io.StringIO()
    printer = LivePrinter(out, live=False, quiet=True)
    printer(Status("db", "waiting for db"))
    printer("created service/app app-1")
    assert out.getvalue() == "created service/app app-1\n"


def test_progress_modes() -> None:
    pipe = io.StringIO()
    assert not is_terminal(pipe)
    assert is_terminal(pipe, "tty")
    assert not is_terminal(pipe, "plain")
    assert not is_terminal(pipe, "quiet")
