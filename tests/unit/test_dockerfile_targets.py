"""What a bake Target asks of its Dockerfile (stage, secrets, ssh, build args) and what FROM
lines need: errors where BuildKit fails, warnings where it silently builds otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bakepy import Project, ValidationError, check, load, render
from bakepy.errors import Diagnostic
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.bake.targets import Target, TargetSpec
from bakepy.models.dockerfile.instructions import Dockerfile
from bakepy.resolution.checks.from_lines import check_from_lines, expand, valid_base
from bakepy.resolution.checks.targets import Findings, check_targets

TEXT = """\
ARG BASE=alpine:3.20
FROM ${BASE} AS deps
RUN --mount=type=secret,id=npmrc,required=true npm ci
FROM deps AS build
ARG VERSION
RUN --mount=type=ssh,required make
FROM alpine:3.20 AS docs
RUN --mount=type=secret,id=docs_token,required=true make docs
FROM alpine:3.20 AS final
COPY --from=build /out /app
"""


def dockerfile(text: str = TEXT) -> Dockerfile:
    """``text`` read as the file Dockerfile."""
    return parse_dockerfile(text, name="app", path=Path("Dockerfile"))


def findings(file: Dockerfile | None = None, /, **spec: Any) -> Findings:
    """The target checks of a Target ``app`` building ``file`` with ``spec``."""
    file = file or dockerfile()
    target = Target(metadata="app", spec=TargetSpec(dockerfile=file, **spec))
    return check_targets(Project([target]))


def messages(diagnostics: list[Diagnostic]) -> list[str]:
    """The messages of ``diagnostics``."""
    return [d.message for d in diagnostics]


EVERYTHING: dict[str, Any] = {"secret": ["id=npmrc,src=.npmrc"], "ssh": ["default"]}


def test_a_target_that_passes_what_its_stages_need_is_clean() -> None:
    found = findings(**EVERYTHING, args={"VERSION": "1.0"})
    assert (found.errors, found.warnings) == ([], [])


# --- errors: the build would fail -------------------------------------------------------------


def test_a_target_stage_the_dockerfile_lacks_is_an_error_naming_a_close_one() -> None:
    (error,) = findings(**EVERYTHING, target="biuld").errors
    assert "'biuld' is not a stage of Dockerfile/app" in error.message
    assert error.hint == "did you mean 'build'?"
    assert error.location.field_path == ("spec", "target")


def test_a_required_secret_the_target_does_not_pass_is_an_error_at_the_run_line() -> None:
    (error,) = findings(ssh=["default"]).errors
    assert "requires secret 'npmrc'" in error.message
    assert (str(error.location.file), error.location.line) == ("Dockerfile", 3)


def test_a_required_ssh_the_target_does_not_pass_is_an_error() -> None:
    (error,) = findings(secret=["id=npmrc,src=.npmrc"]).errors
    assert "requires ssh 'default'" in error.message
    assert error.location.line == 6


def test_a_required_secret_of_a_stage_the_target_does_not_build_is_no_error() -> None:
    assert findings(**EVERYTHING).errors == []  # docs needs docs_token; final does not build it
    (error,) = findings(**EVERYTHING, target="docs").errors
    assert "docs_token" in error.message


def test_a_parent_target_may_provide_the_secret() -> None:
    file = dockerfile()
    parent = Target(metadata="base", spec=TargetSpec(**EVERYTHING))
    child = Target(metadata="app", spec=TargetSpec(inherits=[parent], dockerfile=file))
    found = check_targets(Project([parent, child]))
    assert found.errors == []


def test_a_dockerfile_only_a_parent_names_is_checked() -> None:
    """No Target names a Dockerfile resource but a parent: its children build it, whether the
    project holds the parent (added with the child) or not (set on the child afterwards)."""
    parent = Target(metadata="base", spec=TargetSpec(dockerfile=dockerfile(), **EVERYTHING))
    child = Target(metadata="app", spec=TargetSpec(inherits=[parent], target="biuld"))
    (error,) = check_targets(Project([child])).errors
    assert "'biuld' is not a stage of Dockerfile/app" in error.message
    later = Target(metadata="app", spec=TargetSpec(target="biuld"))
    project = Project([later])
    later.spec.inherits.append(parent)
    assert [t.name for t in project.targets] == ["app"]
    (error,) = check_targets(project).errors
    assert "'biuld' is not a stage of Dockerfile/app" in error.message
    by_name = Target(metadata="app", spec=TargetSpec(inherits=["base"], target="biuld"))
    assert check_targets(Project([by_name])).errors == []  # a name the project lacks: nothing


def test_a_from_arg_without_default_the_target_does_not_pass_is_an_error() -> None:
    file = dockerfile("ARG TAG\nFROM alpine:${TAG}\nRUN true\n")
    (error,) = findings(file).errors
    assert "does not pass build arg TAG" in error.message
    assert error.location.line == 2
    assert findings(file, args={"TAG": "3.20"}).errors == []


# --- warnings: BuildKit ignores it ------------------------------------------------------------


def test_a_secret_no_mount_reads_is_a_warning_at_the_target() -> None:
    found = findings(secret=["id=npmrc,src=.npmrc", "id=unused,env=X"], ssh=["default"])
    (warning,) = found.warnings
    assert "passes secret 'unused'" in warning.message
    assert warning.location.field_path == ("spec", "secret", 1)


def test_a_build_arg_no_arg_declares_is_a_warning() -> None:
    found = findings(
        **EVERYTHING, args={"VERSON": "1", "HTTP_PROXY": "x", "BUILDKIT_INLINE_CACHE": "1"}
    )
    assert messages(found.warnings) == [
        "Target/app passes build arg VERSON, which no ARG of the stages it builds from "
        "Dockerfile/app declares; BuildKit ignores it"
    ]


def test_an_expression_for_the_secrets_skips_what_depends_on_them() -> None:
    found = findings(secret="${SECRETS}", ssh=["default"])
    assert (found.errors, found.warnings) == ([], [])


def test_check_reports_the_errors_and_returns_the_warnings() -> None:
    file = dockerfile()
    target = Target(metadata="app", spec=TargetSpec(dockerfile=file, target="nope"))
    with pytest.raises(ValidationError, match="'nope' is not a stage"):
        check(Project([target]))
    ok = Target(metadata="app", spec=TargetSpec(dockerfile=file, args={"X": "1"}, **EVERYTHING))
    assert any("build arg X" in warning for warning in check(Project([ok])))


# --- FROM lines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fatal"),
    [
        ("FROM busybox:${TAG}\n", True),
        ("FROM ${IMAGE}\n", True),
        ("FROM --platform=$PLATFORM busybox\n", True),
        ("FROM ${REGISTRY}busybox\n", False),
        ("FROM busybox:${TAG:-latest}\n", False),
    ],
)
def test_an_undeclared_variable_on_a_from_line(text: str, fatal: bool) -> None:
    errors, warnings = check_from_lines(dockerfile(text))
    assert (len(errors), len(warnings)) == ((1, 0) if fatal else (0, 1))
    (problem,) = errors + warnings
    assert problem.location.line == 1
    assert "which no ARG before the first FROM declares" in problem.message


def test_declared_and_platform_variables_on_from_lines_pass() -> None:
    text = "ARG TAG=1\nARG EMPTY\nFROM --platform=$BUILDPLATFORM busybox:${TAG} AS a\nFROM a\n"
    assert check_from_lines(dockerfile(text)) == ([], [])


def test_an_arg_declared_inside_a_stage_is_not_in_scope_on_a_later_from() -> None:
    errors, _ = check_from_lines(dockerfile("FROM busybox\nARG TAG=1\nFROM busybox:${TAG}\n"))
    assert len(errors) == 1


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("${A:-x}", "x"),
        ("${A-x}", "x"),
        ("${E-x}", ""),
        ("${E:-x}", "x"),
        ("${S:+y}", "y"),
        ("${E+y}", "y"),
        ("$S/$A", "s/"),
    ],
)
def test_expand_follows_the_shell_forms(text: str, expanded: str) -> None:
    assert expand(text, {"E": "", "S": "s"}).text == expanded


@pytest.mark.parametrize(
    ("base", "valid"),
    [
        ("busybox", True),
        ("localhost:5000/busybox:latest", True),
        ("ghcr.io/org/app@sha256:" + "a" * 64, True),
        ("build", True),
        ("scratch", True),
        ("busybox:", False),
        ("Busybox", False),
        ("/busybox", False),
    ],
)
def test_valid_base(base: str, valid: bool) -> None:
    assert valid_base(base, ["build"]) is valid


# --- targets of bake files, against the Dockerfile on disk ----------------------------------


@pytest.fixture
def bake_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Writes the Dockerfile of this module and a bake file holding a target into a folder
    the test runs in (bake reads a bake file's paths from the folder it runs in)."""
    monkeypatch.chdir(tmp_path)
    return lambda target: write_bake_project(tmp_path, target)


