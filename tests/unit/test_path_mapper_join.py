"""PathMapper maps a path below a definition folder by joining it to the folder's path from
the output folder (once per folder): the same answer as the lexical relpath of the whole
path, for every folder layout (the output below, beside or above the folder, or in it)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from bakepy.resolution.bake.paths import PathMapper

FOLDERS = ["/r", "/r/a", "/r/a/b", "/r/out", "/r/out/x", "/s/t", "/", "/r/a/../c", "/r//a/./b"]
PATHS = [".", "a", "a/b", "./a", "a/./b", "a//b", "a/", "out", "out/x", "../a", "a/../b", ".."]
PATHS += ["x/y/z", "b", "./", "c/out"]


def test_joining_gives_the_lexical_relpath(tmp_path: Path) -> None:
    for out, base, path in itertools.product(FOLDERS, FOLDERS, PATHS):
        mapper = PathMapper(Path(out))
        expected = os.path.relpath(os.path.normpath(os.path.join(base, path)), out)
        if os.path.normpath(base) == os.path.normpath(out):
            expected = path  # one folder: as written
        assert mapper.map(path, Path(base)) == expected, (out, base, path)
        assert mapper.map(path, Path(base)) == expected, (out, base, path)  # from the cache


def test_joining_is_used_where_it_holds() -> None:
    mapper = PathMapper(Path("/r/out"))
    assert mapper.map("svc0", Path("/r/a/b")) == "../a/b/svc0"
    assert mapper._prefixes == {"/r/a/b": "../a/b"}
    assert mapper.map("out/x", Path("/r")) == "x"
    assert mapper._prefixes["/r"] is None  # an ancestor of the output folder


def test_definition_folders_resolve_as_path_resolve_does(tmp_path: Path) -> None:
    """A folder with no symlink above it is taken as it is (one lstat per folder); a symlink in
    it or above it, a missing folder, are resolved as Path.resolve does: a folder that is the
    output folder through a symlink still maps its paths as written."""
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "deep").mkdir(parents=True)
    (tmp_path / "link-out").symlink_to(out, target_is_directory=True)
    (tmp_path / "link-up").symlink_to(tmp_path, target_is_directory=True)
    mapper = PathMapper(out.resolve())
    folders = [tmp_path / "pkg", tmp_path / "pkg" / "deep", tmp_path / "link-out", out / "sub"]
    folders += [tmp_path / "link-up" / "out", tmp_path / "link-up" / "pkg", tmp_path / "no" / "x"]
    for folder in [*folders, out, *folders]:  # twice: from what is kept too
        assert mapper._resolve(os.fspath(folder)) == os.fspath(folder.resolve()), folder
    assert mapper.map("a", tmp_path / "link-out") == "a"
    assert mapper.map("a", tmp_path / "link-up" / "out") == "a"
    assert mapper.map("a", tmp_path / "link-up" / "pkg") == "../link-up/pkg/a"
