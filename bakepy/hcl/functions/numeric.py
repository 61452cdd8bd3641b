"""Numeric, comparison and boolean functions of the bake stdlib."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl import operators
from bakepy.hcl.values import equal, normalize_number, to_bool, to_int, to_number

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def absolute(num: Any) -> int | float:
    """The magnitude of a number."""
    number: int | float = abs(to_number(num, "num"))
    return number


def ceil(num: Any) -> int:
    """The smallest whole number greater than or equal to `num`."""
    return math.ceil(to_number(num, "num"))


def floor(num: Any) -> int:
    """The largest whole number less than or equal to `num`."""
    return math.floor(to_number(num, "num"))


def int_(num: Any) -> int:
    """Truncate a number towards zero."""
    return math.trunc(to_number(num, "num"))


def log(num: Any, base: Any) -> int | float:
    """Logarithm of `num` in `base`."""
    value = float(to_number(num, "num"))
    radix = float(to_number(base, "base"))
    try:
        return normalize_number(math.log(value) / math.log(radix))
    except (ValueError, ZeroDivisionError):
        raise HclError("logarithm is undefined for these arguments") from None


def pow_(num: Any, power: Any) -> int | float:
    """`num` raised to `power`."""
    base = to_number(num, "num")
    exponent = to_number(power, "power")
    if isinstance(base, int) and isinstance(exponent, int) and 0 <= exponent <= 4096:
        exact: int = base**exponent
        return exact
    try:
        return normalize_number(math.pow(base, exponent))
    except (ValueError, OverflowError):
        raise HclError("result is not a finite number") from None


def signum(num: Any) -> int:
    """-1, 0 or 1 according to the sign of a whole number."""
    value = to_int(num, "num")
    return (value > 0) - (value < 0)


def max_(*numbers: Any) -> int | float:
    """The largest of the numbers."""
    if not numbers:
        raise HclError("must pass at least one number")
    return max(to_number(n, "numbers") for n in numbers)


def min_(*numbers: Any) -> int | float:
    """The smallest of the numbers."""
    if not numbers:
        raise HclError("must pass at least one number")
    return min(to_number(n, "numbers") for n in numbers)


def parseint(number: Any, base: Any) -> int:
    """Parse a string as an integer in base 2..62 (Go big.Int SetString rules)."""
    if not isinstance(number, str):
        raise HclError("first argument must be a string, not a number")
    radix = to_int(base, "base")
    if radix < 2 or radix > 62:
        raise HclError("base must be a whole number between 2 and 62 inclusive")
    text = number
    sign = 1
    if text and text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if not text:
        raise HclError(f'cannot parse "{number}" as a base {radix} integer')
    value = 0
    for char in text:
        digit = _DIGITS.find(char if radix > 36 else char.lower())
        if digit < 0 or digit >= radix:
            raise HclError(f'cannot parse "{number}" as a base {radix} integer')
        value = value * radix + digit
    return sign * value


def _binary_number(operation: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def function(a: Any, b: Any) -> Any:
        return operation(to_number(a, "a"), to_number(b, "b"))

    function.__doc__ = operation.__doc__
    return function


def negate(num: Any) -> int | float:
    """The number multiplied by -1."""
    return -to_number(num, "num")


def not_(value: Any) -> bool:
    """Logical negation."""
    return not to_bool(value, "val")


def and_(a: Any, b: Any) -> bool:
    """Logical AND."""
    return to_bool(a, "a") and to_bool(b, "b")


def or_(a: Any, b: Any) -> bool:
    """Logical OR."""
    return to_bool(a, "a") or to_bool(b, "b")


def equal_(a: Any, b: Any) -> bool:
    """Whether two values are equal (values of different types never are)."""
    return equal(a, b)


def notequal(a: Any, b: Any) -> bool:
    """Whether two values differ."""
    return not equal(a, b)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "absolute": absolute,
    "add": _binary_number(operators.add),
    "and": and_,
    "ceil": ceil,
    "divide": _binary_number(operators.divide),
    "equal": equal_,
    "floor": floor,
    "greaterthan": _binary_number(operators.greater),
    "greaterthanorequalto": _binary_number(operators.greater_equal),
    "int": int_,
    "lessthan": _binary_number(operators.less),
    "lessthanorequalto": _binary_number(operators.less_equal),
    "log": log,
    "max": max_,
    "min": min_,
    "modulo": _binary_number(operators.modulo),
    "multiply": _binary_number(operators.multiply),
    "negate": negate,
    "not": not_,
    "notequal": notequal,
    "or": or_,
    "parseint": parseint,
    "pow": pow_,
    "signum": signum,
    "subtract": _binary_number(operators.subtract),
}
