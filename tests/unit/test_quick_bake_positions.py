"""The quick reader gives a plain bake file's positions (where each block starts and each
attribute's value) exactly as the layout scanner finds them (issue 12): the loader takes them
from it and skips the scan. Same corpus as the dict's test: the fixtures' and examples' bake
files, the benchmark's, and hostile texts, with indentation and tab variants."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bakepy.loaders.bake.positions import hcl_positions
from bakepy.loaders.bake.quick import quick_positions

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit"))
from test_quick_bake_files import HOSTILE, _files  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from packages import _bake_file  # noqa: E402


def _texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in _files()] + list(HOSTILE)
    texts += [_bake_file("x", "pkg001", 10)]
    texts += [text.replace("  ", "\t") for text in texts] + [
        text.replace("\n", "\n   ") for text in texts
    ]
    return texts


def test_the_quick_positions_are_the_scanners() -> None:
    answered = 0
    for text in _texts():
        quick = quick_positions(text)
        if quick is not None:
            answered += 1
            assert quick == hcl_positions(text), text
    assert answered >= 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('target "a" {\n  x = "1"\n}\n', [("target", "a", (1, 1), {"x": (2, 7)})]),
        (
            'group "g" {\n\ttargets   =  ["a"]\n}\n\n'
            '  target "a" {\n    m = {\n      A = "1"\n    }\n  }\n',
            [("group", "g", (1, 1), {"targets": (2, 15)}), ("target", "a", (5, 3), {"m": (6, 9)})],
        ),
    ],
)
def test_positions_by_hand(text: str, expected: list[tuple[object, ...]]) -> None:
    found = quick_positions(text)
    assert found is not None
    assert [(b.type, b.name, b.start, b.attributes) for b in found] == expected
    assert found == hcl_positions(text)
