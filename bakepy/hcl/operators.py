"""HCL operator semantics (arithmetic, comparison, indexing, attribute access) on Python values."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.values import describe, normalize_number, to_number, to_str, type_name


def _operand(value: Any, op: str, side: str) -> int | float:
    kind = type(value)
    if kind is int or kind is float:
        return value  # type: ignore[no-any-return]
    return to_number(value, f'{side} operand of "{op}"')


def _numbers(op: str, left: Any, right: Any) -> tuple[int | float, int | float]:
    return _operand(left, op, "left"), _operand(right, op, "right")


def _decimal(number: int | float) -> Decimal:
    return Decimal(number) if type(number) is int else Decimal(repr(number))


def _from_decimal(result: Decimal) -> int | float:
    """Back to a plain number: integral results become ints, others the nearest float."""
    if result == result.to_integral_value():
        return int(result)
    return normalize_number(float(result))


def add(left: Any, right: Any) -> int | float:
    """`a + b` (numeric strings are converted; decimal fractions add exactly, 0.1+0.2=0.3)."""
    a, b = _numbers("+", left, right)
    if type(a) is int and type(b) is int:
        return a + b
    return _from_decimal(_decimal(a) + _decimal(b))


def subtract(left: Any, right: Any) -> int | float:
    """`a - b`."""
    a, b = _numbers("-", left, right)
    if type(a) is int and type(b) is int:
        return a - b
    return _from_decimal(_decimal(a) - _decimal(b))


def multiply(left: Any, right: Any) -> int | float:
    """`a * b`."""
    a, b = _numbers("*", left, right)
    if type(a) is int and type(b) is int:
        return a * b
    return _from_decimal(_decimal(a) * _decimal(b))


def divide(left: Any, right: Any) -> int | float:
    """`a / b`: exact when possible; division by zero is an error."""
    a, b = _numbers("/", left, right)
    if b == 0:
        raise HclError("division by zero")
    if type(a) is int and type(b) is int and a % b == 0:
        return a // b
    with localcontext() as context:
        context.prec = 40
        return _from_decimal(_decimal(a) / _decimal(b))


def modulo(left: Any, right: Any) -> int | float:
    """`a % b` with the sign of the dividend, as HCL (Go) computes it."""
    a, b = _numbers("%", left, right)
    if b == 0:
        raise HclError("modulo by zero")
    if type(a) is int and type(b) is int:
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return _from_decimal(_decimal(a) % _decimal(b))  # Decimal % keeps the dividend's sign


def negate(value: Any) -> int | float:
    """Unary `-x`."""
    number = _operand(value, "-", "unary")
    return -number


def less(left: Any, right: Any) -> bool:
    """`a < b`."""
    a, b = _numbers("<", left, right)
    return a < b


def less_equal(left: Any, right: Any) -> bool:
    """`a <= b`."""
    a, b = _numbers("<=", left, right)
    return a <= b


def greater(left: Any, right: Any) -> bool:
    """`a > b`."""
    a, b = _numbers(">", left, right)
    return a > b


def greater_equal(left: Any, right: Any) -> bool:
    """`a >= b`."""
    a, b = _numbers(">=", left, right)
    return a >= b


ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": modulo,
    "<": less,
    "<=": less_equal,
    ">": greater,
    ">=": greater_equal,
}


def get_attr(value: Any, name: str) -> Any:
    """`value.name`: attribute access on an object/map."""
    if isinstance(value, dict):
        try:
            return value[name]
        except KeyError:
            raise HclError(f'unsupported attribute: object has no attribute "{name}"') from None
    if value is None:
        raise HclError(f'attempt to get attribute "{name}" from a null value')
    raise HclError(f'unsupported attribute "{name}": a {type_name(value)} has no attributes')


def get_index(value: Any, key: Any) -> Any:
    """`value[key]`: list index or map key lookup."""
    if isinstance(value, list | tuple):
        if isinstance(key, bool) or key is None or isinstance(key, list | tuple | dict):
            raise HclError(f"invalid index: a number is required, got {describe(key)}")
        number = to_number(key, "index")
        if isinstance(number, float) and not number.is_integer():
            raise HclError(f"invalid index: {number} is not a whole number")
        index = int(number)
        if index < 0 or index >= len(value):
            raise HclError(
                f"invalid index: {index} is out of range for a tuple of {len(value)} elements"
            )
        return value[index]
    if isinstance(value, dict):
        if key is None or isinstance(key, list | tuple | dict):
            raise HclError(f"invalid key: a string is required, got {describe(key)}")
        name = to_str(key)
        try:
            return value[name]
        except KeyError:
            raise HclError(f'invalid index: key "{name}" does not exist in the map') from None
    if value is None:
        raise HclError("attempt to index a null value")
    raise HclError(f"cannot index a {type_name(value)} value")
