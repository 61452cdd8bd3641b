"""Render a native bake definition as ``docker-bake.json`` (HCL's JSON syntax, via json.dumps)."""

from __future__ import annotations

from typing import Any

from bakepy.models.bake.definition import NativeBake
from bakepy.support.json_text import indented_json


def _variable(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    if "validation" in out:
        out["validation"] = [
            {"condition": "${" + rule["condition"] + "}", "error_message": rule["error_message"]}
            for rule in out["validation"]
        ]
    return out


def render_bake_json(native: NativeBake, header: str) -> str:
    """The text of ``docker-bake.json``; the header goes in a ``"//"`` comment property."""
    document: dict[str, Any] = {"//": header, **native.attributes}
    if native.variables:
        document["variable"] = {n: _variable(b) for n, b in native.variables.items()}
    if native.functions:
        document["function"] = dict(native.functions)
    if native.groups:
        document["group"] = dict(native.groups)
    if native.targets:
        document["target"] = _targets(native)
    return indented_json(document) + "\n"


def _targets(native: NativeBake) -> dict[str, Any]:
    """Every target block; a name declared several times is a list of bodies (HCL's JSON
    syntax), placed after the other targets. buildx reads ``target.NAME.ATTR`` from the
    block it evaluated last: with the list last, that is the last body, as in the HCL form."""
    bodies: dict[str, list[Any]] = {}
    for name, body in native.repeated_targets:
        bodies.setdefault(name, [native.targets[name]]).append(body)
    single = {name: body for name, body in native.targets.items() if name not in bodies}
    return {**single, **bodies}
