"""Compose's variable interpolation: ``$VAR``, ``${VAR}``, defaults, required values, ``$$``.

The rules are compose's (docs and ``docker compose config``): ``${V:-d}`` when unset or empty,
``${V-d}`` when unset, ``${V:+a}``/``${V+a}`` for alternatives, ``${V:?msg}``/``${V?msg}``
for required values, nesting in defaults (expanded even when not used, as compose does), and
``$$`` for a literal ``$``. Mapping keys are not interpolated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class InterpolationError(ValueError):
    """A value compose would refuse: an unterminated ``${``, or a required variable unset."""


class _Interpolator:
    def __init__(self, env: Mapping[str, str], warn: Callable[[str], None] | None) -> None:
        self.env = env
        self.warn = warn

    def expand(self, text: str) -> str:
        if "$" not in text:  # most values: nothing to expand, no character walk
            return text
        out: list[str] = []
        index = 0
        while index < len(text):
            char = text[index]
            if char != "$":
                out.append(char)
                index += 1
                continue
            following = text[index + 1 : index + 2]
            if following == "$":
                out.append("$")
                index += 2
            elif following == "{":
                value, index = self._braced(text, index + 2)
                out.append(value)
            else:
                match = _NAME.match(text, index + 1)
                if match is None:
                    out.append("$")
                    index += 1
                else:
                    out.append(self._lookup(match.group(0)))
                    index = match.end()
        return "".join(out)

    def _lookup(self, name: str) -> str:
        if name in self.env:
            return self.env[name]
        if self.warn is not None:
            self.warn(f'The "{name}" variable is not set. Defaulting to a blank string.')
        return ""

    def _braced(self, text: str, start: int) -> tuple[str, int]:
        """Expand ``${...}`` whose body starts at ``start``; return (value, index after ``}``)."""
        end = _closing_brace(text, start)
        body = text[start:end]
        match = _NAME.match(body)
        if match is None:
            raise InterpolationError(f"invalid interpolation format for {text!r}")
        name = match.group(0)
        rest = body[match.end() :]
        if not rest:
            return self._lookup(name), end + 1
        for operator in (":-", "-", ":+", "+", ":?", "?"):
            if rest.startswith(operator):
                argument = rest[len(operator) :]
                return self._apply(name, operator, argument), end + 1
        raise InterpolationError(f"invalid interpolation format for {text!r}")

    def _apply(self, name: str, operator: str, argument: str) -> str:
        """``${name<operator>argument}``; as compose, the argument is expanded whether or not
        it is used (its unset variables warn, its required ones fail)."""
        expanded = self.expand(argument)
        is_set = name in self.env
        non_empty = is_set and self.env[name] != ""
        present = non_empty if operator.startswith(":") else is_set
        if operator in (":-", "-"):
            return self.env[name] if present else expanded
        if operator in (":+", "+"):
            return expanded if present else ""
        if not present:
            detail = f": {expanded}" if expanded else ""
            raise InterpolationError(f"required variable {name} is missing a value{detail}")
        return self.env[name]


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    index = start
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise InterpolationError(
        f"invalid interpolation format for {text!r}: You may need to escape any $ with another $"
    )


def interpolate(
    value: Any, env: Mapping[str, str], warn: Callable[[str], None] | None = None
) -> Any:
    """``value`` (a string, or lists and mappings of them) with every variable expanded."""
    interpolator = _Interpolator(env, warn)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return interpolator.expand(item)
        if isinstance(item, list):
            return [walk(element) for element in item]
        if isinstance(item, dict):
            return {key: walk(element) for key, element in item.items()}
        return item

    return walk(value)
