"""Target entries in the shape the buildx that prints them shows: CSV text or objects.

Up to buildx 0.18 ``--print`` shows ``cache-from``, ``cache-to``, ``output``, ``secret`` and
``ssh`` entries as the CSV text they were written in; from 0.19 buildx decodes them into typed
entries and prints those as JSON objects (``{"type": "registry", "ref": "r/c"}``,
``{"id": "token", "env": "TOKEN"}``, ``{"id": "default"}``), and ``attest`` follows from 0.20.
Internally bakepy keeps the text form (every buildx reads it); only what is printed changes.
An entry buildx could not decode is left as text: the check of the build inputs reports it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from bakepy.models.bake.features import OBJECT_FORMS
from bakepy.models.toolchain import Version

Entry = dict[str, Any]
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


class UndecodableEntry(ValueError):
    """An entry the typed decoder of buildx refuses (the message is buildx's)."""


def _fields(text: str) -> list[str]:
    try:
        return next(csv.reader([text]))
    except (csv.Error, StopIteration) as exc:
        raise UndecodableEntry(text) from exc


def _key_value(field: str) -> tuple[str, str]:
    key, sep, value = field.partition("=")
    if not sep:
        raise UndecodableEntry(field)
    return key, value


def _cache(text: str) -> Entry:
    """``CacheOptionsEntry``: a bare reference is a registry cache; else ``type`` and attrs."""
    fields = _fields(text)
    if len(fields) == 1 and "=" not in fields[0]:
        return {"type": "registry", "ref": fields[0]}
    entry: Entry = {}
    kind = ""
    for field in fields:
        key, value = _key_value(field)
        if key.lower() == "type":
            kind = value
        else:
            entry[key.lower()] = value
    if not kind:
        raise UndecodableEntry(text)
    entry["type"] = kind
    return entry


def _export(text: str) -> Entry:
    """``ExportEntry``: a bare path is a local export (``-`` a tar on stdout)."""
    fields = _fields(text)
    if len(fields) == 1 and fields[0] == text and not text.startswith("type="):
        return {"type": "tar" if text == "-" else "local", "dest": text}
    entry: Entry = {}
    kind = dest = ""
    for field in fields:
        key, value = _key_value(field)
        key = key.strip().lower()
        if key == "type":
            kind = value
        elif key == "dest":
            dest = value
        else:
            entry[key] = value
    if not kind:
        raise UndecodableEntry(text)
    entry["type"] = kind
    if dest:
        entry["dest"] = dest
    return entry


def decode_secret(text: str) -> Entry:
    """A ``secret`` entry as buildx's ``Secret`` decodes it: id, src and env in field order
    (a ``type=env`` entry's source is its env); UndecodableEntry with buildx's message for
    what it refuses."""
    kind = ident = src = env = ""
    for field in _fields(text):
        key, sep, value = field.partition("=")
        key = key.strip().lower()
        if not sep:
            raise UndecodableEntry(f"invalid field '{key}' must be a key=value pair")
        if key == "type":
            if value not in ("file", "env"):
                raise UndecodableEntry(f'unsupported secret type "{value}"')
            kind = value
        elif key == "id":
            ident = value
        elif key in ("src", "source"):
            src = value
        elif key == "env":
            env = value
        else:
            raise UndecodableEntry(f"unexpected key '{key}' in '{key}={value}'")
    if kind == "env" and not env:
        env, src = src, ""
    pairs = (("id", ident), ("src", src), ("env", env))
    return {key: value for key, value in pairs if value}


def _ssh(text: str) -> Entry:
    """``SSH``: the id before the first ``=``, the paths after it, split at commas."""
    ident, sep, paths = text.partition("=")
    entry: Entry = {"id": ident} if ident else {}
    if sep:
        entry["paths"] = paths.split(",")
    return entry


def _attest(text: str) -> Entry:
    """``Attest``: type, ``disabled`` (shown only when true) and the other attrs."""
    entry: Entry = {}
    kind = ""
    disabled = False
    for field in _fields(text):
        key, value = _key_value(field)
        name = key.strip().lower()
        if name == "type":
            kind = value
        elif name == "disabled":
            if value not in _TRUE | _FALSE:
                raise UndecodableEntry(text)
            disabled = value in _TRUE
        else:
            entry[key] = value
    if not kind:
        raise UndecodableEntry(text)
    entry["type"] = kind
    if disabled:
        entry["disabled"] = True
    return entry


_DECODERS: dict[str, Callable[[str], Entry]] = {
    "cache-from": _cache,
    "cache-to": _cache,
    "output": _export,
    "secret": decode_secret,
    "ssh": _ssh,
    "attest": _attest,
}
_SORTED = frozenset({"cache-from", "cache-to", "output", "attest"})
"""Entries buildx prints from a Go map: their keys come out sorted."""


def _without_equal(entries: list[Any]) -> list[Any]:
    """Go's ``removeDupes`` on typed entries: a duplicate is swapped with the last entry and
    cut off, so the survivors can change order."""
    kept = list(entries)
    for index in range(len(kept) - 2, -1, -1):
        for later in range(index + 1, len(kept)):
            if kept[index] == kept[later]:
                kept[later] = kept[-1]
                kept.pop()
                break
    return kept


def printed_entries(key: str, entries: list[Any], buildx: Version) -> list[Any]:
    """``entries`` of list attribute ``key`` as ``buildx``'s ``--print`` shows them."""
    decode = _DECODERS.get(key)
    if decode is None or not OBJECT_FORMS[key].available(buildx):
        return entries
    decoded: list[Any] = []
    for entry in entries:
        try:
            value = decode(entry) if isinstance(entry, str) else entry
        except UndecodableEntry:
            value = entry
        if isinstance(value, dict) and key in _SORTED:
            value = dict(sorted(value.items()))
        decoded.append(value)
    return _without_equal(decoded) if key != "attest" else decoded


def printed_target(target: dict[str, Any], buildx: Version) -> dict[str, Any]:
    """``target`` with its typed list entries in ``buildx``'s printed shape (a new dict when
    anything changes)."""
    changed = {
        key: printed_entries(key, value, buildx)
        for key, value in target.items()
        if key in _DECODERS and isinstance(value, list)
    }
    if all(changed[key] is target[key] for key in changed):
        return target
    return {key: changed.get(key, value) for key, value in target.items()}
