"""The render cache's key computed by a forked child while the command imports what a load
needs: the same key, the same hashed files and the same walk as computed here; the imports
stop once the key is there; the child's error is raised here as this process raises it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakepy.cli import render_cache
from bakepy.errors import BakepyError
from bakepy.loaders.repository import shared_discovery, shared_walks

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")

PACKAGE = "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: api}\nspec: {}\n"


@pytest.fixture(name="repo")
def repo_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    for name in ("svc", "web/app"):
        (root / name).mkdir(parents=True)
        (root / name / "bakepy.yaml").write_text(PACKAGE)
        (root / name / "helper.py").write_text("X = 1\n")
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    monkeypatch.chdir(root)
    monkeypatch.setenv("BAKEPY_JOBS", "2")
    return root


def _key_here() -> tuple[str | None, list[frozenset[str]], dict[object, object]]:
    with shared_discovery():
        key = render_cache.request_key([], ["::"], {"o": 1}, {"A": "1"}, recursive=False)
        return key, list(render_cache._HASHED), dict(shared_walks())


def _key_forked(
    modules: tuple[str, ...] = (),
) -> tuple[str | None, list[frozenset[str]], dict[object, object]]:
    with shared_discovery():
        key = render_cache.request_key_importing(
            [], ["::"], {"o": 1}, {"A": "1"}, recursive=False, modules=modules
        )
        return key, list(render_cache._HASHED), dict(shared_walks())


def test_the_childs_key_hashed_files_and_walk_are_those_computed_here(repo: Path) -> None:
    here = _key_here()
    render_cache._HASHED.clear()
    forked = _key_forked()
    assert forked[0] is not None
    assert forked == here
    assert len(forked[2]) == 1  # the walk is kept in this process's discovery block


def test_a_render_of_no_repository_forks_and_imports_nothing(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"  # no settings, and no address asked: not a repository render
    plain.mkdir()
    (plain / "bakepy.yaml").write_text(PACKAGE)
    with shared_discovery():
        key = render_cache.request_key_importing(
            [plain / "bakepy.yaml"], [], {}, {}, recursive=False, modules=("no.such.module",)
        )
    assert key is None


def _slow_modules(folder: Path, count: int, seconds: float) -> tuple[str, ...]:
    """Modules that each take ``seconds`` to import and note it in ``imported.log``."""
    names = tuple(f"bakepy_test_slow_{n}_{os.getpid()}" for n in range(count))
    for name in names:
        log = str(folder / "imported.log")
        (folder / f"{name}.py").write_text(
            "import time\n"
            f"time.sleep({seconds})\n"
            f"with open({log!r}, 'a') as log: log.write({name!r} + '\\n')\n"
        )
    return names


@pytest.fixture(name="modules")
def modules_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` for the modules a test writes, forgotten after it."""
    folder = tmp_path / "modules"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in [n for n in sys.modules if n.startswith("bakepy_test_slow_")]:
        del sys.modules[name]


def test_imports_stop_once_the_key_is_there(repo: Path, modules: Path) -> None:
    names = _slow_modules(modules, 5, 0.4)
    assert _key_forked(names)[0] == _key_here()[0]
    imported = (modules / "imported.log").read_text().splitlines()
    assert 1 <= len(imported) <= 2  # the key came during the first (or second) import
    assert imported == list(names[: len(imported)])  # in the order given


def test_every_module_is_imported_while_a_slow_key_is_computed(
    repo: Path, modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _slow_modules(modules, 3, 0.0)
    real = render_cache.request_key

    def slow(*args: object, **kwargs: object) -> str | None:
        time.sleep(1.0)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render_cache, "request_key", slow)
    _key_forked(names)
    assert (modules / "imported.log").read_text().splitlines() == list(names)


def test_the_childs_error_is_raised_here(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pids: list[int] = []

    def failing(*args: object, **kwargs: object) -> str | None:
        pids.append(os.getpid())
        raise BakepyError("the key could not be computed")

    monkeypatch.setattr(render_cache, "request_key", failing)
    with pytest.raises(BakepyError, match="the key could not be computed"):
        _key_forked()
    assert pids == [os.getpid()]  # computed again here, after the child failed


def test_every_render_module_exists() -> None:
    import importlib

    for name in render_cache.RENDER_MODULES:
        importlib.import_module(name)
