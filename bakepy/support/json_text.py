"""Indented JSON text, byte for byte what ``json.dumps(value, indent=2, ensure_ascii=False)`` gives.

The standard library drops its C encoder whenever ``indent`` is set and walks the value with
Python generators; for a bake file of thousands of targets that is a large part of a render.
Here the structure is laid out by one recursive function and every string goes through the C
string encoder, which is several times faster and gives the same text.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

_INFINITY = float("inf")


def indented_json(value: Any, *, sort_keys: bool = False) -> str:
    """``value`` as JSON with two-space indentation and non-ASCII text kept as is."""
    out: list[str] = []
    _write(value, "\n", out, sort_keys)
    return "".join(out)


def _scalar(value: Any) -> str | None:
    """The JSON text of a scalar, or None for a container."""
    if type(value) is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return encode_basestring(value)
    return None


def _float(value: float) -> str:
    """A float as json writes it (NaN and the infinities in JavaScript's spelling)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """An object key as json turns it into a string (str, numbers, booleans, null)."""
    if isinstance(key, str):
        return key
    text = _scalar(key)
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    return text


def _of_strings(value: Any, newline: str, sort_keys: bool) -> str | None:
    """The text of a non-empty list of strings, or of a map of string keys to strings (most
    values of a bake file: tags, platforms, args), in one join, without a call per entry;
    None for any other value (an entry that is not a string stops the C encoder, which
    raises TypeError), which ``_write`` lays out entry by entry."""
    inner = newline + "  "
    try:
        if type(value) is list:
            entries = ("," + inner).join(map(encode_basestring, value))
            return f"[{inner}{entries}{newline}]"
        if type(value) is dict:
            for item in value.values():  # told before any text is made: most maps that
                if type(item) is not str:  # are not of strings are blocks of them
                    return None
            items = sorted(value.items()) if sort_keys else value.items()
            entries = ("," + inner).join(
                [f"{encode_basestring(key)}: {encode_basestring(item)}" for key, item in items]
            )
            return f"{{{inner}{entries}{newline}}}"
    except TypeError:
        return None
    return None


def _write(value: Any, newline: str, out: list[str], sort_keys: bool) -> None:
    """Append ``value``'s text at the indentation ``newline`` starts. A string entry of a
    container is written in place, not by a call (most entries of a bake file are)."""
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    inner = newline + "  "
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        items = sorted(value.items()) if sort_keys else value.items()
        separator = "{" + inner
        for key, item in items:
            name = encode_basestring(key if type(key) is str else _key(key))
            if type(item) is str:
                out.append(f"{separator}{name}: {encode_basestring(item)}")
            else:
                text = _of_strings(item, inner, sort_keys) if item else None
                if text is None:
                    out.append(f"{separator}{name}: ")
                    _write(item, inner, out, sort_keys)
                else:
                    out.append(f"{separator}{name}: {text}")
            separator = "," + inner
        out.append(newline + "}")
        return
    if isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        separator = "[" + inner
        for item in value:
            if type(item) is str:
                out.append(separator + encode_basestring(item))
            else:
                out.append(separator)
                _write(item, inner, out, sort_keys)
            separator = "," + inner
        out.append(newline + "]")
        return
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
