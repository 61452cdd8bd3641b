"""What a forked child reads for a render is stamped by the child once it is done with it
(the bake checks' 2,000 Dockerfiles): the parent keeps those stamps and does not ``stat`` the
files again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bakepy.cli import render_cache
from bakepy.cli.apply_cache import MISSING, file_stamp
from bakepy.support.forked import Pending

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")


def test_a_child_stamps_what_it_read_and_the_parent_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dockerfile = tmp_path / "svc" / "Dockerfile"
    dockerfile.parent.mkdir()
    dockerfile.write_text("FROM busybox\n")
    time.sleep(0.05)  # the file's time behind the recorder's start, as for files made before
    recorder = render_cache.start_reading()

    try:
        assert Pending(dockerfile.read_text, processes=2).result() == "FROM busybox\n"
    finally:
        recorder.active = False
    assert recorder.stamps == {str(dockerfile): file_stamp(str(dockerfile))}
    assert recorder.stamps[str(dockerfile)] not in (None, MISSING)

    def no_stat(path: str) -> list[int] | None:
        raise AssertionError(f"{path} was stamped by the child already")

    monkeypatch.setattr(render_cache, "file_stamp", no_stat)
    assert render_cache.stamps(recorder, tmp_path / "out") == {
        str(dockerfile): recorder.stamps[str(dockerfile)]
    }


def test_what_this_process_read_is_stamped_here(tmp_path: Path) -> None:
    definition = tmp_path / "bakepy.yaml"
    definition.write_text("kind: Target\n")
    time.sleep(0.05)
    recorder = render_cache.start_reading()
    definition.read_text()
    assert recorder.stamps == {}
    assert render_cache.stamps(recorder, tmp_path / "out") == {
        str(definition): file_stamp(str(definition))
    }


def test_a_file_changed_after_the_render_started_keeps_no_entry(tmp_path: Path) -> None:
    """A child's stamp taken after a file changed is as new as the change: no entry."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM busybox\n")
    time.sleep(0.05)
    recorder = render_cache.start_reading()

    def read_then_change() -> str:
        text = dockerfile.read_text()
        dockerfile.write_text("FROM alpine\n")
        return text

    assert Pending(read_then_change, processes=2).result() == "FROM busybox\n"
    assert render_cache.stamps(recorder, tmp_path / "out") is None


def test_a_dockerfile_the_checks_read_is_stamped_as_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bake checks read each Dockerfile whole and say what it was then (``fstat`` on the
    open file, the ``bakepy.stamped`` audit event): no ``stat`` of it at the end, here or in
    a child. A Dockerfile changed after its read keeps the stamp of what was read, which the
    next lookup finds changed (no answer from the cache)."""
    from bakepy.api.bake_dockerfiles import dockerfile_shapes

    (tmp_path / "svc").mkdir()
    dockerfile = tmp_path / "svc" / "Dockerfile"
    dockerfile.write_text("FROM busybox\nARG SERVICE\n")
    time.sleep(0.05)
    recorder = render_cache.start_reading()
    shape_of = dockerfile_shapes(tmp_path)
    assert shape_of({"context": "svc"}) is not None
    expected = file_stamp(str(dockerfile))
    assert recorder.stamps == {str(dockerfile): expected}

    def no_stat(path: str) -> list[int] | None:
        raise AssertionError(f"{path} was stamped as it was read already")

    with monkeypatch.context() as patched:
        patched.setattr(render_cache, "file_stamp", no_stat)
        assert render_cache.stamps(recorder, tmp_path / "out") == {str(dockerfile): expected}

    recorder = render_cache.start_reading()
    assert dockerfile_shapes(tmp_path)({"context": "svc"}) is not None
    dockerfile.write_text("FROM alpine\n")  # after the read: the file is not what was read
    kept = render_cache.stamps(recorder, tmp_path / "out")
    assert kept == {str(dockerfile): expected}
    assert file_stamp(str(dockerfile)) != expected
