"""Render a native bake definition as ``docker-bake.json`` (HCL's JSON syntax, via json.dumps)."""

from __future__ import annotations

from typing import Any

from bakepy.hcl.inline import inline_calls
from bakepy.models.bake.definition import NativeBake
from bakepy.support.json_text import indented_json


def _variable(body: dict[str, Any], functions: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    if functions and "default" in out:  # buildx finds no declared function from JSON's defaults
        out["default"] = _calls_written_out(out["default"], functions)
    if "validation" in out:
        out["validation"] = [
            {"condition": "${" + rule["condition"] + "}", "error_message": rule["error_message"]}
            for rule in out["validation"]
        ]
    return out


def render_bake_json(native: NativeBake, header: str) -> str:
    """The text of ``docker-bake.json``; the header goes in a ``"//"`` comment property."""
    functions = dict(native.functions)
    attributes = {k: _calls_written_out(v, functions) for k, v in native.attributes.items()}
    document: dict[str, Any] = {"//": header, **attributes}
    if native.variables:
        document["variable"] = {n: _variable(b, functions) for n, b in native.variables.items()}
    if native.functions:
        document["function"] = dict(native.functions)
    if native.groups:
        document["group"] = dict(native.groups)
    if native.targets:
        document["target"] = _targets(native)
    return indented_json(document) + "\n"


def _calls_written_out(value: Any, functions: dict[str, Any]) -> Any:
    """``value`` with each call of a declared function written out in place (strings inside
    lists and maps too): buildx calls none from a JSON file's variable default or attribute."""
    if isinstance(value, str):
        return inline_calls(value, functions) if functions else value
    if isinstance(value, list):
        return [_calls_written_out(item, functions) for item in value]
    if isinstance(value, dict):
        return {key: _calls_written_out(item, functions) for key, item in value.items()}
    return value


def _targets(native: NativeBake) -> dict[str, Any]:
    """Every target block; a name declared several times is a list of bodies (HCL's JSON
    syntax), placed after the other targets. buildx reads ``target.NAME.ATTR`` from the
    block it evaluated last: with the list last, that is the last body, as in the HCL form."""
    bodies: dict[str, list[Any]] = {}
    for name, body in native.repeated_targets:
        bodies.setdefault(name, [native.targets[name]]).append(body)
    single = {name: body for name, body in native.targets.items() if name not in bodies}
    return {**single, **bodies}
