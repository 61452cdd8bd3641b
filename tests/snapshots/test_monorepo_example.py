"""examples/monorepo rendered whole (``bakepy render ::``), locked down as snapshots: the bake
names derived from addresses, references across packages, Python and YAML packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from bakepy import render
from bakepy.api.definitions import load_selected
from bakepy.generators.files import RenderOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "monorepo"


class _Text(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "txt"


def test_the_whole_repository(snapshot: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE / "services" / "search")  # the root is found from anywhere
    project = load_selected([], ["::"], None)
    files = render(project, EXAMPLE / "out", RenderOptions())
    for file in files:
        if file.path.endswith((".hcl", ".json")) and not file.path.startswith("."):
            assert file.text == snapshot(name=file.path, extension_class=_Text)
