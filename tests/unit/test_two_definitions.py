"""Two bakepy definitions in one folder (``bakepy.py`` beside ``bakepy.yaml``) are an error
unless the user names one: bakepy never silently picks the file that runs code (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy import load
from bakepy.cli import app
from bakepy.errors import LoadError

PYTHON = """\
from pathlib import Path
Path(__file__).with_name("ran").write_text("the Python definition ran")
from bakepy import Target
app = Target(metadata="from-python", spec={"context": "."})
"""
YAML = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: from-yaml}
spec: {context: .}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "bakepy.py").write_text(PYTHON)
    (tmp_path / "bakepy.yaml").write_text(YAML)
    return tmp_path


@pytest.mark.parametrize("verb", ["validate", "print", "render", "graph"])
def test_a_folder_with_two_definitions_is_refused_and_runs_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch, verb: str
) -> None:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, [verb])
    assert result.exit_code == 2, result.output
    assert "two definitions" in result.output
    assert "bakepy.py" in result.output
    assert "bakepy.yaml" in result.output
    assert "-f" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "ran").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["bakepy.py", "bakepy.yaml"]


def test_the_library_refuses_the_folder_too(folder: Path) -> None:
    with pytest.raises(LoadError, match="two definitions"):
        load([folder])


@pytest.mark.parametrize(
    ("name", "target"), [("bakepy.yaml", "from-yaml"), ("bakepy.py", "from-python")]
)
def test_naming_one_file_reads_that_one(
    folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, target: str
) -> None:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["validate", "-f", name])
    assert result.exit_code == 0, result.output
    assert [t.name for t in load([folder / name]).targets] == [target]
    assert (folder / "ran").exists() == (name == "bakepy.py")


def test_yaml_and_yml_side_by_side_are_two_definitions(tmp_path: Path) -> None:
    (tmp_path / "bakepy.yaml").write_text(YAML)
    (tmp_path / "bakepy.yml").write_text(YAML)
    with pytest.raises(LoadError, match="two definitions"):
        load([tmp_path])


@pytest.mark.parametrize("verb", ["validate", "print", "render", "plan", "apply"])
def test_help_says_a_python_definition_runs(verb: str) -> None:
    result = CliRunner().invoke(app, [verb, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "bakepy.py is run" in " ".join(result.output.split())
