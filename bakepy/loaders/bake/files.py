"""Read HCL and JSON bake files into bake's native form, checked for unknown attributes.

python-hcl2 parses (slowly, so parsed files are cached by content hash); bakepy evaluates.
Unlike buildx, an attribute bake does not know (``push = true``, ``platform`` for
``platforms``) and a nested block (``args { ... }``) are errors with a suggestion: buildx drops
them without a word, so a typo silently changes the build. ``ignore_unknown`` reads such a file
as buildx does: they are dropped, each with a warning.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from bakepy.errors import LoadError, Location
from bakepy.loaders.bake.parse import parse_hcl
from bakepy.loaders.bake.positions import (
    BlockPositions,
    LayoutError,
    hcl_positions,
    json_positions,
)
from bakepy.loaders.bake.quick import plain_native, quick_positions, quick_read
from bakepy.loaders.bake.strings import HclValueError, native_key, native_value
from bakepy.loaders.bake.unknown import Unknown
from bakepy.loaders.text import read_text
from bakepy.models.bake.definition import NativeBake, nested_key
from bakepy.models.bake.targets import BAKE_NAME, TargetSpec

BLOCK_TYPES = ("variable", "function", "group", "target")
TARGET_ATTRIBUTES = frozenset(
    str(field.alias or name) for name, field in TargetSpec.model_fields.items()
) - {"builder"}  # bakepy's own field, not a bake attribute
BLOCK_ATTRIBUTES = {
    "variable": frozenset({"default", "description", "type", "validation"}),
    "function": frozenset({"params", "variadic_params", "result"}),
    "group": frozenset({"targets", "description"}),
    "target": TARGET_ATTRIBUTES,
}


class _Positions:
    """Where the blocks of one file and their attributes are, block occurrence by occurrence."""

    def __init__(self, path: Path, blocks: list[BlockPositions]) -> None:
        self.path = path
        self._blocks: dict[tuple[str, str], list[BlockPositions]] = {}
        for block in blocks:
            self._blocks.setdefault((block.type, block.name), []).append(block)
        self._seen: dict[tuple[str, str], int] = {}

    def next(self, block_type: str, name: str) -> tuple[Location, dict[str, Location]]:
        """The next block ``(block_type, name)`` (blocks are read in file order): where it
        starts, and where each of its attributes' values starts."""
        key = (block_type, name)
        found = self._blocks.get(key, [])
        index = self._seen.get(key, 0)
        self._seen[key] = index + 1
        resource = f"{block_type} {name!r}"
        if not found:
            return Location(self.path, None, resource), {}
        block = found[min(index, len(found) - 1)]
        attributes = {
            attribute: Location(self.path, line, resource, (attribute,), column)
            for attribute, (line, column) in block.attributes.items()
        }
        for (kind, occurrence, field), (line, column) in block.nested.items():
            path: tuple[str | int, ...] = (kind, occurrence, *([field] if field else []))
            attributes[nested_key(path)] = Location(self.path, line, resource, path, column)
        return Location(self.path, block.start[0], resource, column=block.start[1]), attributes


IGNORED_BY_BUILDX = frozenset({"target", "group"})
"""Blocks whose unknown attributes buildx drops (a variable's are an error in buildx too)."""
IGNORE_UNKNOWN_HINT = "Or pass --ignore-unknown to drop it, as buildx does."


def _check_attributes(
    block_type: str,
    body: dict[str, Any],
    where: Location,
    unknown: Unknown,
    attributes: dict[str, Location],
) -> dict[str, Any]:
    """``body`` without the attributes bake does not know, which are an error unless
    ``unknown.ignore`` (and buildx ignores them in this kind of block)."""
    known = BLOCK_ATTRIBUTES[block_type]
    kept: dict[str, Any] = {}
    for key, value in body.items():
        if key in known or key.startswith("__") or key == "//":
            kept[key] = value
            continue
        at = attributes.get(key, where)
        if unknown.ignore and block_type in IGNORED_BY_BUILDX:
            unknown.warnings.append(
                f"{at.describe()}: dropped the unknown attribute {key!r}, as buildx does"
            )
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"
        if block_type in IGNORED_BY_BUILDX:
            raise LoadError(
                f"unknown attribute {key!r}; buildx would silently ignore it",
                at,
                hint=f"{hint} {IGNORE_UNKNOWN_HINT}",
            )
        raise LoadError(f"unknown attribute {key!r} (buildx refuses it too)", at, hint=hint)
    return kept


