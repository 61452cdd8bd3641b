"""regex(), regexall() and regex_replace() with Go's RE2 semantics.

bake's functions run Go's regexp (RE2): linear time, no backreferences or lookaround, Unicode
classes (``\\pL``), ``(?U)``, POSIX classes. Python's ``re`` differs on a third of tricky
patterns and backtracks exponentially (``(a+)+$``), so patterns go to Google's RE2 binding
(``google-re2``), which gives buildx's answer on every pattern of the oracle table
(tests/fixtures/oracles/regex.json, made by buildx 0.13.1). Without it (a platform with no
wheel), patterns are translated to Python's ``re`` as faithfully as practical, and a pattern
the translation cannot express is an error that says to install google-re2.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, Protocol

from bakepy.errors import HclError
from bakepy.hcl.values import to_str

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 has wheels for the common platforms
    re2 = None


class _Match(Protocol):
    def group(self, key: int | str = 0, /) -> str | None: ...
    def groups(self) -> tuple[str | None, ...]: ...
    def start(self, key: int = 0, /) -> int: ...
    def end(self, key: int = 0, /) -> int: ...


class _Pattern(Protocol):
    @property
    def groups(self) -> int: ...
    @property
    def groupindex(self) -> dict[str, int]: ...
    def search(self, text: str, pos: int = 0, /) -> _Match | None: ...
    def finditer(self, text: str, /) -> Iterator[_Match]: ...


_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}


def _translate(pattern: str) -> str:
    """Rewrite Go RE2 syntax that Python spells differently (\\z, \\Q..\\E, [[:alpha:]], $)."""
    multiline = re.match(r"\(\?[a-zA-Z]*m", pattern) is not None
    out: list[str] = []
    pos = 0
    in_class = False
    while pos < len(pattern):
        char = pattern[pos]
        if char == "\\" and pos + 1 < len(pattern):
            code = pattern[pos + 1]
            if code == "Q":
                end = pattern.find("\\E", pos + 2)
                literal = pattern[pos + 2 :] if end < 0 else pattern[pos + 2 : end]
                out.append(re.escape(literal))
                pos = len(pattern) if end < 0 else end + 2
                continue
            if code == "z" and not in_class:
                out.append("\\Z")
            elif code == "Z":
                raise HclError("invalid regexp pattern: invalid escape sequence \\Z")
            elif code in "pP":
                raise HclError("invalid regexp pattern: Unicode classes \\p are not supported")
            else:
                out.append(pattern[pos : pos + 2])
            pos += 2
            continue
        if in_class:
            if char == "[" and pattern.startswith("[:", pos):
                end = pattern.find(":]", pos + 2)
                name = pattern[pos + 2 : end] if end > 0 else ""
                negated = name.startswith("^")
                ranges = _POSIX_CLASSES.get(name.lstrip("^"))
                if ranges is None or negated:
                    raise HclError(f"invalid regexp pattern: invalid character class [:{name}:]")
                out.append(ranges)
                pos = end + 2
                continue
            if char == "]":
                in_class = False
            elif char in "[&~|" or pattern.startswith("--", pos):
                # Literal in Go; Python reserves these for future set operations.
                out.append("\\" + char)
                pos += 1
                continue
            out.append(char)
            pos += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            pos += 1
            if pattern.startswith("^", pos):
                out.append("^")
                pos += 1
            if pattern.startswith("]", pos):  # a leading ] is a literal
                out.append("\\]")
                pos += 1
            continue
        if char == "$" and not multiline:
            out.append("\\Z")
        elif pattern.startswith("(?<", pos) and not pattern.startswith(("(?<=", "(?<!"), pos):
            out.append("(?P<")
            pos += 3
            continue
        else:
            out.append(char)
        pos += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_go_regex(pattern: str) -> _Pattern:
    """Compile a Go (RE2) pattern: with RE2 itself when google-re2 is installed, else
    translated to Python's re."""
    if "\\C" in pattern.replace("\\\\", ""):
        raise HclError("invalid regexp pattern: invalid escape sequence in \\C")  # Go has no \C
    if re2 is not None:
        return _compile_re2(pattern)
    return _compile_python(pattern)


def _compile_re2(pattern: str) -> _Pattern:
    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors on stderr
    try:
        compiled: _Pattern = re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise HclError(f"invalid regexp pattern: {detail}") from None
    return compiled


def _compile_python(pattern: str) -> _Pattern:
    translated = _translate(pattern)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compiled: _Pattern = re.compile(translated, re.ASCII)  # type: ignore[assignment]
    except re.error as exc:
        raise HclError(
            f"invalid regexp pattern: {exc} (install google-re2 for Go's full RE2 syntax)"
        ) from None
    return compiled


def _go_matches(compiled: _Pattern, text: str) -> Iterator[_Match]:
    """Successive non-overlapping matches the way Go's FindAll walks the text: as
    ``finditer`` (one pass: RE2's wrapper converts the text on every ``search``), except an
    empty match right after the previous match, which Go drops."""
    previous_end = -1
    for match in compiled.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


def _result_shape(compiled: _Pattern) -> str:
    named = len(compiled.groupindex)
    if compiled.groups == 0:
        return "string"
    if named and named != compiled.groups:
        raise HclError("invalid regexp pattern: cannot mix both named and unnamed capture groups")
    return "object" if named else "tuple"


def _match_value(compiled: _Pattern, match: _Match, shape: str) -> Any:
    if shape == "string":
        return match.group(0)
    if shape == "tuple":
        return list(match.groups())
    return {name: match.group(name) for name in compiled.groupindex}


def regex(pattern: Any, text: Any) -> Any:
    """The first match: the matched string, a list of groups, or a map of named groups."""
    compiled = compile_go_regex(to_str(pattern, "pattern"))
    shape = _result_shape(compiled)
    match = compiled.search(to_str(text, "string"))
    if match is None:
        raise HclError("pattern did not match any part of the given string")
    return _match_value(compiled, match, shape)


def regexall(pattern: Any, text: Any) -> list[Any]:
    """Every match, each shaped like regex()'s result."""
    compiled = compile_go_regex(to_str(pattern, "pattern"))
    shape = _result_shape(compiled)
    return [
        _match_value(compiled, match, shape)
        for match in _go_matches(compiled, to_str(text, "string"))
    ]


_TEMPLATE_REF = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _expand(replacement: str, compiled: _Pattern, match: _Match) -> str:
    """Go Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to ""."""

    def substitute(ref: re.Match[str]) -> str:
        if ref.group(0) == "$$":
            return "$"
        name = ref.group(1) or ref.group(2)
        if name.isdigit():
            number = int(name)
            return (match.group(number) or "") if number <= compiled.groups else ""
        if name in compiled.groupindex:
            return match.group(name) or ""
        return ""

    return _TEMPLATE_REF.sub(substitute, replacement)


def regex_replace(text: Any, pattern: Any, replacement: Any) -> str:
    """Replace every match of a pattern; `$1`/`${name}` in the replacement insert groups."""
    source = to_str(text, "str")
    compiled = compile_go_regex(to_str(pattern, "pattern"))
    template = to_str(replacement, "replace")
    out: list[str] = []
    last = 0
    for match in _go_matches(compiled, source):
        out.append(source[last : match.start()])
        out.append(_expand(template, compiled, match))
        last = match.end()
    out.append(source[last:])
    return "".join(out)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "regex": regex,
    "regex_replace": regex_replace,
    "regexall": regexall,
}
