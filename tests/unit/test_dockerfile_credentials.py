"""Credentials written into a Dockerfile: an error in bakepy declarations, a warning that says
what to do in the user's own files (unless asked to be strict), never the value itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy import Project, ValidationError, check, load, render
from bakepy.cli import app
from bakepy.errors import Diagnostic
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.bake.targets import Target, TargetSpec
from bakepy.models.dockerfile.instructions import (
    IMPORTED_FROM,
    Arg,
    Dockerfile,
    DockerfileSpec,
    Env,
    Onbuild,
    Stage,
)
from bakepy.resolution.checks.credentials import (
    Credentials,
    check_credentials,
    check_target_credentials,
    looks_like_secret_name,
)

STAGE0 = ("spec", "stages", 0)
FILE = "FROM alpine\nENV API_TOKEN=s3cr3t-value\nRUN make\n"


def declared(*instructions: object, args: list[Arg] | None = None) -> Dockerfile:
    """A Dockerfile declared in Python, one stage FROM alpine."""
    stage = Stage(from_="alpine", instructions=list(instructions))
    return Dockerfile(metadata="app", spec=DockerfileSpec(stages=[stage], args=args or []))


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    """The single diagnostic of a check that must report exactly one."""
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    return diagnostics[0]


def errors(dockerfile: Dockerfile) -> list[Diagnostic]:
    """The credential errors of ``dockerfile``; it must give no warning."""
    found = check_credentials(dockerfile)
    assert found.warnings == []
    return found.errors


# --- declared in bakepy: errors ---------------------------------------------------------------


def test_global_arg_with_a_credential_value_is_an_error() -> None:
    diagnostic = only(errors(declared(args=[Arg(name="GITHUB_TOKEN", default="ghp_s3cr3t")])))
    assert diagnostic.location.field_path == ("spec", "args", 0, "default")
    assert "RUN --mount=type=secret" in (diagnostic.hint or "")


def test_secret_value_never_appears_in_the_diagnostic() -> None:
    diagnostic = only(errors(declared(Env(env={"DB_PASSWORD": "hunter2"}))))
    assert "hunter2" not in str(diagnostic)


def test_stage_arg_with_a_credential_value_is_an_error() -> None:
    diagnostic = only(errors(declared(Arg(name="NPM_AUTH", default="abc"))))
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "default")


def test_env_with_a_credential_value_is_an_error() -> None:
    diagnostic = only(errors(declared(Env(env={"API_KEY": "k"}))))
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "env", "API_KEY")


def test_onbuild_env_with_a_credential_value_is_an_error() -> None:
    assert len(errors(declared(Onbuild(trigger=Env(env={"SECRET": "x"}))))) == 1


@pytest.mark.parametrize(
    "value", [None, "", "$TOKEN", "${TOKEN}"], ids=["no-default", "empty", "var", "braced"]
)
def test_credential_name_without_a_literal_value_passes(value: str | None) -> None:
    assert errors(declared(Arg(name="TOKEN", default=value))) == []


@pytest.mark.parametrize(
    "name",
    [
        *("TOKEN", "api_token", "DB_PASSWORD", "PASSWD", "AWS_SECRET_ACCESS_KEY", "APIKEY"),
        *("ApiToken", "ACCESSKEY", "NPM_AUTH", "GIT_CREDENTIALS", "SSH_PASSPHRASE"),
    ],
)
def test_names_that_look_like_credentials(name: str) -> None:
    assert looks_like_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        *("KEYBOARD_LAYOUT", "PUBLIC_KEY", "GPG_PUBLICKEY", "MONKEY", "TOKEN_FILE", "VERSION"),
        *("AUTHOR", "HOTKEYS_ENABLED", "SECRET_NAME"),
    ],
)
def test_names_that_do_not_look_like_credentials(name: str) -> None:
    assert not looks_like_secret_name(name)


def test_a_declared_dockerfile_with_a_credential_does_not_render(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="API_TOKEN looks like a credential"):
        render(load_python_project(tmp_path), tmp_path / "out")


def load_python_project(tmp_path: Path) -> Project:
    """A bakepy.py declaring a Dockerfile with a literal token, loaded."""
    (tmp_path / "bakepy.py").write_text(
        "from bakepy import Dockerfile, DockerfileSpec\n"
        "from bakepy.models.dockerfile import Env, Stage\n"
        "app = Dockerfile(metadata='app', spec=DockerfileSpec(stages=[Stage(from_='alpine', "
        "instructions=[Env(env={'API_TOKEN': 's3cr3t-value'})])]))\n"
    )
    return load([tmp_path / "bakepy.py"])


# --- the user's own file: warnings, or errors when strict ------------------------------------


def test_a_loaded_dockerfile_gives_a_warning_that_says_what_to_do() -> None:
    found = check_credentials(parse_dockerfile(FILE, name="app", path=Path("Dockerfile")))
    warning = only(found.warnings)
    assert found.errors == []
    assert warning.location.line == 2
    assert "--mount=type=secret" in (warning.hint or "")
    assert "--strict-credentials" in (warning.hint or "")
    assert "s3cr3t-value" not in str(warning)


def test_strict_makes_the_warning_an_error() -> None:
    found = check_credentials(parse_dockerfile(FILE, name="app"), strict=True)
    assert (len(found.errors), found.warnings) == (1, [])


def test_render_of_a_loaded_dockerfile_warns_and_writes(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(FILE)
    project = load([tmp_path / "Dockerfile"])
    (rendered,) = render(project, tmp_path / "out")
    assert any("API_TOKEN looks like a credential" in w for w in rendered.warnings)
    assert check(project) != []
    with pytest.raises(ValidationError):
        render(project, tmp_path / "out", strict_credentials=True)


def test_an_imported_python_definition_keeps_the_warning(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(FILE)
    runner = CliRunner()
    imported = runner.invoke(app, ["import", str(tmp_path / "Dockerfile")])
    assert imported.exit_code == 0, imported.output
    (tmp_path / "bakepy.py").write_text(imported.stdout)
    out = str(tmp_path / "out")
    result = runner.invoke(app, ["render", "-f", str(tmp_path / "bakepy.py"), "--out", out])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr
    assert "API_TOKEN" in result.stderr


@pytest.mark.parametrize("command", ["render", "validate"])
def test_the_cli_flag_makes_it_an_error(tmp_path: Path, command: str) -> None:
    (tmp_path / "Dockerfile").write_text(FILE)
    arguments = [command, "-f", str(tmp_path / "Dockerfile"), "--strict-credentials"]
    if command == "render":
        arguments += ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_global_arg_out_of_scope_in_the_user_s_file_is_a_warning(tmp_path: Path) -> None:
    text = "ARG TAG=1\nFROM alpine\nRUN echo $TAG\n"
    (tmp_path / "Dockerfile").write_text(text)
    warnings = check(load([tmp_path / "Dockerfile"]))
    assert any("global ARG TAG is not in scope" in warning for warning in warnings)


# --- a Target's build args ---------------------------------------------------------------------


def target(args: dict[str, str | None], **annotations: str) -> Target:
    metadata = {"name": "app", "annotations": annotations}
    return Target(metadata=metadata, spec=TargetSpec(context=".", args=args))


def test_a_target_build_arg_with_a_credential_value_is_an_error() -> None:
    found = check_target_credentials([target({"DB_PASSWORD": "hunter2", "VERSION": "1"})])
    assert found.warnings == []
    problem = only(found.errors)
    assert (
        problem.message
        == "build arg DB_PASSWORD looks like a credential and is given a literal value"
    )
    assert problem.location.field_path == ("spec", "args", "DB_PASSWORD")
    assert "hunter2" not in str(problem)


@pytest.mark.parametrize("value", [None, "", "${DB_PASSWORD}", "$DB_PASSWORD"])
def test_a_target_credential_arg_without_a_literal_value_passes(value: str | None) -> None:
    assert check_target_credentials([target({"DB_PASSWORD": value})]) == Credentials([], [])


def test_an_imported_target_credential_arg_is_a_warning_unless_strict() -> None:
    imported = target({"API_TOKEN": "abc"}, **{IMPORTED_FROM: "docker-bake.hcl"})
    assert len(check_target_credentials([imported]).warnings) == 1
    assert len(check_target_credentials([imported], strict=True).errors) == 1


def test_validate_refuses_a_manifest_target_with_a_credential_arg(tmp_path: Path) -> None:
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\n"
        "spec:\n  context: .\n  args: {DB_PASSWORD: hunter2}\n"
    )
    result = CliRunner().invoke(app, ["validate", "-f", str(tmp_path / "bakepy.yaml")])
    assert result.exit_code == 2, result.output
    assert (
        "bakepy.yaml:6: Target/app: spec.args.DB_PASSWORD: build arg DB_PASSWORD" in result.stderr
    )
    assert "hunter2" not in result.output
