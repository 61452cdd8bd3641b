"""Parsing bake files ahead in worker processes: a load of one bake file (a repository's
package) leaves it to the load without reading it first; several are still looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy.loaders.bake import parallel


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    asked: list[Path] = []

    def is_cached(path: Path) -> bool:
        asked.append(path)
        return True  # nothing left to parse: no worker starts

    monkeypatch.setattr(parallel, "is_cached", is_cached)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    return asked


def test_one_bake_file_is_not_read_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _counted(monkeypatch)
    parallel.prefetch_hcl([tmp_path / "docker-bake.hcl", tmp_path / "bakepy.yaml"])
    assert asked == []


def test_several_bake_files_are_looked_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _counted(monkeypatch)
    files = [tmp_path / "a.hcl", tmp_path / "b.hcl"]
    parallel.prefetch_hcl(files)
    assert asked == files
