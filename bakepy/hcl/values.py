"""HCL value semantics on plain Python values: type names, conversions, equality, ordering."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Hashable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from bakepy.errors import HclError


class MapValue(dict[str, Any]):
    """A dict that is an HCL *map* (e.g. from convert(x, map(string))) rather than an object.

    Object and map values are both plain dicts; a few functions (length, index, hasindex)
    accept only maps, so values of map type are marked with this subclass.
    """


MAX_EXPONENT = 4000  # keeps exact integers printable (Python caps int->str at 4300 digits)
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def type_name(value: Any) -> str:
    """Name the HCL type of a Python value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "tuple"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_number(value: Any) -> bool:
    """True for HCL numbers (ints and floats, but not bools)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C, as cty stores every string (a Kelvin sign becomes K)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def normalize_number(value: int | float) -> int | float:
    """Keep numbers integral when they are: 4.0 becomes 4, as HCL prints them."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise HclError("number is not finite")
        if value.is_integer():
            return int(value)
    return value


def number_from_text(text: str) -> int | float:
    """Parse an HCL number literal or numeric string exactly (big integers stay exact)."""
    if not _NUMBER_TEXT.fullmatch(text):
        raise HclError(f"a number is required, got string {quote(text)}")
    try:
        parsed = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already rejects these
        raise HclError(f"a number is required, got string {quote(text)}") from exc
    if parsed and parsed.adjusted() > MAX_EXPONENT:
        raise HclError(f"number {text} is too large")
    if parsed == parsed.to_integral_value():
        return int(parsed)
    return normalize_number(float(parsed))


def format_number(value: int | float) -> str:
    """Render a number the way HCL converts it to a string: no exponent, no trailing .0."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        return format(Decimal(text), "f")
    return text


def quote(text: str) -> str:
    """Quote a string for an error message."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def describe(value: Any) -> str:
    """A short description of a value for error messages."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {quote(shown)}"
    return type_name(value)


def to_number(value: Any, what: str = "value") -> int | float:
    """Convert a value to a number as HCL does (numeric strings are accepted)."""
    if isinstance(value, bool) or value is None:
        raise HclError(f"{what}: a number is required, got {describe(value)}")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return number_from_text(value)
        except HclError:
            raise HclError(f"{what}: a number is required, got {describe(value)}") from None
    raise HclError(f"{what}: a number is required, got {describe(value)}")


def to_int(value: Any, what: str = "value") -> int:
    """Convert a value to a whole number, rejecting fractions."""
    number = to_number(value, what)
    if isinstance(number, float):
        if not number.is_integer():
            raise HclError(f"{what}: a whole number is required, got {format_number(number)}")
        return int(number)
    return number


def to_bool(value: Any, what: str = "value") -> bool:
    """Convert a value to a bool as cty does (the strings "true"/"1" and "false"/"0" convert)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise HclError(f"{what}: a bool is required, got {describe(value)}")


def to_str(value: Any, what: str = "value") -> str:
    """Convert a primitive value to a string as HCL does; null and collections are errors."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if value is None:
        raise HclError(f"{what}: a string is required, got null")
    raise HclError(f"{what}: a string is required, got {type_name(value)}")


def to_list(value: Any, what: str = "value") -> list[Any]:
    """Require a list/tuple/set value."""
    if isinstance(value, list):
        return value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise HclError(f"{what}: a list is required, got {describe(value)}")


def to_map(value: Any, what: str = "value") -> dict[str, Any]:
    """Require a map/object value."""
    if isinstance(value, dict):
        return value
    raise HclError(f"{what}: a map is required, got {describe(value)}")


def kind(value: Any) -> str:
    """Coarse HCL type kind used for equality: null, bool, number, string, list, map."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple | set | frozenset):
        return "list"
    if isinstance(value, dict):
        return "map"
    return "other"


def equal(left: Any, right: Any) -> bool:
    """HCL equality: values of different types are never equal; collections compare deeply."""
    left_kind = kind(left)
    if left_kind != kind(right):
        return False
    if left_kind == "list":
        left_items = list(left)
        right_items = list(right)
        return len(left_items) == len(right_items) and all(
            equal(a, b) for a, b in zip(left_items, right_items, strict=True)
        )
    if left_kind == "map":
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    return bool(left == right)


def hash_key(value: Any) -> Hashable:
    """A hashable key that is equal for exactly the values `equal` considers equal."""
    value_kind = kind(value)
    if value_kind == "list":
        return ("list", tuple(hash_key(item) for item in value))
    if value_kind == "map":
        return ("map", tuple(sorted((k, hash_key(v)) for k, v in value.items())))
    if value_kind == "other":
        return ("other", id(value))
    return (value_kind, value)


def iterate(value: Any, what: str = "for expression") -> Iterator[tuple[Any, Any]]:
    """Yield (key, value) pairs of a collection: indexes for lists, sorted keys for maps."""
    if isinstance(value, list | tuple):
        return iter(enumerate(value))
    if isinstance(value, set | frozenset):
        return iter(enumerate(sorted_set(value)))
    if isinstance(value, dict):
        return iter((key, value[key]) for key in sorted(value))
    if value is None:
        raise HclError(f"{what}: cannot iterate over a null value")
    raise HclError(f"{what}: cannot iterate over {describe(value)}")


def sorted_set(items: Any) -> list[Any]:
    """Order set elements as cty does: strings and numbers sorted, others by first appearance."""
    values = list(items)
    if all(isinstance(item, str) for item in values):
        return sorted(values)
    if all(is_number(item) for item in values):
        return sorted(values)
    if all(isinstance(item, bool) for item in values):
        return sorted(values)
    return values


def unify_list(values: list[Any]) -> list[Any]:
    """Give list elements one type as cty does, or fail: strings absorb numbers and bools."""
    kinds = {kind(item) for item in values} - {"null"}
    if len(kinds) <= 1:
        return values
    if "string" in kinds and kinds <= {"string", "number", "bool"}:
        return [to_str(item) if item is not None else None for item in values]
    raise HclError("all list elements must have the same type")


def unify_primitives(values: list[Any]) -> list[Any]:
    """Convert a mix of strings with numbers/bools to all-strings, as HCL type unification does."""
    has_string = any(isinstance(item, str) for item in values)
    has_other = any(
        isinstance(item, bool | int | float) and not isinstance(item, str) for item in values
    )
    if has_string and has_other:
        return [to_str(item) if isinstance(item, bool | int | float) else item for item in values]
    return values
