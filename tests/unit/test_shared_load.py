"""A repository loaded and rendered by several processes (bakepy.support.forked) gives what one
process gives: the same files, byte for byte, the same warnings and errors, the same imported
definition files, and the render cache stamps what a child read."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bakepy
from bakepy.api import definitions
from bakepy.api.definitions import load_for, load_selected
from bakepy.cli.app import app
from bakepy.errors import BakepyError
from bakepy.support import forked

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from packages import write

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")

BASE = """\
from bakepy import Target, TargetSpec

shared = Target(metadata={"name": "shared"}, spec=TargetSpec(context=".", args={"FROM": "py"}))
"""

IMPORTING = """\
from bakepy import Target, TargetSpec
from libs.pybase.bakepy import shared

tool{n} = Target(metadata={{"name": "tool"}}, spec=TargetSpec(inherits=[shared], context="."))
"""


@pytest.fixture(name="repository")
def repository_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write(root, packages=24, targets=2)
    (root / "libs" / "pybase").mkdir(parents=True)
    (root / "libs" / "pybase" / "bakepy.py").write_text(BASE)
    (root / "libs" / "pybase" / "Dockerfile").write_text("FROM scratch\n")
    for n in range(3):  # Python packages importing another's object from the root
        folder = root / "tools" / f"t{n}"
        folder.mkdir(parents=True)
        (folder / "bakepy.py").write_text(IMPORTING.format(n=n))
        (folder / "Dockerfile").write_text("FROM scratch\nARG FROM\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path / "cache"))
    return root


def _processes(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Share every load and render among ``count`` processes, however small."""
    monkeypatch.setenv("BAKEPY_JOBS", str(count))
    monkeypatch.setattr(forked, "SHARED_FROM", 1)
    monkeypatch.setattr(definitions, "SHARED_RENDER_FROM", 1)


def _render(out: Path) -> tuple[dict[str, bytes], list[str], frozenset[str]]:
    project = load_selected([], ["::"], None)
    files = bakepy.render(project, out, env={})
    texts = {file.path: file.text.encode() for file in files}
    warnings = [warning for file in files for warning in file.warnings]
    imported = load_for([], ["::"]).imported_files  # what `affected` reads
    return texts, [*project.warnings, *warnings], imported


def test_shared_load_and_render_equal_one_process(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _processes(monkeypatch, 1)
    alone = _render(tmp_path / "out")
    _processes(monkeypatch, 3)
    shared = _render(tmp_path / "out")
    assert shared == alone
    texts, _, imported = shared
    assert len(texts) > 5
    assert str(repository / "libs" / "pybase" / "bakepy.py") in imported


def _first_error(monkeypatch: pytest.MonkeyPatch, count: int) -> str:
    _processes(monkeypatch, count)
    with pytest.raises(BakepyError) as caught:
        _render(Path("out"))
    return str(caught.value)


def test_a_broken_package_fails_as_in_one_process(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two broken packages, far apart: the first in order is reported, whoever loaded it
    (repository / "services" / "search" / "pkg001" / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: x}\nspec: {nope: 1}\n"
    )
    broken = repository / "tools" / "t2" / "bakepy.py"
    broken.write_text("raise RuntimeError('no')\n")
    alone = _first_error(monkeypatch, 1)
    assert "pkg001" in alone
    assert _first_error(monkeypatch, 3) == alone


def test_a_failing_check_fails_as_in_one_process(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a target naming a stage its Dockerfile lacks: the check (a child's, when shared) fails
    (repository / "tools" / "t1" / "bakepy.py").write_text(
        IMPORTING.format(n=1).replace('context="."', 'context=".", target="nostage"')
    )
    alone = _first_error(monkeypatch, 1)
    assert "nostage" in alone
    assert _first_error(monkeypatch, 2) == alone


def test_render_cache_stamps_what_a_child_read(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Dockerfiles the checks judged are read by the child that checks: renaming a stage
    one target builds must still make the next render run (and fail), not say unchanged."""
    _processes(monkeypatch, 2)
    runner = CliRunner()
    out = str(tmp_path / "out")
    (repository / "tools" / "t1" / "Dockerfile").write_text("FROM scratch AS app\nARG FROM\n")
    (repository / "tools" / "t1" / "bakepy.py").write_text(
        IMPORTING.format(n=1).replace('context="."', 'context=".", target="app"')
    )
    first = runner.invoke(app, ["render", "::", "--out", out])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["render", "::", "--out", out])
    assert "unchanged" in again.output
    dockerfile = repository / "tools" / "t1" / "Dockerfile"
    dockerfile.write_text("FROM scratch AS other\nARG FROM\n")
    os.utime(dockerfile, (1, 1))  # a stamp differs even where the clock is coarse
    changed = runner.invoke(app, ["render", "::", "--out", out])
    assert changed.exit_code == 2, changed.output
    assert "app" in changed.output


def test_a_childs_imports_from_the_root_count_as_read(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only one package imports from another (the last one), and every package but the
    first is loaded by a child of its own: the imported file still counts (``affected``
    re-reads the importers when it changes)."""
    for n in (0, 1):
        (repository / "tools" / f"t{n}" / "bakepy.py").write_text(
            IMPORTING.format(n=n)
            .replace("from libs.pybase.bakepy import shared\n", "")
            .replace("inherits=[shared]", 'inherits=["libs/pybase:shared"]')
        )
    _processes(monkeypatch, 1)
    alone = load_for([], ["::"])
    assert str(repository / "libs" / "pybase" / "bakepy.py") in alone.imported_files
    _processes(monkeypatch, 64)
    assert load_for([], ["::"]).imported_files == alone.imported_files


def test_a_project_check_error_comes_before_a_bake_check_error(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shared, the bake checks run in a child while this process renders and runs the project
    checks: when both fail, the project checks' error is still the one raised, as in one
    process (which runs them first)."""
    (repository / "tools" / "t1" / "bakepy.py").write_text(
        IMPORTING.format(n=1).replace('context="."', 'context=".", target="nostage"')
    )
    compose = repository / "services" / "search" / "pkg001" / "compose.yaml"
    compose.write_text(
        compose.read_text().replace("    volumes:\n", "    networks: [ghost]\n    volumes:\n", 1)
    )
    alone = _first_error(monkeypatch, 1)
    assert "ghost" in alone, alone
    assert _first_error(monkeypatch, 2) == alone


def test_a_shared_load_claims_compose_files_first_and_python_last(tmp_path: Path) -> None:
    """The parent takes from the front of the claim order: compose packages (whose loader it
    imports after the fork, and whose results cost the most to send back), then manifests,
    bake files, and Python definitions, which a child takes from the back."""
    from bakepy.loaders.reading import claim_order

    python, compose, bake, manifest, mixed = (
        [tmp_path / "a" / "bakepy.py"],
        [tmp_path / "b" / "compose.yaml"],
        [tmp_path / "c" / "docker-bake.hcl"],
        [tmp_path / "d" / "bakepy.yaml"],
        [tmp_path / "e" / "docker-bake.hcl", tmp_path / "e" / "docker-compose.yml"],
    )
    assert claim_order([python, compose, bake, manifest, mixed]) == [1, 4, 3, 2, 0]
    assert claim_order([python, [tmp_path / "f" / "Dockerfile"], python]) == [0, 1, 2]
