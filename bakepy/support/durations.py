"""Go's ``time.ParseDuration`` and ``Duration.String``, exactly, on integer nanoseconds.

Docker's tools read every duration with Go's parser (compose's healthcheck and
stop_grace_period, daemon.json's shutdown-timeout, bake's ``timeadd``, the Dockerfile's
HEALTHCHECK flags), so bakepy reads them with one port of it: the same syntax (a sign,
``1.5h``, ``.5s``, ``1h30m``, ``µs``/``μs``/``us``), the same 64-bit limits and the same
float64 step for fractions, so every value lands on the nanosecond Go gives.
"""

from __future__ import annotations

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # Greek small letter mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_LIMIT = 1 << 63


class DurationError(ValueError):
    """Not a duration Go accepts; the message is Go's."""


def _quote(text: str) -> str:
    """``text`` quoted as Go's time package quotes it in errors (other bytes as ``\\xNN``)."""
    out = ['"']
    for char in text:
        if char >= "\x80" or char < " ":
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
        else:
            out.append("\\" + char if char in '"\\' else char)
    out.append('"')
    return "".join(out)


def _leading_int(text: str) -> tuple[int, str]:
    """The digits at the start of ``text`` as a number, and the rest (Go's leadingInt)."""
    index = 0
    value = 0
    while index < len(text) and "0" <= text[index] <= "9":
        if value > _LIMIT // 10:
            raise OverflowError
        value = value * 10 + ord(text[index]) - 48
        if value > _LIMIT:
            raise OverflowError
        index += 1
    return value, text[index:]


def _leading_fraction(text: str) -> tuple[int, float, str]:
    """The digits after a point: their value, 10 ** (digits kept) and the rest. Digits past
    what 63 bits hold are skipped, as Go's leadingFraction does."""
    index = 0
    value = 0
    scale = 1.0
    overflow = False
    while index < len(text) and "0" <= text[index] <= "9":
        if not overflow:
            if value > (_LIMIT - 1) // 10:
                overflow = True
            else:
                bigger = value * 10 + ord(text[index]) - 48
                if bigger > _LIMIT:
                    overflow = True
                else:
                    value = bigger
                    scale *= 10
        index += 1
    return value, scale, text[index:]


def parse_duration(text: str) -> int:
    """Nanoseconds in ``text`` (``1h30m``, ``-1.5s``, ``.5ms``, ``0``); DurationError with
    Go's message when Go's ``time.ParseDuration`` refuses it."""
    original = text
    invalid = DurationError(f"time: invalid duration {_quote(original)}")
    negative = False
    if text[:1] in ("-", "+"):
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise invalid
    total = 0
    while text:
        if not (text[0] == "." or "0" <= text[0] <= "9"):
            raise invalid
        before = len(text)
        try:
            value, text = _leading_int(text)
        except OverflowError:
            raise invalid from None
        digits_before = before != len(text)
        fraction, scale, digits_after = 0, 1.0, False
        if text[:1] == ".":
            text = text[1:]
            before = len(text)
            fraction, scale, text = _leading_fraction(text)
            digits_after = before != len(text)
        if not digits_before and not digits_after:
            raise invalid
        index = 0
        while index < len(text) and not (text[index] == "." or "0" <= text[index] <= "9"):
            index += 1
        if index == 0:
            raise DurationError(f"time: missing unit in duration {_quote(original)}")
        unit_name, text = text[:index], text[index:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise DurationError(
                f"time: unknown unit {_quote(unit_name)} in duration {_quote(original)}"
            )
        if value > _LIMIT // unit:
            raise invalid
        value *= unit
        if fraction > 0:
            value += int(float(fraction) * (float(unit) / scale))  # float64, as Go
            if value > _LIMIT:
                raise invalid
        total += value
        if total > _LIMIT:
            raise invalid
    if negative:
        return -total
    if total > _LIMIT - 1:
        raise invalid
    return total


def _fraction(value: int, digits: int) -> str:
    whole, part = divmod(value, 10**digits)
    decimals = str(part).rjust(digits, "0").rstrip("0")
    return f"{whole}.{decimals}" if decimals else str(whole)


def format_duration(nanos: int) -> str:
    """``nanos`` as Go's ``Duration.String`` prints it: ``1m30s``, ``1h0m0s``, ``1.5ms``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    value = abs(nanos)
    if value < 1_000:
        return f"{sign}{value}ns"
    if value < 1_000_000:
        return f"{sign}{_fraction(value, 3)}\u00b5s"
    if value < 1_000_000_000:
        return f"{sign}{_fraction(value, 6)}ms"
    seconds, left = divmod(value, 1_000_000_000)
    text = _fraction(seconds % 60 * 1_000_000_000 + left, 9) + "s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes // 60:
            text = f"{minutes // 60}h{text}"
    return sign + text
