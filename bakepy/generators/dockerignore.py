"""Render ``.dockerignore`` patterns as the file Docker reads beside a Dockerfile."""

from __future__ import annotations

from collections.abc import Sequence


def _comment(line: str) -> str:
    if line.startswith("#"):
        return line
    return f"# {line}" if line else "#"


def render_dockerignore(patterns: Sequence[str], header: str) -> str:
    """The file text: ``header`` as comment lines, then one pattern a line, in the given order."""
    lines = [_comment(line) for line in header.split("\n")] if header else []
    return "\n".join([*lines, *patterns]) + "\n"
