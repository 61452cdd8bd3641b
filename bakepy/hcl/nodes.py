"""Immutable syntax-tree nodes for HCL expressions and templates.

The nodes are plain classes with ``__slots__`` and a common :class:`Node` base that gives them
the value semantics frozen dataclasses would (no assignment, equality, hashing, repr, pickling)
from the field names in ``__slots__``: the 16 classes' dataclass machinery generated six methods
each with ``exec``, about 7 ms of every command that parses HCL, before any was used.
"""

from __future__ import annotations

from typing import Any

_set = object.__setattr__
"""Sets a field of a node being built (a node's own ``__setattr__`` refuses)."""


def _rebuild(cls: type[Node], values: tuple[Any, ...]) -> Node:
    """A node of class ``cls`` with these field values (in ``__slots__`` order): unpickling."""
    node = object.__new__(cls)
    for name, value in zip(cls.__slots__, values, strict=True):
        _set(node, name, value)
    return node


class Node:
    """Base of every node: its fields are the names in its class's ``__slots__``; a node
    cannot be changed once built (parsed trees are cached and shared), and two nodes of the
    same class with equal fields are equal."""

    __slots__: tuple[str, ...] = ()

    def fields(self) -> tuple[Any, ...]:
        """The node's field values, in ``__slots__`` order (by name)."""
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of an HCL syntax-tree node")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of an HCL syntax-tree node")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Node)
        return self.fields() == other.fields()

    def __hash__(self) -> int:
        return hash((self.__class__, self.fields()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.__class__, self.fields()))


class Expr(Node):
    """Base class of every expression node."""

    __slots__ = ()


class Literal(Expr):
    """A constant: number, bool, null, or a string with no interpolation."""

    __slots__ = ("value",)
    value: Any

    def __init__(self, value: Any) -> None:
        _set(self, "value", value)


class Variable(Expr):
    """A reference to a variable by its root name."""

    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        _set(self, "name", name)


class GetAttr(Expr):
    """`source.name`: attribute (map key) access."""

    __slots__ = ("name", "source")
    source: Expr
    name: str

    def __init__(self, source: Expr, name: str) -> None:
        _set(self, "source", source)
        _set(self, "name", name)


class Index(Expr):
    """`source[key]` (and legacy `source.0`): index or key access."""

    __slots__ = ("key", "source")
    source: Expr
    key: Expr

    def __init__(self, source: Expr, key: Expr) -> None:
        _set(self, "source", source)
        _set(self, "key", key)


class SplatItem(Expr):
    """Placeholder for the current element inside a splat's per-element traversal."""

    __slots__ = ()


class Splat(Expr):
    """`source[*].rest` / `source.*.rest`: apply `each` (built on SplatItem) to every element."""

    __slots__ = ("each", "source")
    source: Expr
    each: Expr

    def __init__(self, source: Expr, each: Expr) -> None:
        _set(self, "source", source)
        _set(self, "each", each)


class Call(Expr):
    """`name(args...)`, with `expand` set when the last argument ends in `...`."""

    __slots__ = ("args", "expand", "name")
    name: str
    args: tuple[Expr, ...]
    expand: bool

    def __init__(self, name: str, args: tuple[Expr, ...], expand: bool = False) -> None:
        _set(self, "name", name)
        _set(self, "args", args)
        _set(self, "expand", expand)


class Unary(Expr):
    """`-x` or `!x`."""

    __slots__ = ("op", "operand")
    op: str
    operand: Expr

    def __init__(self, op: str, operand: Expr) -> None:
        _set(self, "op", op)
        _set(self, "operand", operand)


class Binary(Expr):
    """`left op right` for arithmetic, comparison and logical operators."""

    __slots__ = ("left", "op", "right")
    op: str
    left: Expr
    right: Expr

    def __init__(self, op: str, left: Expr, right: Expr) -> None:
        _set(self, "op", op)
        _set(self, "left", left)
        _set(self, "right", right)


class Conditional(Expr):
    """`cond ? if_true : if_false`."""

    __slots__ = ("cond", "if_false", "if_true")
    cond: Expr
    if_true: Expr
    if_false: Expr

    def __init__(self, cond: Expr, if_true: Expr, if_false: Expr) -> None:
        _set(self, "cond", cond)
        _set(self, "if_true", if_true)
        _set(self, "if_false", if_false)


class TupleCons(Expr):
    """`[a, b, c]`."""

    __slots__ = ("items",)
    items: tuple[Expr, ...]

    def __init__(self, items: tuple[Expr, ...]) -> None:
        _set(self, "items", items)


class ObjectCons(Expr):
    """`{ key = value, ... }`; bare identifier keys are already Literal strings."""

    __slots__ = ("items",)
    items: tuple[tuple[Expr, Expr], ...]

    def __init__(self, items: tuple[tuple[Expr, Expr], ...]) -> None:
        _set(self, "items", items)


class ForExpr(Expr):
    """`[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`."""

    __slots__ = ("collection", "cond", "group", "key", "key_var", "value", "value_var")
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # set for object results
    value: Expr
    cond: Expr | None
    group: bool

    def __init__(
        self,
        key_var: str | None,
        value_var: str,
        collection: Expr,
        key: Expr | None,
        value: Expr,
        cond: Expr | None,
        group: bool = False,
    ) -> None:
        _set(self, "key_var", key_var)
        _set(self, "value_var", value_var)
        _set(self, "collection", collection)
        _set(self, "key", key)
        _set(self, "value", value)
        _set(self, "cond", cond)
        _set(self, "group", group)


class TemplateIf(Node):
    """`%{ if cond }...%{ else }...%{ endif }` inside a template."""

    __slots__ = ("cond", "otherwise", "then")
    cond: Expr
    then: Template
    otherwise: Template

    def __init__(self, cond: Expr, then: Template, otherwise: Template) -> None:
        _set(self, "cond", cond)
        _set(self, "then", then)
        _set(self, "otherwise", otherwise)


class TemplateFor(Node):
    """`%{ for k, v in coll }...%{ endfor }` inside a template."""

    __slots__ = ("body", "collection", "key_var", "value_var")
    key_var: str | None
    value_var: str
    collection: Expr
    body: Template

    def __init__(
        self, key_var: str | None, value_var: str, collection: Expr, body: Template
    ) -> None:
        _set(self, "key_var", key_var)
        _set(self, "value_var", value_var)
        _set(self, "collection", collection)
        _set(self, "body", body)


TemplatePart = str | Expr | TemplateIf | TemplateFor


class Template(Expr):
    """A string template: literal text, interpolations and directives.

    `wrap` is set when the template is exactly one interpolation, in which case its value
    is returned unconverted (HCL's template-wrap rule).
    """

    __slots__ = ("parts", "wrap")
    parts: tuple[TemplatePart, ...]
    wrap: bool

    def __init__(self, parts: tuple[TemplatePart, ...], wrap: bool = False) -> None:
        _set(self, "parts", parts)
        _set(self, "wrap", wrap)
