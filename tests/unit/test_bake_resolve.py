"""The bake resolver's error paths: each mistake is a BakepyError subclass with a clear message.

No buildx here: ``bakepy.resolve`` runs on projects that skip the reference checks (which
would catch some of these earlier), so the resolver's own checks are what is tested.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy import (
    BakepyError,
    CycleError,
    EvaluationError,
    Function,
    FunctionSpec,
    Group,
    GroupSpec,
    Project,
    SelectionError,
    Target,
    TargetSpec,
    ValidationError,
    Variable,
    VariableSpec,
    resolve,
)
from bakepy.generators import render_project
from bakepy.models.bake import VariableValidation
from bakepy.models.resource import Resource


def target(label: str, /, **spec: Any) -> Target:
    return Target(metadata=label, spec=TargetSpec(**spec))


def variable(name: str, **spec: Any) -> Variable:
    return Variable(metadata=name, spec=VariableSpec(**spec))


def function(name: str, result: str, params: list[str], variadic: str | None = None) -> Function:
    return Function(
        metadata=name, spec=FunctionSpec(params=params, variadic_params=variadic, result=result)
    )


def resolve_error(
    resources: list[Resource],
    names: list[str],
    env: dict[str, str] | None = None,
    *,
    expected: type[BakepyError],
) -> BakepyError:
    """The error ``bakepy.resolve`` raises for the project; it must be of the expected class."""
    project = Project(resources, base_dir=Path("/project"))
    with pytest.raises(BakepyError) as info:
        resolve(project, names, env or {}, base_dir=Path("/project"))
    assert type(info.value) is expected, info.value
    return info.value


# -- selection ------------------------------------------------------------------------------------


def test_unknown_target_requested() -> None:
    error = resolve_error([target("app")], ["nope"], expected=SelectionError)
    assert error.message == "failed to find target nope"


def test_group_member_that_does_not_exist() -> None:
    members = Group(metadata="all", spec=GroupSpec(targets=["app", "ghost"]))
    error = resolve_error([target("app"), members], ["all"], expected=SelectionError)
    assert error.message == "failed to find target ghost"


def test_default_group_missing_when_nothing_requested() -> None:
    error = resolve_error([target("app")], [], expected=SelectionError)
    assert error.message == "failed to find target default"


def test_inherits_a_name_that_is_not_a_target() -> None:
    error = resolve_error([target("app", inherits=["ghost"])], ["app"], expected=SelectionError)
    assert error.message == "failed to find target ghost"  # buildx's words
    assert error.diagnostic.hint == "target app inherits 'ghost', which is not a target"
    assert error.location.resource == "Target/app"


def test_target_context_naming_a_group() -> None:
    resources: list[Resource] = [
        target("app", contexts={"dep": "target:all"}),
        target("lib"),
        Group(metadata="all", spec=GroupSpec(targets=["lib"])),
    ]
    error = resolve_error(resources, ["app"], expected=SelectionError)
    assert "target:all" in error.message
    assert "not a target" in error.message


def test_target_context_built_for_fewer_platforms() -> None:
    resources: list[Resource] = [
        target("base", platforms=["linux/amd64", "linux/arm64"]),
        target(
            "app",
            contexts={"base": "target:base"},
            platforms=["linux/amd64", "linux/arm/v7"],
        ),
    ]
    error = resolve_error(resources, ["app"], expected=ValidationError)
    assert error.message.startswith("target base can't be used by app")
    assert "linux/arm/v7" in error.message


def test_target_context_built_for_more_platforms_is_fine() -> None:
    """buildx >= 0.20 only needs the caller's platforms to be a subset (bake.md §6)."""
    base = target("base", platforms=["linux/amd64", "linux/arm64", "linux/riscv64"])
    app = target("app", contexts={"base": base}, platforms=["linux/amd64", "linux/arm64"])
    resolved = resolve(Project([base, app]), ["app"], {}, base_dir=Path("/project"))
    assert set(resolved.targets) == {"app", "base"}


# -- cycles ---------------------------------------------------------------------------------------


def test_an_inherits_loop_is_cut_where_it_comes_back_as_buildx_does() -> None:
    """buildx 0.13 resolves ``a -> b -> c -> a``: ``c`` inherits nothing from ``a`` while
    ``a`` is being resolved; each request cuts the loop at its own start."""
    resources: list[Resource] = [
        target("a", inherits=["b"], tags=["a"]),
        target("b", inherits=["c"], args={"B": "1"}),
        target("c", inherits=["a"], args={"C": "1"}, tags=["c"]),
    ]
    project = Project(resources, base_dir=Path("/project"))
    result = resolve(project, ["a", "c"], {}, base_dir=Path("/project"))
    resolved = result.targets
    assert resolved["a"]["args"] == {"B": "1", "C": "1"}
    assert resolved["a"]["tags"] == ["a"]
    assert resolved["c"]["args"] == {"B": "1", "C": "1"}  # c -> a -> b; b's link to c is cut
    loops = [warning for warning in result.warnings if warning.startswith("inherits loop")]
    assert loops == ["inherits loop a -> b -> c -> a: buildx ignores the link back"]  # once


