"""Date/time functions of the bake stdlib: RFC 3339 timestamps, Go durations, formatdate."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.values import is_number, to_int, to_str
from bakepy.support.durations import DurationError, parse_duration

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_rfc3339(text: Any, what: str = "timestamp") -> datetime:
    """Parse an RFC 3339 timestamp such as 2018-01-02T23:12:01Z."""
    value = to_str(text, what)
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise HclError(f'not a valid RFC3339 timestamp: "{value}"')
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    micro = int((fraction + "000000")[:6])
    if match.group(8):
        zone = UTC
    else:
        offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        zone = timezone(-offset if match.group(9) == "-" else offset)
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError as exc:
        raise HclError(f'not a valid RFC3339 timestamp: "{value}": {exc}') from None


def _offset_text(moment: datetime, colon: bool) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def format_rfc3339(moment: datetime) -> str:
    """Go's time.RFC3339 layout: seconds precision, `Z` for UTC."""
    offset = moment.utcoffset()
    zone = "Z" if not offset else _offset_text(moment, colon=True)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + zone


def timestamp() -> str:
    """The current time in UTC as an RFC 3339 timestamp."""
    return format_rfc3339(datetime.now(UTC).replace(microsecond=0))


def timeadd(moment: Any, duration: Any) -> str:
    """Add a Go duration to an RFC 3339 timestamp, in whole nanoseconds as Go's time.Add,
    then format it to the second (Go's Format truncates: 00:00:00 minus 1ns is 23:59:59)."""
    start = parse_rfc3339(moment)
    text = to_str(duration, "duration")
    try:
        nanos = parse_duration(text)
    except DurationError as exc:
        raise HclError(str(exc)) from None  # Go's words, as buildx prints them
    fraction = _fraction_nanos(to_str(moment, "timestamp"))
    seconds, _ = divmod(fraction + nanos, 1_000_000_000)
    try:
        return format_rfc3339(start.replace(microsecond=0) + timedelta(seconds=seconds))
    except OverflowError:
        raise HclError("the resulting time is out of range") from None


def _fraction_nanos(text: str) -> int:
    """The nanoseconds in a timestamp's fraction of a second (``.5`` is 500000000)."""
    match = _RFC3339.fullmatch(text)
    fraction = (match.group(7) if match else None) or ""
    return int((fraction + "000000000")[:9])


def _field(letter: str, count: int, moment: datetime) -> str:
    hour12 = moment.hour % 12 or 12
    table: dict[tuple[str, int], Callable[[], str]] = {
        ("Y", 4): lambda: f"{moment.year:04d}",
        ("Y", 2): lambda: f"{moment.year % 100:02d}",
        ("M", 1): lambda: str(moment.month),
        ("M", 2): lambda: f"{moment.month:02d}",
        ("M", 3): lambda: _MONTHS[moment.month - 1][:3],
        ("M", 4): lambda: _MONTHS[moment.month - 1],
        ("D", 1): lambda: str(moment.day),
        ("D", 2): lambda: f"{moment.day:02d}",
        ("E", 3): lambda: _DAYS[moment.weekday()][:3],
        ("E", 4): lambda: _DAYS[moment.weekday()],
        ("h", 1): lambda: str(moment.hour),
        ("h", 2): lambda: f"{moment.hour:02d}",
        ("H", 1): lambda: str(hour12),
        ("H", 2): lambda: f"{hour12:02d}",
        ("A", 2): lambda: "AM" if moment.hour < 12 else "PM",
        ("a", 2): lambda: "am" if moment.hour < 12 else "pm",
        ("m", 1): lambda: str(moment.minute),
        ("m", 2): lambda: f"{moment.minute:02d}",
        ("s", 1): lambda: str(moment.second),
        ("s", 2): lambda: f"{moment.second:02d}",
        ("Z", 1): lambda: "Z" if not moment.utcoffset() else _offset_text(moment, colon=True),
        ("Z", 3): lambda: "UTC" if not moment.utcoffset() else _offset_text(moment, colon=False),
        ("Z", 4): lambda: _offset_text(moment, colon=False),
        ("Z", 5): lambda: _offset_text(moment, colon=True),
    }
    render = table.get((letter, count))
    if render is None:
        raise HclError(f'invalid date format verb "{letter * count}"')
    return render()


def format_moment(spec: str, moment: datetime) -> str:
    """Render a datetime with formatdate's spec language (YYYY-MM-DD, hh:mm, 'literal'...)."""
    out: list[str] = []
    pos = 0
    while pos < len(spec):
        char = spec[pos]
        if char == "'":
            if spec.startswith("''", pos):
                out.append("'")
                pos += 2
                continue
            pos += 1
            literal: list[str] = []
            while True:
                if pos >= len(spec):
                    raise HclError("unterminated literal '")
                if spec.startswith("''", pos):
                    literal.append("'")
                    pos += 2
                elif spec[pos] == "'":
                    pos += 1
                    break
                else:
                    literal.append(spec[pos])
                    pos += 1
            out.append("".join(literal))
        elif char.isascii() and char.isalpha():
            end = pos
            while end < len(spec) and spec[end] == char:
                end += 1
            out.append(_field(char, end - pos, moment))
            pos = end
        else:
            out.append(char)
            pos += 1
    return "".join(out)


def formatdate(spec: Any, moment: Any) -> str:
    """Format an RFC 3339 timestamp with a spec such as `DD MMM YYYY hh:mm ZZZ`."""
    return format_moment(to_str(spec, "format"), parse_rfc3339(moment, "time"))


def _moment(value: Any) -> datetime:
    if is_number(value):
        try:
            return datetime.fromtimestamp(to_int(value, "timestamp"), UTC)
        except (OverflowError, OSError, ValueError):
            raise HclError("unix timestamp is out of range") from None
    return parse_rfc3339(value)


def formattimestamp(spec: Any, moment: Any) -> str:
    """Like formatdate, but the time may also be a unix timestamp number."""
    return format_moment(to_str(spec, "format"), _moment(moment))


def unixtimestampparse(seconds: Any) -> dict[str, Any]:
    """Break a unix timestamp into date parts (year, month, day, hour, iso_week, rfc3339...)."""
    moment = _moment(to_int(seconds, "unix_timestamp"))
    iso = moment.isocalendar()
    return {
        "year": moment.year,
        "year_day": moment.timetuple().tm_yday,
        "day": moment.day,
        "month": moment.month,
        "month_name": _MONTHS[moment.month - 1],
        "weekday": (moment.weekday() + 1) % 7,
        "weekday_name": _DAYS[moment.weekday()],
        "hour": moment.hour,
        "minute": moment.minute,
        "second": moment.second,
        "rfc3339": format_rfc3339(moment),
        "iso_year": iso.year,
        "iso_week": iso.week,
    }


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "formatdate": formatdate,
    "formattimestamp": formattimestamp,
    "timeadd": timeadd,
    "timestamp": timestamp,
    "unixtimestampparse": unixtimestampparse,
}
