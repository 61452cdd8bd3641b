"""HCL type constraints (`string`, `list(number)`, `object({...})`) and value conversion to them."""

from __future__ import annotations

from typing import Any, NamedTuple

from bakepy.errors import HclError
from bakepy.hcl.nodes import Call, Expr, Literal, ObjectCons, Template, TupleCons, Variable
from bakepy.hcl.values import (
    MapValue,
    hash_key,
    sorted_set,
    to_bool,
    to_number,
    to_str,
    type_name,
    unify_list,
)

_PRIMITIVES = frozenset({"string", "number", "bool", "any"})
_COLLECTIONS = frozenset({"list", "set", "map"})


class ObjectAttr(NamedTuple):
    """One attribute of an object type, possibly optional with a default."""

    name: str
    type: TypeSpec
    optional: bool = False
    default: Any = None


class TypeSpec(NamedTuple):
    """A parsed type constraint."""

    kind: str  # string, number, bool, any, list, set, map, tuple, object
    element: TypeSpec | None = None
    elements: tuple[TypeSpec, ...] = ()
    attributes: tuple[ObjectAttr, ...] = ()

    def __str__(self) -> str:
        """Render the type as HCL type-expression text."""
        if self.kind in _PRIMITIVES:
            return self.kind
        if self.kind in _COLLECTIONS:
            return f"{self.kind}({self.element})"
        if self.kind == "tuple":
            return "tuple([" + ", ".join(str(t) for t in self.elements) + "])"
        attrs = ", ".join(f"{a.name} = {a.type}" for a in self.attributes)
        return "object({" + attrs + "})"


def type_from_expression(node: Expr) -> TypeSpec:
    """Interpret an already-parsed expression as a type constraint."""
    if isinstance(node, Variable) and node.name in _PRIMITIVES:
        return TypeSpec(node.name)
    if isinstance(node, Call):
        if node.name in _COLLECTIONS and len(node.args) == 1:
            return TypeSpec(node.name, element=type_from_expression(node.args[0]))
        if node.name == "tuple" and len(node.args) == 1 and isinstance(node.args[0], TupleCons):
            return TypeSpec(
                "tuple", elements=tuple(type_from_expression(e) for e in node.args[0].items)
            )
        if node.name == "object" and len(node.args) == 1 and isinstance(node.args[0], ObjectCons):
            return TypeSpec(
                "object", attributes=tuple(_attribute(k, v) for k, v in node.args[0].items)
            )
    raise HclError(
        "invalid type expression: expected string, number, bool, any, list(...), "
        "set(...), map(...), tuple([...]) or object({...})"
    )


def _attribute(key: Expr, value: Expr) -> ObjectAttr:
    name = _literal_key(key)
    if isinstance(value, Call) and value.name == "optional" and 1 <= len(value.args) <= 2:
        default: Any = None
        if len(value.args) == 2:
            default_node = value.args[1]
            if isinstance(default_node, Literal):
                default = default_node.value
            elif isinstance(default_node, Template) and all(
                isinstance(p, str) for p in default_node.parts
            ):
                default = "".join(str(p) for p in default_node.parts)
            else:
                raise HclError("optional() default must be a literal value")
        return ObjectAttr(name, type_from_expression(value.args[0]), True, default)
    return ObjectAttr(name, type_from_expression(value))


def _literal_key(key: Expr) -> str:
    if isinstance(key, Literal) and isinstance(key.value, str):
        return key.value
    if isinstance(key, Template) and all(isinstance(p, str) for p in key.parts):
        return "".join(str(p) for p in key.parts)
    raise HclError("object type attribute names must be literal names")


def convert(value: Any, spec: TypeSpec) -> Any:
    """Convert a value to the given type as HCL's convert() does, or raise HclError."""
    if value is None:
        return None
    kind = spec.kind
    if kind == "any":
        return value
    if kind == "string":
        if isinstance(value, list | tuple | dict):
            raise HclError(f"cannot convert {type_name(value)} to string")
        return to_str(value)
    if kind == "number":
        return to_number(value)
    if kind == "bool":
        return to_bool(value)
    if kind in ("list", "set"):
        if not isinstance(value, list | tuple | set | frozenset):
            raise HclError(f"cannot convert {type_name(value)} to {kind}")
        assert spec.element is not None
        items = _convert_elements(list(value), spec.element)
        if kind == "set":
            seen: dict[Any, Any] = {}
            for item in items:
                seen.setdefault(hash_key(item), item)
            return sorted_set(seen.values())
        return items
    if kind == "map":
        if not isinstance(value, dict):
            raise HclError(f"cannot convert {type_name(value)} to map")
        assert spec.element is not None
        keys = list(value)
        converted = _convert_elements([value[k] for k in keys], spec.element)
        return MapValue(zip(keys, converted, strict=True))
    if kind == "tuple":
        if not isinstance(value, list | tuple) or len(value) != len(spec.elements):
            raise HclError(f"cannot convert {type_name(value)} to {spec}")
        return [convert(v, t) for v, t in zip(value, spec.elements, strict=True)]
    return _convert_object(value, spec)


def _convert_elements(items: list[Any], element: TypeSpec) -> list[Any]:
    if element.kind == "any":
        return unify_list(items)
    return [convert(item, element) for item in items]


def _convert_object(value: Any, spec: TypeSpec) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HclError(f"cannot convert {type_name(value)} to object")
    result: dict[str, Any] = {}
    for attr in spec.attributes:
        if attr.name in value and value[attr.name] is not None:
            result[attr.name] = convert(value[attr.name], attr.type)
        elif attr.name in value or attr.optional:
            result[attr.name] = convert(attr.default, attr.type)
        else:
            raise HclError(f'attribute "{attr.name}" is required')
    return result
