"""Bake files read for the buildx that builds them, both ways: what buildx 0.13 refuses is
refused (naming the file, line, column, feature and version), what it drops is dropped with
a warning, and a newer buildx (declared on paper, from the version table) takes all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bakepy
from bakepy import BakepyError
from bakepy.cli import app
from bakepy.models.bake.features import default_files
from bakepy.models.toolchain import Toolchain, Version

OLD = Toolchain(buildx=Version.parse("0.13.1"))
NEW = Toolchain(buildx=Version.parse("0.36"))


def resolved(tmp_path: Path, text: str, tools: Toolchain, *names: str) -> dict[str, Any]:
    (tmp_path / "docker-bake.hcl").write_text(text)
    project = bakepy.load([tmp_path / "docker-bake.hcl"], tools)
    return bakepy.resolve(project, list(names), {}, toolchain=tools).to_dict()


REFUSED_BY_0_13 = {
    "variable description": (
        'variable "TAG" {\n  default = "1"\n  description = "the tag"\n}\ntarget "app" {}\n',
        "docker-bake.hcl:3:17: variable 'TAG': description: a variable's `description` "
        "(buildx 0.16.0 or newer): buildx 0.13.1 refuses the file",
    ),
    "variable validation": (
        'variable "TAG" {\n  default = "1"\n  validation {\n    condition = TAG != ""\n'
        '    error_message = "empty"\n  }\n}\ntarget "app" {}\n',
        "variable 'TAG': validation: a variable's `validation` block (buildx 0.19.0",
    ),
    "variable type": (
        'variable "N" {\n  type = number\n  default = 1\n}\ntarget "app" {}\n',
        "variable 'N': type: a variable's `type` (buildx 0.24.0 or newer)",
    ),
    "object entries": (
        'target "app" {\n  cache-to = [{ type = "gha", mode = "max" }]\n}\n',
        "docker-bake.hcl:2:14: target 'app': cache-to: `cache-to` entries written as objects "
        "(buildx 0.19.0 or newer)",
    ),
    "newer function": (
        'target "app" {\n  tags = [sanitize("a/b")]\n}\n',
        'call to unknown function "sanitize": sanitize() needs buildx 0.17.0',
    ),
}


@pytest.mark.parametrize("case", REFUSED_BY_0_13)
def test_buildx_0_13_refuses_what_came_later(case: str, tmp_path: Path) -> None:
    text, message = REFUSED_BY_0_13[case]
    with pytest.raises(BakepyError) as info:
        resolved(tmp_path, text, OLD, "app")
    assert message in str(info.value)
    resolved(tmp_path, text, NEW, "app")  # the buildx that has it takes it


def test_newer_attributes_are_dropped_for_0_13_before_evaluation(tmp_path: Path) -> None:
    text = (
        'group "default" {\n  targets = ["app"]\n  description = "all"\n}\n'
        'target "app" {\n  call = "check"\n  network = ["host"]\n  entitlements = ["x"]\n}\n'
    )
    (tmp_path / "docker-bake.hcl").write_text(text)
    project = bakepy.load([tmp_path / "docker-bake.hcl"], OLD)
    old = bakepy.resolve(project, [], {}, toolchain=OLD)
    assert old.targets["app"] == {"context": ".", "dockerfile": "Dockerfile"}
    assert old.warnings == [
        "target 'app': buildx 0.13.1 ignores call (buildx 0.16.0), entitlements (buildx "
        "0.17.0), network (buildx 0.17.0); they are left out",
        "group 'default': buildx 0.13.1 ignores description (buildx 0.16.0); they are left out",
    ]
    with pytest.raises(BakepyError, match="network: string required, got list"):
        bakepy.resolve(project, [], {}, toolchain=NEW)  # 0.17 reads it, as a string


def test_render_for_0_13_writes_the_older_form(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(
        'variable "TAG" {\n  default = "1"\n  description = "the tag"\n}\n'
        'target "app" {\n  cache-from = [{ type = "registry", ref = "r/c:${TAG}" }]\n}\n'
    )
    project = bakepy.load([tmp_path / "docker-bake.hcl"], OLD)
    files = {f.path: f for f in bakepy.render(project, tmp_path / "out", toolchain=OLD)}
    hcl = files["docker-bake.hcl"]
    assert 'cache-from = ["type=registry,ref=r/c:${TAG}"]' in hcl.text
    assert "description" not in hcl.text
    assert hcl.warnings == (
        "variable 'TAG': description left out (buildx 0.13.1 has none)",
        "target 'app': cache-from entries written as strings for buildx 0.13.1",
    )
    newer = {f.path: f for f in bakepy.render(project, tmp_path / "out", toolchain=NEW)}
    assert 'description = "the tag"' in newer["docker-bake.hcl"].text


def test_secrets_merge_by_id_from_0_20(tmp_path: Path) -> None:
    text = (
        'target "base" {\n  secret = ["id=token,env=A"]\n}\n'
        'target "app" {\n  inherits = ["base"]\n  secret = ["id=token,env=B"]\n}\n'
    )
    old = resolved(tmp_path, text, OLD, "app")["target"]["app"]["secret"]
    new = resolved(tmp_path, text, NEW, "app")["target"]["app"]["secret"]
    assert old == ["id=token,env=A", "id=token,env=B"]
    assert new == [{"id": "token", "env": "B"}]  # printed as an object from 0.19


def test_default_file_order_changed_in_0_20() -> None:
    assert default_files(OLD.bake())[:3] == (
        "docker-bake.json",
        "docker-bake.override.json",
        "docker-bake.hcl",
    )
    assert default_files(NEW.bake())[:3] == (
        "docker-bake.json",
        "docker-bake.hcl",
        "docker-bake.override.json",
    )


@pytest.mark.parametrize(
    ("args", "env", "refused"),
    [
        (["--buildx-version", "0.13"], {}, True),
        (["--buildx-version", "0.16"], {}, False),
        ([], {"BAKEPY_BUILDX_VERSION": "0.13.1"}, True),
        ([], {"BAKEPY_BUILDX_VERSION": "latest"}, False),
    ],
)
def test_cli_targets_the_version_it_is_given(
    args: list[str], env: dict[str, str], refused: bool, tmp_path: Path
) -> None:
    file = tmp_path / "docker-bake.hcl"
    file.write_text('variable "T" {\n  default = "1"\n  description = "d"\n}\ntarget "app" {}\n')
    result = CliRunner().invoke(app, ["print", "-f", str(file), "app", *args], env=env)
    if refused:
        assert result.exit_code == 2
        assert f"{file}:3:17: variable 'T': description:" in result.stderr
        assert "--buildx-version 0.16.0" in result.stderr
    else:
        assert result.exit_code == 0, result.stderr


def test_a_version_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["print", "--buildx-version", "soon"])
    assert result.exit_code == 2
    assert "'soon' is not a buildx version" in result.stderr


@pytest.mark.parametrize(
    ("text", "version"),
    [("0.13.1+ds1", (0, 13, 1)), ("v0.17.1", (0, 17, 1)), ("0.13", (0, 13, 0)), ("1", (1, 0, 0))],
)
def test_version_numbers(text: str, version: tuple[int, int, int]) -> None:
    assert Version.parse(text) == Version(*version)


def test_ssh_objects_are_an_id_and_its_paths(tmp_path: Path) -> None:
    """``{id = "default"}`` is the agent entry ``default`` and ``paths`` follow the id after
    ``=``, as buildx's SSH reads its text form; not the ``id=default`` CSV of other entries."""
    (tmp_path / "key").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    key = tmp_path / "key"
    (tmp_path / "docker-bake.hcl").write_text(
        'target "app" {\n'
        f'  ssh = [{{ id = "default" }}, {{ id = "git", paths = ["{key}"] }}]\n'
        "}\n"
    )
    project = bakepy.load([tmp_path / "docker-bake.hcl"], NEW)
    env = {"SSH_AUTH_SOCK": str(tmp_path / "key")}
    target = bakepy.resolve(project, ["app"], env, toolchain=NEW).targets["app"]
    assert target["ssh"] == ["default", f"git={key}"]


