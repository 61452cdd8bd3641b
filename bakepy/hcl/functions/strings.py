"""String functions of the bake stdlib (cty semantics: graphemes, Go casing and trimming)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.functions.text import (
    GO_SPACE,
    go_lower,
    go_title,
    go_upper,
    grapheme_count,
    graphemes,
)
from bakepy.hcl.values import to_int, to_list, to_str

_TRAILING_NEWLINES = re.compile(r"(?:\r\n?|\n)*\Z")
_NOT_NAME_CHAR = re.compile(r"[^a-zA-Z0-9_-]")


def upper(text: Any) -> str:
    """Convert letters to upper case."""
    return go_upper(to_str(text, "str"))


def lower(text: Any) -> str:
    """Convert letters to lower case."""
    return go_lower(to_str(text, "str"))


def title(text: Any) -> str:
    """Upper-case the first letter of every word."""
    return go_title(to_str(text, "str"))


def strlen(text: Any) -> int:
    """Number of characters (grapheme clusters) in a string."""
    return grapheme_count(to_str(text, "str"))


def reverse(text: Any) -> str:
    """Reverse a string by grapheme clusters."""
    return "".join(reversed(graphemes(to_str(text, "str"))))


def substr(text: Any, offset: Any, length: Any) -> str:
    """Extract `length` characters starting at `offset` (negative offset counts from the end)."""
    chars = graphemes(to_str(text, "str"))
    start = to_int(offset, "offset")
    count = to_int(length, "length")
    if start < 0:
        start = max(start + len(chars), 0)
    elif count == 0:
        return ""
    if start >= len(chars):
        return ""
    if count < 0:
        return "".join(chars[start:])
    return "".join(chars[start : start + count])


def join(separator: Any, *lists: Any) -> str:
    """Concatenate the string elements of one or more lists with a separator."""
    sep = to_str(separator, "separator")
    if not lists:
        raise HclError("at least one list is required")
    items: list[str] = []
    for list_number, value in enumerate(lists, start=1):
        for index, element in enumerate(to_list(value, "lists")):
            if element is None:
                where = (
                    f"element {index} of list {list_number}"
                    if len(lists) > 1
                    else (f"element {index}")
                )
                raise HclError(f"{where} is null; cannot concatenate null values")
            items.append(to_str(element, "list element"))
    return sep.join(items)


def split(separator: Any, text: Any) -> list[str]:
    """Split a string on every occurrence of a separator (Go strings.Split)."""
    sep = to_str(separator, "separator")
    value = to_str(text, "str")
    if sep == "":
        return list(value)
    return value.split(sep)


def replace(text: Any, search: Any, replacement: Any) -> str:
    """Replace every occurrence of a substring (plain text, not a pattern)."""
    value = to_str(text, "str")
    needle = to_str(search, "substr")
    new = to_str(replacement, "replace")
    if needle == "":
        # Go inserts the replacement around every UTF-8 character.
        return new + new.join(value) + new if value else new
    return value.replace(needle, new)


def chomp(text: Any) -> str:
    """Remove trailing newline sequences."""
    return _TRAILING_NEWLINES.sub("", to_str(text, "str"), count=1)


def indent(spaces: Any, text: Any) -> str:
    """Add spaces after every newline (all lines but the first)."""
    count = to_int(spaces, "spaces")
    return to_str(text, "str").replace("\n", "\n" + " " * max(count, 0))


def trim(text: Any, cutset: Any) -> str:
    """Remove the given characters from both ends."""
    return to_str(text, "str").strip(to_str(cutset, "cutset"))


def trimprefix(text: Any, prefix: Any) -> str:
    """Remove a prefix once, if present."""
    return to_str(text, "str").removeprefix(to_str(prefix, "prefix"))


def trimsuffix(text: Any, suffix: Any) -> str:
    """Remove a suffix once, if present."""
    return to_str(text, "str").removesuffix(to_str(suffix, "suffix"))


def trimspace(text: Any) -> str:
    """Remove leading and trailing whitespace."""
    return to_str(text, "str").strip(GO_SPACE)


def sanitize(name: Any) -> str:
    """Replace every character outside [a-zA-Z0-9_-] with `_` (a valid bake target name)."""
    return _NOT_NAME_CHAR.sub("_", to_str(name, "name"))


def _go_clean(path: str) -> str:
    """Go path.Clean: lexical normalisation of a slash-separated path."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def basename(path: Any) -> str:
    """The last element of a slash-separated path (Go path.Base)."""
    value = to_str(path, "path")
    if value == "":
        return "."
    value = value.rstrip("/")
    if value == "":
        return "/"
    return value.rsplit("/", 1)[-1]


def dirname(path: Any) -> str:
    """All but the last element of a slash-separated path (Go path.Dir)."""
    value = to_str(path, "path")
    return _go_clean(value[: value.rfind("/") + 1])


def homedir() -> str:
    """The current user's home directory."""
    home = os.path.expanduser("~")
    if home == "~":
        raise HclError("cannot determine the home directory")
    return home


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "basename": basename,
    "chomp": chomp,
    "dirname": dirname,
    "homedir": homedir,
    "indent": indent,
    "join": join,
    "lower": lower,
    "replace": replace,
    "reverse": reverse,
    "sanitize": sanitize,
    "split": split,
    "strlen": strlen,
    "substr": substr,
    "title": title,
    "trim": trim,
    "trimprefix": trimprefix,
    "trimspace": trimspace,
    "trimsuffix": trimsuffix,
    "upper": upper,
}
