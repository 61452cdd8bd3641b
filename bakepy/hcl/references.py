"""Free-variable analysis: which root variables an expression or template refers to."""

from __future__ import annotations

from functools import lru_cache

from bakepy.hcl.nodes import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Node,
    ObjectCons,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    TupleCons,
    Unary,
    Variable,
)
from bakepy.hcl.parser import parse_expression, parse_template


def collect_references(node: Expr | TemplatePart, bound: frozenset[str], out: set[str]) -> None:
    """Add to `out` every root variable name used in `node` that is not in `bound`."""
    if isinstance(node, str):
        return
    if isinstance(node, Variable):
        if node.name not in bound:
            out.add(node.name)
    elif isinstance(node, GetAttr):
        collect_references(node.source, bound, out)
    elif isinstance(node, Index):
        collect_references(node.source, bound, out)
        collect_references(node.key, bound, out)
    elif isinstance(node, Splat):
        collect_references(node.source, bound, out)
        collect_references(node.each, bound, out)
    elif isinstance(node, Call):
        # convert()'s second argument is a type expression, not a value.
        args = node.args[:1] if node.name == "convert" else node.args
        for arg in args:
            collect_references(arg, bound, out)
    elif isinstance(node, Unary):
        collect_references(node.operand, bound, out)
    elif isinstance(node, Binary):
        collect_references(node.left, bound, out)
        collect_references(node.right, bound, out)
    elif isinstance(node, Conditional):
        for child in (node.cond, node.if_true, node.if_false):
            collect_references(child, bound, out)
    elif isinstance(node, TupleCons):
        for item in node.items:
            collect_references(item, bound, out)
    elif isinstance(node, ObjectCons):
        for key, value in node.items:
            collect_references(key, bound, out)
            collect_references(value, bound, out)
    elif isinstance(node, ForExpr):
        collect_references(node.collection, bound, out)
        inner = bound | {node.value_var} | ({node.key_var} if node.key_var else set())
        for optional in (node.key, node.value, node.cond):
            if optional is not None:
                collect_references(optional, inner, out)
    elif isinstance(node, Template):
        for part in node.parts:
            collect_references(part, bound, out)
    elif isinstance(node, TemplateIf):
        collect_references(node.cond, bound, out)
        collect_references(node.then, bound, out)
        collect_references(node.otherwise, bound, out)
    elif isinstance(node, TemplateFor):
        collect_references(node.collection, bound, out)
        inner = bound | {node.value_var} | ({node.key_var} if node.key_var else set())
        collect_references(node.body, inner, out)


@lru_cache(maxsize=16384)
def expression_references(text: str) -> frozenset[str]:
    """Root variable names a bare expression refers to (for dependency ordering)."""
    found: set[str] = set()
    collect_references(parse_expression(text), frozenset(), found)
    return frozenset(found)


@lru_cache(maxsize=16384)
def template_references(text: str, *, quoted: bool = True) -> frozenset[str]:
    """Root variable names a template refers to, excluding function names and loop locals."""
    found: set[str] = set()
    collect_references(parse_template(text, quoted=quoted), frozenset(), found)
    return frozenset(found)


@lru_cache(maxsize=4096)
def template_calls(text: str, *, quoted: bool = True) -> frozenset[str]:
    """The names of the functions a template calls, at any depth (for checks that depend on
    which functions a value needs, such as buildx's JSON variable defaults)."""
    found: set[str] = set()
    pending: list[object] = [parse_template(text, quoted=quoted)]
    while pending:
        node = pending.pop()
        if isinstance(node, Call):
            found.add(node.name)
        if isinstance(node, tuple):
            pending.extend(node)
        elif isinstance(node, Node):
            pending.extend(node.fields())
    return frozenset(found)