def test_a_target_inheriting_itself_inherits_nothing() -> None:
    project = Project([target("a", inherits=["a"], tags=["x"])], base_dir=Path("/project"))
    assert resolve(project, ["a"], {}, base_dir=Path("/project")).targets["a"]["tags"] == ["x"]


def test_inherits_cycle_still_renders(tmp_path: Path) -> None:
    """Lowering does not loop on a cycle (the resolver, or the project check, reports it)."""
    project = Project([target("a", inherits=["b"]), target("b", inherits=["a"])])
    assert {f.path for f in render_project(project, tmp_path)} >= {"docker-bake.hcl"}


def test_target_context_linking_to_itself() -> None:
    error = resolve_error(
        [target("app", contexts={"self": "target:app"})], ["app"], expected=CycleError
    )
    assert error.message == "target app cannot link to itself"  # buildx's words


def test_target_context_cycle() -> None:
    resources: list[Resource] = [
        target("a", contexts={"b": "target:b"}),
        target("b", contexts={"c": "target:c"}),
        target("c", contexts={"a": "target:a"}),
    ]
    error = resolve_error(resources, ["a"], expected=CycleError)
    assert error.message.startswith("infinite loop from ")
    assert error.message.endswith(" to a")


def test_variable_cycle_names_the_path() -> None:
    resources: list[Resource] = [
        variable("A", default="${B}"),
        variable("B", default="x-${C}"),
        variable("C", default="${A}"),
        target("app", args={"A": "${A}"}),
    ]
    error = resolve_error(resources, ["app"], expected=CycleError)
    assert error.message == "variable cycle: A -> B -> C -> A"
    assert error.location.resource == "Variable/A"


# -- variables from the environment ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["maybe", "yes", "2", ""])
def test_bool_variable_with_a_non_bool_env_value(text: str) -> None:
    resources: list[Resource] = [variable("PUSH", default=False), target("app")]
    error = resolve_error(resources, ["app"], {"PUSH": text}, expected=EvaluationError)
    assert error.message == f"variable PUSH from the environment: {text!r} is not a bool"
    assert error.location.resource == "Variable/PUSH"


def test_number_variable_with_a_non_number_env_value() -> None:
    resources: list[Resource] = [variable("JOBS", default=4), target("app")]
    error = resolve_error(resources, ["app"], {"JOBS": "many"}, expected=EvaluationError)
    assert error.message == "variable JOBS from the environment: 'many' is not a number"


def test_untyped_list_variable_cannot_be_set_from_env() -> None:
    resources: list[Resource] = [variable("TAGS", default=["a", "b"]), target("app")]
    error = resolve_error(resources, ["app"], {"TAGS": "x,y"}, expected=EvaluationError)
    assert "unsupported type tuple for variable TAGS" in error.message
    assert "list(string)" in error.message  # the hint: give it a type


def test_typed_list_variable_with_invalid_json_env_value() -> None:
    resources: list[Resource] = [variable("TAGS", type="list(string)"), target("app")]
    error = resolve_error(resources, ["app"], {"TAGS_JSON": "[x"}, expected=EvaluationError)
    assert error.message.startswith("variable TAGS_JSON is not JSON")


def test_unused_variables_are_still_checked() -> None:
    """buildx evaluates every variable, not only those a target reads."""
    resources: list[Resource] = [variable("UNUSED", default=True), target("app")]
    resolve_error(resources, ["app"], {"UNUSED": "nope"}, expected=EvaluationError)
    cycle: list[Resource] = [variable("A", default="${B}"), variable("B", default="${A}")]
    resolve_error([*cycle, target("app")], ["app"], expected=CycleError)


# -- validation -----------------------------------------------------------------------------------


def _validated_tag(**spec: Any) -> list[Resource]:
    rule = VariableValidation(condition='TAG != ""', error_message="TAG must not be empty")
    return [variable("TAG", default="latest", validation=[rule], **spec), target("app")]


def test_failed_variable_validation_carries_its_error_message() -> None:
    error = resolve_error(_validated_tag(), ["app"], {"TAG": ""}, expected=EvaluationError)
    assert error.message == "variable TAG: TAG must not be empty"
    assert error.location.resource == "Variable/TAG"


