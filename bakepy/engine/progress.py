"""How a long wait reports itself while it lasts (a health check, a rollout, a pull).

A ``Status`` is a progress line that says how a wait is going: whoever prints progress shows
it in place on a terminal and as an occasional plain line elsewhere (CI logs), while every
other progress line is a result, printed once. It is a ``str``, so a plain ``print`` works too.
"""

from __future__ import annotations


class Status(str):
    """A transient progress line; ``key`` names what is waited for (one line per key)."""

    key: str

    def __new__(cls, key: str, text: str) -> Status:
        """``text`` about the wait named ``key``."""
        status = super().__new__(cls, text)
        status.key = key
        return status
