"""Write resources as idiomatic bakepy Python: one variable per resource, objects as references.

The output is a definition file ``bakepy`` loads as is (``bakepy render -f it.py``); only the
fields a resource sets are written, value types in their native string form.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bakepy import models
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.values import _StringForm
from bakepy.models.dockerfile.instructions import Dockerfile, Stage, StageRef
from bakepy.models.resource import Metadata, Resource

_WIDTH = 100
_SET_MATTERS = frozenset({("VariableSpec", "default")})
"""Fields where being set to the default differs from being unset (``default = null`` is a
null; no default is an empty string)."""


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
        self.used_classes: dict[str, str] = {}
        """Class name -> the module a definition file imports it from."""
        self.taken: set[str] = set()
        self.stages: dict[str, str] = {}
        """Stage name -> variable, for the Dockerfile being written (references by object)."""
        for resource in resources:
            self.variables[id(resource)] = _variable_name(resource, self.taken)

    def node(self, value: Any) -> Any:
        if isinstance(value, Resource) and id(value) in self.variables:
            return _Name(self.variables[id(value)])
        if isinstance(value, TargetContext) and isinstance(value.target, Resource):
            return self.node(value.target)
        if isinstance(value, _StringForm) or hasattr(value, "to_string"):
            return value.to_string()
        if isinstance(value, Stage):
            return self.stage_node(value)
        if isinstance(value, BaseModel):
            return self.model_call(value)
        if isinstance(value, list):
            return [self.node(item) for item in value]
        if isinstance(value, dict):
            return {key: self.node(item) for key, item in value.items()}
        return value

    def model_call(self, model: BaseModel) -> _Call:
        name = type(model).__name__
        self.used_classes[name] = _import_module(type(model))
        arguments: list[tuple[str | None, Any]] = []
        for field, info in type(model).model_fields.items():
            if field not in model.model_fields_set or field in ("kind", "api_version"):
                continue
            value = getattr(model, field)
            unset_differs = (name, field) in _SET_MATTERS
            default = info.get_default(call_default_factory=True)
            if not info.is_required() and value == default and not unset_differs:
                continue  # written out by a loader, but the same as leaving it unset
            if field == "instruction" and name != "Onbuild":
                continue  # the class already says which instruction it is
            arguments.append((field, self._reference(field, value) or self.node(value)))
        return _Call(name, arguments)

    def _reference(self, field: str, value: Any) -> _Name | None:
        """A stage named in ``from``/``target`` as the variable holding that Stage."""
        stage = value.stage if isinstance(value, StageRef) else value
        if field in ("from_", "target") and isinstance(stage, str) and stage in self.stages:
            return _Name(self.stages[stage])
        return None

    def stage_lines(self, dockerfile: Dockerfile) -> str:
        """Each named stage of ``dockerfile`` as a variable, so later stages use the object."""
        self.stages = {}
        lines = []
        for stage in dockerfile.spec.stages:
            call = self.model_call(stage)
            if stage.name:
                variable = _free_name(
                    re.sub(r"\W", "_", stage.name).strip("_") + "_stage", self.taken
                )
                lines.append(f"{variable} = {_layout(call, 0, len(variable) + 3)}\n")
                self.stages[stage.name] = variable
        return "\n".join(lines) + ("\n" if lines else "")

    def stage_node(self, stage: Stage) -> Any:
        """A stage inside DockerfileSpec.stages: its variable when it has one."""
        return (
            _Name(self.stages[stage.name]) if stage.name in self.stages else self.model_call(stage)
        )

    def resource(self, resource: Resource) -> str:
        prelude = self.stage_lines(resource) if isinstance(resource, Dockerfile) else ""
        self.used_classes[type(resource).__name__] = _import_module(type(resource))
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
        self.stages = {}
        variable = self.variables[id(resource)]
        return prelude + f"{variable} = {_layout(call, 0, len(variable) + 3)}\n"


def _variable_name(resource: Resource, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", resource.name).strip("_") or resource.KIND.lower()
    if base not in taken:
        return _free_name(base, taken)
    return _free_name(f"{base}_{resource.KIND.lower()}", taken)


def _free_name(base: str, taken: set[str]) -> str:
    """``base`` as a Python identifier no earlier variable uses."""
    if not base or base[0].isdigit():
        base = "_" + base
    if keyword.iskeyword(base) or base in ("project", "bakepy"):
        base += "_"
    name = base
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
    """Opening, closing and laid-out items of a container value; None for atoms. An item on
    a line of its own is followed by a comma, and a keyword or key stands before it."""
    inner = indent + 4
    if isinstance(value, _Call):
        items = [
            f"{key}={_layout(item, inner, len(key) + 2)}" if key else _layout(item, inner, 1)
            for key, item in value.arguments
        ]
        return f"{value.name}(", ")", items
    if isinstance(value, list):
        return "[", "]", [_layout(item, inner, 1) for item in value]
    if isinstance(value, dict):
        return (
            "{",
            "}",
            [f"{_atom(k)}: {_layout(v, inner, len(_atom(k)) + 3)}" for k, v in value.items()],
        )
    return None


def _layout(value: Any, indent: int, lead: int = 0) -> str:
    """One line when it fits in the width (``lead`` more characters share the line: a
    ``name = `` before it, a comma after it), else one item per line (trailing commas)."""
    parts = _parts(value, indent)
    if parts is None:
        return _atom(value)
    opening, closing, items = parts
    flat = opening + ", ".join(items) + closing
    if "\n" not in flat and indent + lead + len(flat) <= _WIDTH:
        return flat
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{item},\n" for item in items)
    return f"{opening}\n{body}{' ' * indent}{closing}"


def python_module(resources: list[Resource], source: str, notes: Sequence[str] = ()) -> str:
    """A bakepy definition file declaring ``resources`` (in an order where uses follow), with
    ``notes`` (what the import left out) as comments under the docstring."""
    writer = _Writer(resources)
    bodies = [writer.resource(resource) for resource in resources]
    comments = "".join(f"# note: {note}\n" for note in notes)
    header = f'"""Imported by bakepy from {source}; edit freely."""\n\n{comments}'
    return header + _imports(writer.used_classes) + "\n" + "\n".join(bodies)


def _import_module(cls: type) -> str:
    """Where a definition file imports ``cls`` from: ``bakepy`` for the resource kinds and
    their specs, else the model's domain package (``bakepy.models.dockerfile``, ...)."""
    if cls.__name__ in models.__all__:
        return "bakepy"
    return ".".join(cls.__module__.split(".")[:3])


def _imports(used: dict[str, str]) -> str:
    """One ``from ... import (...)`` per module, ``bakepy`` first, names sorted."""
    modules = sorted(set(used.values()), key=lambda module: (module != "bakepy", module))
    blocks = []
    for module in modules:
        names = "".join(
            f"    {name},\n" for name in sorted(n for n, m in used.items() if m == module)
        )
        blocks.append(f"from {module} import (\n{names})\n")
    return "".join(blocks)