def write_bake_project(tmp_path: Path, target: str) -> Path:
    """The Dockerfile of this module and a bake file holding ``target``."""
    (tmp_path / "Dockerfile").write_text(TEXT)
    (tmp_path / "docker-bake.hcl").write_text(target)
    return tmp_path / "docker-bake.hcl"


def test_a_bake_file_target_naming_a_missing_stage_is_an_error_at_its_line(
    bake_project: Callable[[str], Path],
) -> None:
    bake_file = bake_project('target "app" {\n  target = "biuld"\n}\n')
    with pytest.raises(ValidationError) as caught:
        check(load([bake_file]))
    (problem,) = caught.value.diagnostics
    assert "'biuld' is not a stage" in problem.message
    assert (Path(problem.location.file or "").name, problem.location.line) == ("docker-bake.hcl", 2)


def test_a_bake_file_target_gets_the_warnings_too(bake_project: Callable[[str], Path]) -> None:
    text = (
        'target "app" {\n  target = "build"\n  secret = ["id=npmrc,src=x", "id=extra,src=y"]\n'
        '  ssh = ["default"]\n  args = { VERSON = "1" }\n}\n'
    )
    warnings = check(load([bake_project(text)]))
    assert any("passes secret 'extra'" in warning for warning in warnings)
    assert any("passes build arg VERSON" in warning for warning in warnings)


