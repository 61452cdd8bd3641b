"""Loaders: YAML manifests and Python definition files into one Project, errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import Dockerfile, LoadError, Target, ValidationError, load
from bakepy.errors import BakepyError, UnresolvedReferenceError

TWO_DOCS = """\
apiVersion: bakepy.dev/v1alpha1
kind: Dockerfile
metadata: {name: app}
spec:
  stages:
    - {name: build, from: alpine}
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata:
  name: app
  labels: {team: payments}
spec:
  dockerfile: Dockerfile/app
  cache-from: [type=gha]
  no-cache-filter: [build]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_multi_document_manifest_loads_every_kind(tmp_path: Path) -> None:
    project = load([write(tmp_path, "bakepy.yaml", TWO_DOCS)])
    target = project.get(Target, "app")
    assert target.spec.dockerfile is project.get(Dockerfile, "app")
    assert target.metadata.labels == {"team": "payments"}
    assert target.spec.cache_from[0].type == "gha"
    assert target.source == (str(tmp_path / "bakepy.yaml"), 8)


def test_missing_dockerfile_reference_is_reported(tmp_path: Path) -> None:
    text = TWO_DOCS.replace("Dockerfile/app", "Dockerfile/other")
    with pytest.raises(UnresolvedReferenceError, match="Dockerfile 'other' does not exist"):
        load([write(tmp_path, "bakepy.yaml", text)])


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("apiVersion: v1\nkind: Target\n", "apiVersion must be", 1),
        ("apiVersion: bakepy.dev/v1alpha1\nkind: Pod\n", "unknown kind 'Pod'", 2),
        ("- just\n- a list\n", "a manifest must be a mapping", 1),
        (
            "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: a}\nspec: {x: [\n",
            "YAML syntax error",
            5,
        ),
    ],
)
def test_manifest_errors_name_the_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(LoadError) as info:
        load([path])
    assert message in info.value.message
    assert info.value.location.file == path
    assert info.value.location.line == line


def test_model_errors_point_at_the_field_line(tmp_path: Path) -> None:
    text = TWO_DOCS.replace("  no-cache-filter: [build]\n", "  no-cache: maybe\n")
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(ValidationError) as info:
        load([path])
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.location.line == 16
    assert diagnostic.location.resource == "Target/app"
    assert "no" in str(diagnostic.location.field_path)


def test_duplicate_names_are_reported(tmp_path: Path) -> None:
    doc = "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: a}\n"
    path = write(tmp_path, "m.yaml", doc + "---\n" + doc)
    with pytest.raises(ValidationError, match="same name"):
        load([path])


def test_python_file_exposing_resources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bakepy.py",
        "from bakepy import Target, TargetSpec\n"
        "base = Target(metadata='base', spec=TargetSpec(args={'A': 1}))\n"
        "app = Target(metadata='app', spec=TargetSpec(inherits=[base]))\n",
    )
    project = load([tmp_path])
    assert [t.name for t in project.targets] == ["base", "app"]
    assert project.base_dir_of(project.targets[0]) == tmp_path.resolve()
    assert project.targets[0].spec.args == {"A": "1"}
    assert project.targets[1].source == (str(path), 3)


def test_python_file_exposing_a_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        "defs.py",
        "from bakepy import Project, Target\n"
        "helper = Target(metadata='not-exported')\n"
        "project = Project([Target(metadata='only')])\n",
    )
    assert [t.name for t in load([tmp_path / "defs.py"]).targets] == ["only"]


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("x = (\n", "syntax error", 1),
        ("import nothing_here\n", "ModuleNotFoundError", 1),
        ("from bakepy import Target\n\nt = Target(metadata='bad name')\n", "invalid name", 3),
        ("x = 1\n", "defines no resources", None),
    ],
)
def test_python_errors_name_the_line(tmp_path: Path, body: str, message: str, line: int) -> None:
    path = write(tmp_path, "bakepy.py", body)
    with pytest.raises(BakepyError) as info:
        load([path])
    assert message in str(info.value)
    assert info.value.location.file == path
    assert info.value.location.line == line


def test_unknown_file_type(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot tell what"):
        load([write(tmp_path, "defs.toml", "")])
