"""Bake variables kept as compose variables in the build section a Target gives a service.

``VERSION=2.0 docker buildx bake`` builds ``app:2.0`` where the Target's tag is
``app:${VERSION}``; for ``docker compose`` to run that image, the compose file must read
``VERSION`` too: ``image: app:${VERSION-1.0}`` (``-``: bake takes an empty VERSION as given).
The Target is resolved twice, once with every variable at its default and once with a marker
in place of each string variable; a value in which a marker stands where the default stood is
written with the variable. A value a variable reached through a function or a condition
cannot be written so: it keeps the default, and a warning names the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bakepy.models.bake.definition import NativeBake

_MARKER = "bakepyvar{index}x"


def variable_markers(native: NativeBake) -> dict[str, str]:
    """A marker for each variable bake reads as a string: its value in the second resolution."""
    markers: dict[str, str] = {}
    for index, (name, block) in enumerate(sorted(native.variables.items())):
        typed = block.get("type")
        default = block.get("default")
        if typed in (None, "string") and (default is None or isinstance(default, str)):
            markers[name] = _MARKER.format(index=index)
    return markers


@dataclass
class _Keeper:
    markers: dict[str, str]
    frozen_by: set[str] = field(default_factory=set)
    """Variables that reached a value through a function or a condition."""

    def __post_init__(self) -> None:
        self.names = {marker: name for name, marker in self.markers.items()}
        self.pattern = re.compile("|".join(re.escape(m) for m in self.names) or "(?!)")

    def merge(self, frozen: Any, marked: Any) -> Any:
        """``frozen`` with each value a variable reached verbatim written with the variable."""
        if isinstance(frozen, dict) and isinstance(marked, dict):
            if list(frozen) != list(marked):
                return self.give_up(frozen, marked)
            return {key: self.merge(value, marked[key]) for key, value in frozen.items()}
        if isinstance(frozen, list | tuple) and isinstance(marked, list | tuple):
            if len(frozen) != len(marked):
                return self.give_up(frozen, marked)
            merged = [self.merge(a, b) for a, b in zip(frozen, marked, strict=True)]
            return tuple(merged) if isinstance(frozen, tuple) else merged
        if isinstance(frozen, str) and isinstance(marked, str):
            return self.text(frozen, marked)
        return frozen if frozen == marked else self.give_up(frozen, marked)

    def text(self, frozen: str, marked: str) -> str:
        parts = self.pattern.split(marked)
        found = self.pattern.findall(marked)
        if not found:
            return frozen if frozen == marked else str(self.give_up(frozen, marked))
        groups = "".join(
            re.escape(part) + (f"(?P<g{i}>.*?)" if i < len(found) else "")
            for i, part in enumerate(parts)
        )
        match = re.fullmatch(groups, frozen, re.S)
        defaults: dict[str, str] = {}
        if match is not None:
            for i, marker in enumerate(found):
                value = match.group(f"g{i}")
                if "}" in value or defaults.setdefault(self.names[marker], value) != value:
                    match = None  # a default compose cannot hold, or two different values
                    break
        if match is None:
            return str(self.give_up(frozen, marked))
        out = parts[0]
        for i, marker in enumerate(found):
            name = self.names[marker]
            out += f"${{{name}-{defaults[name]}}}" + parts[i + 1]
        return out

    def give_up(self, frozen: Any, marked: Any) -> Any:
        """Keep the default; remember which variables changed the value."""
        text = repr(marked).lower()  # a function may have changed a marker's case
        named = {name for marker, name in self.names.items() if marker in text}
        self.frozen_by.update(named or {"?"})
        return frozen


def keep_variables(frozen: Any, marked: Any, markers: Mapping[str, str]) -> tuple[Any, list[str]]:
    """``frozen`` (a derived build section, defaults in place) with the variables ``marked``
    (the same derived with markers) shows kept; and the variables that could not be kept."""
    keeper = _Keeper(dict(markers))
    merged = keeper.merge(frozen, marked)
    return merged, sorted(keeper.frozen_by)
