"""Option maps whose values compose takes only as strings (or numbers), never as booleans.

The models spell a number or a boolean of a string map the way compose prints it, so they
would take ``compress: true`` in logging options; compose's schema refuses it there (and a
number in IPAM options). Checked on the raw model, before the models see it, with compose's
message and the file and line of the value.
"""

from __future__ import annotations

from typing import Any

from bakepy.errors import FieldPath
from bakepy.loaders.compose.raw import RawModel

_RULES: tuple[tuple[str, tuple[type, ...], str], ...] = (
    ("services.*.logging.options", (bool, list, dict), "a string, number or null"),
    ("services.*.networks.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("networks.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("volumes.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("secrets.*.driver_opts", (bool, list, dict, type(None)), "a string or number"),
    ("networks.*.ipam.options", (bool, int, float, list, dict, type(None)), "a string"),
)


def _mappings(
    data: Any, pattern: list[str], path: FieldPath
) -> list[tuple[FieldPath, dict[str, Any]]]:
    """The mappings at a ``services.*.logging.options``-style pattern, with their paths."""
    if not pattern:
        return [(path, data)] if isinstance(data, dict) else []
    if not isinstance(data, dict):
        return []
    head, rest = pattern[0], pattern[1:]
    keys = list(data) if head == "*" else [head] if head in data else []
    return [found for key in keys for found in _mappings(data[key], rest, (*path, key))]


def check_option_values(raw: RawModel) -> None:
    """Refuse a value of a type compose refuses in an option map, as compose does."""
    for pattern, refused, wanted in _RULES:
        for path, mapping in _mappings(raw.data, pattern.split("."), ()):
            for key, value in mapping.items():
                if isinstance(value, refused):
                    where = ".".join(str(p) for p in (*path, key))
                    raise raw.error(f"{where} must be {wanted}", (*path, key))
