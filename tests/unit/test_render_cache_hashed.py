"""A definition file rewritten as it was (``git checkout`` after an edit moves its time, not
its bytes) leaves the render cache's answer standing: the key holds the file's bytes, so the
entry keeps no time of it; a Dockerfile the render read is still judged by its time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

PACKAGE = (
    "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: api}\n"
    "spec: {context: ., target: build}\n"
)


def _render() -> str:
    time.sleep(0.05)  # file times behind the clock, as for files written before a command
    result = CliRunner().invoke(app, ["render", "::", "--out", "out"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _touch(path: Path) -> None:
    """Rewrite ``path`` with its own bytes, a second later."""
    path.write_bytes(path.read_bytes())
    later = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(later, later))


def test_a_definition_rewritten_as_it_was_is_answered_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "svc").mkdir(parents=True)
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    (root / "svc" / "bakepy.yaml").write_text(PACKAGE)
    (root / "svc" / "Dockerfile").write_text("FROM busybox AS build\n")
    monkeypatch.chdir(root)
    import bakepy.api.definitions as definitions

    loads: list[object] = []
    real = definitions.load_selected

    def counted(*args: object, **kwargs: object) -> object:
        loads.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(definitions, "load_selected", counted)
    assert "wrote" in _render()
    assert len(loads) == 1
    _touch(root / "svc" / "bakepy.yaml")
    _touch(root / "bakepy.toml")
    assert _render().startswith("unchanged")
    assert len(loads) == 1  # answered by the cache
    _touch(root / "svc" / "Dockerfile")  # read by the checks, not hashed: its time counts
    assert _render().startswith("unchanged")
    assert len(loads) == 2  # rendered again