def test_passing_variable_validation() -> None:
    project = Project(_validated_tag(), base_dir=Path("/project"))
    resolved = resolve(project, ["app"], {"TAG": "v1"}, base_dir=Path("/project"))
    assert "app" in resolved.targets


def test_validation_may_reference_other_variables_and_template_its_message() -> None:
    rule = VariableValidation(
        condition="MAX >= MIN", error_message="MAX (${MAX}) is below MIN (${MIN})"
    )
    resources: list[Resource] = [
        variable("MIN", default=2),
        variable("MAX", default=5, validation=[rule]),
        target("app"),
    ]
    error = resolve_error(resources, ["app"], {"MAX": "1"}, expected=EvaluationError)
    assert error.message == "variable MAX: MAX (1) is below MIN (2)"


# -- matrix ---------------------------------------------------------------------------------------


def test_matrix_producing_an_invalid_name() -> None:
    resources: list[Resource] = [target("app", matrix={"version": ["1.0"]}, name="app-${version}")]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert error.message.startswith("invalid name 'app-1.0' from matrix")
    assert error.diagnostic.hint is not None
    assert "replace()" in error.diagnostic.hint


def test_matrix_producing_duplicate_names() -> None:
    resources: list[Resource] = [
        target("app", matrix={"os": ["linux"], "arch": ["amd64", "arm64"]}, name="app-${os}")
    ]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert error.message == "duplicate name 'app-linux' from matrix"


def test_matrix_without_name_and_several_combinations() -> None:
    resources: list[Resource] = [target("app", matrix={"v": ["a", "b"]})]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert error.message == "duplicate name 'app' from matrix"


# -- functions and expressions --------------------------------------------------------------------


def test_unknown_function_is_named() -> None:
    resources: list[Resource] = [target("app", tags=['${no_such_fn("x")}'])]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert 'unknown function "no_such_fn"' in error.message
    assert error.location.resource == "Target/app"


def test_user_function_with_too_many_arguments() -> None:
    resources: list[Resource] = [
        function("image", "r/${name}", ["name"]),
        target("app", tags=['${image("a", "b")}']),
    ]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert 'function "image"' in error.message
    assert "takes 1 argument(s), got 2" in error.message


def test_variadic_user_function_with_too_few_arguments() -> None:
    resources: list[Resource] = [
        function("tag", "${name}:${ver}", ["name", "ver"], variadic="rest"),
        target("app", tags=['${tag("a")}']),
    ]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert "takes 2 argument(s) or more, got 1" in error.message


def test_builtin_function_with_wrong_arity() -> None:
    resources: list[Resource] = [target("app", args={"X": '${upper("a", "b")}'})]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert 'function "upper"' in error.message
    assert "expected 1 argument, got 2" in error.message


def test_error_inside_a_nested_user_function_call() -> None:
    resources: list[Resource] = [
        function("inner", "${upper(x)}", ["x"]),
        function("outer", "${inner(x, x)}", ["x"]),
        target("app", args={"X": '${outer("a")}'}),
    ]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert 'function "inner"' in error.message


def test_unknown_variable_is_named() -> None:
    resources: list[Resource] = [target("app", args={"X": "${NOPE}"})]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert '"NOPE"' in error.message


def test_null_variable_inside_a_longer_template() -> None:
    """``default = null`` is a null: alone it drops the arg, inside text it is an error."""
    resources: list[Resource] = [
        variable("NULL", default=None),
        target("app", args={"X": "x-${NULL}"}),
    ]
    error = resolve_error(resources, ["app"], expected=EvaluationError)
    assert "null" in error.message
    alone = Project(
        [variable("NULL", default=None), target("app", args={"X": "${NULL}", "Y": "y"})],
        base_dir=Path("/project"),
    )
    printed = resolve(alone, ["app"], {}, base_dir=Path("/project")).targets["app"]
    assert printed["args"] == {"Y": "y"}


# -- what --print shows for the request -----------------------------------------------------------


def test_default_group_lists_requested_names_but_not_itself() -> None:
    a, b = target("a"), target("b")
    project = Project([a, b, Group(metadata="default", spec=GroupSpec(targets=[a]))])
    groups = resolve(project, ["default", "b", "b"], {}, base_dir=Path("/project")).groups
    assert groups["default"]["targets"] == ["a", "b"]
    assert resolve(project, [], {}, base_dir=Path("/project")).groups["default"] == {
        "targets": ["a"]
    }


def test_target_attribute_references_loop_is_an_error() -> None:
    a = target("a", tags=["${target.b.tags[0]}"])
    b = target("b", tags=["${target.a.tags[0]}"])
    error = resolve_error([a, b], ["a"], expected=EvaluationError)
    assert "reference cycle not allowed for target.a" in error.message


