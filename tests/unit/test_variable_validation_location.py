"""A variable's failed validation (or a validation condition that cannot be evaluated) is
reported at the validation's own line with its field path, not at the variable's first line
nor at another validation block's (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Variable
metadata: {name: V}
spec:
  default: "3"
  validation:
    - condition: "true"
      error_message: never shown
    - condition: CONDITION
      error_message: too small
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: a}
spec:
  args: {X: "${V}"}
"""

HCL = """\
variable "V" {
  default = 3
  validation {
    condition = V > 5
    error_message = "too small"
  }
}
target "a" {
  args = { X = V }
}
"""


def run(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["print"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_failed_validation_in_a_manifest_names_its_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bakepy.yaml").write_text(MANIFEST.replace("CONDITION", '"V > 5"'))
    output = run(tmp_path, monkeypatch)
    assert "bakepy.yaml:9: Variable/V: spec.validation[1].condition:" in output
    assert "too small" in output


def test_a_condition_that_does_not_parse_names_its_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bakepy.yaml").write_text(MANIFEST.replace("CONDITION", '"V >"'))
    output = run(tmp_path, monkeypatch)
    assert "bakepy.yaml:9: Variable/V: spec.validation[1].condition:" in output


def test_a_failed_validation_in_a_bake_file_names_the_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docker-bake.hcl").write_text(HCL)
    output = run(tmp_path, monkeypatch)
    assert "docker-bake.hcl:4:17: variable 'V': validation[0].condition:" in output
    assert "too small" in output


TWO_RULES = """\
variable "V" {
  default = 3
  validation {
    condition = V > 0
    error_message = "never shown"
  }
  validation {
    condition     = V > 5
    error_message = "too small"
  }
}
target "a" {
  args = { X = V }
}
"""


def test_a_second_validation_block_in_a_bake_file_is_located_by_its_own_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docker-bake.hcl").write_text(TWO_RULES)
    output = run(tmp_path, monkeypatch)
    assert "docker-bake.hcl:8:21: variable 'V': validation[1].condition:" in output
    assert "too small" in output


def test_a_second_validation_whose_message_fails_names_its_own_message_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TWO_RULES.replace('"too small"', '"${nope}"')
    (tmp_path / "docker-bake.hcl").write_text(text)
    output = run(tmp_path, monkeypatch)
    assert "docker-bake.hcl:9:21: variable 'V': validation[1].error_message:" in output


TWO_RULES_JSON = """\
{
  "variable": {
    "V": {
      "default": 3,
      "validation": [
        {"condition": "${V > 0}", "error_message": "never shown"},
        {"condition": "${V > 5}", "error_message": "too small"}
      ]
    }
  },
  "target": {"a": {"args": {"X": "${V}"}}}
}
"""


def test_a_second_validation_in_a_json_bake_file_is_located_by_its_own_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docker-bake.json").write_text(TWO_RULES_JSON)
    output = run(tmp_path, monkeypatch)
    assert "docker-bake.json:7:23: variable 'V': validation[1].condition:" in output
