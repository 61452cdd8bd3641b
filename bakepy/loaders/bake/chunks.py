"""Split an HCL file into runs of whole top-level blocks, so that parts parse independently.

python-hcl2 needs seconds for a large bake file; its top-level blocks do not depend on each
other syntactically, so the file can be cut between them, each part parsed (and cached) on
its own, in parallel, and the parts' results joined in order. The scanner knows what can hide
a brace: strings (with ``${...}`` inside), heredocs and comments.
"""

from __future__ import annotations

import re

_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*$")


def top_level_boundaries(text: str) -> list[int]:
    """Offsets of the lines that start outside every block, string, heredoc and comment."""
    boundaries: list[int] = []
    depth = 0
    index = 0
    length = len(text)
    at_line_start = True
    heredoc: str | None = None
    while index < length:
        if at_line_start:
            at_line_start = False
            if heredoc is not None:
                end = text.find("\n", index)
                line = text[index : end if end >= 0 else length]
                if line.strip() == heredoc:
                    heredoc = None
                index = (end + 1) if end >= 0 else length
                at_line_start = True
                continue
            if depth == 0:
                boundaries.append(index)
        char = text[index]
        if char == "\n":
            at_line_start = True
            index += 1
        elif char == '"':
            index = skip_string(text, index + 1)
        elif char == "#" or text.startswith("//", index):
            end = text.find("\n", index)
            index = end if end >= 0 else length
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = end + 2 if end >= 0 else length
        elif char == "<" and text.startswith("<<", index):
            end = text.find("\n", index)
            match = _HEREDOC.match(text, index, end if end >= 0 else length)
            if match is not None:
                heredoc = match.group(1)
                index = end if end >= 0 else length
            else:
                index += 2
        else:
            if char in "{[(":
                depth += 1
            elif char in "}])":
                depth = max(0, depth - 1)
            index += 1
    return boundaries


def skip_string(text: str, index: int) -> int:
    """Index after the closing quote of a string starting at ``index`` (after its quote)."""
    depth = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if depth == 0 and char == '"':
            return index + 1
        if text.startswith(("${", "%{"), index):
            depth += 1
            index += 2
            continue
        if depth and char == "}":
            depth -= 1
        elif depth and char == '"':
            index = skip_string(text, index + 1)
            continue
        elif char == "\n" and depth == 0:
            return index  # an unterminated string: let the parser report it
        index += 1
    return index


def split_top_level(text: str, parts: int) -> list[str]:
    """``text`` cut at top-level line boundaries into at most ``parts`` pieces of similar size.

    Joining the pieces gives ``text`` back; a file with one block stays whole.
    """
    if parts < 2:
        return [text]
    cuts = [b for b in top_level_boundaries(text) if b > 0]
    target = len(text) / parts
    pieces: list[str] = []
    start = 0
    for cut in cuts:
        if cut - start >= target and len(pieces) < parts - 1:
            pieces.append(text[start:cut])
            start = cut
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]
