"""Compose variable interpolation for runtime apply, as ``docker compose up`` does it before it
reads the file: the project's variables (the shell's over the project folder's ``.env``)
substituted into every value of the lowered compose document, with the loader's rules.

``x-`` extension keys are left as written (they never reach the engine). The paths of values
that held a variable are kept, so the plan can show variables of a service's environment only
as digests, as it does for values taken from the shell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakepy.errors import BakepyError
from bakepy.interpolation.environment import project_environment
from bakepy.interpolation.variables import InterpolationError, interpolate
from bakepy.models.compose.values import has_interpolation
from bakepy.resolution.compose.lower import reparse_interpolated

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Interpolated:
    """A compose document with its variables substituted, and what the substitution saw."""

    data: dict[str, Any]
    templated: frozenset[FieldPath] = frozenset()
    """Paths of the values that held a variable."""
    warnings: tuple[str, ...] = ()
    """Variables used but not set (they expand to an empty string)."""


@dataclass
class _Walk:
    variables: Mapping[str, str]
    where: str
    templated: set[FieldPath] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def value(self, item: Any, path: FieldPath) -> Any:
        if isinstance(item, str):
            return self.text(item, path)
        if isinstance(item, list):
            return [self.value(element, (*path, i)) for i, element in enumerate(item)]
        if isinstance(item, dict):
            return {
                key: element if str(key).startswith("x-") else self.value(element, (*path, key))
                for key, element in item.items()
            }
        return item

    def text(self, text: str, path: FieldPath) -> str:
        if has_interpolation(text):
            self.templated.add(path)
        try:
            return str(interpolate(text, self.variables, self.warn))
        except InterpolationError as error:
            shown = ".".join(str(part) for part in path)
            raise BakepyError(
                f"{self.where}: {shown}: {error}",
                hint="export the variable, or set it in the project folder's .env file",
            ) from None


def project_variables(directory: Path, environment: Mapping[str, str]) -> dict[str, str]:
    """The variables compose interpolates with: ``environment`` over ``directory/.env``."""
    return project_environment(directory, environment)


def interpolate_document(
    data: Mapping[str, Any], variables: Mapping[str, str], where: str
) -> Interpolated:
    """``data`` with every variable substituted against ``variables``; ``$$`` becomes ``$``.

    A required variable that is not set (``${VAR:?message}``) or a malformed ``${`` is a
    BakepyError naming ``where`` (the ComposeProject) and the field path; so is a value that
    held a variable and is still invalid once substituted (see ``reparse_interpolated``).
    """
    walk = _Walk(variables, where)
    interpolated: dict[str, Any] = walk.value(dict(data), ())
    templated = frozenset(walk.templated)
    # compose reads the file after interpolation: what held a variable is read again
    reparse_interpolated(interpolated, templated, where)
    return Interpolated(interpolated, templated, tuple(walk.warnings))