def _strip_expression(value: Any) -> Any:
    """``${expr}`` -> ``expr``, for attributes that hold a bare expression (type, condition)."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def _variable_block(name: str, body: dict[str, Any], where: Location) -> dict[str, Any]:
    block = dict(body)
    if "type" in block:
        block["type"] = _strip_expression(block["type"])
        if not isinstance(block["type"], str):
            raise LoadError(f"variable {name!r}: type must be a type, e.g. list(string)", where)
    if "validation" in block:
        rules = block["validation"]
        rules = rules if isinstance(rules, list) else [rules]
        for rule in rules:
            if not isinstance(rule, dict) or not {"condition", "error_message"} <= set(rule):
                raise LoadError(
                    f"variable {name!r}: a validation needs a condition and an error_message",
                    where,
                )
        block["validation"] = [
            {**rule, "condition": _condition(name, rule["condition"], where)} for rule in rules
        ]
    return block


def _condition(name: str, value: Any, where: Location) -> str:
    """A validation condition as expression text (``true`` written as a literal is one too)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        raise LoadError(f"variable {name!r}: a validation condition must be an expression", where)
    return str(_strip_expression(value))


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _check_function(name: str, body: dict[str, Any], where: Location) -> None:
    """``params`` (a list of names) and ``result`` are required, as buildx requires them."""
    params = body.get("params")
    if not isinstance(params, list) or not all(
        isinstance(p, str) and _NAME.match(p) for p in params
    ):
        raise LoadError(
            f"function {name!r}: params must be a list of parameter names",
            where,
            hint="params = [name, tag]",
        )
    variadic = body.get("variadic_params")
    if variadic is not None and not (isinstance(variadic, str) and _NAME.match(variadic)):
        raise LoadError(f"function {name!r}: variadic_params must be a parameter name", where)
    if "result" not in body:
        raise LoadError(f"function {name!r} has no result", where, hint="result = <expression>")


def _add_block(
    native: NativeBake,
    block: _Block,
    unknown: Unknown,
) -> None:
    block_type, name, where = block.type, block.name, block.where
    if block_type in ("target", "group") and not BAKE_NAME.match(name):
        raise LoadError(
            f'invalid {block_type} name {name!r}: only "[a-zA-Z0-9_-]+" are allowed', where
        )
    body = _check_attributes(block_type, block.body, where, unknown, block.attributes)
    if block_type == "function":
        _check_function(name, body, where)
    native.locations.setdefault((block_type, name), where)
    for attribute, location in block.attributes.items():
        native.attribute_locations.setdefault((block_type, name, attribute), location)
    if block_type == "variable":
        native.variables[name] = _variable_block(name, body, where)
    elif block_type == "function":
        native.functions[name] = body
    elif block_type == "group":
        native.groups[name] = body
    elif name in native.targets:
        native.repeated_targets.append((name, body))
    else:
        native.targets[name] = body


def _is_block(value: Any) -> bool:
    """A block's body: python-hcl2 marks them."""
    return isinstance(value, dict) and "__is_block__" in value


def _holds_block(value: Any) -> bool:
    """A nested block in a body: a block, a labelled block, or a list of either."""
    if isinstance(value, list):
        return any(_holds_block(item) for item in value)
    return _is_block(value) or (
        isinstance(value, dict) and any(_is_block(v) for v in value.values())
    )