def test_a_bake_file_target_without_a_readable_dockerfile_is_left_to_buildkit(
    tmp_path: Path,
) -> None:
    (tmp_path / "docker-bake.hcl").write_text('target "app" {\n  target = "nope"\n}\n')
    assert check(load([tmp_path / "docker-bake.hcl"])) == []


# --- Target manifests building a Dockerfile on disk --------------------------------------

MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: app
spec:
  context: .
  dockerfile: Dockerfile
  target: {stage}
  args:
    VERSON: "1"
  secret:
    - id: npmrc
      src: ./npmrc
    - id: extra
      src: ./npmrc
  ssh:
    - id: default
"""


def manifest_project(tmp_path: Path, stage: str, dockerfile: str = TEXT) -> Path:
    """A Target manifest building the Dockerfile beside it (a path, not a resource)."""
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "npmrc").write_text("x\n")
    (tmp_path / "bakepy.yaml").write_text(MANIFEST.format(stage=stage))
    return tmp_path / "bakepy.yaml"


def test_a_target_manifest_is_checked_at_its_own_lines(tmp_path: Path) -> None:
    warnings = check(load([manifest_project(tmp_path, "build")]))
    found = {w.split(": ", 1)[0].rsplit("/", 1)[-1]: w for w in warnings}
    assert "passes secret 'extra'" in found["bakepy.yaml:13"]
    assert "passes build arg VERSON" in found["bakepy.yaml:9"]


def test_a_first_render_checks_the_targets_too(tmp_path: Path) -> None:
    """The output folder does not exist yet: the Dockerfile is still found through it."""
    project = load([manifest_project(tmp_path, "biuld")])
    with pytest.raises(ValidationError) as caught:
        render(project, tmp_path / "out" / "deeper")
    (problem,) = caught.value.diagnostics
    assert "'biuld' is not a stage" in problem.message
    assert (Path(problem.location.file or "").name, problem.location.line) == ("bakepy.yaml", 7)


def test_an_undeclared_variable_on_a_built_from_line_of_a_file_on_disk(tmp_path: Path) -> None:
    text = "FROM busybox:${TAG} AS build\nRUN true\nFROM build AS final\n"
    project = load([manifest_project(tmp_path, "final", text)])
    with pytest.raises(ValidationError) as caught:
        check(project)
    (problem,) = caught.value.diagnostics
    assert "FROM uses $TAG, which no ARG before the first FROM declares" in problem.message
    assert "fails on 'busybox:'" in problem.message
    assert (Path(problem.location.file or "").name, problem.location.line) == ("Dockerfile", 1)


def test_a_compose_build_section_is_checked_at_its_own_lines(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM busybox AS runtime\nARG USED\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    build:\n      context: .\n      args:\n"
        "        USED: '1'\n        UNUSED: '2'\n      target: runtme\n"
    )
    with pytest.raises(ValidationError) as caught:
        check(load([tmp_path / "compose.yaml"]))
    (problem,) = caught.value.diagnostics
    assert "'runtme' is not a stage" in problem.message
    assert problem.location.line == 8
    (tmp_path / "compose.yaml").write_text(
        (tmp_path / "compose.yaml").read_text().replace("runtme", "runtime")
    )
    (warning,) = check(load([tmp_path / "compose.yaml"]))
    assert "passes build arg UNUSED" in warning
    assert warning.startswith(f"{tmp_path / 'compose.yaml'}:7:")
