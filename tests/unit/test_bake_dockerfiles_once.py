"""The Dockerfile many bake targets build is read and parsed once per check, not once per
target (what made a manifest of thousands of targets slow to validate; issue 15)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import bakepy.api.bake_dockerfiles as module
from bakepy.api.bake_dockerfiles import dockerfile_reader


def test_one_file_is_parsed_once_for_every_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM busybox AS base\nARG A\n")
    (tmp_path / "other.Dockerfile").write_text("FROM busybox\n")
    calls: list[Path] = []
    real = module.load_dockerfile

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        calls.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(module, "load_dockerfile", counting)
    read = dockerfile_reader(tmp_path)
    first = [read({"context": ".", "dockerfile": "Dockerfile"}) for _ in range(50)]
    other = read({"context": ".", "dockerfile": "other.Dockerfile"})
    assert read({"context": "./sub/..", "dockerfile": "Dockerfile"}) is first[0]
    assert all(found is first[0] for found in first)
    assert first[0] is not None
    assert [s.name for s in first[0].spec.stages] == ["base"]
    assert other is not None
    assert calls == [tmp_path / "Dockerfile", tmp_path / "other.Dockerfile"]


def test_a_missing_file_and_inline_text_are_answered_once_too(tmp_path: Path) -> None:
    read = dockerfile_reader(tmp_path)
    assert read({"context": ".", "dockerfile": "nope"}) is None
    inline = {"dockerfile-inline": "FROM busybox\n"}
    assert read(inline) is read(dict(inline))


def test_a_dockerfile_read_short_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network or FUSE file system may return less than asked before the end."""
    text = b"FROM scratch\n" + b"# padding\n" * 20_000  # longer than one chunk
    path = tmp_path / "Dockerfile"
    path.write_bytes(text)
    real_read = os.read
    monkeypatch.setattr(module.os, "read", lambda fd, size: real_read(fd, 7))
    assert module._file_bytes(str(path)) == text
    monkeypatch.undo()
    assert module._file_bytes(str(path)) == text
    (tmp_path / "empty").write_bytes(b"")
    assert module._file_bytes(str(tmp_path / "empty")) == b""


@pytest.mark.parametrize("folder", ["/out", "/out/", "/", "//net/out", "rel/out", "."])
@pytest.mark.parametrize(
    ("context", "dockerfile"),
    [
        ("../repo/services/app", None),
        ("", "Dockerfile"),
        (".", "./docker/Dockerfile"),
        ("dir/", "../x/Dockerfile"),
        ("/abs/ctx", "Dockerfile"),
        ("ctx", "/abs/Dockerfile"),
        ("a//b/./c/..", "d//Dockerfile"),
        ("../../..", "Dockerfile"),
    ],
)
def test_a_targets_dockerfile_path_is_the_joined_path_cleaned(
    folder: str, context: str, dockerfile: str | None
) -> None:
    """The path a target's Dockerfile is read from: its folder, context and dockerfile joined
    as os.path.join does (an absolute part starts over), then cleaned lexically."""
    attributes = {"context": context, "dockerfile": dockerfile}
    expected = os.path.normpath(os.path.join(folder, context or ".", dockerfile or "Dockerfile"))
    assert module._key(str(Path(folder)), attributes) == ("file", expected)
