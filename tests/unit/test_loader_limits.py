"""Hostile or odd input to the readers: a located error and exit code 2, never a traceback,
never unbounded memory (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

TARGET = "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: a}\n"


def _bomb() -> str:
    lines = [TARGET.rstrip("\n"), "x0: &x0 [a,a,a,a,a,a,a,a,a,a]"]
    for level in range(1, 9):
        lines.append(f"x{level}: &x{level} [" + ",".join([f"*x{level - 1}"] * 10) + "]")
    lines.append("spec: {args: {A: *x8}}")
    return "\n".join(lines) + "\n"


CASES: dict[str, tuple[str, bytes, str]] = {
    "utf-16": ("bakepy.yaml", TARGET.encode("utf-16"), ":1: the file is UTF-16 text"),
    "latin-1 in yaml": (
        "bakepy.yaml",
        TARGET.encode() + b"spec: {target: \xe9}\n",
        ":4: not UTF-8",
    ),
    "latin-1 in hcl": ("docker-bake.hcl", b'target "a" {\n  tags = ["\xff"]\n}\n', ":2: not UTF-8"),
    "deep yaml": (
        "bakepy.yaml",
        ("a: 1\nb: " + "[" * 1000 + "]" * 1000 + "\n").encode(),
        ":2: nested deeper than 200 levels",
    ),
    "deep yaml with anchors": (
        "bakepy.yaml",
        ("a: &x [1]\nb: *x\nc: " + "[" * 1000 + "]" * 1000 + "\n").encode(),
        ":3: nested deeper than 200 levels",
    ),
    "deep hcl": (
        "docker-bake.hcl",
        (
            'target "a" {}\nvariable "V" {\n  default = ' + "[" * 1000 + "]" * 1000 + "\n}\n"
        ).encode(),
        ":3: nested too deeply for the HCL parser (1001 levels",
    ),
    "alias bomb": ("bakepy.yaml", _bomb().encode(), "aliases expand to 2,345,679,033 nodes"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_located_error_and_exit_2(case: str, tmp_path: Path) -> None:
    name, data, message = CASES[case]
    (tmp_path / name).write_bytes(data)
    result = CliRunner().invoke(
        app, ["render", "-f", str(tmp_path / name), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_anchors_that_expand_a_little_are_fine(tmp_path: Path) -> None:
    (tmp_path / "bakepy.yaml").write_text(
        TARGET + "spec: {args: &common {A: '1'}, labels: *common}\n"
    )
    result = CliRunner().invoke(app, ["validate", "-f", str(tmp_path / "bakepy.yaml")])
    assert result.exit_code == 0, result.output


SILENT_BEFORE: dict[str, tuple[str, str, str]] = {
    "a key given twice": (
        "bakepy.yaml",
        TARGET + "spec: {target: x, target: y}\n",
        ":4: the key 'target' is given twice",
    ),
    "an empty manifest": ("bakepy.yaml", "", "defines no resources"),
    "sys.exit in a definition": (
        "bakepy.py",
        "import sys\nsys.exit(3)\n",
        ":2: the definition called sys.exit(3)",
    ),
    "KeyboardInterrupt in a definition": (
        "bakepy.py",
        "raise KeyboardInterrupt\n",
        ":1: stopped (KeyboardInterrupt) while running the definition",
    ),
}


@pytest.mark.parametrize("case", SILENT_BEFORE)
def test_what_passed_silently_or_without_a_word_is_now_an_error(case: str, tmp_path: Path) -> None:
    name, text, message = SILENT_BEFORE[case]
    (tmp_path / name).write_text(text)
    result = CliRunner().invoke(app, ["validate", "-f", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_group_slash_name_is_the_manifest_reference_form_in_a_group(tmp_path: Path) -> None:
    (tmp_path / "bakepy.yaml").write_text(
        TARGET + "spec: {}\n---\napiVersion: bakepy.dev/v1alpha1\nkind: Group\n"
        "metadata: {name: g}\nspec: {targets: [Group/h, Target/a]}\n---\n"
        "apiVersion: bakepy.dev/v1alpha1\nkind: Group\nmetadata: {name: h}\n"
        "spec: {targets: [Target/a]}\n---\n"
    )
    result = CliRunner().invoke(app, ["print", "-f", str(tmp_path / "bakepy.yaml"), "g"])
    assert result.exit_code == 0, result.output
    assert '"h"' in result.stdout
