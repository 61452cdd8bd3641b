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
        targets: dict[str, Any] = dict(native.targets)
        for name, body in native.repeated_targets:  # HCL's JSON syntax: a list of bodies
            first = targets[name]
            targets[name] = [*(first if isinstance(first, list) else [first]), body]
        document["target"] = targets
    return indented_json(document) + "\n"
