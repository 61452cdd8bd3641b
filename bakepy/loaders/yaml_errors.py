"""What a PyYAML error says and the line it is on, for the two YAML readers (manifests and
compose files): a character the reader refuses (NUL, a control character) has no mark, only a
position in the text."""

from __future__ import annotations

import yaml


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What a YAML error says, without PyYAML's repetition of where."""
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return f"the character U+{code:04X} is not allowed in YAML"
    return str(getattr(exc, "problem", None) or exc)


def yaml_line(exc: yaml.YAMLError, text: str) -> int | None:
    """The line a YAML error is on: its mark's, or the line of a refused character."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    if isinstance(exc, yaml.reader.ReaderError):
        return text.count("\n", 0, exc.position) + 1
    return None
