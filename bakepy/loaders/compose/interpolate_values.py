"""The interpolation phase: every string value of a compose model, variables expanded.

Keys are not interpolated (compose does not either). A variable that is not set expands to
an empty string and leaves a warning in the list given; an error (an unterminated ``${``, a
required variable ``${VAR:?msg}`` unset) names the file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bakepy.errors import FieldPath, LoadError
from bakepy.interpolation.variables import InterpolationError, interpolate
from bakepy.loaders.compose.origins import Origins
from bakepy.loaders.compose.tags import Override


def interpolate_model(
    data: Any, env: Mapping[str, str], origins: Origins, warnings: list[str]
) -> Any:
    """``data`` with its string values interpolated against ``env``."""

    def warn(message: str) -> None:
        if message not in warnings:
            warnings.append(message)

    def walk(value: Any, path: FieldPath) -> Any:
        if isinstance(value, str):
            if "$" not in value:  # most values: nothing to expand
                return value
            try:
                return interpolate(value, env, warn)
            except InterpolationError as exc:
                raise LoadError(str(exc), origins.location(path)) from None
        if isinstance(value, list):
            return [  # a string with no $ is kept without a call or a path
                item if isinstance(item, str) and "$" not in item else walk(item, (*path, index))
                for index, item in enumerate(value)
            ]
        if isinstance(value, dict):
            return {
                key: item if isinstance(item, str) and "$" not in item else walk(item, (*path, key))
                for key, item in value.items()
            }
        if isinstance(value, Override):
            return Override(walk(value.value, path))
        return value

    return walk(data, ())
