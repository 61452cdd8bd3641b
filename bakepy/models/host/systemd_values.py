"""Typed values of systemd unit settings: resource limits, time spans, raw ``Key=value`` lines."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_COUNT = r"(\d+|infinity)"
_BYTES = r"(\d+[KMGTPE]?|infinity)"
_TIMESPAN = re.compile(
    r"^(infinity|(\d+(\.\d+)?\s*(us|usec|ms|msec|s|sec|second|seconds|m|min|minute|minutes|"
    r"h|hr|hour|hours|d|day|days|w|week|weeks|M|month|months|y|year|years)?\s*)+)$"
)
_KEY_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9]*=")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TASKS = re.compile(r"^(\d+%?|infinity)$")


_SUFFIXES = {
    "": 1,
    "K": 1 << 10,
    "M": 1 << 20,
    "G": 1 << 30,
    "T": 1 << 40,
    "P": 1 << 50,
    "E": 1 << 60,
}


def _limit_value(value: str) -> float:
    if value == "infinity":
        return float("inf")
    suffix = value[-1] if value[-1] in _SUFFIXES else ""
    return int(value.removesuffix(suffix)) * _SUFFIXES[suffix]


def _limit(pattern: str, example: str) -> Any:
    """A ``Limit*=`` value: one number, ``soft:hard`` or ``infinity``."""
    full = re.compile(rf"^{pattern}(:{pattern})?$")

    def check(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value)
        if not isinstance(value, str) or not full.match(value):
            raise ValueError(
                f"{value!r} is not a limit: write a number, soft:hard ({example}) or infinity"
            )
        soft, _, hard = value.partition(":")
        if hard and _limit_value(soft) > _limit_value(hard):
            raise ValueError(f"soft limit {soft} is above the hard limit {hard}")
        return value

    return check


def _timespan(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if not isinstance(value, str) or not _TIMESPAN.match(value.strip()):
        raise ValueError(f"{value!r} is not a time span: write seconds, 90s, 5min or infinity")
    return value


def _tasks(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if not isinstance(value, str) or not _TASKS.match(value):
        raise ValueError(f"{value!r} is not a task limit: write a number, 80% or infinity")
    return value


CountLimit = Annotated[
    str, BeforeValidator(_limit(_COUNT, "1024:524288"), json_schema_input_type=str | int)
]
"""``LimitNOFILE=``, ``LimitNPROC=``: ``65536``, ``1024:524288`` or ``infinity``."""
ByteLimit = Annotated[
    str, BeforeValidator(_limit(_BYTES, "64M:1G"), json_schema_input_type=str | int)
]
"""``LimitCORE=``, ``LimitMEMLOCK=``: bytes with optional K/M/G/T/P/E, soft:hard or infinity."""
TimeSpan = Annotated[str, BeforeValidator(_timespan, json_schema_input_type=str | int)]
"""A systemd time span: seconds as a number, ``90s``, ``5min 20s`` or ``infinity``."""
TasksLimit = Annotated[str, BeforeValidator(_tasks, json_schema_input_type=str | int)]
"""``TasksMax=``: a number, a percentage or ``infinity``."""


def check_text(value: str, what: str) -> str:
    """A setting's value is one line: newlines and control characters cannot be written."""
    if _CONTROL.search(value):
        raise ValueError(f"{what} {value!r} contains a newline or control character")
    return value


def extra_key(line: str) -> str:
    """The key of a raw ``Key=value`` line; ValueError when the line is not one."""
    check_text(line, "line")
    if not _KEY_LINE.match(line):
        raise ValueError(f"raw line {line!r} must look like Key=value")
    return line.split("=", 1)[0]
