"""Compose's value conversions: durations in Go's form, sizes in bytes, paths, ``$`` escaping."""

from __future__ import annotations

import re
from decimal import Decimal

from bakepy.support.durations import format_duration, parse_duration

_SIZE = re.compile(r"^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_SIZE_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def go_duration(text: str) -> str:
    """Re-spell a duration the way ``docker compose config`` prints it (``90s`` -> ``1m30s``);
    compose reads it with Go's ``time.ParseDuration``."""
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
