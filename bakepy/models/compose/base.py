"""Building blocks of the compose models: ``x-`` extensions and compose's loose value forms.

Compose takes many values in more than one form (a list of ``KEY=VALUE`` or a mapping, a string
or a list, a number or a string). The models accept every form and keep one: mappings for
key/value data (sorted, so rendering is deterministic), lists for lists, strings for sizes and
durations (validated unless they hold a ``${VAR}`` for compose to interpolate).
"""

import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from bakepy.models.base import BakepyModel
from bakepy.models.compose.values import has_interpolation
from bakepy.support.durations import DurationError, parse_duration

EXTENSION_PREFIX = "x-"
Scalar = str | int | float | bool | None
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9._-]+$")
"""What compose allows as a key of services, networks, volumes, configs and secrets."""

_go_duration = lru_cache(maxsize=1024)(parse_duration)
"""``parse_duration`` remembered for the durations it accepts (services repeat a few)."""

_SIZE = re.compile(r"^\d+(\.\d+)?\s?([kKmMgGtTpP]?[iI]?[bB]?)$")


class ComposeModel(BakepyModel):
    """A compose object that also takes ``x-`` extension keys, rendered back as written."""

    model_config = ConfigDict(json_schema_extra={"patternProperties": {"^x-": {}}})

    extensions: dict[str, Any] = Field(
        default_factory=dict,
        description="`x-` extension keys (compose ignores them; tools and anchors use them).",
    )

    @model_validator(mode="before")
    @classmethod
    def _collect_extensions(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for key in data:  # most objects have no extension: looked for before any copy
            if isinstance(key, str) and key.startswith("x-"):
                break
        else:
            return data
        moved = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith("x-")}
        rest = {k: v for k, v in data.items() if k not in moved}
        rest["extensions"] = {**(data.get("extensions") or {}), **moved}
        return rest

    @field_validator("extensions")
    @classmethod
    def _extension_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not key.startswith(EXTENSION_PREFIX):
                raise ValueError(f"extension key {key!r} must start with 'x-'")
        return value

    @model_serializer(mode="wrap")
    def _flatten_extensions(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            extensions = data.pop("extensions", None) or {}
            data.update(extensions)
        return data


def is_templated(value: object) -> bool:
    """True when a string holds a compose interpolation (``$VAR``, ``${VAR...}``; not ``$$``),
    which only compose can check, after it substituted the variables."""
    return isinstance(value, str) and has_interpolation(value)


def split_outside_variables(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator``, except inside ``${...}`` (``${P:-80}:80`` is two parts)."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        if text.startswith("$$", index):
            index += 2
            continue
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        char = text[index]
        if char == "}" and depth:
            depth -= 1
        elif char == separator and not depth:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def _variable(value: Any) -> Any:
    if not is_templated(value):
        raise ValueError(f"{value!r} is not a value of this field (nor a ${{VAR}})")
    return value


def _number_or_variable(kind: type[int] | type[float]) -> Any:
    def convert(value: Any) -> Any:
        if isinstance(value, bool):  # YAML's true is no number to compose
            what = "an integer" if kind is int else "a number"
            raise ValueError(f"must be {what}, not a boolean")
        if isinstance(value, str) and not is_templated(value):
            try:
                return kind(value.strip())
            except ValueError:
                what = "an integer" if kind is int else "a number"
                raise ValueError(f"{value!r} is not {what}") from None
        return value

    return convert


_TRUTH = {"true": True, "false": False}


def _bool_or_variable(value: Any) -> Any:
    if isinstance(value, str) and not is_templated(value):
        if value.lower() not in _TRUTH:
            raise ValueError(f"{value!r} is not true or false")
        return _TRUTH[value.lower()]
    return value


def scalar_string(value: Any) -> Any:
    """Numbers and booleans as compose prints them in string maps (``true``, ``5432``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _split_pairs(items: list[Any], *, missing: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, val = str(item).partition("=")
        out[key] = val if sep else missing
    return out


def _mapping(value: Any, missing: str | None) -> Any:
    """``[K=V, K]`` or ``{K: V}`` as a sorted mapping of strings."""
    if isinstance(value, list):
        value = _split_pairs(value, missing=missing)
    if not isinstance(value, dict):
        return value
    return {
        str(key): (missing if item is None else scalar_string(item))
        for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))
    }


def _env_mapping(value: Any) -> Any:
    return _mapping(value, None)


def _label_mapping(value: Any) -> Any:
    return _mapping(value, "")


def as_list(value: Any) -> Any:
    """A single string stands for a one-element list, as compose's ``string_or_list``."""
    return [value] if isinstance(value, str) else value


def _string_list(value: Any) -> Any:
    value = as_list(value)
    if isinstance(value, list):
        return [scalar_string(item) for item in value]
    return value


def _duration(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return f"{value}s"
    if isinstance(value, str) and not is_templated(value):
        try:  # compose reads durations with Go's time.ParseDuration
            _go_duration(value)
        except DurationError:
            raise ValueError(f"duration {value!r} must look like 30s, 1m30s or 500ms") from None
    return value


def _size(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a byte count or a size such as 64m, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and not is_templated(value) and not _SIZE.match(value):
        raise ValueError(f"size {value!r} must be a byte count or look like 64m or 1g")
    return value


def _cpus(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str) and not is_templated(value):
        try:
            if float(value) < 0:
                raise ValueError
        except ValueError:
            raise ValueError(f"cpus {value!r} must be a number such as 0.5") from None
    return value


def _octal_mode(value: Any) -> Any:
    """``"0440"`` (a string, as YAML 1.2 keeps it) is octal; integers are taken as given."""
    if isinstance(value, str) and re.fullmatch(r"0[oO]?[0-7]+", value):
        return int(value.replace("o", "").replace("O", ""), 8)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


EnvMap = Annotated[
    dict[str, str | None],
    BeforeValidator(_env_mapping, json_schema_input_type=dict[str, Scalar] | list[str]),
]
"""``environment``/``args``: ``[K=V, K]`` or a mapping; a bare ``K`` is null (from the shell)."""
LabelMap = Annotated[
    dict[str, str],
    BeforeValidator(_label_mapping, json_schema_input_type=dict[str, Scalar] | list[str]),
]
"""``labels``/``sysctls``: ``[K=V]`` or a mapping; values are strings."""
StringList = Annotated[
    list[str], BeforeValidator(_string_list, json_schema_input_type=str | list[str | int])
]
"""A list of strings; one string stands for a one-element list."""
Duration = Annotated[str, BeforeValidator(_duration, json_schema_input_type=str | int | float)]
"""A Go-style duration: ``30s``, ``1m30s``, ``500ms`` (numbers are seconds)."""
ByteSize = Annotated[str | int, BeforeValidator(_size)]
"""A byte count or a size with a unit: ``64m``, ``1g``, ``512k``."""
Cpus = Annotated[str, BeforeValidator(_cpus, json_schema_input_type=str | float)]
"""A CPU count such as ``0.5``, kept as a string (swarm needs a string; compose takes both)."""


Variable = Annotated[str, AfterValidator(_variable)]
"""A string holding a ``${VAR}`` for compose to interpolate, where a typed value is expected."""
IntOrVariable = Annotated[
    int | Variable,
    BeforeValidator(_number_or_variable(int), json_schema_input_type=int | str),
]
"""An integer, or a ``${VAR}`` that compose interpolates and reads as one."""
FloatOrVariable = Annotated[
    float | Variable,
    BeforeValidator(_number_or_variable(float), json_schema_input_type=float | str),
]
"""A number, or a ``${VAR}`` that compose interpolates and reads as one."""
BoolOrVariable = Annotated[
    bool | Variable, BeforeValidator(_bool_or_variable, json_schema_input_type=bool | str)
]
"""true/false, or a ``${VAR}`` that compose interpolates and reads as one."""
FileMode = Annotated[int | Variable, BeforeValidator(_octal_mode, json_schema_input_type=int | str)]
"""A file mode: an integer (``0o440`` in Python), an octal string ``"0440"`` or a ``${VAR}``."""


def known_int(value: int | str | None) -> int | None:
    """An integer field's value, or None while it still holds a variable (or is unset)."""
    return value if isinstance(value, int) else None


class UlimitRange(BakepyModel):
    """A soft and a hard limit (``nofile: {soft: 1024, hard: 2048}``)."""

    soft: IntOrVariable = Field(description="Soft limit.")
    hard: IntOrVariable = Field(description="Hard limit.")


Ulimits = dict[str, IntOrVariable | UlimitRange]
"""Resource limits by name (``nofile``, ``nproc``): one number or a soft/hard pair."""


def check_names(value: dict[str, Any], what: str) -> dict[str, Any]:
    """Map keys must match compose's ``^[a-zA-Z0-9._-]+$``."""
    for key in value:
        if not NAME_PATTERN.match(key):
            raise ValueError(f"{what} name {key!r} may only use letters, digits, '.', '_', '-'")
    return value
