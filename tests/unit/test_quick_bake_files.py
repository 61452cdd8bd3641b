"""The quick reader of plain bake files gives exactly python-hcl2's dict, or gives up (issue 12).

Every bake file of the repository's fixtures and examples, the benchmark's package bake file,
and hostile texts are read both ways: where the quick reader answers, its answer must be
python-hcl2's, and it must answer the plain ones (else the render pays for python-hcl2).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

from bakepy.errors import LoadError
from bakepy.loaders.bake import files as bake_files
from bakepy.loaders.bake.files import load_hcl
from bakepy.loaders.bake.quick import quick_parse, quick_read
from bakepy.loaders.bake.unknown import Unknown

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from packages import _bake_file  # noqa: E402

HOSTILE = [
    'target "a" {\n  x = "y" # a comment\n}\n',
    '# a comment\ntarget "a" {\n  x = "y"\n}\n',
    'target "a" {\n  // a comment\n  x = "y"\n}\n',
    'target "a" {\n  /* x = "y" */\n}\n',
    'target "a" {\n  x = "${a-b}"\n}\n',
    'target "a" {\n  x = "${ A }"\n}\n',
    'target "a" {\n  x = "$${A}"\n  y = "%{if true}x%{endif}"\n}\n',
    'target "a" {\n  x = "${f("q")}"\n}\n',
    'target "a" {\n  x = "a\\"b"\n}\n',
    'target "a" {\n  x = "https://example.com/x#y"\n  y = ["a,b", "c]"]\n}\n',
    'target "a" {\n  x = 01\n  y = -1\n  z = 1.5\n  w = null\n}\n',
    'target "a" {\n  x = ["a", "b",]\n}\n',
    'target "a" {\n  x = [\n    "a",\n  ]\n}\n',
    'target "a" {\n  x = "1"\n  x = "2"\n}\n',
    'target "a" {\n  m = {\n    A = "1"\n    A = "2"\n  }\n}\n',
    'target "a" {\n  m = { A = "1" }\n}\n',
    'target "a" {\n  m = {\n    "a.b" = "1"\n    C = 2\n    D = true\n  }\n  e = {}\n  f = []\n}\n',
    'target "a" {\n}\ngroup "g" {\n  targets = ["a"]\n}\ntarget "b" {\n  inherits = ["a"]\n}\n',
    'target "a" "b" {\n  x = "1"\n}\n',
    'target {\n  x = "1"\n}\n',
    'target "a" {}\n',
    'target "${x}" {\n  x = "1"\n}\n',
    'function "f" {\n  params = [a]\n  result = a\n}\n',
    'variable "V" {\n  default = "x"\n  type = string\n}\n',
    'variable "V" {\n  default = "x"\n  validation {\n    condition = true\n  }\n}\n',
    'X = "1"\ntarget "a" {\n  x = X\n}\n',
    'target "a" {\r\n  x = "1"\r\n}\r\n',
    'target "a" {\n  x = <<EOF\nhello\nEOF\n}\n',
    'target "a" {\n  x = "é ☃"\n\t\ty\t=\t"tabs"\n}\n',
    'target "a" {\n  x = "1"\n',
    "",
    "\n\n",
]


def _files() -> list[Path]:
    found = [*ROOT.glob("tests/fixtures/**/*.hcl"), *ROOT.glob("examples/**/*.hcl")]
    return sorted(found)


def _hcl2(text: str) -> dict[str, Any] | None:
    try:
        parsed: dict[str, Any] = hcl2.loads(text)
    except Exception:  # python-hcl2 refuses it: the quick reader must too
        return None
    return parsed


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_texts(text: str) -> None:
    quick = quick_parse(text)
    if quick is not None:
        assert quick == _hcl2(text)


def test_every_bake_file_of_the_repository() -> None:
    answered = 0
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        quick = quick_parse(text)
        if quick is not None:
            assert quick == _hcl2(text), path
            answered += 1
    assert answered >= 10  # plain files are common: the quick reader must read them


def test_the_plain_files_are_read() -> None:
    plain = _bake_file("payments", "pkg004", 10)
    assert quick_parse(plain) == hcl2.loads(plain)
    answered = HOSTILE[16], HOSTILE[17], HOSTILE[28]
    for text in answered:
        assert quick_parse(text) == hcl2.loads(text), text


PLAIN_EDGES = [
    'target "a" {\n  __x = "1"\n  args = {\n    __Y = "2"\n    "__z" = "3"\n'
    '    "${q" = "4"\n  }\n}\n',
    'target "a" {\n  args = {\n    "${q}" = "4"\n    "a$${b}" = "$${x}"\n  }\n'
    '  tags = ["$${A}", "a%b", "x$y"]\n}\n',
    'target "a" {\n  platform = "x"\n}\n',
    'target "a b" {\n  context = "."\n}\n',
    'target "a" {\n  context = "."\n}\ntarget "a" {\n  dockerfile = "x"\n}\n'
    'group "default" {\n  targets = ["a"]\n}\nvariable "V" {\n  default = "x"\n}\n',
    'group "g" {\n  targets = ["a"]\n  x = 1\n}\n',
    'target "a" {\n  args = {}\n  labels = {\n    A = {}\n  }\n}\n',
]


def _loaded(path: Path, text: str, ignore: bool) -> str:
    """What ``load_hcl`` gives for ``text``: the native form and warnings, or the error."""
    unknown = Unknown(ignore)
    try:
        return repr(load_hcl(path, text, unknown)) + repr(unknown.warnings)
    except LoadError as error:
        return f"error: {error}"


@pytest.mark.parametrize("ignore", [False, True])
def test_a_plain_file_loads_as_the_general_path_loads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ignore: bool
) -> None:
    """The short way a plain file takes (``_load_plain``) gives the native form, warnings and
    errors the general way (python-hcl2's dict through ``native_value``) gives."""
    texts = [*HOSTILE, *PLAIN_EDGES, _bake_file("payments", "pkg004", 10)]
    texts += [path.read_text(encoding="utf-8", errors="replace") for path in _files()]
    path = tmp_path / "docker-bake.hcl"
    plain = [text for text in texts if quick_read(text) is not None]
    fast = [_loaded(path, text, ignore) for text in plain]
    monkeypatch.setattr(bake_files, "quick_read", lambda text: None)
    assert [_loaded(path, text, ignore) for text in plain] == fast
    assert len(plain) >= 20
    assert any(result.startswith("error:") for result in fast)


def test_lines_read_once_give_each_file_its_own_values() -> None:
    """The quick reader keeps each line's reading; a list or map it gives is still new."""
    text = 'target "a" {\n  tags = ["x"]\n  args = {}\n  labels = {\n    A = {}\n  }\n}\n'
    first, second = quick_parse(text), quick_parse(text + "\n")
    assert first is not None
    assert second is not None
    body = first["target"][0]['"a"']
    body["tags"].append("y")
    body["args"]["k"] = "v"
    body["labels"]["A"]["k"] = "v"
    assert second == hcl2.loads(text)
