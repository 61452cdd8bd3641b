"""A resource whose name becomes a file name (a Dockerfile's ``NAME.Dockerfile``, a
DaemonConfig's ``NAME.daemon.json``) must be a plain file name: checked at the model, with an
error naming the resource, before any render tries to write it (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bakepy.cli import app
from bakepy.models.dockerfile.instructions import Dockerfile, DockerfileSpec, Stage
from bakepy.models.host.daemon import DaemonConfig, DaemonConfigSpec

BAD = ["../x", "a/b", "/etc/x", "..", ".", "a\\b", "a\x00b", "line\nbreak"]


@pytest.mark.parametrize("name", BAD)
def test_a_dockerfile_name_that_is_no_file_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="cannot be a file name"):
        Dockerfile(metadata=name, spec=DockerfileSpec(stages=[Stage(from_="busybox")]))


@pytest.mark.parametrize("name", BAD)
def test_a_daemon_config_name_that_is_no_file_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="cannot be a file name"):
        DaemonConfig(metadata=name, spec=DaemonConfigSpec())


@pytest.mark.parametrize("name", ["app", "app.v2", "go-app_1", "@x"])
def test_plain_names_are_kept(name: str) -> None:
    assert Dockerfile(metadata=name, spec=DockerfileSpec(stages=[Stage(from_="busybox")])).name


@pytest.mark.parametrize(
    ("kind", "spec"), [("Dockerfile", "{stages: [{from: busybox}]}"), ("DaemonConfig", "{}")]
)
@pytest.mark.parametrize("verb", ["validate", "render"])
def test_validate_and_render_name_the_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, spec: str, verb: str
) -> None:
    (tmp_path / "bakepy.yaml").write_text(
        f"apiVersion: bakepy.dev/v1alpha1\nkind: {kind}\nmetadata:\n  name: ../x\nspec: {spec}\n"
    )
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    result = CliRunner().invoke(app, [verb, *(["--out", "out"] if verb == "render" else [])])
    assert result.exit_code == 2, result.output
    assert "bakepy.yaml:4" in result.output
    assert f"{kind}/../x" in result.output
    assert "cannot be a file name" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