def test_an_ssh_object_takes_only_id_and_paths(tmp_path: Path) -> None:
    with pytest.raises(BakepyError, match="unsupported attribute 'src'"):
        resolved(tmp_path, 'target "app" {\n  ssh = [{ id = "a", src = "k" }]\n}\n', NEW, "app")


def test_render_for_0_13_writes_ssh_objects_in_their_text_form(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(
        'target "app" {\n  ssh = [{ id = "default" }, { id = "git", paths = ["/k1", "/k2"] }]\n}\n'
    )
    project = bakepy.load([tmp_path / "docker-bake.hcl"], OLD)
    files = {f.path: f for f in bakepy.render(project, tmp_path / "out", toolchain=OLD)}
    assert 'ssh = ["default", "git=/k1,/k2"]' in files["docker-bake.hcl"].text


def test_a_toolchain_takes_versions_written_as_text(tmp_path: Path) -> None:
    """From Python, ``Toolchain(buildx="0.13.1")`` reads as ``--buildx-version 0.13.1`` does
    (it failed with a TypeError deep inside the first version comparison)."""
    assert Toolchain(buildx="0.13.1", dockerfile="1.7") == Toolchain(  # type: ignore[arg-type]
        buildx=Version(0, 13, 1), dockerfile=Version(1, 7)
    )
    assert Toolchain(buildx="latest") == Toolchain()  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a version"):
        Toolchain(buildx="newest")  # type: ignore[arg-type]
    text = 'target "app" {\n  call = "check"\n}\n'
    as_text = Toolchain(buildx="0.13.1")  # type: ignore[arg-type]
    assert resolved(tmp_path, text, as_text, "app")["target"]["app"] == {
        "context": ".",
        "dockerfile": "Dockerfile",
    }
