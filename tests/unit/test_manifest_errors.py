"""A YAML manifest's mistakes are reported together, each at its file:line and field, and a
misspelt field or kind gets the name that was probably meant."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app
from bakepy.errors import LoadError, ValidationError
from bakepy.loaders.manifests import load_yaml

HEAD = "apiVersion: bakepy.dev/v1alpha1\n"


def manifest(tmp_path: Path, *documents: str) -> Path:
    path = tmp_path / "bakepy.yaml"
    path.write_text("---\n".join(HEAD + doc for doc in documents), encoding="utf-8")
    return path


def only_error(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        load_yaml(path)
    return info.value


@pytest.mark.parametrize(
    ("document", "field", "meant"),
    [
        ("kind: Target\nmetadata: {name: a}\nspec: {tagz: [a]}\n", "spec.tagz", "tags"),
        (
            "kind: Target\nmetadata: {name: a}\nspec: {no-cahce: true}\n",
            "spec.no-cahce",
            "no-cache",
        ),
        ("kind: Target\nmetadata: {name: a}\nspecs: {}\n", "specs", "spec"),
        ("kind: Group\nmetdata: {name: a}\nspec: {targets: [b]}\n", "metdata", "metadata"),
        (
            "kind: ComposeProject\nmetadata: {name: a}\n"
            "spec: {services: {web: {image: nginx, helthcheck: {}}}}\n",
            "spec.services.web.helthcheck",
            "healthcheck",
        ),
        (  # the COPY branch of the instruction union is the one that was written
            "kind: Dockerfile\nmetadata: {name: a}\nspec:\n  stages:\n    - from: alpine\n"
            "      instructions: [{instruction: COPY, srcs: [a], dest: /}]\n",
            "spec.stages[0].instructions[0].srcs",
            "src",
        ),
        (
            "kind: DaemonConfig\nmetadata: {name: a}\nspec: {live-restor: true}\n",
            "spec.live-restor",
            "live-restore",
        ),
    ],
)
def test_an_unknown_field_gets_the_name_meant(
    tmp_path: Path, document: str, field: str, meant: str
) -> None:
    error = only_error(manifest(tmp_path, document))
    found = {format(d.location.describe()): d.hint for d in error.diagnostics}
    assert any(
        where.endswith(field) and hint == f"did you mean {meant!r}?"
        for where, hint in found.items()
    ), found


def test_a_far_off_name_gets_no_guess(tmp_path: Path) -> None:
    error = only_error(manifest(tmp_path, "kind: Target\nmetadata: {name: a}\nspec: {zzzzzz: 1}\n"))
    assert error.diagnostics[0].message == "unknown field"
    assert error.diagnostics[0].hint is None


def test_an_unknown_kind_gets_the_kind_meant(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:  # one problem: the error as it was raised
        load_yaml(manifest(tmp_path, "kind: Taget\nmetadata: {name: a}\n"))
    assert info.value.diagnostic.hint == "did you mean 'Target'?"
    assert info.value.location.line == 2


def test_every_document_s_errors_are_reported_at_once(tmp_path: Path) -> None:
    path = manifest(
        tmp_path,
        "kind: Target\nmetadata: {name: a}\nspec: {tagz: [a]}\n",
        "kind: Variable\nmetadata: {name: OK}\nspec: {default: x}\n",
        "kind: Taget\nmetadata: {name: b}\n",
        "kind: Group\nmetadata: {name: g}\nspec: {targets: [a], descripton: x}\n",
    )
    error = only_error(path)
    lines = [(d.location.line, d.message) for d in error.diagnostics]
    assert lines[0] == (4, "unknown field")
    assert lines[1][0] == 12
    assert lines[1][1].startswith("unknown kind 'Taget'")
    assert lines[2] == (18, "unknown field")
    assert all(d.location.file == path for d in error.diagnostics)


def test_cli_prints_each_error_on_its_line_and_writes_nothing(tmp_path: Path) -> None:
    path = manifest(
        tmp_path,
        "kind: Target\nmetadata: {name: a}\nspec: {tagz: [a]}\n",
        "kind: Group\nmetadata: {name: g}\nspec: {targets: [a], descripton: x}\n",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", "-f", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}:4: Target/a: spec.tagz: unknown field",
        "  hint: did you mean 'tags'?",
        f"error: {path}:9: Group/g: spec.descripton: unknown field",
        "  hint: did you mean 'description'?",
    ]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_scalar_only_libyaml_s_loader_builds_is_a_located_error(tmp_path: Path) -> None:
    """``=`` as a key: libyaml's loader builds it, PyYAML's (which finds the lines) does not;
    the file gets a located YAML error, not a traceback."""
    path = tmp_path / "bakepy.yaml"
    path.write_text("=:", encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load_yaml(path)
    assert str(error.value).startswith(f"{path}:1: YAML syntax error:")


EMPTY_BETWEEN = (
    HEAD + "kind: Target\nmetadata: {name: a}\nspec: {}\n"
    "---\n"  # an empty document (line 5 ends it), then a null one: kubectl skips both
    "---\n"
    "~\n"
    "---\n" + HEAD + "kind: Target\nmetadata:\n  name: b\nspec:\n  context: .\n  target: nope\n"
)


def test_empty_documents_are_skipped_and_later_lines_stay_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines of a document after an empty one are its own (they were the empty one's:
    the data skipped it, the lines did not), and a file with a mistake does not also call the
    empty document a mistake."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bakepy.yaml").write_text(EMPTY_BETWEEN)
    (tmp_path / "Dockerfile").write_text("FROM busybox AS build\n")
    assert [r.name for r in load_yaml(tmp_path / "bakepy.yaml")] == ["a", "b"]
    result = CliRunner().invoke(app, ["validate", "-f", "bakepy.yaml"])
    assert result.exit_code == 2
    assert "bakepy.yaml:15: Target/b: spec.target: target stage 'nope'" in result.output
    (tmp_path / "bakepy.yaml").write_text(EMPTY_BETWEEN.replace("name: b", "name: b\n  x: 1"))
    error = only_error(tmp_path / "bakepy.yaml")
    assert [(d.location.line, d.message) for d in error.diagnostics] == [(13, "unknown field")]
