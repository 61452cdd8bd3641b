"""Plain manifests are built straight from libyaml's nodes (``manifest_yaml``), to exactly
what PyYAML's safe loader gives, or left to it (issue 12). Every YAML file of the repository's
fixtures and examples, the benchmark's manifests and hostile texts are read both ways."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bakepy.loaders.manifest_quick import quick_documents
from bakepy.loaders.manifest_yaml import plain_documents

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from packages import write  # noqa: E402

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

HOSTILE = [
    "a: 1\nb: 012\nc: 0x1f\nd: 1_000\ne: 1:30\nf: +5\ng: -0\n",
    "a: 1.5\nb: .inf\nc: 1e3\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: TRUE\nf: y\ng: n\n",
    "a: ~\nb: null\nc:\nd: NULL\n",
    "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n",
    "a: &x {b: 1}\nc: *x\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "a: {<<: {x: 1}}\n",
    "a: 1\na: 2\n",
    "1: a\n",
    "true: a\n",
    "? [a]\n: b\n",
    'a: "1"\nb: \'yes\'\nc: !!str 12\nd: !!int "7"\n',
    "a: !!binary aGVsbG8=\n",
    "a: !custom x\n",
    "--- \n---\na: 1\n--- null\n...\n",
    "",
    "- a\n- [b, {c: d}]\n- {}\n- []\n",
    "a: 'it''s'\nb: \"tab\\there\"\nc: |\n  line\n  two\nd: >\n  folded\n  text\n",
    "a: é ☃\n",
    "a: [1, 2, 3]\n",
    "'<<': 1\n",
]


def _texts(bench: Path) -> list[str]:
    write(bench, 10, 3)  # the benchmark's repository: manifests and compose files
    files = [*bench.rglob("*.yaml")]
    files += [*ROOT.glob("tests/fixtures/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yml")]
    files += [*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("examples/**/*.yml")]
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(files)]
    return texts + HOSTILE


def _safe(text: str) -> list[Any] | None:
    try:
        return [d for d in yaml.load_all(text, Loader=_LOADER) if d is not None]
    except yaml.YAMLError:
        return None


def test_plain_files_give_what_pyyaml_gives(tmp_path: Path) -> None:
    answered = 0
    for text in _texts(tmp_path / "bench"):
        try:
            plain = plain_documents(text)
        except yaml.YAMLError:
            assert _safe(text) is None, text  # a syntax error is one both ways
            continue
        if plain is not None:
            answered += 1
            assert repr(plain) == repr(_safe(text)), text  # True is not 1, nor "1"
    assert answered >= 20


@pytest.mark.parametrize(
    "text",
    ["a: 012\n", "a: 1.5\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "1: a\n", "d: {<<: {x: 1}}\n"],
)
def test_what_is_not_plain_is_left_to_pyyaml(text: str) -> None:
    assert plain_documents(text) is None


def test_plain_values_keep_their_types() -> None:
    text = "a: 1\nb: -0\nc: yes\nd: ~\ne: '7'\nf: [x, 2]\n"
    assert plain_documents(text) == [
        {"a": 1, "b": 0, "c": True, "d": None, "e": "7", "f": ["x", 2]}
    ]


QUICK_HOSTILE = [
    "a: b # comment\n",
    "# comment\na: b\n  # indented comment\nc: d\n",
    "a: b\n  c\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n- x\n- y\nb:\n  - 1\n  - [2, {c: d}]\n",
    "a:\n  - b: 1\n",
    "a:\n  -\n",
    "a: [x, y,]\nb: [x\n",
    "a: {b: c, b: d}\n",
    "a: {b: [c, {d: e}], f: 'g', h: \"i\"}\n",
    "a: {b:c}\nd: [e: f]\n",
    "a: -1\nb: +1\nc: 0\nd: 01\ne: 1_0\nf: 1:2\n",
    "a: x: y\nb: x:\nc: x:y\nd: ${X}/{y}[z],w\n",
    'a: "x\\"y"\nb: \'it\'\'s\'\nc: "a" b\n',
    'a: it\'s "ok"\n',
    "'a b': 1\n\"c\": 2\n'': 3\n",
    "yes: 1\n",
    "on: 1\nNull: 2\n",
    "a: 1\n---\n\n---\n# only a comment\n---\nb: 2\n",
    "--- a: 1\n",
    "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1\n",
    "  a: 1\n",
    "- a\n- b\n",
    "just a scalar\n",
    "a:\tb\n",
    "a: b\r\n",
    "a: \u00e9\n",
    "a: *x\nb: &y 1\nc: !t 1\nd: |\n  x\ne: >\n  y\nf: @x\ng: `x`\nh: %x\ni: ?x\n",
    "a:\n  b:\n    c: [1, 2]\n  d: {e: [f, 'g h'], i: {}}\n",
    "a: [ ]\nb: { }\nc: [ x , 'y' , \"z\" ]\nd: {  k:   v  }\n",
    "a: <<\nb: =\nc: ~\nd: null\ne: TRUE\nf: y\n",
    "a: 1\na: 2\n",
    "a.b/c-d_e: 1\n9: 2\n",
    "a:   spaced   value   \n",
    "x" * 1100 + ": 1\n",
]


def test_the_quick_reader_gives_what_pyyaml_gives(tmp_path: Path) -> None:
    """Where the line by line reader answers, its documents are the safe loader's; the
    benchmark's manifests, and plain forms, are answered."""
    answered = 0
    for text in [*_texts(tmp_path / "bench"), *QUICK_HOSTILE]:
        quick = quick_documents(text)
        if quick is not None:
            answered += 1
            assert repr(quick) == repr(_safe(text)), text  # True is not 1, nor "1"
    assert answered >= 30
    bench = [p for p in (tmp_path / "bench").rglob("*.yaml") if p.name != "compose.yaml"]
    assert bench
    for path in bench:
        assert quick_documents(path.read_text(encoding="utf-8")) is not None, path


@pytest.mark.parametrize(
    "text",
    ["a: b # c\n", "a: b\n  c\n", "a:\n  - b: 1\n", "a: [x,]\n", "a: 1.5\n", "yes: 1\n", "a: *x\n"],
)
def test_what_the_quick_reader_does_not_read_is_left_to_libyaml(text: str) -> None:
    assert quick_documents(text) is None
