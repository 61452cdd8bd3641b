"""Lowering to bake's native form and the HCL/JSON writers: paths, escaping, layout."""

from __future__ import annotations

import json
from pathlib import Path

from bakepy import (
    Dockerfile,
    DockerfileSpec,
    Function,
    FunctionSpec,
    Group,
    GroupSpec,
    Project,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.generators import render_project
from bakepy.generators.dockerfile import render_dockerfile
from bakepy.hcl.writing import _STRING_TABLE, hcl_key, hcl_string, hcl_value
from bakepy.models.bake import Output, Secret, VariableValidation
from bakepy.models.dockerfile import Run, Stage
from bakepy.resolution.bake.lower import lower_project
from bakepy.resolution.bake.paths import PathMapper


def rendered(project: Project, out_dir: Path) -> dict[str, str]:
    return {f.path: f.text for f in render_project(project, out_dir)}


def test_hcl_strings_escape_quotes_and_backslashes_but_keep_interpolation() -> None:
    assert hcl_string('say "hi"\\n') == '"say \\"hi\\"\\\\n"'
    assert hcl_string("${TAG}") == '"${TAG}"'
    assert hcl_string("a\tb\nc") == '"a\\tb\\nc"'


def test_strings_with_nothing_to_escape_are_written_as_the_escape_table_writes_them() -> None:
    """The quick path (printable, no quote or backslash) agrees with the table on every
    character below U+3000, alone and inside text, in a string and as a value (but for two
    line breaks: a heredoc)."""
    for code in range(0x3000):
        for text in (chr(code), f"a{chr(code)}b", f"{chr(code)}{chr(code)}"):
            expected = '"' + text.translate(_STRING_TABLE) + '"'
            assert hcl_string(text) == expected, hex(code)
            if text != "\n\n":
                assert hcl_value(text) == expected, hex(code)


def test_hcl_keys_are_quoted_unless_identifiers() -> None:
    assert hcl_key("APP_VERSION") == "APP_VERSION"
    assert hcl_key("org.opencontainers.image.title") == '"org.opencontainers.image.title"'


def test_hcl_values_lay_out_long_lists_one_per_line() -> None:
    assert hcl_value(["a", "b"]) == '["a", "b"]'
    long = [f"registry.example.com/team/service-{i}:latest" for i in range(3)]
    assert hcl_value(long).startswith("[\n    ")
    assert (
        hcl_value({"A": None, "B": True, "C": 1.5})
        == "{\n    A = null\n    B = true\n    C = 1.5\n  }"
    )


def test_multiline_text_becomes_a_heredoc() -> None:
    assert hcl_value("FROM scratch\nCOPY a /\n") == "<<EOT\nFROM scratch\nCOPY a /\nEOT"
    assert hcl_value("EOT\nx\n").startswith("<<EOT_\n")


def test_paths_are_rewritten_relative_to_the_output_folder(tmp_path: Path) -> None:
    mapper = PathMapper(tmp_path / "out")
    assert mapper.map(".", tmp_path / "app") == "../app"
    assert mapper.map("src", tmp_path / "out") == "src"
    assert mapper.map("/abs/path", tmp_path) == "/abs/path"
    assert mapper.map("https://h/r.git", tmp_path) == "https://h/r.git"
    assert mapper.map("${CTX}", tmp_path) == "${CTX}"


def test_declared_paths_follow_the_definition_folder(tmp_path: Path) -> None:
    target = Target(
        metadata="app",
        spec=TargetSpec(
            context="src",
            secret=[Secret(id="key", src="secrets/key.txt"), Secret(id="tok", env="TOKEN")],
            output=[Output(type="local", dest="dist"), Output(type="registry")],
            cache_from=["type=local,src=.cache"],
        ),
    )
    project = Project([target], base_dir=tmp_path / "defs")
    native = lower_project(project, tmp_path / "out", render_dockerfile)
    app = native.targets["app"]
    assert app["context"] == "../defs/src"
    assert app["secret"] == ["id=key,src=../defs/secrets/key.txt", "id=tok,env=TOKEN"]
    assert app["output"] == ["type=local,dest=../defs/dist", "type=registry"]
    assert app["cache-from"] == ["type=local,src=../defs/.cache"]


def test_a_dockerfile_object_is_rendered_beside_the_bake_file(tmp_path: Path) -> None:
    dockerfile = Dockerfile(
        metadata="api", spec=DockerfileSpec(stages=[Stage(name="s", from_="alpine")])
    )
    target = Target(metadata="api", spec=TargetSpec(context="svc", dockerfile=dockerfile))
    files = rendered(Project([target], base_dir=tmp_path), tmp_path / "out")
    assert sorted(files) == ["api.Dockerfile", "docker-bake.hcl", "docker-bake.json"]
    bake = json.loads(files["docker-bake.json"])["target"]["api"]
    assert bake["context"] == "../svc"
    assert bake["dockerfile"] == "../out/api.Dockerfile"


def test_a_child_that_changes_context_gets_its_own_dockerfile_path(tmp_path: Path) -> None:
    dockerfile = Dockerfile(metadata="d", spec=DockerfileSpec(stages=[Stage(from_="alpine")]))
    base = Target(metadata="base", spec=TargetSpec(context=".", dockerfile=dockerfile))
    child = Target(metadata="child", spec=TargetSpec(inherits=[base], context="sub"))
    native = lower_project(Project([base, child], base_dir=tmp_path), tmp_path, render_dockerfile)
    assert native.targets["base"]["dockerfile"] == "d.Dockerfile"
    assert native.targets["child"]["dockerfile"] == "../d.Dockerfile"


def test_inline_dockerfiles_escape_interpolation(tmp_path: Path) -> None:
    stage = Stage(from_="alpine", instructions=[Run(command="echo ${HOME} $PATH")])
    dockerfile = Dockerfile(metadata="inline", spec=DockerfileSpec(stages=[stage]))
    target = Target(metadata="t", spec=TargetSpec(dockerfile_inline=dockerfile))
    files = rendered(Project([target], base_dir=tmp_path), tmp_path)
    assert "inline.Dockerfile" not in files
    inline = json.loads(files["docker-bake.json"])["target"]["t"]["dockerfile-inline"]
    assert "echo $${HOME} $PATH" in inline
    assert "dockerfile-inline = <<EOT\n" in files["docker-bake.hcl"]


def test_variables_functions_groups_render_in_both_formats(tmp_path: Path) -> None:
    project = Project(
        [
            Variable(
                metadata="TAG",
                spec=VariableSpec(
                    default="latest",
                    type="string",
                    description="Image tag",
                    validation=[VariableValidation(condition='TAG != ""', error_message="empty")],
                ),
            ),
            Function(
                metadata="img",
                spec=FunctionSpec(params=["name"], variadic_params="rest", result="r/${name}"),
            ),
            Group(metadata="default", spec=GroupSpec(targets=["t"])),
            Target(metadata="t", spec=TargetSpec(tags=['${img("t")}:${TAG}'])),
        ],
        base_dir=tmp_path,
    )
    files = rendered(project, tmp_path)
    hcl = files["docker-bake.hcl"]
    assert 'variable "TAG" {\n  type = string\n  default = "latest"\n' in hcl
    assert '  validation {\n    condition = TAG != ""\n    error_message = "empty"\n  }' in hcl
    assert "  params = [name]\n  variadic_params = rest\n" in hcl
    document = json.loads(files["docker-bake.json"])
    assert document["//"] == "generated by bakepy; do not edit"
    assert document["variable"]["TAG"]["validation"][0]["condition"] == '${TAG != ""}'
    assert document["function"]["img"]["params"] == ["name"]
    assert document["target"]["t"]["tags"] == ['${img("t")}:${TAG}']


def test_matrix_targets_keep_their_matrix(tmp_path: Path) -> None:
    target = Target(
        metadata="app",
        spec=TargetSpec(matrix={"tgt": ["a", "b"]}, name="app-${tgt}", tags=["app:${tgt}"]),
    )
    hcl = rendered(Project([target], base_dir=tmp_path), tmp_path)["docker-bake.hcl"]
    assert '  matrix = {\n    tgt = ["a", "b"]\n  }\n  name = "app-${tgt}"' in hcl


def test_rendering_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    target = Target(metadata="t", spec=TargetSpec(args={"B": "2", "A": "1"}))
    first = rendered(Project([target], base_dir=tmp_path), tmp_path)
    assert first == rendered(Project([target], base_dir=tmp_path), tmp_path)
    assert '"A": "1",\n        "B": "2"' in first["docker-bake.json"]


def test_render_converts_the_project_once_and_forgets_it_afterwards(tmp_path: Path) -> None:
    from unittest import mock

    from bakepy import render
    from bakepy.resolution import definition

    target = Target(metadata="t", spec=TargetSpec(tags=["a:1"]))
    project = Project([target], base_dir=tmp_path)
    with mock.patch.object(definition, "lower_project", wraps=definition.lower_project) as lowered:
        first = {f.path: f.text for f in render(project, tmp_path)}
    assert lowered.call_count == 1  # check and render share one conversion
    target.spec.tags = ["a:2"]  # a Python user changes an object between two renders
    second = {f.path: f.text for f in render(project, tmp_path)}
    assert '"a:1"' in first["docker-bake.hcl"]
    assert '"a:2"' in second["docker-bake.hcl"]
