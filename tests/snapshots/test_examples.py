"""Every rendered file of every example, locked down as a snapshot with its real extension.

Examples render into ``out/<example>`` (nothing is written; paths in the bake files are
relative to that folder). A snapshot change is reviewed like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from bakepy import load, render
from bakepy.generators.files import RenderOptions

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (REPO / "examples").iterdir() if (p / "bakepy.py").exists())


def _extension(suffix: str) -> type[SingleFileSnapshotExtension]:
    return type(
        f"Snapshot_{suffix}",
        (SingleFileSnapshotExtension,),
        {"_write_mode": WriteMode.TEXT, "file_extension": suffix},
    )


def render_example(name: str, definition: str) -> dict[str, str]:
    """Rendered files of ``examples/<name>/<definition>`` as {path: text}."""
    project = load([REPO / "examples" / name / definition])
    files = render(project, REPO / "out" / name, RenderOptions())
    return {file.path: file.text for file in files}


@pytest.mark.parametrize("example", EXAMPLES)
def test_rendered_files_match_snapshots(example: str, snapshot: SnapshotAssertion) -> None:
    for path, text in render_example(example, "bakepy.py").items():
        suffix = path.rsplit(".", 1)[-1]
        assert text == snapshot(name=path, extension_class=_extension(suffix))


@pytest.mark.parametrize("example", EXAMPLES)
def test_python_and_yaml_declarations_render_identically(example: str) -> None:
    assert render_example(example, "bakepy.py") == render_example(example, "bakepy.yaml")


@pytest.mark.parametrize("example", EXAMPLES)
def test_rendering_is_deterministic(example: str) -> None:
    assert render_example(example, "bakepy.py") == render_example(example, "bakepy.py")
