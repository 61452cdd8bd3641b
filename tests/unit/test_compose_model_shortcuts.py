"""Shortcuts of the compose models give what the long way gives (issue 12): a short mount
spec split at its colons when nothing in it needs the character walk, a service's ``build``
tried against its forms in order (the first that takes it), durations remembered once
accepted, extensions looked for before a copy."""

from __future__ import annotations

import random
from typing import Annotated, Any

import pytest
from pydantic import BeforeValidator, TypeAdapter, ValidationError

from bakepy.models.bake.targets import Target
from bakepy.models.compose.base import ComposeModel
from bakepy.models.compose.build import ComposeBuild, ServiceBuild, _build_value
from bakepy.models.compose.service import Service
from bakepy.models.compose.volume_spec import _split_each_char, split_volume_spec
from bakepy.models.resource import ResourceRef


def _split(split: Any, spec: str) -> Any:
    try:
        return split(spec)
    except ValueError as exc:
        return ("error", str(exc))


def test_a_spec_splits_as_the_character_walk_splits_it() -> None:
    pieces = ["a", "C", "c", "ab", ":", ":", "/", "./d", "${", "}", "$", "ro", ",", "\\\\", "é"]
    generator = random.Random(7)
    specs = ["", "a", "C:/x", "c:\\x:/y", "/a:/b:ro", "v:/data:rw,z", "${A}:/b", "a::b"]
    specs += ["".join(generator.choice(pieces) for _ in range(generator.randint(1, 9)))]
    specs += [
        "".join(generator.choice(pieces) for _ in range(generator.randint(1, 9)))
        for _ in range(5000)
    ]
    for spec in specs:
        assert _split(split_volume_spec, spec) == _split(_split_each_char, spec), spec


SMART = TypeAdapter(Annotated[ComposeBuild | Target | ResourceRef, BeforeValidator(_build_value)])
"""The service's ``build`` as it was: pydantic's smart union over the same forms."""
IN_ORDER: TypeAdapter[Any] = TypeAdapter(ServiceBuild)


def _validated(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        result = adapter.validate_python(value)
    except ValidationError as exc:
        return ("error", [(e["type"], e["loc"], e["msg"]) for e in exc.errors()])
    return (type(result).__name__, result.model_dump(mode="json"))


BUILDS: list[Any] = [
    ".",
    "./app",
    "Target/app",
    "Target/",
    {},
    {"context": "."},
    {"context": ".", "args": {"A": 1}, "x-bake": {"tags": ["t"]}},
    {"context": 1},
    {"contxt": "."},
    {"metadata": {"name": "app"}},
    {"metadata": {"name": "app"}, "spec": {"context": "."}},
    {"metadata": {"name": "app"}, "spec": {"contxt": "."}},
    {"kind": "Target", "name": "app"},
    {"kind": "Target"},
    Target(metadata="app"),
    ResourceRef(kind="Target", name="app"),
    ComposeBuild(context="."),
    [],
    1,
    True,
    None,
    {"context": ".", "dockerfile": ["x"]},
    {"context": ".", "shm_size": "big"},
]


@pytest.mark.parametrize("value", BUILDS, ids=[repr(value)[:40] for value in BUILDS])
def test_a_build_validates_as_the_smart_union_did(value: Any) -> None:
    assert _validated(IN_ORDER, value) == _validated(SMART, value)


def test_a_service_build_is_its_first_form() -> None:
    assert isinstance(Service.model_validate({"build": {"context": "."}}).build, ComposeBuild)
    target = Target(metadata="app")
    assert Service.model_validate({"build": target}).build is not None


def test_durations_and_extensions_keep_their_errors() -> None:
    for _ in range(2):  # the second time from what the first remembered
        with pytest.raises(ValidationError, match="duration '1x' must look like"):
            Service.model_validate({"image": "a", "healthcheck": {"interval": "1x"}})
        service = Service.model_validate({"image": "a", "healthcheck": {"interval": "1m30s"}})
        assert service.healthcheck is not None
        assert service.healthcheck.interval == "1m30s"
    model = ComposeModel.model_validate({"x-a": 1, "extensions": {"x-b": 2}})
    assert model.extensions == {"x-b": 2, "x-a": 1}
    assert ComposeModel.model_validate({}).extensions == {}
