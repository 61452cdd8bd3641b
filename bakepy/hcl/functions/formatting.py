"""format() and formatlist(): printf-style formatting with cty's verbs and Go's number output."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.functions.encoding import json_string, to_json
from bakepy.hcl.functions.text import grapheme_count, graphemes
from bakepy.hcl.values import to_bool, to_number, to_str, type_name

_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<index>[1-9][0-9]*)\])?(?P<width>[1-9][0-9]*|\*)?"
    r"(?:\.(?P<precision>[0-9]*|\*))?(?P<verb>[a-zA-Z])?"
)
_SHORT_EXPONENT = re.compile(r"([eE][+-])(\d)$")


@dataclass(slots=True)
class _Verb:
    """One parsed `%...` sequence."""

    raw: str
    offset: int
    verb: str
    flags: str
    width: int | None
    precision: int | None

    def flag(self, char: str) -> bool:
        return char in self.flags


def _pad(spec: _Verb, text: str) -> str:
    """cty's padding: width counts characters, `0` pads with zeros, `-` pads on the right."""
    if spec.width is None:
        return text
    missing = spec.width - grapheme_count(text)
    if missing <= 0:
        return text
    padding = ("0" if spec.flag("0") else " ") * missing
    return text + padding if spec.flag("-") else padding + text


def _pad_number(spec: _Verb, sign: str, body: str, zero_allowed: bool = True) -> str:
    """Go's numeric padding: zeros go between the sign and the digits."""
    text = sign + body
    if spec.width is None or len(text) >= spec.width:
        return text
    missing = spec.width - len(text)
    if spec.flag("-"):
        return text + " " * missing
    if spec.flag("0") and zero_allowed:
        return sign + "0" * missing + body
    return " " * missing + text


def _sign(spec: _Verb, negative: bool) -> str:
    if negative:
        return "-"
    if spec.flag("+"):
        return "+"
    if spec.flag(" "):
        return " "
    return ""


def _decimal(number: int | float) -> Decimal:
    return Decimal(number) if isinstance(number, int) else Decimal(repr(number))


