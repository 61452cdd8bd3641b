"""Indented heredocs (``<<-EOT``) as HCL flushes them: after the ``~`` strip markers.

hclsyntax reads a heredoc as one literal token per line (cut again at each ``${``/``%{``),
trims the literals next to a ``~`` marker, and only then removes the indentation common to
the tokens that start a line. A line whose newline a marker stripped away therefore makes
the next line no "line start": its indentation stays (``%{ endif ~}`` keeps the
indentation of the line after it). Lines of only spaces count for nothing and keep their
spaces; a line starting with an interpolation makes the common indentation zero.
"""

from __future__ import annotations

from typing import NamedTuple

from bakepy.hcl.lexer import CONTROL, INTERP, LITERAL, SEQ_END, tokenize_template


class _Literal:
    """One literal piece of a line, trimmed in place by the strip markers and the flush."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Sequence(NamedTuple):
    """A whole ``${...}`` or ``%{...}`` as written, with its strip markers."""

    opener: str
    inside: str
    strip_left: bool
    strip_right: bool


def _items(body: str) -> list[_Literal | _Sequence]:
    """The top-level literals (one per line piece) and sequences of a heredoc body."""
    items: list[_Literal | _Sequence] = []
    depth = 0
    start = (0, False, "")  # where the open sequence's inside starts, its strip flag, opener
    for token in tokenize_template(body, quoted=False):
        if token.kind in (INTERP, CONTROL):
            if depth == 0:
                strip = bool(token.value)
                opener = "${" if token.kind == INTERP else "%{"
                start = (token.pos + (3 if strip else 2), strip, opener)
            depth += 1
        elif token.kind == SEQ_END:
            depth -= 1
            if depth == 0:
                inside_from, strip_left, opener = start
                inside = body[inside_from : token.pos]
                items.append(_Sequence(opener, inside, strip_left, bool(token.value)))
        elif token.kind == LITERAL and depth == 0:
            items.append(_Literal(str(token.value)))
    return items


def _strip(items: list[_Literal | _Sequence]) -> None:
    """Trim the literal next to each ``~`` marker (one line piece, as hclsyntax does)."""
    for index, item in enumerate(items):
        if not isinstance(item, _Sequence):
            continue
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        if item.strip_left and isinstance(before, _Literal):
            before.text = before.text.rstrip()
        if item.strip_right and isinstance(after, _Literal):
            after.text = after.text.lstrip()


def _leading_spaces(text: str) -> int:
    return len(text) - len(text.lstrip())


def _flush(items: list[_Literal | _Sequence]) -> None:
    """Remove the indentation common to the items that start a line."""
    adjust: list[_Literal] = []
    spaces: list[int] = []
    at_line_start = True
    for item in items:
        if at_line_start:
            at_line_start = False
            if isinstance(item, _Sequence):
                spaces.append(0)
            elif not (item.text.strip() == "" and item.text.endswith("\n")):  # blank line
                spaces.append(_leading_spaces(item.text))
                adjust.append(item)
        if isinstance(item, _Literal) and item.text.endswith("\n"):
            at_line_start = True
    cut = min(spaces, default=0)
    for literal in adjust:
        literal.text = literal.text[cut:]


def _escaped(text: str) -> str:
    return text.replace("${", "$${").replace("%{", "%%{")


def flush_heredoc(body: str) -> str:
    """The body of a ``<<-`` heredoc as template text with the indentation removed the way
    HCL removes it; the strip markers are applied here, so the text has none left."""
    items = _items(body)
    _strip(items)
    _flush(items)
    return "".join(
        _escaped(item.text) if isinstance(item, _Literal) else f"{item.opener}{item.inside}}}"
        for item in items
    )
