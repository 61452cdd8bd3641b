"""Encoding functions of the bake stdlib: JSON, CSV, base64, URL and raw bytes."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from bakepy.errors import HclError
from bakepy.hcl.values import format_number, is_number, number_from_text, to_int, to_str

# Go's encoding/json escapes these for safe embedding in HTML.
_GO_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_string(text: str) -> str:
    """Quote a string exactly as Go's encoding/json does."""
    return json.dumps(text, ensure_ascii=False).translate(_GO_JSON_ESCAPES)


def to_json(value: Any) -> str:
    """Serialize a value as cty does: compact, object keys sorted, Go string escaping."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (json_string(str(key)) + ":" + to_json(value[key]) for key in sorted(value))
        return "{" + ",".join(items) + "}"
    raise HclError(f"cannot encode a {type(value).__name__} value as JSON")


def jsonencode(value: Any) -> str:
    """Encode a value as a JSON string."""
    return to_json(value)


def _reject_constant(name: str) -> Any:
    raise HclError(f"invalid JSON: {name} is not allowed")


def jsondecode(text: Any) -> Any:
    """Decode a JSON string into HCL values."""
    source = to_str(text, "str")
    try:
        decoded = json.loads(source, parse_float=number_from_text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise HclError(f"invalid JSON: {exc.msg} at offset {exc.pos}") from None
    return decoded


def csvdecode(text: Any) -> list[dict[str, str]]:
    """Decode CSV text (first line is the header) into a list of maps of strings."""
    source = to_str(text, "str")
    reader = csv.reader(io.StringIO(source, newline=""), strict=True)
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise HclError(f"invalid CSV: {exc}") from None
    if not rows:
        raise HclError("missing header line")
    header = rows[0]
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise HclError(f"record on line {number}: wrong number of fields")
        result.append(dict(zip(header, row, strict=True)))
    return result


def base64encode(text: Any) -> str:
    """Base64-encode the UTF-8 bytes of a string."""
    return base64.b64encode(to_str(text, "str").encode("utf-8")).decode("ascii")


def base64decode(text: Any) -> str:
    """Decode base64 into a string; the result must be valid UTF-8."""
    source = to_str(text, "str").replace("\r", "").replace("\n", "")
    try:
        raw = base64.b64decode(source, validate=True)
    except (binascii.Error, ValueError):
        raise HclError("failed to decode base64 data") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HclError("the result of decoding the provided string is not valid UTF-8") from None


def urlencode(text: Any) -> str:
    """URL query-encode a string (spaces become `+`)."""
    return quote_plus(to_str(text, "str"), safe="")


def byteslen(data: Any) -> int:
    """Length of a raw byte buffer."""
    if not isinstance(data, bytes | bytearray):
        raise HclError("a bytes buffer is required")
    return len(data)


def bytesslice(data: Any, offset: Any, length: Any) -> bytes:
    """A slice of a raw byte buffer."""
    if not isinstance(data, bytes | bytearray):
        raise HclError("a bytes buffer is required")
    start = to_int(offset, "offset")
    count = to_int(length, "length")
    if start < 0 or count < 0 or start + count > len(data):
        raise HclError("offset and length are out of range for the buffer")
    return bytes(data[start : start + count])


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "base64decode": base64decode,
    "base64encode": base64encode,
    "byteslen": byteslen,
    "bytesslice": bytesslice,
    "csvdecode": csvdecode,
    "jsondecode": jsondecode,
    "jsonencode": jsonencode,
    "urlencode": urlencode,
}