class _Block:
    """One block as read: its type, label, body, and where it and its attributes are."""

    __slots__ = ("attributes", "body", "name", "type", "where")

    def __init__(
        self,
        type: str,
        name: str,
        body: dict[str, Any],
        where: Location,
        attributes: dict[str, Location],
    ) -> None:
        self.type = type
        self.name = name
        self.body = body
        self.where = where
        self.attributes = attributes


def _first_line(path: Path, pattern: str) -> Location:
    """Where the first line of ``path`` that starts with ``pattern`` is (an error about a
    block python-hcl2 read without saying where); the file alone when none does."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return Location(path)
    found = re.compile(rf"[ \t]*{pattern}")
    for number, line in enumerate(lines, start=1):
        if found.match(line):
            return Location(path, number, column=len(line) - len(line.lstrip(" \t")) + 1)
    return Location(path)


def _hcl_blocks(
    document: dict[str, Any], path: Path, positions: _Positions, unknown: Unknown
) -> list[_Block]:
    """Every block python-hcl2 found, in file order per type; a block type used as an
    attribute and a block without one label are errors; a nested block is one too, unless
    ``unknown.ignore`` and buildx drops it (in a target or group)."""
    blocks: list[_Block] = []
    for block_type in BLOCK_TYPES:
        entries = document.get(block_type, [])
        shape = f'{block_type} "NAME" {{ ... }}'
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            where = _first_line(path, rf"{block_type}\s*=")
            raise LoadError(f"{block_type} is a block type, not an attribute", where, shape)
        for entry in entries:
            if _is_block(entry):
                where = _first_line(path, rf"{block_type}\s*\{{")
                raise LoadError(f"a {block_type} block needs a name", where, hint=shape)
            for label, body in entry.items():
                name = native_key(label)
                where, attributes = positions.next(block_type, name)
                if not isinstance(body, dict) or any(k.startswith('"') for k in body):
                    raise LoadError("a block takes one name", where, shape)
                nested = [
                    key
                    for key, value in body.items()
                    if _holds_block(value) and (block_type, key) != ("variable", "validation")
                ]
                for key in nested:  # at the nested block's header when it was found
                    found = attributes.get(nested_key((key, 0)))
                    header = where if found is None else replace(found, field_path=(key,))
                    _nested_block(block_type, name, key, header, unknown)
                body = {k: v for k, v in body.items() if k not in nested}
                blocks.append(_Block(block_type, name, body, where, attributes))
    return blocks


def _nested_block(block_type: str, name: str, key: str, where: Location, unknown: Unknown) -> None:
    """A block nested in a block (``args { ... }``): buildx drops it in a target or a group,
    bakepy refuses it unless told to read the file as buildx does."""
    dropped_by_buildx = block_type in IGNORED_BY_BUILDX
    if unknown.ignore and dropped_by_buildx:
        unknown.warnings.append(
            f"{where.describe()}: dropped the block {key}, as buildx does (as an attribute it "
            f"would be {key} = {{ ... }})"
        )
        return
    what = " (buildx drops the block and what it holds)" if dropped_by_buildx else ""
    hint = f"write {key} = {{ ... }}"
    raise LoadError(
        f"{key} is written as a block{what}",
        where,
        hint=f"{hint}. {IGNORE_UNKNOWN_HINT}" if dropped_by_buildx else hint,
    )


def _native_body(block_type: str, body: dict[str, Any]) -> dict[str, Any]:
    """A block's body in native form; a function's parameter names stay bare names."""
    native: dict[str, Any] = native_value(body)
    if block_type == "function":
        native.update({k: body[k] for k in ("params", "variadic_params") if k in body})
    return native


def load_hcl(path: Path, text: str, unknown: Unknown | None = None) -> NativeBake:
    """An HCL bake file in native form."""
    unknown = unknown or Unknown()
    plain = quick_read(text)
    if plain is not None:
        return _load_plain(path, *plain, unknown)
    document = parse_hcl(text, path)
    try:  # a plain file's positions come from the quick reader's line by line reading
        positions = _Positions(path, quick_positions(text) or hcl_positions(text))
    except LayoutError as exc:
        line, column = exc.position
        raise LoadError(exc.message, Location(path, line, column=column)) from None
    native = NativeBake()
    for block in _hcl_blocks(document, path, positions, unknown):
        try:
            block.body = _native_body(block.type, block.body)
        except HclValueError as exc:
            raise LoadError(str(exc), block.where) from None
        _add_block(native, block, unknown)
    for key, value in document.items():
        if key not in BLOCK_TYPES and not key.startswith("__"):  # python-hcl2's comments
            found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
            at = text.count("\n", 0, found.start()) + 1 if found else None
            where = Location(path, at, f"attribute {key!r}")
            _locate_attribute(native, key, where)
            try:
                native.attributes[key] = native_value(value)
            except HclValueError as exc:
                raise LoadError(f"{key}: {exc}", replace(where, resource=None)) from None
    return native


def _load_plain(
    path: Path, document: dict[str, Any], blocks: list[BlockPositions], unknown: Unknown
) -> NativeBake:
    """``load_hcl`` of a file the quick reader read (what ``parse_hcl`` and ``quick_positions``
    would give for it): one labelled block of plain attributes after another, no nested block,
    no top-level attribute, so the checks that cannot fail on it are skipped, and its values
    become native form by ``plain_native``. Blocks are added in ``_hcl_blocks``' order."""
    positions = _Positions(path, blocks)
    native = NativeBake()
    for block_type in BLOCK_TYPES:
        for entry in document.get(block_type, ()):
            for label, body in entry.items():
                name = native_key(label)
                where, attributes = positions.next(block_type, name)
                try:
                    body = plain_native(body)
                except HclValueError as exc:  # a map key with an open ``${``
                    raise LoadError(str(exc), where) from None
                _add_block(native, _Block(block_type, name, body, where, attributes), unknown)
    return native


