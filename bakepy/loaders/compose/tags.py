"""Compose's merge tags: ``!reset`` drops a value, ``!override`` replaces it whole.

Both matter when values merge (several files, ``extends``): ``ports: !reset []`` removes the
ports a base service or an earlier file gave, ``environment: !override {...}`` replaces them
instead of merging. Until the merges are done the tagged values travel as ``RESET`` and
``Override``; ``resolve_tags`` then removes every reset key and unwraps every override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class _Reset:
    """The value of a key tagged ``!reset``: as if the key was never set. There is one, told
    by identity: copies (``extends`` deep-copies the service it extends) and pickles (a
    forked child's load) give that one back."""

    def __repr__(self) -> str:
        return "RESET"

    def __copy__(self) -> _Reset:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Reset:
        return self

    def __reduce__(self) -> str:
        return "RESET"  # pickled by name: this module's RESET


RESET = _Reset()


@dataclass(frozen=True)
class Override:
    """A value tagged ``!override``: it replaces what it merges over instead of merging."""

    value: Any


_NESTED = (Override, dict, list)
"""What ``resolve_tags`` looks into; anything else is kept as it is."""


def resolve_tags(value: Any) -> Any:
    """``value`` with every reset key removed and every override unwrapped."""
    if isinstance(value, Override):
        return resolve_tags(value.value)
    if isinstance(value, dict):
        return {
            k: resolve_tags(v) if isinstance(v, _NESTED) else v
            for k, v in value.items()
            if v is not RESET
        }
    if isinstance(value, list):
        return [
            resolve_tags(item) if isinstance(item, _NESTED) else item
            for item in value
            if item is not RESET
        ]
    return value
