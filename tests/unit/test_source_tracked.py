"""An object declared in Python remembers the file and line that declared it: the first frame
outside bakepy and pydantic, however many objects were declared before (the verdict on each
file is kept)."""

from __future__ import annotations

import runpy
from pathlib import Path

DEFINITION = """\
from bakepy import Target, TargetSpec

def make(name):
    return Target(metadata=name, spec=TargetSpec())

first = make("a")
second = [make(f"b{i}") for i in range(3)]
"""


def test_each_object_names_its_declaring_line(tmp_path: Path) -> None:
    path = tmp_path / "defs.py"
    path.write_text(DEFINITION)
    for _ in range(2):  # the second run answers from the kept verdicts
        found = runpy.run_path(str(path))
        assert found["first"].source == (str(path), 4)
        assert {t.source for t in found["second"]} == {(str(path), 4)}


def test_modules_of_one_name_from_different_files_each_name_their_own_file(
    tmp_path: Path,
) -> None:
    """The verdict is kept by module name (a frame's code is read once per module); the file
    is still the declaring frame's own: two files run under one name each name theirs."""
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    one.write_text(DEFINITION)
    two.write_text("\n\n" + DEFINITION)
    first = runpy.run_path(str(one), run_name="definitions")
    second = runpy.run_path(str(two), run_name="definitions")
    assert first["first"].source == (str(one), 4)
    assert second["first"].source == (str(two), 6)
