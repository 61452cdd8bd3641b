"""Compose's value conversions: durations in Go's form, sizes in bytes, paths, ``$`` escaping."""

from __future__ import annotations

import re
from decimal import Decimal

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_NANOS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_SIZE_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_duration(text: str) -> int:
    """Nanoseconds in a duration such as ``1m30s`` or ``500ms`` (Go's ``time.ParseDuration``)."""
    if text == "0":
        return 0
    total = Decimal(0)
    position = 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            break
        total += Decimal(match.group(1)) * _NANOS[match.group(2)]
        position = match.end()
    if position != len(text) or not text:
        raise ValueError(f"invalid duration {text!r}")
    return int(total)


def _fraction(value: int, digits: int) -> str:
    whole, frac = divmod(value, 10**digits)
    decimals = str(frac).rjust(digits, "0").rstrip("0")
    return f"{whole}.{decimals}" if decimals else str(whole)


def format_duration(nanos: int) -> str:
    """A duration as Go's ``time.Duration.String`` prints it: ``1m30s``, ``1h0m0s``, ``1.5ms``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    value = abs(nanos)
    if value < 1_000:
        return f"{sign}{value}ns"
    if value < 1_000_000:
        return f"{sign}{_fraction(value, 3)}µs"
    if value < 1_000_000_000:
        return f"{sign}{_fraction(value, 6)}ms"
    seconds, nanos_left = divmod(value, 1_000_000_000)
    text = _fraction(seconds % 60 * 1_000_000_000 + nanos_left, 9) + "s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes // 60:
            text = f"{minutes // 60}h{text}"
    return sign + text


def go_duration(text: str) -> str:
    """Re-spell a duration the way ``docker compose config`` prints it (``90s`` -> ``1m30s``)."""
    return format_duration(parse_duration(text))


def size_in_bytes(value: str | int) -> int:
    """``64m`` -> 67108864, with the 1024-based units compose reads sizes with."""
    if isinstance(value, int):
        return value
    match = _SIZE.match(value.strip())
    if not match:
        raise ValueError(f"invalid size {value!r}")
    number = Decimal(match.group(1))
    unit = (match.group(2) or "").lower()
    return int(number * 1024 ** _SIZE_POWERS.get(unit, 0))


def escape_dollars(text: str) -> str:
    """A literal string as compose must read it: ``$`` doubled so it is not interpolated."""
    return text.replace("$", "$$")


def unescape_dollars(text: str) -> str:
    """What compose makes of a string without interpolations: ``$$`` becomes ``$``."""
    return text.replace("$$", "$")


def has_interpolation(text: str) -> bool:
    """True when compose would substitute a variable in ``text`` (a ``$`` that is not ``$$``)."""
    return "$" in text.replace("$$", "")


def dot_relative(path: str) -> str:
    """A relative path as compose wants it, starting with ``./`` or ``../``."""
    if path in (".", "..") or path.startswith(("./", "../", "/", "~", "git@")) or "://" in path:
        return path
    if re.match(r"^[a-zA-Z]:[\\/]", path) or "${" in path:
        return path
    return "./" + path
