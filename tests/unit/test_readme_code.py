"""README.md's Python blocks are whole programs (scripts/typecheck_examples.py runs mypy
--strict over them and the examples in scripts/test.sh); here, quickly, that each one parses
and holds no ``...`` placeholder that would hide what it leaves out."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]


def _load_checker() -> ModuleType:
    """Import scripts/typecheck_examples.py by path: scripts/ is not a package."""
    path = ROOT / "scripts" / "typecheck_examples.py"
    spec = importlib.util.spec_from_file_location("typecheck_examples", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SOURCES: dict[str, tuple[str, Path, int]] = _load_checker().sources()


def test_every_example_and_readme_block_is_checked() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [name for name in SOURCES if name.startswith("readme_")]
    assert len(blocks) == readme.count("```python\n")
    examples = [name for name in SOURCES if name.startswith("example_")]
    assert len(examples) == len(list(ROOT.glob("examples/*/bakepy.py")))


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_block_is_a_whole_program(name: str) -> None:
    code, source, line = SOURCES[name]
    tree = ast.parse(code, filename=f"{source}:{line}")
    placeholders = [
        node.lineno + line - 1
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value is Ellipsis
    ]
    assert not placeholders, f"{source.name} has `...` at lines {placeholders}"
