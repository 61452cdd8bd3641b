"""Date and time functions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def call(text: str) -> Any:
    return evaluate(text, Scope())


@pytest.mark.parametrize(
    ("spec", "moment", "expected"),
    [
        ("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z", "02 Jan 2018 23:12 UTC"),
        ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z", "Tuesday, 02-Jan-18 23:12:01 UTC"),
        (
            "EEE, DD MMM YYYY hh:mm:ss ZZZ",
            "2018-01-02T23:12:01-08:00",
            "Tue, 02 Jan 2018 23:12:01 -0800",
        ),
        ("MMM DD, YYYY", "2018-01-02T23:12:01Z", "Jan 02, 2018"),
        ("HH:mmaa", "2018-01-02T23:12:01Z", "11:12pm"),
        ("h'h'mm", "2018-01-02T23:12:01-08:00", "23h12"),
        ("YYYY-MM-DD'T'hh:mm:ssZ", "2018-01-02T03:04:05+05:30", "2018-01-02T03:04:05+05:30"),
        ("ZZZZ ZZZZZ Z", "2018-01-02T03:04:05Z", "+0000 +00:00 Z"),
        ("D/M/YY h:m:s", "2018-01-02T03:04:05Z", "2/1/18 3:4:5"),
        ("MMMM AA H", "2018-07-02T00:04:05Z", "July AM 12"),
        ("'it''s' ''", "2018-07-02T00:04:05Z", "it's '"),
        ("YYYY", "2018-07-02T00:04:05.123456789Z", "2018"),
    ],
)
def test_formatdate(spec: str, moment: str, expected: str) -> None:
    assert evaluate("formatdate(s, t)", Scope({"s": spec, "t": moment})) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('formatdate("YYYY", "2018-01-02")', "RFC3339"),
        ('formatdate("YYYY", "2018-13-02T00:00:00Z")', "RFC3339"),
        ('formatdate("QQ", "2018-01-02T00:00:00Z")', "invalid date format verb"),
        ('formatdate("YYY", "2018-01-02T00:00:00Z")', "invalid date format verb"),
        ('formatdate("\'open", "2018-01-02T00:00:00Z")', "unterminated"),
    ],
)
def test_formatdate_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('timeadd("2017-11-22T00:00:00Z", "10m")', "2017-11-22T00:10:00Z"),
        ('timeadd("2017-11-22T00:00:00Z", "-1h")', "2017-11-21T23:00:00Z"),
        ('timeadd("2017-11-22T00:00:00Z", "1h30m15s")', "2017-11-22T01:30:15Z"),
        ('timeadd("2017-11-22T00:00:00Z", "1.5h")', "2017-11-22T01:30:00Z"),
        ('timeadd("2017-11-22T00:00:00Z", "0")', "2017-11-22T00:00:00Z"),
        ('timeadd("2017-11-22T00:00:00+02:00", "24h")', "2017-11-23T00:00:00+02:00"),
        ('timeadd("2017-11-22T00:00:00Z", "1500ms")', "2017-11-22T00:00:01Z"),
    ],
)
def test_timeadd(text: str, expected: str) -> None:
    assert call(text) == expected


@pytest.mark.parametrize("duration", ["", "1", "1d", "h", "1h-5m", "--1h"])
def test_timeadd_rejects_bad_duration(duration: str) -> None:
    with pytest.raises(HclError, match=r"time: (invalid duration|missing unit|unknown unit)"):
        evaluate('timeadd("2017-11-22T00:00:00Z", d)', Scope({"d": duration}))


def test_timestamp_is_current_utc_rfc3339() -> None:
    value = call("timestamp()")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)
    parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 5


def test_unixtimestampparse_matches_buildx_test_vector() -> None:
    assert call("unixtimestampparse(1690328596)") == {
        "year": 2023,
        "year_day": 206,
        "day": 25,
        "month": 7,
        "month_name": "July",
        "weekday": 2,
        "weekday_name": "Tuesday",
        "hour": 23,
        "minute": 43,
        "second": 16,
        "rfc3339": "2023-07-25T23:43:16Z",
        "iso_year": 2023,
        "iso_week": 30,
    }


def test_unixtimestampparse_accepts_numeric_string() -> None:
    assert call('unixtimestampparse("0").rfc3339') == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('formattimestamp("YYYY-MM-DD hh:mm", 1690328596)', "2023-07-25 23:43"),
        ('formattimestamp("DD MMM YYYY", "2018-01-02T23:12:01Z")', "02 Jan 2018"),
    ],
)
def test_formattimestamp(text: str, expected: str) -> None:
    assert call(text) == expected
