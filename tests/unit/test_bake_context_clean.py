"""A target's context is cleaned as Go's ``path.Clean`` does before ``--print`` shows it; the
resolver uses POSIX's ``normpath`` for it (in C) except where the two differ, a path that starts
with exactly two slashes. Both ways agree on every path made of a few parts."""

from __future__ import annotations

import itertools

from bakepy.resolution.bake.normalize import clean_context, clean_parts, go_clean, is_remote

_PARTS = ("a", ".", "..", "", "b.c", "...")
_LEADS = ("", "/", "//", "///")


def _paths() -> list[str]:
    paths: list[str] = []
    for count in range(1, 6):
        for parts in itertools.product(_PARTS, repeat=count):
            for lead in _LEADS:
                path = lead + "/".join(parts)
                paths += [path, f"{path}/"]
    return paths


def test_go_clean_is_path_clean_part_by_part() -> None:
    paths = _paths()
    assert len(paths) > 70_000
    for path in paths:
        assert go_clean(path) == clean_parts(path), path


def test_go_clean_as_go_cleans() -> None:
    cases = {
        "": ".",
        "./": ".",
        "./web": "web",
        "a//b/./c/..": "a/b",
        "../repo/svc": "../repo/svc",
        "a/../..": "..",
        "/..": "/",
        "//a": "/a",
        "///a/": "/a",
        "//": "/",
    }
    for path, cleaned in cases.items():
        assert go_clean(path) == cleaned, path


def test_remote_contexts_are_kept_and_local_ones_cleaned() -> None:
    assert clean_context("https://github.com/o/r.git#main") == "https://github.com/o/r.git#main"
    assert clean_context("github.com/o/r") == "github.com/o/r"
    assert clean_context("git@github.com:o/r.git") == "git@github.com:o/r.git"
    assert clean_context("example.com/o/r.git") == "example.com/o/r.git"
    assert is_remote("example.com/o/r.git?ref=v1")
    assert not is_remote("example.com/o/r")
    assert not is_remote("./services/r.github")
    assert clean_context("./services//r.gitx/") == "services/r.gitx"
    assert clean_context("cwd://./x") == "cwd://./x"


def test_a_context_is_cleaned_only_when_it_is_local() -> None:
    """Every context is kept when remote (or cwd://) and cleaned otherwise, whichever way
    clean_context finds that out."""
    contexts = [
        "../repo/services/app",
        "./a//b/",
        "//a/./b",
        "a@b",
        "user@host:repo",
        "host:path",
        "github.com/o/r",
        "github.com",
        "x.git",
        "x.git/",
        "./x.github/../y",
        "example.com/o/r.git#main",
        "ssh://host/r",
        "git://host/r",
        "ftp://host/r",
        "cwd://x/../y",
        "http://h/p",
        "",
        ".",
    ]
    for context in contexts:
        remote = context.startswith("cwd://") or is_remote(context)
        assert clean_context(context) == (context if remote else go_clean(context)), context
