"""Read HCL and JSON bake files into bake's native form, checked for unknown attributes.

python-hcl2 parses (slowly, so parsed files are cached by content hash); bakepy evaluates.
Unlike buildx, an attribute bake does not know is an error with a suggestion, not ignored.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from bakepy.bake.definition import NativeBake
from bakepy.errors import LoadError, Location
from bakepy.loaders.hcl_strings import HclValueError, native_key, native_value
from bakepy.models.bake import TargetSpec

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
CACHE_VERSION = "1"


def cache_dir() -> Path:
    """Where parsed HCL files are kept: ``$BAKEPY_CACHE_DIR`` or ``~/.cache/bakepy``."""
    configured = os.environ.get("BAKEPY_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bakepy"


def _block_lines(text: str) -> dict[tuple[str, str], int]:
    """The line each ``type "label" {`` block starts on (first occurrence per name)."""
    lines: dict[tuple[str, str], int] = {}
    pattern = re.compile(r'^\s*(variable|function|group|target)\s+"([^"]+)"', re.M)
    for match in pattern.finditer(text):
        key = (match.group(1), match.group(2))
        lines.setdefault(key, text.count("\n", 0, match.start()) + 1)
    return lines


def _parse_hcl(text: str, path: Path) -> dict[str, Any]:
    """python-hcl2's dict for ``text``, from the cache when this exact text was parsed before."""
    digest = hashlib.sha256(f"{CACHE_VERSION}\0{text}".encode()).hexdigest()
    cached = cache_dir() / "hcl" / f"{digest}.json"
    try:
        loaded: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        return loaded
    except (OSError, ValueError):
        pass
    import hcl2  # imported here: it is slow to import and only HCL files need it

    try:
        parsed: dict[str, Any] = hcl2.loads(text)
    except Exception as exc:  # python-hcl2 raises lark's exceptions, which vary by version
        line = getattr(exc, "line", None)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadError(f"HCL syntax error: {message}", Location(path, line)) from None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(parsed), encoding="utf-8")
        os.replace(temporary, cached)
    except OSError:
        pass  # a cache that cannot be written only costs speed
    return parsed


def _check_attributes(block_type: str, name: str, body: dict[str, Any], where: Location) -> None:
    known = BLOCK_ATTRIBUTES[block_type]
    for key in body:
        if key in known or key.startswith("__") or key == "//":
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"
        raise LoadError(
            f"{block_type} {name!r} has an unknown attribute {key!r} "
            "(buildx would silently ignore it)",
            where,
            hint=hint,
        )


def _strip_expression(value: Any) -> Any:
    """``${expr}`` -> ``expr``, for attributes that hold a bare expression (type, condition)."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def _variable_block(body: dict[str, Any]) -> dict[str, Any]:
    block = dict(body)
    if "type" in block:
        block["type"] = _strip_expression(block["type"])
    if "validation" in block:
        rules = block["validation"]
        block["validation"] = [
            {**rule, "condition": _strip_expression(rule.get("condition"))}
            for rule in (rules if isinstance(rules, list) else [rules])
        ]
    return block


def _add_block(
    native: NativeBake, block_type: str, name: str, body: dict[str, Any], where: Location
) -> None:
    _check_attributes(block_type, name, body, where)
    native.locations.setdefault((block_type, name), where)
    if block_type == "variable":
        native.variables[name] = _variable_block(body)
    elif block_type == "function":
        native.functions[name] = body
    elif block_type == "group":
        native.groups[name] = body
    elif name in native.targets:
        native.repeated_targets.append((name, body))
    else:
        native.targets[name] = body


def _hcl_blocks(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, label, body) of every block python-hcl2 found, in file order per type."""
    blocks: list[tuple[str, str, dict[str, Any]]] = []
    for block_type in BLOCK_TYPES:
        for entry in document.get(block_type, []):
            for label, body in entry.items():
                blocks.append((block_type, native_key(label), body))
    return blocks


def _native_body(block_type: str, body: dict[str, Any]) -> dict[str, Any]:
    """A block's body in native form; a function's parameter names stay bare names."""
    native: dict[str, Any] = native_value(body)
    if block_type == "function":
        native.update({k: body[k] for k in ("params", "variadic_params") if k in body})
    return native


def load_hcl(path: Path, text: str) -> NativeBake:
    """An HCL bake file in native form."""
    document = _parse_hcl(text, path)
    lines = _block_lines(text)
    native = NativeBake()
    try:
        for block_type, name, body in _hcl_blocks(document):
            where = Location(path, lines.get((block_type, name)), f"{block_type} {name!r}")
            _add_block(native, block_type, name, _native_body(block_type, body), where)
        for key, value in document.items():
            if key not in BLOCK_TYPES and not key.startswith("__"):  # python-hcl2's comments
                native.attributes[key] = native_value(value)
    except HclValueError as exc:
        raise LoadError(str(exc), Location(path)) from None
    return native


def _json_bodies(value: Any) -> list[dict[str, Any]]:
    """A block's body in HCL's JSON syntax: an object, or a list of objects for repeats."""
    bodies = value if isinstance(value, list) else [value]
    return [
        {k: v for k, v in body.items() if k != "//"} for body in bodies if isinstance(body, dict)
    ]


def load_json(path: Path, text: str) -> NativeBake:
    """A JSON bake file (HCL's JSON syntax) in native form."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"JSON syntax error: {exc.msg}", Location(path, exc.lineno)) from None
    if not isinstance(document, dict):
        raise LoadError("a bake JSON file must hold an object", Location(path, 1))
    native = NativeBake()
    for key, value in document.items():
        if key == "//":
            continue
        if key not in BLOCK_TYPES:
            native.attributes[key] = value
            continue
        if not isinstance(value, dict):
            raise LoadError(f"{key!r} must map names to blocks", Location(path))
        for name, bodies in value.items():
            for body in _json_bodies(bodies):
                _add_block(native, key, name, body, Location(path, None, f"{key} {name!r}"))
    return native


def load_bake_file(path: Path) -> NativeBake:
    """An HCL (``.hcl``) or JSON (``.json``) bake file in native form."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix == ".json":
        return load_json(path, text)
    return load_hcl(path, text)
