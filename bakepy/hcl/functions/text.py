"""Unicode text helpers shared by the string functions: grapheme clusters and Go casing rules."""

from __future__ import annotations

import unicodedata

import regex

# Characters that Go's unicode.IsSpace accepts (strings.TrimSpace uses it).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_CLUSTER = regex.compile(r"\X")
_CONJUNCT_BLOCKS = (
    (0x0900, 0x097F),
    (0x0980, 0x09FF),
    (0x0A80, 0x0AFF),
    (0x0B00, 0x0B7F),
    (0x0C00, 0x0C7F),
    (0x0D00, 0x0D7F),
)
"""Devanagari, Bengali, Gujarati, Oriya, Telugu, Malayalam: where Unicode 15.1 joins
consonants across a virama (GB9c)."""


def _starts_conjunct_part(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "Lo" and any(
        low <= code <= high for low, high in _CONJUNCT_BLOCKS
    )


def _unicode_15_0(cluster: str) -> list[str]:
    """A cluster split where only Unicode 15.1's conjunct rule (GB9c) joined it: cty's
    segmenter (go-textseg v15) follows Unicode 15.0, where क्ष is two characters."""
    parts = [cluster[0]]
    for char in cluster[1:]:
        if _starts_conjunct_part(char):
            parts.append(char)
        else:
            parts[-1] += char
    return parts


def graphemes(text: str) -> list[str]:
    """Split text into user-perceived characters (extended grapheme clusters, UAX #29), as
    cty does; the ``regex`` package knows the cluster rules and Unicode's property tables."""
    if text.isascii() and "\r\n" not in text:
        return list(text)
    clusters: list[str] = []
    for cluster in _CLUSTER.findall(text):
        clusters.extend(_unicode_15_0(cluster) if len(cluster) > 1 else [cluster])
    return clusters


def grapheme_count(text: str) -> int:
    """Number of grapheme clusters in text."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(graphemes(text))


def go_upper(text: str) -> str:
    """strings.ToUpper: per-character mapping (no 'ß' -> 'SS' expansion)."""
    if text.isascii():
        return text.upper()
    return "".join(_single(char.upper(), char) for char in text)


def go_lower(text: str) -> str:
    """strings.ToLower: per-character simple mapping ('İ' becomes 'i')."""
    if text.isascii():
        return text.lower()
    return "".join(char.lower()[0] for char in text)


def _single(mapped: str, original: str) -> str:
    return mapped if len(mapped) == 1 else original


def _is_separator(char: str) -> bool:
    """Go strings.Title's word separator test."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if char.isalpha() or unicodedata.category(char) == "Nd":
        return False
    return char.isspace()


def go_title(text: str) -> str:
    """strings.Title: upper-case the first letter of each word, leave the rest alone."""
    result = []
    previous = " "
    for char in text:
        result.append(_single(char.title(), char) if _is_separator(previous) else char)
        previous = char
    return "".join(result)
