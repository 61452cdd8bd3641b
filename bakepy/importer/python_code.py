"""Write resources as idiomatic bakepy Python: one variable per resource, objects as references.

The output is a definition file ``bakepy`` loads as is (``bakepy render -f it.py``); only the
fields a resource sets are written, value types in their native string form.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bakepy.models.build_contexts import TargetContext
from bakepy.models.build_values import _StringForm
from bakepy.models.resource import Metadata, Resource

_WIDTH = 100


@dataclass(frozen=True)
class _Call:
    name: str
    arguments: list[tuple[str | None, Any]]


@dataclass(frozen=True)
class _Name:
    text: str


class _Writer:
    """Builds the expression tree of each resource and lays it out."""

    def __init__(self, resources: list[Resource]) -> None:
        self.variables: dict[int, str] = {}
        self.used_classes: set[str] = set()
        taken: set[str] = set()
        for resource in resources:
            self.variables[id(resource)] = _variable_name(resource, taken)

    def node(self, value: Any) -> Any:
        if isinstance(value, Resource) and id(value) in self.variables:
            return _Name(self.variables[id(value)])
        if isinstance(value, TargetContext) and isinstance(value.target, Resource):
            return self.node(value.target)
        if isinstance(value, _StringForm) or hasattr(value, "to_string"):
            return value.to_string()
        if isinstance(value, BaseModel):
            return self.model_call(value)
        if isinstance(value, list):
            return [self.node(item) for item in value]
        if isinstance(value, dict):
            return {key: self.node(item) for key, item in value.items()}
        return value

    def model_call(self, model: BaseModel) -> _Call:
        name = type(model).__name__
        self.used_classes.add(name)
        arguments: list[tuple[str | None, Any]] = [
            (field, self.node(getattr(model, field)))
            for field in type(model).model_fields
            if field in model.model_fields_set and field not in ("kind", "api_version")
        ]
        return _Call(name, arguments)

    def resource(self, resource: Resource) -> str:
        self.used_classes.add(type(resource).__name__)
        metadata: Metadata = resource.metadata
        meta: Any = (
            metadata.name
            if not metadata.labels and not metadata.annotations
            else self.model_call(metadata)
        )
        arguments: list[tuple[str | None, Any]] = [("metadata", meta)]
        spec = getattr(resource, "spec", None)
        if isinstance(spec, BaseModel):
            arguments.append(("spec", self.model_call(spec)))
        call = _Call(type(resource).__name__, arguments)
        return f"{self.variables[id(resource)]} = {_layout(call, 0)}\n"


def _variable_name(resource: Resource, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", resource.name).strip("_") or resource.KIND.lower()
    if base[0].isdigit():
        base = "_" + base
    if keyword.iskeyword(base) or base in ("project", "bakepy"):
        base += "_"
    name = base
    if name in taken:
        name = f"{base}_{resource.KIND.lower()}"
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def _atom(value: Any) -> str:
    if isinstance(value, _Name):
        return value.text
    if isinstance(value, str):
        if '"' in value and "'" not in value and "\\" not in value:
            return repr(value)  # single quotes read better than escaped double quotes
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__}")


def _parts(value: Any, indent: int) -> tuple[str, str, list[str]] | None:
    """Opening, closing and laid-out items of a container value; None for atoms."""
    inner = indent + 4
    if isinstance(value, _Call):
        items = [
            f"{key}={_layout(item, inner)}" if key else _layout(item, inner)
            for key, item in value.arguments
        ]
        return f"{value.name}(", ")", items
    if isinstance(value, list):
        return "[", "]", [_layout(item, inner) for item in value]
    if isinstance(value, dict):
        return "{", "}", [f"{_atom(k)}: {_layout(v, inner)}" for k, v in value.items()]
    return None


def _layout(value: Any, indent: int) -> str:
    """One line when it fits in the width, else one item per line (trailing commas)."""
    parts = _parts(value, indent)
    if parts is None:
        return _atom(value)
    opening, closing, items = parts
    flat = opening + ", ".join(items) + closing
    if "\n" not in flat and indent + len(flat) <= _WIDTH:
        return flat
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{item},\n" for item in items)
    return f"{opening}\n{body}{' ' * indent}{closing}"


def python_module(resources: list[Resource], source: str) -> str:
    """A bakepy definition file declaring ``resources`` (in an order where uses follow)."""
    writer = _Writer(resources)
    bodies = [writer.resource(resource) for resource in resources]
    imports = "".join(f"    {name},\n" for name in sorted(writer.used_classes))
    header = f'"""Imported by bakepy from {source}; edit freely."""\n\n'
    return header + f"from bakepy import (\n{imports})\n\n" + "\n".join(bodies)
