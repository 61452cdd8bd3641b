"""Bake resources: names, typed attributes, references by object, the Kubernetes envelope."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bakepy import (
    Dockerfile,
    Function,
    FunctionSpec,
    Group,
    GroupSpec,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.models.bake import (
    GitContext,
    HttpContext,
    ImageContext,
    LocalContext,
    OciLayoutContext,
    TargetContext,
)
from bakepy.models.dockerfile import Stage
from bakepy.models.dockerfile.instructions import DockerfileSpec
from bakepy.models.resource import API_VERSION, ResourceRef


@pytest.mark.parametrize("name", ["app", "app-1", "_base", "A_b-9"])
def test_valid_bake_names(name: str) -> None:
    assert Target(metadata=name).name == name
    assert Group(metadata=name, spec=GroupSpec(targets=[])).name == name


@pytest.mark.parametrize("name", ["a.b", "a b", "a/b", "ä", ""])
def test_invalid_bake_names(name: str) -> None:
    with pytest.raises(ValidationError):
        Target(metadata=name)


def test_envelope_defaults_and_dump() -> None:
    target = Target(metadata={"name": "app", "labels": {"team": "x"}})
    dumped = target.model_dump(by_alias=True, exclude_defaults=False)
    assert dumped["apiVersion"] == API_VERSION
    assert dumped["kind"] == "Target"
    assert target.ref == "Target/app"


def test_unknown_api_version_and_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Target.model_validate({"apiVersion": "v1", "kind": "Target", "metadata": {"name": "a"}})
    with pytest.raises(ValidationError):
        TargetSpec.model_validate({"tagz": ["x"]})


def test_label_keys_are_validated() -> None:
    with pytest.raises(ValidationError):
        Target(metadata={"name": "a", "labels": {"bad key": "x"}})


def test_native_kebab_names_and_python_names_both_work() -> None:
    native = TargetSpec.model_validate({"cache-from": ["type=gha"], "no-cache": True})
    python = TargetSpec(cache_from=["type=gha"], no_cache=True)
    assert native.cache_from == python.cache_from
    assert native.no_cache is python.no_cache is True


def test_every_bake_attribute_is_a_field() -> None:
    attributes = {
        "args",
        "annotations",
        "attest",
        "cache-from",
        "cache-to",
        "call",
        "context",
        "contexts",
        "description",
        "dockerfile",
        "dockerfile-inline",
        "entitlements",
        "extra-hosts",
        "inherits",
        "labels",
        "matrix",
        "name",
        "network",
        "no-cache",
        "no-cache-filter",
        "output",
        "platforms",
        "pull",
        "secret",
        "shm-size",
        "ssh",
        "tags",
        "target",
        "ulimits",
    }
    aliases = {field.alias for field in TargetSpec.model_fields.values()}
    assert attributes <= aliases


def test_every_field_of_every_model_has_a_description() -> None:
    import bakepy

    missing = [
        f"{name}.{field_name}"
        for name in bakepy.__all__
        if isinstance(model := getattr(bakepy, name), type) and hasattr(model, "model_fields")
        for field_name, field in model.model_fields.items()
        if not field.description
    ]
    assert missing == []


def test_single_values_become_lists() -> None:
    spec = TargetSpec(tags="app:1", platforms="linux/amd64", output="type=registry")
    assert spec.tags == ["app:1"]
    assert [p.to_string() for p in spec.platforms or []] == ["linux/amd64"]


def test_args_and_labels_accept_numbers_and_booleans() -> None:
    spec = TargetSpec(args={"N": 3, "B": True, "U": None})
    assert spec.args == {"N": "3", "B": "true", "U": None}


@pytest.mark.parametrize(
    ("text", "kind", "rendered"),
    [
        ("../src", LocalContext, "../src"),
        (
            "https://github.com/org/repo.git#main:sub/dir",
            GitContext,
            "https://github.com/org/repo.git#main:sub/dir",
        ),
        ("git@github.com:org/repo.git", GitContext, "git@github.com:org/repo.git"),
        ("https://example.com/ctx.tar.gz", HttpContext, "https://example.com/ctx.tar.gz"),
        ("docker-image://alpine:3.20", ImageContext, "docker-image://alpine:3.20"),
        ("oci-layout://./layout:tag", OciLayoutContext, "oci-layout://./layout:tag"),
        ("target:base", TargetContext, "target:base"),
    ],
)
def test_context_kinds(text: str, kind: type, rendered: str) -> None:
    context = TargetSpec(contexts={"c": text}).contexts["c"]
    assert isinstance(context, kind)
    assert context.to_string() == rendered


def test_git_context_parts() -> None:
    context = TargetSpec(contexts={"c": "https://h/r.git#v1.2:docs"}).contexts["c"]
    assert isinstance(context, GitContext)
    assert (context.url, context.ref, context.subdir) == ("https://h/r.git", "v1.2", "docs")


def test_target_objects_are_referenced_not_copied() -> None:
    base = Target(metadata="base")
    app = Target(metadata="app", spec=TargetSpec(inherits=[base], contexts={"b": base}))
    assert app.spec.inherits[0] is base
    context = app.spec.contexts["b"]
    assert isinstance(context, TargetContext)
    assert context.target is base
    dumped = app.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert dumped["spec"] == {"inherits": ["base"], "contexts": {"b": "target:base"}}


def test_yaml_kind_name_references() -> None:
    spec = TargetSpec.model_validate({"inherits": ["Target/base"], "dockerfile": "Dockerfile/app"})
    assert spec.inherits == ["base"]
    assert spec.dockerfile == ResourceRef(kind="Dockerfile", name="app")


def test_target_stage_can_be_a_stage_object() -> None:
    final = Stage(name="final", from_="scratch")
    dockerfile = Dockerfile(metadata="d", spec=DockerfileSpec(stages=[final]))
    spec = TargetSpec(dockerfile=dockerfile, target=final, no_cache_filter=[final])
    assert spec.model_dump(mode="json", by_alias=True, exclude_defaults=True) == {
        "dockerfile": "Dockerfile/d",
        "target": "final",
        "no-cache-filter": ["final"],
    }


def test_name_requires_matrix() -> None:
    with pytest.raises(ValidationError, match="name requires matrix"):
        TargetSpec(name="app-${x}")
    assert TargetSpec(matrix={"x": ["a"]}, name="app-${x}").name == "app-${x}"


def test_dockerfile_and_inline_may_both_be_set_as_in_bake() -> None:
    """bake takes both (a child's inline Dockerfile over an inherited path); inline wins."""
    spec = TargetSpec(dockerfile="Dockerfile", dockerfile_inline="FROM scratch")
    assert (spec.dockerfile, spec.dockerfile_inline) == ("Dockerfile", "FROM scratch")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("platforms", "${PLATFORMS}"),
        ("tags", "${TAGS}"),
        ("cache_from", "${CACHE}"),
        ("args", "${merge(COMMON, {A = 1})}"),
        ("no_cache", "${NOCACHE}"),
        ("matrix", {"v": "${VERSIONS}"}),
    ],
)
def test_an_attribute_may_be_one_expression(field: str, value: object) -> None:
    """``platforms = PLATFORMS``: the value is known when bake evaluates it, so it is kept."""
    assert getattr(TargetSpec.model_validate({field: value}), field) == value


