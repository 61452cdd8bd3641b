"""What importing the models costs every command (issue 12: building bakepy's pydantic models
took about 105 ms of each cold render): the models a render builds declare their fields with
evaluated annotations, so pydantic does not compile and evaluate a string per field."""

from __future__ import annotations

import importlib
import inspect

import pytest
from pydantic import BaseModel

HOT_MODULES = [
    "bakepy.models.base",
    "bakepy.models.resource",
    "bakepy.models.bake.builder",
    "bakepy.models.bake.targets",
    "bakepy.models.bake.values",
    "bakepy.models.compose.base",
    "bakepy.models.compose.build",
    "bakepy.models.compose.deploy",
    "bakepy.models.compose.devices",
    "bakepy.models.compose.hooks",
    "bakepy.models.compose.mounts",
    "bakepy.models.compose.project",
    "bakepy.models.compose.service",
    "bakepy.models.dockerfile.instructions",
]


@pytest.mark.parametrize("name", HOT_MODULES)
def test_model_fields_are_declared_with_evaluated_annotations(name: str) -> None:
    module = importlib.import_module(name)
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name
    ]
    assert models
    for model in models:
        strings = {
            field: annotation
            for field, annotation in inspect.get_annotations(model).items()
            if isinstance(annotation, str) and not field.startswith("_")
        }
        # a forward reference to a class declared further down stays a string, by need
        assert set(strings) <= {"trigger"}, (model.__name__, strings)


def test_targets_and_groups_are_built_with_their_module() -> None:
    from bakepy.models.bake.targets import Group, GroupSpec, Target, TargetSpec

    for model in (TargetSpec, Target, GroupSpec, Group):
        assert model.__pydantic_complete__, model.__name__
    base = Target(metadata="base")
    spec = TargetSpec(inherits=[base, "Target/other"])
    assert spec.inherits == [base, "other"]
    app = Target(metadata="app", spec=spec)
    group = Group(metadata="all", spec=GroupSpec(targets=[app, "Group/rest"]))
    assert group.spec.targets == [app, "rest"]
