"""Raise model errors that point at a field path, so messages and YAML lines name the field."""

from __future__ import annotations

from typing import NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

FieldProblem = tuple[tuple[str | int, ...], str]
"""A field path (native names, relative to the model) and what is wrong there."""


def raise_field_errors(title: str, problems: list[FieldProblem]) -> NoReturn:
    """Raise one pydantic ValidationError with an error per problem, at its field path."""
    raise ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("value_error", "{message}", {"message": message}),
                loc=loc,
                input=None,
            )
            for loc, message in problems
        ],
    )
