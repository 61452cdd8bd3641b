"""Render a native bake definition as ``docker-bake.hcl``: values made by ``hcl.writing``, laid
out line by line here (a template engine's import and compile cost more than a large file's
layout; a 2,000-target render spent 40 ms in jinja2 for it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bakepy.hcl.writing import hcl_string, hcl_value
from bakepy.models.bake.definition import NativeBake

_BARE_EXPRESSION_ATTRS = {("variable", "type"), ("validation", "condition")}


@dataclass(frozen=True)
class HclBlock:
    """One block of the file: type, label, attribute lines, nested blocks."""

    type: str
    label: str | None
    attributes: list[tuple[str, str]]
    blocks: list[HclBlock]


def _attributes(block_type: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in body.items():
        if (block_type, key) in _BARE_EXPRESSION_ATTRS:
            out.append((key, str(value)))
        elif block_type == "function" and key == "params":
            out.append((key, "[" + ", ".join(value) + "]"))
        elif block_type == "function" and key == "variadic_params":
            out.append((key, str(value)))
        else:
            out.append((key, hcl_value(value)))
    return out


def _variable_block(name: str, body: dict[str, Any]) -> HclBlock:
    plain = {k: v for k, v in body.items() if k != "validation"}
    validations = [
        HclBlock("validation", None, _attributes("validation", rule), [])
        for rule in body.get("validation", [])
    ]
    return HclBlock("variable", name, _attributes("variable", plain), validations)


def hcl_blocks(native: NativeBake) -> list[HclBlock]:
    """Every block of the file: variables, functions, groups, then targets (bake's habit)."""
    blocks = [_variable_block(name, body) for name, body in native.variables.items()]
    blocks += [
        HclBlock("function", name, _attributes("function", body), [])
        for name, body in native.functions.items()
    ]
    blocks += [
        HclBlock("group", name, _attributes("group", body), [])
        for name, body in native.groups.items()
    ]
    blocks += [
        HclBlock("target", name, _attributes("target", body), [])
        for name, body in [*native.targets.items(), *native.repeated_targets]
    ]
    return blocks


def render_bake_hcl(native: NativeBake, header: str) -> str:
    """The text of ``docker-bake.hcl``; ``header`` is the generated-by comment line. Top-level
    attributes after a blank line, then each block after one; two spaces indent a level."""
    lines = [f"# {header}"]
    if native.attributes:
        lines.append("")
        lines += [f"{key} = {hcl_value(value)}" for key, value in native.attributes.items()]
    for block in hcl_blocks(native):
        lines += ["", f"{block.type} {hcl_string(block.label or '')} {{"]
        lines += [f"  {key} = {value}" for key, value in block.attributes]
        for inner in block.blocks:
            lines.append(f"  {inner.type} {{")
            lines += [f"    {key} = {value}" for key, value in inner.attributes]
            lines.append("  }")
        lines.append("}")
    return "\n".join(lines) + "\n"