def test_target_attribute_reference_sees_only_own_attributes() -> None:
    base = target("base", args={"V": "1"})
    mid = target("mid", inherits=[base], tags=["mid:1"])
    app = target("app", labels={"TAGS": "${length(target.mid.tags)}"}, args={"A": "x"})
    project = Project([base, mid, app], base_dir=Path("/project"))
    resolved = resolve(project, ["app"], {}, base_dir=Path("/project"))
    assert resolved.targets["app"]["labels"] == {"TAGS": "1"}
    unset = target("unset", args={"P": "${target.mid.args}", "Q": "q"})
    project = Project([base, mid, unset], base_dir=Path("/project"))
    resolved = resolve(project, ["unset"], {}, base_dir=Path("/project"))
    assert resolved.targets["unset"]["args"] == {"Q": "q"}  # mid's own args are null


def test_everything_leaves_out_a_group_whose_member_is_declared_nowhere(tmp_path: Path) -> None:
    """render and validate resolve every group; one naming a missing target is warned about
    and left out, as buildx fails only when that group is built (the default still works)."""
    from bakepy.loaders.bake.files import load_hcl
    from bakepy.resolution.bake.evaluate import resolve_bake

    text = 'group "nightly" {\n  targets = ["gone", "app"]\n}\ntarget "app" {}\n'
    native = load_hcl(tmp_path / "docker-bake.hcl", text)
    resolved = resolve_bake(native, (), {}, everything=True)
    assert list(resolved.targets) == ["app"]
    assert "nightly" not in resolved.groups
    assert resolved.warnings == [
        f"{tmp_path / 'docker-bake.hcl'}:2:13: group 'nightly': targets: failed to find target "
        "gone; buildx fails only when group nightly is built"
    ]
    with pytest.raises(SelectionError):
        resolve_bake(native, ["nightly"], {})


def test_a_base_sorted_by_an_older_buildx_link_check_is_inherited_sorted() -> None:
    """Before buildx 0.20 a link's check sorts both targets' platforms, which shows in what
    inherits them afterwards. A base merged for one child before its link is checked is merged
    anew for the children resolved after (the merge a first parent gives is kept per parent)."""
    from bakepy.models.bake.definition import NativeBake
    from bakepy.models.toolchain import Version
    from bakepy.resolution.bake.evaluate import resolve_bake

    platforms = ["linux/arm64", "linux/amd64"]
    native = NativeBake(
        targets={
            "first": {"inherits": ["base"]},
            "base": {"platforms": platforms, "contexts": {"dep": "target:other"}},
            "other": {"platforms": platforms},
            "later": {"inherits": ["base"], "contexts": {"dep": ""}},  # links nothing itself
        }
    )
    resolved = resolve_bake(native, ["first", "base", "later"], buildx=Version(0, 19, 0))
    assert resolved.targets["base"]["platforms"] == sorted(platforms)
    assert resolved.targets["later"]["platforms"] == sorted(platforms)


def test_everything_keeps_groups_in_order_whichever_way_they_resolve(tmp_path: Path) -> None:
    """Groups of targets only, of groups, of a matrix's name, naming themselves, and one whose
    missing member is a group's member: each kept or warned about in declaration order."""
    from bakepy.loaders.bake.files import load_hcl
    from bakepy.resolution.bake.evaluate import resolve_bake

    text = (
        'group "plain" {\n  targets = ["app", "lib"]\n}\n'
        'group "outer" {\n  targets = ["plain", "app"]\n}\n'
        'group "self" {\n  targets = ["self", "app"]\n}\n'
        'group "deep" {\n  targets = ["broken"]\n}\n'
        'group "broken" {\n  targets = ["app", "gone"]\n}\n'
        'group "mx" {\n  targets = ["m", "lib"]\n}\n'
        'target "app" {}\ntarget "lib" {}\n'
        'target "m" {\n  name = "m-${v}"\n  matrix = {\n    v = ["a", "b"]\n  }\n}\n'
    )
    native = load_hcl(tmp_path / "docker-bake.hcl", text)
    resolved = resolve_bake(native, (), {}, everything=True)
    assert list(resolved.groups) == ["plain", "outer", "self", "mx", "m", "default"]
    assert resolved.groups["mx"] == {"targets": ["m", "lib"]}
    assert [w.split(": ", 2)[-1] for w in resolved.warnings] == [
        "targets: failed to find target gone; buildx fails only when group deep is built",
        "targets: failed to find target gone; buildx fails only when group broken is built",
    ]
