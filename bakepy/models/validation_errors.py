"""Turn pydantic's validation errors into bakepy errors that name the field path."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import Diagnostic, FieldPath, Location, ValidationError
from bakepy.models.union_errors import Entry, entry, reduce_unions, wrong_type

LineLookup = Callable[[FieldPath], int | None]
HintLookup = Callable[[FieldPath], str | None]


@cache
def _capitalized_fields() -> frozenset[str]:
    """Capitalized field names of the manifest kinds (systemd's ``ExecStart``, ``Name``)."""
    from bakepy.models.kinds import KINDS

    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(key for key in properties if key[:1].isupper())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for model in KINDS.values():
        walk(model.model_json_schema(by_alias=True))
    return frozenset(names)


def _is_marker(part: str) -> bool:
    if "[" in part or part.startswith(("function-", "tagged-union")):
        return True
    return part[:1].isupper() and part not in _capitalized_fields()


def _clean_path(loc: tuple[int | str, ...]) -> FieldPath:
    """Drop pydantic's union-branch markers (``function-after[...]``, class names) from a loc."""
    return tuple(part for part in loc if isinstance(part, int) or not _is_marker(part))


def _message(error: Entry) -> str:
    message = error.message
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error.type == "extra_forbidden":
        return "unknown field"
    if error.type == "missing":
        return "field required"
    if error.type.endswith("_type") and error.forms and error.type != "union_type":
        return wrong_type(error.forms, error.input)
    return message


def convert_validation_error(
    exc: PydanticValidationError,
    *,
    file: str | None,
    resource: str | None,
    line_of: LineLookup | None = None,
    default_line: int | None = None,
    unknown_field_hint: HintLookup | None = None,
) -> ValidationError:
    """One Diagnostic per pydantic error (deduplicated; a union's branches reduced to the one
    the value was written for), with the closest known line; an unknown field gets
    ``unknown_field_hint``'s word for it (``did you mean 'tags'?``)."""
    from pathlib import Path

    diagnostics: list[Diagnostic] = []
    seen: set[tuple[FieldPath, str]] = set()
    errors = [entry(dict(error)) for error in exc.errors(include_url=False)]
    for error in reduce_unions(errors):
        path = _clean_path(error.loc)
        message = _message(error)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        line = line_of(path) if line_of else None
        location = Location(Path(file) if file else None, line or default_line, resource, path)
        hint = None
        if error.type == "extra_forbidden" and unknown_field_hint is not None:
            hint = unknown_field_hint(path)
        diagnostics.append(Diagnostic(message, location, hint))
    return ValidationError(diagnostics)
