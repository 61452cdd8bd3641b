"""Instruction flags (``--from=build``, ``--link``, ``--mount=...``), checked as BuildKit does."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bakepy.errors import LoadError, Location

_TRUE = frozenset({"1", "t", "true"})
_FALSE = frozenset({"0", "f", "false"})
_BUILDKIT_ONLY = frozenset({("RUN", "device")})
"""Flags BuildKit accepts that the Dockerfile model has no field for (``RUN --device``)."""


class Unmodeled(Exception):
    """Valid for BuildKit, but not something the model can say exactly as written (a mount
    option it has no field for, a quoted flag value): the instruction is kept as Raw text.
    Where no Raw text can stand (a FROM line), the loader reports it as a LoadError."""

    def __init__(self, message: str, where: Location) -> None:
        super().__init__(message)
        self.where = where

    def error(self) -> LoadError:
        """The LoadError to report where the instruction cannot be kept as Raw text."""
        return LoadError(f"{self} cannot be written back as written", self.where)


@dataclass(frozen=True)
class FlagSpec:
    """The flags one instruction accepts, by kind."""

    strings: tuple[str, ...] = ()
    bools: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """Every accepted flag name."""
        return [*self.strings, *self.bools, *self.lists]


class Flags:
    """The flags given to one instruction, checked against what it accepts."""

    def __init__(self, keyword: str, words: Iterable[str], spec: FlagSpec, where: Location):
        self.keyword, self.spec, self.where = keyword, spec, where
        self.values: dict[str, list[str | None]] = {}
        for word in words:
            self._add(word)

    def error(self, message: str, hint: str | None = None) -> LoadError:
        """A LoadError at this instruction."""
        return LoadError(message, self.where, hint)

    def _add(self, word: str) -> None:
        name, equals, value = word[2:].partition("=")
        if name not in self.spec.names():
            raise self._unknown(name)
        if name in self.values and name not in self.spec.lists:
            raise self.error(f"{self.keyword}: duplicate flag specified: --{name}")
        if not equals and name not in self.spec.bools:
            raise self.error(f"{self.keyword}: missing a value on flag --{name}")
        if equals and not value and name in self.spec.bools:
            raise self.error(f"{self.keyword}: missing a value on flag --{name}")
        self.values.setdefault(name, []).append(value if equals else None)

    def unmodeled(self, message: str) -> Unmodeled:
        """An Unmodeled at this instruction."""
        return Unmodeled(message, self.where)

    def _unknown(self, name: str) -> LoadError | Unmodeled:
        if (self.keyword, name) in _BUILDKIT_ONLY:
            return self.unmodeled(f"{self.keyword} --{name} has no field in the model")
        close = difflib.get_close_matches(name, self.spec.names(), n=1)
        hint = f"did you mean --{close[0]}?" if close else None
        if not self.spec.names():
            hint = f"{self.keyword} takes no flags"
        return self.error(f"{self.keyword}: unknown flag: --{name}", hint)

    def string(self, name: str) -> str | None:
        """The value of a string flag; an empty value counts as not given, as in BuildKit."""
        values = self.values.get(name)
        return values[0] or None if values else None

    def boolean(self, name: str) -> bool | None:
        """The value of a boolean flag (``--link``, ``--link=false``), None when not given."""
        values = self.values.get(name)
        if not values:
            return None
        value = values[0]
        if value is None or value.lower() == "true":
            return True
        if value.lower() == "false":
            return False
        raise self.error(f"{self.keyword}: expecting a boolean value for --{name}, not {value!r}")

    def strings(self, name: str) -> list[str]:
        """Every value of a repeatable flag, in order."""
        return [value or "" for value in self.values.get(name, [])]


def flag_value(flags: Flags, name: str, value: str) -> str:
    """``value``, when the renderer can write it back as ``--name=value``."""
    if any(char in value for char in "\"'\\"):
        raise flags.unmodeled(f"{flags.keyword} --{name}: quotes or backslashes in the value")
    return value


# --- RUN --mount ------------------------------------------------------------------------------

_ALIASES = {
    "src": "source",
    "dst": "target",
    "destination": "target",
    "ro": "readonly",
    "readwrite": "rw",
}
_KEYS = {
    "cache": ("target", "id", "sharing", "from", "source", "mode", "uid", "gid"),
    "bind": ("target", "source", "from"),
    "secret": ("id", "source", "target", "env", "mode", "uid", "gid"),
    "ssh": ("id", "target", "mode", "uid", "gid"),
    "tmpfs": ("target", "size"),
}
_BOOLEAN_KEYS = ("readonly", "rw", "required")
_UNMODELED_KEYS = frozenset(
    {("bind", "id"), ("tmpfs", "id"), ("tmpfs", "from"), ("tmpfs", "source")}
    | {("secret", "from"), ("ssh", "from")}
)
"""Options BuildKit takes for a mount type (and ignores, or applies) that the model has no
field for; any other option not in ``_KEYS`` is an error BuildKit reports too."""


def parse_mount(value: str, flags: Flags) -> dict[str, Any]:
    """One ``--mount`` value as the fields of the matching mount model."""
    if any(char in value for char in "\"'\\") or any(char.isspace() for char in value):
        raise flags.unmodeled("RUN --mount: quotes, backslashes or blanks in a mount")
    options = _mount_options(value, flags)
    mount_type = options.pop("type", "bind").lower()
    if mount_type not in _KEYS:
        raise flags.error(
            f"RUN --mount: unsupported mount type {mount_type!r}",
            f"use one of {', '.join(_KEYS)}",
        )
    writable = _writable(options, flags)
    booleans = {
        key: _mount_bool(options.pop(key), key, flags) for key in _BOOLEAN_KEYS if key in options
    }
    fields = _typed_fields(mount_type, options, flags)
    return {"type": mount_type, **fields, **_mount_flags(mount_type, writable, booleans, flags)}


def _mount_options(value: str, flags: Flags) -> dict[str, str]:
    options: dict[str, str] = {}
    for part in value.split(","):
        key, equals, option = part.partition("=")
        key = _ALIASES.get(key.lower(), key.lower())
        if not equals and key not in _BOOLEAN_KEYS:
            raise flags.error(f"RUN --mount: invalid field {part!r}: it must be a key=value pair")
        if key in options:
            raise flags.error(f"RUN --mount: {key} is given twice in {value!r}")
        options[key] = option if equals else "true"
    return options


def _mount_bool(value: str, key: str, flags: Flags) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise flags.error(f"RUN --mount: invalid value for {key}: {value!r}")


def _typed_fields(mount_type: str, options: dict[str, str], flags: Flags) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, option in options.items():
        if (mount_type, key) in _UNMODELED_KEYS:
            raise flags.unmodeled(f"RUN --mount: {key} of a type={mount_type} mount")
        if key not in _KEYS[mount_type]:
            raise flags.error(
                f"RUN --mount: unexpected key {key!r} for mount type {mount_type!r}",
                f"type={mount_type} takes {', '.join(_KEYS[mount_type])}",
            )
        if key in ("uid", "gid"):
            if not option.isdigit():
                raise flags.error(f"RUN --mount: {key} must be a number, not {option!r}")
            fields[key] = int(option)
        else:
            fields["from_" if key == "from" else key] = option
    if mount_type == "secret":
        _secret_id(fields, flags)
    return fields


def _secret_id(fields: dict[str, Any], flags: Flags) -> None:
    """A secret's id is ``id``, else ``source``, else the target's base name (as BuildKit)."""
    source = fields.pop("source", None)
    if source is not None and "id" in fields:
        raise flags.error("RUN --mount: a secret mount can't set both source and id")
    if source is not None:
        fields["id"] = source
    if "id" not in fields:
        if not fields.get("target"):
            raise flags.error("RUN --mount: a secret mount needs an id, a source or a target")
        fields["id"] = posixpath.basename(fields["target"].rstrip("/")) or fields["target"]


def _mount_flags(
    mount_type: str, writable: bool | None, booleans: dict[str, bool], flags: Flags
) -> dict[str, Any]:
    """``readonly``/``rw``/``required`` as the model spells them for ``mount_type``."""
    result: dict[str, Any] = {}
    if "required" in booleans:
        if mount_type not in ("secret", "ssh"):
            raise flags.error(f"RUN --mount: unexpected key 'required' for type={mount_type}")
        result["required"] = booleans["required"]
    if writable is None:
        return result
    if mount_type == "bind":
        result["rw"] = writable
    elif mount_type == "cache":
        result["readonly"] = not writable
    elif writable != (mount_type == "tmpfs"):
        state = "read-write" if writable else "read-only"
        raise flags.unmodeled(f"RUN --mount: a {state} type={mount_type} mount")
    return result


def _writable(options: dict[str, str], flags: Flags) -> bool | None:
    """Whether ``ro``/``rw`` make the mount writable; the one written last wins, as in BuildKit."""
    writable: bool | None = None
    for key, value in options.items():
        if key == "rw":
            writable = _mount_bool(value, key, flags)
        elif key == "readonly":
            writable = not _mount_bool(value, key, flags)
    return writable


__all__ = ["FlagSpec", "Flags", "Unmodeled", "flag_value", "parse_mount"]
