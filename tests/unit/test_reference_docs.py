"""The committed reference docs (docs/reference/) match what scripts/reference.py generates."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import typer

from bakepy.cli import app
from bakepy.models.kinds import KINDS

ROOT = Path(__file__).parents[2]
FIX = "run `python scripts/reference.py` and commit the result"


def _load_generator() -> ModuleType:
    """Import scripts/reference.py by path: scripts/ is not a package."""
    spec = importlib.util.spec_from_file_location("reference", ROOT / "scripts" / "reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_generator()


def _committed(relative: str) -> str:
    path = ROOT / relative
    assert path.exists(), f"{relative} is missing; {FIX}"
    return path.read_text(encoding="utf-8")


def _cells(row: str) -> list[str]:
    """The cells of a markdown table row (pipes escaped as ``\\|`` stay inside a cell)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


@pytest.mark.parametrize("relative", sorted(reference.FILES))
def test_committed_reference_is_up_to_date(relative: str) -> None:
    generated = reference.FILES[relative]()
    assert _committed(relative) == generated, f"{relative} is stale; {FIX}"


def test_every_kind_and_command_has_a_heading() -> None:
    kinds = _committed("docs/reference/kinds.md").splitlines()
    missing = [kind for kind in KINDS if f"## {kind}" not in kinds]
    assert not missing, f"kinds without a heading in kinds.md: {missing}; {FIX}"

    group = typer.main.get_command(app)
    commands = sorted(getattr(group, "commands", {}))
    assert commands, "the CLI has no commands"
    cli = _committed("docs/reference/cli.md").splitlines()
    missing = [name for name in commands if f"## bakepy {name}" not in cli]
    assert not missing, f"commands without a heading in cli.md: {missing}; {FIX}"


def test_every_field_has_a_description() -> None:
    section, missing, rows = "", [], 0
    for line in _committed("docs/reference/kinds.md").splitlines():
        if line.startswith("#"):
            section = line.lstrip("# ")
        elif line.startswith("| `"):
            rows += 1
            cells = _cells(line)
            assert len(cells) == 5, f"a broken table row in kinds.md: {line}"
            if not cells[-1]:
                missing.append(f"{section}.{cells[0].strip('`')}")
    assert rows > 0
    assert not missing, f"fields without Field(description=...): {missing}"


@pytest.mark.parametrize("relative", sorted(f for f in reference.FILES if f.endswith(".md")))
def test_links_point_at_headings(relative: str) -> None:
    text = _committed(relative)
    anchors = [
        reference._anchor(line.lstrip("# ")) for line in text.splitlines() if line[:1] == "#"
    ]
    assert len(anchors) == len(set(anchors)), "two headings share an anchor"
    broken = sorted(set(re.findall(r"\]\(#([^)]*)\)", text)) - set(anchors))
    assert not broken, f"links to missing headings in {relative}: {broken}"
