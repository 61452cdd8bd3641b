"""The comma-separated ``key=value`` form buildx uses for --output, --cache-from, --secret, ..."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable


def parse_csv_attrs(text: str) -> list[tuple[str, str | None]]:
    """Split ``type=registry,ref=x`` into ordered pairs; a field without ``=`` has value None."""
    if not text.strip():
        raise ValueError("empty value")
    try:
        rows = list(csv.reader(io.StringIO(text), skipinitialspace=True))
    except csv.Error as exc:
        raise ValueError(f"cannot parse {text!r}: {exc}") from exc
    if len(rows) != 1:
        raise ValueError(f"{text!r} must be a single line")
    pairs: list[tuple[str, str | None]] = []
    for field in rows[0]:
        key, sep, value = field.partition("=")
        pairs.append((key.strip(), value if sep else None))
    return pairs


def _quote(field: str) -> str:
    """Quote one CSV field when it holds a comma or a quote, as Go's csv reader expects."""
    if any(ch in field for ch in ',"\n') or field != field.strip():
        return '"' + field.replace('"', '""') + '"'
    return field


def format_csv_attrs(pairs: Iterable[tuple[str, str | None]]) -> str:
    """Join pairs back into ``key=value,key=value``, quoting fields that need it."""
    return ",".join(_quote(key if value is None else f"{key}={value}") for key, value in pairs)
