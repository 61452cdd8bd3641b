"""Immutable syntax-tree nodes for HCL expressions and templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Expr:
    """Base class of every expression node."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """A constant: number, bool, null, or a string with no interpolation."""

    value: Any


@dataclass(frozen=True, slots=True)
class Variable(Expr):
    """A reference to a variable by its root name."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    """`source.name`: attribute (map key) access."""

    source: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    """`source[key]` (and legacy `source.0`): index or key access."""

    source: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class SplatItem(Expr):
    """Placeholder for the current element inside a splat's per-element traversal."""


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """`source[*].rest` / `source.*.rest`: apply `each` (built on SplatItem) to every element."""

    source: Expr
    each: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """`name(args...)`, with `expand` set when the last argument ends in `...`."""

    name: str
    args: tuple[Expr, ...]
    expand: bool = False


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    """`-x` or `!x`."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """`left op right` for arithmetic, comparison and logical operators."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    """`cond ? if_true : if_false`."""

    cond: Expr
    if_true: Expr
    if_false: Expr


@dataclass(frozen=True, slots=True)
class TupleCons(Expr):
    """`[a, b, c]`."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjectCons(Expr):
    """`{ key = value, ... }`; bare identifier keys are already Literal strings."""

    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True, slots=True)
class ForExpr(Expr):
    """`[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # set for object results
    value: Expr
    cond: Expr | None
    group: bool = False


@dataclass(frozen=True, slots=True)
class TemplateIf:
    """`%{ if cond }...%{ else }...%{ endif }` inside a template."""

    cond: Expr
    then: Template
    otherwise: Template


@dataclass(frozen=True, slots=True)
class TemplateFor:
    """`%{ for k, v in coll }...%{ endfor }` inside a template."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: Template


TemplatePart = str | Expr | TemplateIf | TemplateFor


@dataclass(frozen=True, slots=True)
class Template(Expr):
    """A string template: literal text, interpolations and directives.

    `wrap` is set when the template is exactly one interpolation, in which case its value
    is returned unconverted (HCL's template-wrap rule).
    """

    parts: tuple[TemplatePart, ...]
    wrap: bool = False
