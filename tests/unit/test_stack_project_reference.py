"""A Stack names its ComposeProject as ``ComposeProject/NAME``; any other string is refused with
that form in the message, not with the schema's "must be a mapping"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import load
from bakepy.errors import BakepyError

MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {{name: web}}
spec:
  services:
    app: {{image: busybox}}
---
apiVersion: bakepy.dev/v1alpha1
kind: Stack
metadata: {{name: web}}
spec: {{project: {project}}}
"""


def _write(tmp_path: Path, project: str) -> Path:
    path = tmp_path / "bakepy.yaml"
    path.write_text(MANIFEST.format(project=project))
    return path


def test_the_kind_and_name_form_loads(tmp_path: Path) -> None:
    project = load([_write(tmp_path, "ComposeProject/web")])
    assert [r.ref for r in project.resources if r.kind == "Stack"] == ["Stack/web"]


@pytest.mark.parametrize("written", ["web", "Compose/web"])
def test_another_string_is_refused_naming_the_form_to_write(tmp_path: Path, written: str) -> None:
    with pytest.raises(BakepyError) as caught:
        load([_write(tmp_path, written)])
    text = str(caught.value)
    assert f"'{written}' is not a ComposeProject reference: write ComposeProject/web" in text
    assert "bakepy.yaml:11" in text
    assert "mapping" not in text
