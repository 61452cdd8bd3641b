"""CODEOWNERS, read and matched as GitHub does, to say who owns each package.

The file is the first of ``.github/CODEOWNERS``, ``CODEOWNERS`` and ``docs/CODEOWNERS``
at the repository root. Each line is a pattern and its owners; the last line whose pattern
matches a path decides (a line with no owners leaves the path unowned). Patterns follow
GitHub's rules, gitignore's without negation or character classes: a leading ``/`` anchors
at the root, a pattern with no other ``/`` matches at any depth, a trailing ``/`` matches a
folder and everything in it, ``*`` stays within a folder, ``**`` crosses folders. A
package is owned by the owners of its definition files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Rule:
    """One CODEOWNERS line: its pattern (compiled) and its owners."""

    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]


def _regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    folder = pattern.endswith("/")
    parts: list[str] = []
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif body.startswith("**", index):
            parts.append(".*")
            index += 2
        elif body[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif body[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(body[index]))
            index += 1
    prefix = "" if anchored else "(?:.*/)?"
    if folder:
        tail = "/.*"
    elif "*" in body.rsplit("/", 1)[-1]:
        tail = ""  # docs/* owns docs/a.md, not docs/build/a.md
    else:
        tail = "(?:/.*)?"  # a plain name may be a folder: everything in it
    return re.compile(f"^{prefix}{''.join(parts)}{tail}$")


def parse_codeowners(text: str) -> list[Rule]:
    """The rules of a CODEOWNERS file, in order (comments and blank lines skipped)."""
    rules: list[Rule] = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        rules.append(Rule(pattern, _regex(pattern), tuple(owners)))
    return rules


def owners_of(rules: list[Rule], path: str) -> tuple[str, ...]:
    """The owners of ``path`` (relative to the root, ``/``-separated): the last match's."""
    for rule in reversed(rules):
        if rule.regex.match(path):
            return rule.owners
    return ()


@lru_cache(maxsize=16)
def rules_for(root: Path) -> tuple[Rule, ...]:
    """The CODEOWNERS rules of the repository at ``root`` (none without a file)."""
    for location in LOCATIONS:
        path = root / location
        if path.is_file():
            return tuple(parse_codeowners(path.read_text(encoding="utf-8", errors="replace")))
    return ()
