"""A Target's Dockerfile, Stage and Builder members (``bakepy.models.on_demand``): objects and
strings are taken as they are, anything else is validated by the member's models, built on
first use, with the errors and JSON Schema of the plain union."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from pydantic import TypeAdapter, ValidationError

from bakepy.models.bake.builder import Builder
from bakepy.models.bake.targets import Target
from bakepy.models.dockerfile.instructions import Dockerfile, Run, Stage
from bakepy.models.resource import ResourceRef

STAGE = {"name": "s", "from": "alpine", "instructions": [{"instruction": "RUN", "command": "x"}]}


def test_objects_are_kept_as_they_are() -> None:
    stage = Stage(name="build", from_="alpine", instructions=[Run(command="make")])
    dockerfile = Dockerfile(metadata="app", spec={"stages": [stage]})
    builder = Builder(metadata="ci")
    target = Target(
        metadata="t",
        spec={
            "dockerfile": dockerfile,
            "target": stage,
            "builder": builder,
            "no-cache-filter": [stage, "deps"],
        },
    )
    assert target.spec.dockerfile is dockerfile
    assert target.spec.target is stage
    assert target.spec.builder is builder
    assert target.spec.no_cache_filter == [stage, "deps"]
    dumped = target.model_dump(by_alias=True, exclude_defaults=True)["spec"]
    assert dumped["dockerfile"] == "Dockerfile/app"
    assert (dumped["target"], dumped["builder"]) == ("build", "ci")


def test_strings_and_references() -> None:
    spec = Target(
        metadata="t", spec={"dockerfile": "Dockerfile/app", "target": "s", "builder": "Builder/b"}
    ).spec
    assert spec.dockerfile == ResourceRef(kind="Dockerfile", name="app")
    assert (spec.target, spec.builder) == ("s", "b")


def test_a_mapping_is_validated_by_the_members_models() -> None:
    inline = {"metadata": {"name": "x"}, "spec": {"stages": [STAGE]}}
    spec = Target.model_validate(
        {
            "metadata": {"name": "t"},
            "spec": {"dockerfile": inline, "target": STAGE, "builder": {"metadata": {"name": "b"}}},
        }
    ).spec
    assert isinstance(spec.dockerfile, Dockerfile)
    assert isinstance(spec.dockerfile.spec.stages[0].instructions[0], Run)
    assert isinstance(spec.target, Stage)
    assert spec.target.name == "s"
    assert isinstance(spec.builder, Builder)
    assert spec.builder.name == "b"


@pytest.mark.parametrize(
    ("field", "member", "value"),
    [
        ("target", Stage | str, {"name": "s", "from": "alpine", "instructions": [{"run": 1}]}),
        ("target", Stage | str, 5),
        ("builder", Builder | str, 1.5),
        ("builder", Builder | str, {"metadata": {"name": 1}}),
        ("dockerfile", Dockerfile | ResourceRef | str, {"spec": {"stages": [STAGE]}}),
        ("dockerfile", Dockerfile | ResourceRef | str, ["Dockerfile"]),
    ],
)
def test_errors_are_the_plain_unions(field: str, member: object, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Target.model_validate({"metadata": {"name": "t"}, "spec": {field: value}})
    with pytest.raises(ValidationError) as plain:
        TypeAdapter(member).validate_python(value)
    errors = [(e["loc"], e["type"], e["msg"]) for e in raised.value.errors()]
    expected = [(("spec", field, *e["loc"]), e["type"], e["msg"]) for e in plain.value.errors()]
    assert errors == expected


def test_importing_the_models_builds_no_dockerfile_or_builder_model() -> None:
    script = textwrap.dedent(
        """
        from bakepy.models.bake.builder import Builder
        from bakepy.models.bake.targets import Target
        from bakepy.models.dockerfile.instructions import Dockerfile, Stage
        Target(metadata="t", spec={"dockerfile": "Dockerfile", "target": "build"})
        print([m.__name__ for m in (Dockerfile, Stage, Builder) if m.__pydantic_complete__])
        Stage(name="s", from_="alpine")
        print([m.__name__ for m in (Dockerfile, Stage, Builder) if m.__pydantic_complete__])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "['Stage']"]


def test_errors_name_the_member_as_the_plain_union_in_a_fresh_process() -> None:
    # the member's models are not built yet there: the union must still name them as the
    # plain union of built models does (as before, when they were built at import)
    script = textwrap.dedent(
        """
        from pydantic import TypeAdapter, ValidationError
        from bakepy.models.bake.targets import Target
        from bakepy.models.dockerfile.instructions import Stage
        bad = {"name": "s", "from": "alpine", "instructions": [{"run": 1}]}
        try:
            Target.model_validate({"metadata": {"name": "t"}, "spec": {"target": bad}})
        except ValidationError as error:
            got = [e["loc"][2:] for e in error.errors()]
        Stage(name="built", from_="alpine")
        try:
            TypeAdapter(Stage | str).validate_python(bad)
        except ValidationError as error:
            assert got == [e["loc"] for e in error.errors()], (got, error.errors())
        print("same")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "same", result.stderr