def _locate_attribute(native: NativeBake, key: str, where: Location) -> None:
    """Where a top-level attribute is: its value is evaluated as a variable's default is,
    and errors in it are reported where a variable's would be looked up."""
    native.locations.setdefault(("variable", key), where)


def _json_bodies(value: Any) -> list[dict[str, Any]]:
    """A block's body in HCL's JSON syntax: an object, or a list of objects for repeats."""
    bodies = value if isinstance(value, list) else [value]
    return [
        {k: v for k, v in body.items() if k != "//"} for body in bodies if isinstance(body, dict)
    ]


def load_json(path: Path, text: str, unknown: Unknown | None = None) -> NativeBake:
    """A JSON bake file (HCL's JSON syntax) in native form."""
    unknown = unknown or Unknown()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"JSON syntax error: {exc.msg}", Location(path, exc.lineno)) from None
    if not isinstance(document, dict):
        raise LoadError("a bake JSON file must hold an object", Location(path, 1))
    positions = _Positions(path, json_positions(text))
    native = NativeBake()
    for key, value in document.items():
        if key == "//":
            continue
        if key not in BLOCK_TYPES:
            found = re.search(rf'^[ \t]*"{re.escape(key)}"[ \t]*:', text, re.M)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            _locate_attribute(native, key, Location(path, line, f"attribute {key!r}"))
            native.attributes[key] = value
            continue
        if not isinstance(value, dict):
            raise LoadError(f"{key!r} must map names to blocks", Location(path))
        for name, bodies in value.items():
            for body in _json_bodies(bodies):
                where, attributes = positions.next(key, name)
                _add_block(native, _Block(key, name, body, where, attributes), unknown)
    return native


def load_bake_file(path: Path, unknown: Unknown | None = None) -> NativeBake:
    """An HCL (``.hcl``) or JSON (``.json``) bake file in native form; ``unknown`` says what to
    do with attributes bake does not know (default: they are errors)."""
    text = read_text(path)
    if path.suffix == ".json":
        return load_json(path, text, unknown)
    return load_hcl(path, text, unknown)
