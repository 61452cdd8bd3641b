"""Plain YAML scalars read as compose reads them (go-yaml v3), and Go's way of printing them.

go-yaml v3 follows YAML 1.2 for booleans (only ``true``/``false`` in three spellings: ``yes``
and ``on`` stay strings) and has no base-60 numbers (``22:22`` stays a string), but still reads
``0440`` as octal, drops ``_`` from numbers and reads timestamps as times. Compose prints a
number or a time it finds where a string belongs (a label, an environment value) with Go's
``fmt``: ``1e+06``, ``1.5``, ``2002-12-14 00:00:00 +0000 UTC``; checked with compose 2.26.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

_KEYWORDS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
    **{f"{sign}{inf}": math.inf for sign in ("", "+") for inf in (".inf", ".Inf", ".INF")},
    **{f"-{inf}": -math.inf for inf in (".inf", ".Inf", ".INF")},
}
_GO_INT = re.compile(r"^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$")
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_TIME = r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?"
_TIMESTAMPS = (
    re.compile(rf"^{_DATE}[Tt]{_TIME}(Z|[+-]\d{{2}}:\d{{2}})$"),
    re.compile(rf"^{_DATE} {_TIME}$"),
    re.compile(rf"^{_DATE}$"),
)
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


def _go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)`` (or ParseUint): prefixes, and a leading 0 for octal."""
    match = _GO_INT.match(text)
    if match is None:
        return None
    sign, digits = match.groups()
    lowered = digits.lower()
    if lowered.startswith(("0x", "0b", "0o")):
        value = int(digits[2:], {"x": 16, "b": 2, "o": 8}[lowered[1]])
    elif digits.startswith("0") and len(digits) > 1:
        value = int(digits, 8)
    else:
        value = int(digits)
    value = -value if sign == "-" else value
    if _INT64[0] <= value <= _INT64[1] or (not sign and value <= _UINT64_MAX):
        return value
    return None


def _timestamp(text: str) -> str | None:
    """A YAML timestamp go-yaml accepts, printed as Go's ``time.Time.String``; else None."""
    for pattern in _TIMESTAMPS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groups()
        try:
            date = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            hour, minute, second = (int(p) for p in parts[3:6]) if len(parts) > 3 else (0, 0, 0)
            dt.time(hour, minute, second)
        except ValueError:
            return None
        fraction = (parts[6] or "")[:9].rstrip("0") if len(parts) > 6 else ""
        zone = parts[7] if len(parts) > 7 else "Z"
        clock = f"{hour:02d}:{minute:02d}:{second:02d}" + (f".{fraction}" if fraction else "")
        if zone in ("Z", "+00:00", "-00:00"):
            where = "+0000 UTC"
        else:
            offset = zone.replace(":", "")
            where = f"{offset} {offset}"
        return f"{date.isoformat()} {clock} {where}"
    return None


def plain_scalar(text: str) -> Any:
    """The value of an unquoted, untagged scalar as go-yaml v3 resolves it."""
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    first = text[0]
    if first == ".":
        if "_" not in text and _YAML_FLOAT.match(text):
            return float(text)
        return text
    if first not in "+-0123456789":
        return text
    stamp = _timestamp(text)
    if stamp is not None:
        return stamp
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return number
    if _YAML_FLOAT.match(plain) and math.isfinite(float(plain)):
        return float(plain)
    return text  # go-yaml keeps a float out of range (1e400) as a string


def go_float_text(value: float) -> str:
    """A float as Go's ``fmt.Sprint`` prints it (``%g``, shortest): ``1.5``, ``1e+06``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    decimal = Decimal(repr(abs(value))).normalize()
    _, digit_tuple, exponent = decimal.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(str(d) for d in digit_tuple)
    power = len(digits) - 1 + exponent
    if power < -4 or power >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if power < 0:
        return f"{sign}0.{'0' * (-power - 1)}{digits}"
    whole = digits[: power + 1].ljust(power + 1, "0")
    rest = digits[power + 1 :]
    return f"{sign}{whole}.{rest}" if rest else f"{sign}{whole}"


def go_text(value: Any) -> Any:
    """A scalar as compose writes it where a string belongs; None and strings unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_text(value)
    return value