def test_typed_values_render_as_written_and_templates_are_kept() -> None:
    spec = TargetSpec(
        platforms=["linux/i386", "${EXTRA}"],
        output=["."],
        cache_from=["type=gha,scope=${SCOPE}", "type=registry,ref=r/app:cache"],
    )
    assert [str(p) for p in spec.platforms or []] == ["linux/i386", "${EXTRA}"]
    assert [str(o) for o in spec.output or []] == ["."]
    assert [str(c) for c in spec.cache_from] == [
        "type=gha,scope=${SCOPE}",
        "type=registry,ref=r/app:cache",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("shm_size", "lots"), ("network", "bridge"), ("call", "run"), ("entitlements", ["root"])],
)
def test_constrained_attributes(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        TargetSpec.model_validate({field: value})


def test_variable_types_and_names() -> None:
    assert VariableSpec(type="list(string)").type == "list(string)"
    with pytest.raises(ValidationError):
        VariableSpec(type="list(strings)")
    with pytest.raises(ValidationError):
        Variable(metadata="1BAD")


def test_function_params_are_identifiers() -> None:
    spec = FunctionSpec(params=["a", "b"], variadic_params="rest", result="${a}")
    assert Function(metadata="f", spec=spec).name == "f"
    with pytest.raises(ValidationError):
        FunctionSpec(params=["a b"], result="x")
