"""The lines of a shell-form command as a Dockerfile reads them, so what is declared is what runs.

A line ending in the escape character continues on the next line (BuildKit joins them, and
skips comment and blank lines inside the continuation); any other line break is one the shell
sees, so ``"echo first\\necho second"`` is two commands. ``shell_lines`` groups a command's
lines into the shell lines they make; ``shell_text`` is what the shell is given.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def _continuation(escape: str) -> re.Pattern[str]:
    """The escape character ending a line (not itself escaped), then blanks: as the lexer reads."""
    char = re.escape(escape)
    return re.compile(rf"(?<!{char}){char}[ \t]*$")


def continues(line: str, escape: str = "\\") -> bool:
    """Whether ``line`` ends in a continuation (the escape character, then only blanks)."""
    return _continuation(escape).search(line) is not None


def skipped_inside(line: str) -> bool:
    """Whether a line inside a continuation is skipped by BuildKit: blank, or a ``#`` comment."""
    rest = line.lstrip(" \t")
    return not rest or rest.startswith("#")


def shell_lines(command: str, escape: str = "\\") -> list[list[str]]:
    """The physical lines of ``command`` grouped into the lines the shell gets: a group is a
    line and the lines its continuations take in (skipped comment and blank lines included)."""
    return _grouped(command, escape)[0]


def ends_continued(command: str, escape: str = "\\") -> bool:
    """Whether the command's last shell line is still open, so that it would continue into the
    next instruction: its last line ends in the escape character or is skipped inside it."""
    return _grouped(command.rstrip("\n"), escape)[1]


def _grouped(command: str, escape: str) -> tuple[list[list[str]], bool]:
    """The groups of ``shell_lines`` and whether the last one is still open."""
    lines = command.split("\n")
    groups = [[lines[0]]]
    going_on = continues(lines[0], escape)
    for line in lines[1:]:
        if going_on:
            groups[-1].append(line)
            going_on = skipped_inside(line) or continues(line, escape)
        else:
            groups.append([line])
            going_on = continues(line, escape)
    return groups, going_on


def has_line_breaks(command: str, escape: str = "\\") -> bool:
    """Whether the shell sees more than one line (a line break that is not a continuation)."""
    return len(shell_lines(command.strip("\n"), escape)) > 1


def joined(group: list[str], escape: str = "\\") -> str:
    """One shell line as BuildKit joins it: continuation characters removed, skipped lines gone."""
    pattern = _continuation(escape)
    kept = group[:1] + [line for line in group[1:] if not skipped_inside(line)]
    return "".join(pattern.sub("", line) if continues(line, escape) else line for line in kept)


def shell_text(command: str, escape: str = "\\") -> str:
    """What the shell is given for ``command``: each shell line joined, one per line."""
    return "\n".join(joined(group, escape) for group in shell_lines(command, escape))


__all__ = [
    "continues",
    "ends_continued",
    "has_line_breaks",
    "joined",
    "shell_lines",
    "shell_text",
    "skipped_inside",
]
