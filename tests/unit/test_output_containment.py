"""Nothing a render writes (or removes) lands outside the output folder, whatever names the
file: a resource's name, a symlink in the folder, an earlier render's record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bakepy.api.output import write_files
from bakepy.errors import BakepyError
from bakepy.generators.files import RenderedFile


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("name", ["../x.Dockerfile", "/tmp/x.Dockerfile", "a/../../x"])
def test_a_name_leading_out_is_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    before = _snapshot(tmp_path)
    with pytest.raises(BakepyError, match="refusing to write"):
        write_files([RenderedFile(name, "FROM scratch\n", "Dockerfile")], out)
    assert _snapshot(tmp_path) == before


def test_a_symlink_in_the_output_folder_is_not_followed_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "sub").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(BakepyError, match="outside"):
        write_files([RenderedFile("sub/Dockerfile", "FROM scratch\n", "Dockerfile")], out)
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_file_leading_out_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (out / "sub" / "Dockerfile").symlink_to(victim)
    with pytest.raises(BakepyError, match="outside"):
        write_files([RenderedFile("sub/Dockerfile", "FROM scratch\n", "Dockerfile")], out)
    assert victim.read_text() == "keep me\n"


def test_a_symlink_staying_in_the_output_folder_is_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "real").mkdir(parents=True)
    (out / "link").symlink_to(out / "real", target_is_directory=True)
    write_files([RenderedFile("link/Dockerfile", "FROM scratch\n", "Dockerfile")], out)
    assert (out / "real" / "Dockerfile").read_text() == "FROM scratch\n"


def test_a_record_naming_a_file_outside_removes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    from bakepy.api.render_record import digest

    record = {"files": {"../victim.txt": digest(b"keep me\n")}}
    (out / ".bakepy-rendered.json").write_text(json.dumps(record))
    (out / "sub").symlink_to(tmp_path, target_is_directory=True)
    record["files"]["sub/victim.txt"] = digest(b"keep me\n")  # lexically inside: a symlink
    (out / ".bakepy-rendered.json").write_text(json.dumps(record))
    report = write_files([RenderedFile("docker-bake.hcl", "# x\n", "hcl")], out)
    assert victim.read_text() == "keep me\n"
    assert report.removed == []
    assert any("sub/victim.txt" in w and "outside the folder" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("taken", "cannot create output folder {out}: File exists"),
        ("taken/sub", "cannot create output folder {out}: Not a directory"),
    ],
)
def test_an_output_folder_that_is_a_file_is_a_clear_error(
    tmp_path: Path, out: str, message: str
) -> None:
    from typer.testing import CliRunner

    from bakepy.cli import app

    definition = tmp_path / "bakepy.yaml"
    definition.write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Dockerfile\nmetadata: {name: app}\n"
        "spec: {stages: [{from: busybox}]}\n"
    )
    (tmp_path / "taken").write_text("a file\n")
    before = _snapshot(tmp_path)
    target = tmp_path / out
    result = CliRunner().invoke(app, ["render", "-f", str(definition), "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message.format(out=target) in result.stderr
    assert _snapshot(tmp_path) == before
