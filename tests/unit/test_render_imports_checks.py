"""A render imports the whole-Dockerfile rules only when the project has Dockerfile models
(issue 12): targets that name their Dockerfile by path need none of them."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_render_imports import TARGET, _render_in_process

RULES = (
    "bakepy.resolution.checks.dockerfile",
    "bakepy.resolution.checks.dockerfile_versions",
    "bakepy.models.dockerfile.dockerignore",
)

DOCKERFILE = """
---
apiVersion: bakepy.dev/v1alpha1
kind: Dockerfile
metadata: {name: app}
spec:
  stages:
    - {from: alpine, instructions: [{instruction: RUN, command: echo hi}]}
"""


def test_targets_naming_their_dockerfile_by_path_import_no_dockerfile_rules(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(TARGET.replace("{context: .}", "{dockerfile: app.df}"))
    modules = _render_in_process(folder, tmp_path / "report.json")["modules"]
    assert isinstance(modules, list)
    assert "bakepy.resolution.checks" in modules
    assert not set(RULES) & set(modules)


def test_a_dockerfile_model_is_checked_by_its_rules(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(TARGET + DOCKERFILE)
    modules = _render_in_process(folder, tmp_path / "report.json")["modules"]
    assert isinstance(modules, list)
    assert "bakepy.resolution.checks.dockerfile" in modules
