"""Render a native bake definition as ``docker-bake.hcl``: values made by ``hcl.writing``, laid
out line by line here (a template engine's import and compile cost more than a large file's
layout; a 2,000-target render spent 40 ms in jinja2 for it)."""

from __future__ import annotations

from typing import Any

from bakepy.hcl.writing import hcl_string, hcl_value
from bakepy.models.bake.definition import NativeBake

_BARE_EXPRESSION_ATTRS = {"variable": ("type",), "validation": ("condition",)}
"""Attributes written as the expression they hold, per block type (not as a quoted string)."""


def _attributes(block_type: str, body: dict[str, Any], indent: str, lines: list[str]) -> None:
    """Append the ``key = value`` lines of a variable, validation or function block."""
    bare = _BARE_EXPRESSION_ATTRS.get(block_type, ())
    for key, value in body.items():
        if key in bare:
            text = str(value)
        elif block_type == "function" and key == "params":
            text = "[" + ", ".join(value) + "]"
        elif block_type == "function" and key == "variadic_params":
            text = str(value)
        else:
            text = hcl_value(value)
        lines.append(f"{indent}{key} = {text}")


def _plain_block(block_type: str, name: str, body: dict[str, Any], lines: list[str]) -> None:
    """Append a group or target block: every attribute an HCL value (the bulk of a file)."""
    lines.append("")
    lines.append(f"{block_type} {hcl_string(name)} {{")
    lines += [f"  {key} = {hcl_value(value)}" for key, value in body.items()]
    lines.append("}")


def _variable_block(name: str, body: dict[str, Any], lines: list[str]) -> None:
    """Append a variable block, its validation blocks nested after its attributes."""
    lines += ["", f"variable {hcl_string(name)} {{"]
    _attributes("variable", {k: v for k, v in body.items() if k != "validation"}, "  ", lines)
    for rule in body.get("validation", []):
        lines.append("  validation {")
        _attributes("validation", rule, "    ", lines)
        lines.append("  }")
    lines.append("}")


def render_bake_hcl(native: NativeBake, header: str) -> str:
    """The text of ``docker-bake.hcl``; ``header`` is the generated-by comment line. Top-level
    attributes after a blank line, then each block after one (variables, functions, groups,
    then targets: bake's habit); two spaces indent a level."""
    lines = [f"# {header}"]
    if native.attributes:
        lines.append("")
        lines += [f"{key} = {hcl_value(value)}" for key, value in native.attributes.items()]
    for name, body in native.variables.items():
        _variable_block(name, body, lines)
    for name, body in native.functions.items():
        lines += ["", f"function {hcl_string(name)} {{"]
        _attributes("function", body, "  ", lines)
        lines.append("}")
    for name, body in native.groups.items():
        _plain_block("group", name, body, lines)
    for name, body in native.targets.items():
        _plain_block("target", name, body, lines)
    for name, body in native.repeated_targets:
        _plain_block("target", name, body, lines)
    return "\n".join(lines) + "\n"
