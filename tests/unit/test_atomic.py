"""bakepy's one atomic writer: whole files only, several files all or nothing, modes kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bakepy.support import atomic
from bakepy.support.atomic import FileWrite, write_all, write_file


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def test_write_all_writes_every_file_keeps_modes_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.txt"
    old.write_text("before")
    old.chmod(0o640)
    umask = os.umask(0o022)
    try:
        write_all(
            [
                FileWrite(old, b"after"),
                FileWrite(tmp_path / "sub" / "new.txt", b"new"),
                FileWrite(tmp_path / "key", b"k", mode=0o600),
            ]
        )
    finally:
        os.umask(umask)
    assert old.read_text() == "after"
    assert mode(old) == 0o640
    assert (tmp_path / "sub" / "new.txt").read_text() == "new"
    assert mode(tmp_path / "sub" / "new.txt") == 0o644  # as open() would make it
    assert mode(tmp_path / "key") == 0o600
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["key", "new.txt", "old.txt", "sub"]


def test_a_failed_rename_puts_every_replaced_file_back_and_removes_the_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = (tmp_path / name for name in ("a", "b", "c"))
    first.write_text("a0")
    second.write_text("b0")
    renames = 0
    real_replace = os.replace

    def failing_replace(src: str | Path, dst: str | Path) -> None:
        nonlocal renames
        renames += 1
        if renames == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_all([FileWrite(first, b"a1"), FileWrite(third, b"c1"), FileWrite(second, b"b1")])
    monkeypatch.undo()
    assert first.read_text() == "a0"
    assert second.read_text() == "b0"
    assert not third.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_an_exclusive_write_never_replaces_a_file_the_first_writer_wins(tmp_path: Path) -> None:
    key = tmp_path / "digest.key"
    assert write_file(FileWrite(key, b"first", mode=0o600), exclusive=True)
    assert not write_file(FileWrite(key, b"second", mode=0o600), exclusive=True)
    assert key.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["digest.key"]


def test_a_synced_write_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "daemon.json"
    target.write_text("{}")
    inode = target.stat().st_ino
    write_file(FileWrite(target, b'{"debug": true}'), sync=True)
    assert target.read_text() == '{"debug": true}'
    assert target.stat().st_ino != inode  # renamed over, never rewritten in place


def test_removals_happen_with_the_writes_and_are_undone_when_a_step_fails(
    tmp_path: Path,
) -> None:
    stale, kept = tmp_path / "stale.txt", tmp_path / "kept.txt"
    stale.write_text("old")
    kept.write_text("before")
    write_all([FileWrite(kept, b"after")], removals=[stale])
    assert not stale.exists()
    assert kept.read_text() == "after"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]

    stale.write_text("old")
    with pytest.raises(FileNotFoundError):  # the second removal fails: nothing happened
        write_all([FileWrite(kept, b"again")], removals=[stale, tmp_path / "missing.txt"])
    assert stale.read_text() == "old"
    assert kept.read_text() == "after"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "stale.txt"]