def shortest_g(number: int | float) -> str:
    """Go's big.Float Text('g', -1): shortest digits, exponent form from 1e+06 up."""
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    digits_tuple, exponent = _decimal(abs(number)).as_tuple()[1:]
    assert isinstance(exponent, int)
    digits = "".join(str(d) for d in digits_tuple).rstrip("0")
    exponent += len("".join(str(d) for d in digits_tuple)) - len(digits)
    point = len(digits) + exponent  # value = 0.<digits> x 10^point
    exp10 = point - 1
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _format_integer(spec: _Verb, value: Any) -> str:
    number = to_number(value, f"value for {spec.raw!r}")
    if isinstance(number, float):
        if not number.is_integer():
            raise HclError(
                f"unsupported value for {spec.raw!r} at {spec.offset}: an integer is required"
            )
        number = int(number)
    digits = format(abs(number), {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[spec.verb])
    if spec.precision is not None:
        digits = "" if spec.precision == 0 and number == 0 else digits.zfill(spec.precision)
    if spec.flag("#"):
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(spec.verb, "")
        if not (spec.verb == "o" and digits.startswith("0")):
            digits = prefix + digits
    return _pad_number(spec, _sign(spec, number < 0), digits, spec.precision is None)


def _format_float(spec: _Verb, value: Any) -> str:
    number = to_number(value, f"value for {spec.raw!r}")
    negative = number < 0
    magnitude = abs(number)
    verb = spec.verb
    if verb in "gG":
        if spec.precision is None:
            body = shortest_g(magnitude)
        else:
            body = format(float(magnitude), f".{max(spec.precision, 1)}g")
            body = _SHORT_EXPONENT.sub(r"\g<1>0\2", body)
        body = body.upper() if verb == "G" else body
    else:
        precision = 6 if spec.precision is None else spec.precision
        # Integers are formatted exactly; fractions round from their binary value, as Go does.
        exact = _decimal(magnitude) if isinstance(magnitude, int) and magnitude else magnitude
        body = format(exact, f".{precision}{verb.lower()}")
        body = _SHORT_EXPONENT.sub(r"\g<1>0\2", body)
        if verb == "E":
            body = body.upper()
    return _pad_number(spec, _sign(spec, negative), body)


def _format_string(spec: _Verb, value: Any) -> str:
    if isinstance(value, list | tuple | dict):
        raise HclError(
            f"unsupported value for {spec.raw!r} at {spec.offset}: string required, got "
            f"{type_name(value)}"
        )
    text = to_str(value)
    if spec.precision:
        text = "".join(graphemes(text)[: spec.precision])
    return _pad(spec, json_string(text) if spec.verb == "q" else text)


def _format_value(spec: _Verb, value: Any) -> str:
    if not spec.flag("#") and value is not None:
        if isinstance(value, str):
            return _pad(spec, value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _pad(spec, shortest_g(value))
    return _pad(spec, to_json(value))


def _format_one(spec: _Verb, value: Any) -> str:
    verb = spec.verb
    if verb != "v" and value is None:
        raise HclError(
            f"unsupported value for {spec.raw!r} at {spec.offset}: null value cannot be formatted"
        )
    try:
        if verb == "v":
            return _format_value(spec, value)
        if verb == "t":
            return "true" if to_bool(value) else "false"
        if verb in "bdoxX":
            return _format_integer(spec, value)
        if verb in "eEfgG":
            return _format_float(spec, value)
        if verb in "sq":
            return _format_string(spec, value)
    except HclError as exc:
        if exc.message.startswith("unsupported value"):
            raise
        message = f"unsupported value for {spec.raw!r} at {spec.offset}: {exc.message}"
        raise HclError(message) from None
    raise HclError(f"unsupported format verb {verb!r} in {spec.raw!r} at offset {spec.offset}")


def format_values(template: str, args: list[Any] | tuple[Any, ...]) -> str:
    """Apply a format string to argument values."""
    out: list[str] = []
    pos = 0
    next_arg = 1
    used = 0
    verbs = 0
    while pos < len(template):
        percent = template.find("%", pos)
        if percent < 0:
            out.append(template[pos:])
            break
        out.append(template[pos:percent])
        if template.startswith("%%", percent):
            out.append("%")
            pos = percent + 2
            continue
        match = _VERB.match(template, percent)
        assert match is not None
        if match.group("verb") is None:
            raise HclError(f"invalid format string starting at offset {percent}")
        if match.group("width") == "*" or match.group("precision") == "*":
            raise HclError(f"unsupported '*' width or precision at offset {percent}")
        index = int(match.group("index")) if match.group("index") else next_arg
        precision_text = match.group("precision")
        spec = _Verb(
            raw=match.group(0),
            offset=percent,
            verb=match.group("verb"),
            flags=match.group("flags"),
            width=int(match.group("width")) if match.group("width") else None,
            precision=None if precision_text is None else int(precision_text or "0"),
        )
        if index > len(args):
            raise HclError(
                f"not enough arguments for {spec.raw!r} at {percent}: need index {index} but have "
                f"{len(args)} total"
            )
        out.append(_format_one(spec, args[index - 1]))
        verbs += 1
        used = max(used, index)
        next_arg = index + 1
        pos = match.end()
    if used < len(args):
        if verbs == 0:
            raise HclError("too many arguments; no verbs in format string")
        raise HclError(f"too many arguments; only {used} used by format string")
    return "".join(out)


def format_(template: Any, *args: Any) -> str:
    """printf-style formatting: %v %s %q %d %f %t %x ... with widths, flags and [n] indexes."""
    return format_values(to_str(template, "format"), args)


def formatlist(template: Any, *args: Any) -> list[str]:
    """format() over lists: list arguments are iterated together, others are repeated."""
    text = to_str(template, "format")
    length = -1
    chooser = -1
    for position, arg in enumerate(args):
        if isinstance(arg, list | tuple):
            if length == -1:
                length, chooser = len(arg), position
            elif len(arg) != length:
                raise HclError(
                    f"argument {position + 1} has length {len(arg)}, which is inconsistent with "
                    f"argument {chooser + 1} of length {length}"
                )
    if length == -1:
        return [format_values(text, list(args))]
    result = []
    for iteration in range(length):
        values = [arg[iteration] if isinstance(arg, list | tuple) else arg for arg in args]
        try:
            result.append(format_values(text, values))
        except HclError as exc:
            raise HclError(f"error on format iteration {iteration}: {exc.message}") from None
    return result


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "format": format_,
    "formatlist": formatlist,
}
