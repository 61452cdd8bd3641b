"""Turn pydantic's validation errors into bakepy errors that name the field path."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import Diagnostic, FieldPath, Location, ValidationError

LineLookup = Callable[[FieldPath], int | None]


def _clean_path(loc: tuple[int | str, ...]) -> FieldPath:
    """Drop pydantic's union-branch markers (``function-after[...]``, class names) from a loc."""
    return tuple(
        part
        for part in loc
        if isinstance(part, int)
        or not ("[" in part or part[:1].isupper() or part.startswith(("function-", "tagged-union")))
    )


def _message(error: dict[str, object]) -> str:
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("type") == "missing":
        return "field required"
    return message


def convert_validation_error(
    exc: PydanticValidationError,
    *,
    file: str | None,
    resource: str | None,
    line_of: LineLookup | None = None,
    default_line: int | None = None,
) -> ValidationError:
    """One Diagnostic per pydantic error (deduplicated), with the closest known line."""
    from pathlib import Path

    diagnostics: list[Diagnostic] = []
    seen: set[tuple[FieldPath, str]] = set()
    for error in exc.errors(include_url=False):
        path = _clean_path(tuple(error["loc"]))
        message = _message(dict(error))
        if (path, message) in seen:
            continue
        seen.add((path, message))
        line = line_of(path) if line_of else None
        location = Location(Path(file) if file else None, line or default_line, resource, path)
        diagnostics.append(Diagnostic(message, location))
    return ValidationError(diagnostics[:5])
