"""A compose file without anchors or merge keys is converted one call a node
(``_Converter.tree``), to exactly what the general conversion (``_Converter.convert``) gives:
the values, the line of every field (in the same order) and the same error (issue 12). Every
YAML file of the fixtures and examples, the benchmark's compose files and hostile texts are
converted both ways."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bakepy.errors import LoadError
from bakepy.loaders.compose.yaml_reader import _Converter, _FastLoader, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from packages import write  # noqa: E402

FILE = Path("/project/compose.yaml")

HOSTILE = [
    "a: 1\na: 2\n",
    "services:\n  web:\n    ports: !reset []\n    environment: !override {A: 1}\n",
    "a: !reset\n",
    "!!str [a]: 1\n",
    "a: !!map x\n",
    "a: !!str [1]\n",
    "a: !!seq x\n",
    "[a, b]: 1\n",
    "{a: 1}: 2\n",
    "? [x]\n: 1\n",
    "a: !!int '3'\nb: !!float 1\nc: !!null ''\nd: !!binary aGVsbG8=\n",
    "a: !custom {b: 1}\n",
    "a: null\n~: 1\n1: a\n2.5: b\ntrue: c\n",
    "a: 0x1F\nb: 1_000\nc: .inf\nd: 2001-12-14\ne: 1e400\n",
    "a: 'q'\nb: \"d\"\nc: |\n  x\nd: >\n  y\n",
    "a:\n- 1\n- [2, {c: d}]\n- {}\n- []\n",
    "- a\n- b\n",
    "just a string\n",
    "---\n---\na: 1\n---\nb: [c]\n",
    "yes: no\non: off\nY: n\n",
    "a: {b: 1, b: 2}\n",
    "a: [1, 2]\n'a': 3\n",
    "x: ! plain\ny: ! 'quoted'\n",
]


def _converted(text: str, *, tree: bool) -> Any:
    """Each document's data and its origins (in order), or the error, one way."""
    try:
        nodes = [node for node in yaml.compose_all(text, Loader=_FastLoader) if node is not None]
    except yaml.YAMLError:
        return "syntax error"
    found = []
    for node in nodes:
        converter = _Converter(FILE)
        try:
            data = converter.tree(node, ()) if tree else converter.convert(node, ())
        except LoadError as exc:
            return ("error", str(exc), exc.location)
        found.append((repr(data), list(converter.origins.entries.items())))
    return found


def _texts(bench: Path) -> list[str]:
    write(bench, 10, 3)  # the benchmark's repository: its compose files
    files = [*bench.rglob("*.yaml")]
    for pattern in ("tests/**/*.yaml", "tests/**/*.yml", "examples/**/*.yaml", "examples/**/*.yml"):
        files += ROOT.glob(pattern)
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(files)]
    return texts + HOSTILE


def test_both_conversions_agree_on_every_file(tmp_path: Path) -> None:
    plain = 0
    for text in _texts(tmp_path / "bench"):
        if "&" in text or "<<" in text:
            continue  # parse_yaml converts those the general way only
        plain += 1
        assert _converted(text, tree=True) == _converted(text, tree=False), text
    assert plain >= 100


def test_both_conversions_agree_on_random_texts() -> None:
    pieces = ["a", "b", ":", " ", "\n", "- ", "[", "]", "{", "}", ",", "!reset ", "!override "]
    pieces += ["!!str ", "'", '"', "1", "~", "  ", "!!map ", "#", "? ", "yes", "0x1"]
    generator = random.Random(12)
    for _ in range(3000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 24)))
        assert _converted(text, tree=True) == _converted(text, tree=False), text


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\nb: 2\na: 3\n", 3), ("x:\n  y: !!str [1]\n  y: 2\n", 3), ("[a]: 1\n", 1)],
)
def test_errors_name_their_line(text: str, line: int) -> None:
    with pytest.raises(LoadError) as caught:
        parse_yaml(text, FILE)
    assert caught.value.location.line == line


def test_anchors_and_merge_keys_still_work() -> None:
    text = "base: &b {x: 1, y: 2}\nweb:\n  <<: *b\n  y: 3\nother: *b\n"
    (document,) = parse_yaml(text, FILE)
    assert document.data["web"] == {"y": 3, "x": 1}
    assert document.data["other"] == {"x": 1, "y": 2}
    assert document.origins.entries[("web", "x")] == (FILE, 1)
