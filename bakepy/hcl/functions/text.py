"""Unicode text helpers shared by the string functions: grapheme clusters and Go casing rules."""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"
# Characters that Go's unicode.IsSpace accepts (strings.TrimSpace uses it).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _extends(cluster: str, char: str) -> bool:
    """Whether `char` continues the grapheme cluster `cluster` (a practical subset of UAX #29)."""
    last = cluster[-1]
    if last == "\r":
        return char == "\n"
    if char in "\r\n" or last == "\n":
        return False
    if last == _ZWJ or char == _ZWJ:
        return True
    codepoint = ord(char)
    if 0xFE00 <= codepoint <= 0xFE0F or 0xE0100 <= codepoint <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= codepoint <= 0x1F3FF or 0xE0020 <= codepoint <= 0xE007F:  # skin tones, tags
        return True
    if _is_regional_indicator(char):
        return len(cluster) == 1 and _is_regional_indicator(last)
    return unicodedata.category(char) in ("Mn", "Me", "Mc")


def graphemes(text: str) -> list[str]:
    """Split text into user-perceived characters (grapheme clusters), as cty does."""
    if text.isascii() and "\r\n" not in text:
        return list(text)
    clusters: list[str] = []
    for char in text:
        if clusters and _extends(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
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
