"""try(), can() and convert(): functions whose arguments the evaluator handles specially.

The evaluator recognises these function objects and passes them unevaluated expressions
(try/can) or a type expression (convert). Called directly with values they behave as if
every argument evaluated successfully.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.types import TypeSpec, convert


def try_function(*values: Any) -> Any:
    """try(a, b, ...): the first argument that evaluates without an error."""
    if not values:
        raise HclError("at least one argument is required")
    return values[0]


def can_function(_value: Any) -> bool:
    """can(expr): whether the expression evaluates without an error."""
    return True


def convert_function(value: Any, type_spec: Any) -> Any:
    """convert(value, type): convert a value to a type constraint such as list(string)."""
    if not isinstance(type_spec, TypeSpec):
        raise HclError("the second argument must be a type expression, such as string")
    return convert(value, type_spec)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "can": can_function,
    "convert": convert_function,
    "try": try_function,
}
