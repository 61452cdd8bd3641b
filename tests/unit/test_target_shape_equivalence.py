"""The quick scan of a Dockerfile loses no finding of the target checks (issue 12).

A bake target is checked against the Dockerfile it builds (stages, args, FROM lines, mounts).
The render answers most targets from the quick scan's shape and parses in full only where the
shape is unsure or suspects a finding. Here both paths check the same targets against many
Dockerfiles (the repository's fixtures and examples, the Dockerfiles written in the tests, and
hostile ones) and must report the very same errors and warnings, at the same places.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bakepy.api.bake_dockerfiles import dockerfile_reader, dockerfile_shapes
from bakepy.loaders.dockerfile import scan
from bakepy.loaders.dockerfile.scan import scan_dockerfile
from bakepy.models.bake.definition import NativeBake
from bakepy.resolution.checks.target_shape import DockerfileShape
from bakepy.resolution.checks.targets import check_bake_targets

ROOT = Path(__file__).resolve().parents[2]
_FROM_LINE = re.compile(r"(?im)^[ \t]*from[ \t]+\S")

HOSTILE = [
    # continuations, comments and blank lines inside them, a continuation at the end
    "FROM busybox AS base\nRUN echo a \\\n  # a comment\n\n  && echo b\nARG A\n",
    "FROM \\\n  busybox \\\n  AS \\\n  built\nARG \\\n  A=1 \\\n  B\n",
    "FROM busybox\nRUN echo \\\\\nFROM alpine AS next\nARG A\n",
    "FROM busybox\nRUN echo a \\   \nFROM alpine AS hidden\n",
    "FROM busybox\nRUN echo \\",
    "\\\nFROM busybox\n",
    # the escape directive, other directives, a repeated one
    "# escape=`\nFROM busybox AS a\nRUN echo `\n  b\nARG X\n",
    "# escape=\\\nFROM busybox AS a\nARG X\n",
    "# syntax=docker/dockerfile:1\n# check=skip=all\nFROM busybox AS a\nARG X\n",
    "# syntax=a\n# syntax=b\nFROM busybox\n",
    "#escape=`\n\nFROM busybox\n",
    "# unknown=1\n# escape=`\nFROM busybox AS a\nARG X\n",
    # heredocs, mounts, ONBUILD
    "FROM busybox AS a\nRUN <<EOF\nFROM alpine AS b\nEOF\nARG X\n",
    "FROM busybox AS a\nCOPY <<EOF /x\nARG Y\nEOF\n",
    "FROM busybox AS a\nRUN --mount=type=secret,id=s,required=true cat /run/secrets/s\n",
    "FROM busybox AS a\nRUN --mount=type=ssh true\n",
    "FROM busybox AS a\nRUN --mount=type=cache,from=b,target=/c true\n",
    "FROM busybox AS a\nRUN \\\n  --mount=type=secret,id=s true\n",
    "FROM busybox AS a\nONBUILD COPY --from=a /x /y\n",
    # comments, lowercase keywords, FROM --platform, stage names in any case
    "# a header\n\n# the base\nfrom busybox as Base\narg a\nfrom base\ncopy --from=BASE /a /b\n",
    "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM --platform=linux/arm64 build\n",
    "FROM --platform=$NOPE busybox AS a\n",
    "FROM --platform=linux/amd64 --other=1 busybox\n",
    "FROM busybox AS a AS b\n",
    "FROM busybox extra\n",
    "FROM\n",
    "ARG A\n",
    "RUN true\nFROM busybox\n",
    "",
    # ARG: defaults, several names per ARG, quotes, escapes, variables in defaults
    "ARG A=1 B C=x\nFROM busybox:${A} AS a\nARG D E=2\n",
    'ARG A="1.0"\nFROM busybox:${A}\n',
    "ARG A='x y'\nFROM busybox\nARG B='q'\n",
    "ARG A=1\\ 2\nFROM busybox\n",
    "FROM busybox\nARG X='$Y'\n",
    "FROM busybox\nARG X=\\$Y Z\n",
    "ARG V=1\nARG IMG=busybox:${V}\nFROM ${IMG} AS a\nFROM $IMG\n",
    "ARG V\nFROM busybox:${V:-1} AS a\nFROM alpine:${V}\n",
    "ARG V\nFROM ${V:+busybox} AS a\n",
    "ARG =1\nFROM busybox\n",
    "ARG\nFROM busybox\n",
    "ARG --flag A\nFROM busybox\n",
    "FROM busybox\nARG =x\n",
    "FROM busybox:${UNDECLARED}\n",
    "FROM ${UNDECLARED}busybox\n",
    "ARG TAG\nFROM busybox:$TAG AS a\nFROM a AS b\n",
    "ARG TAG=\nFROM busybox${TAG}\n",
    "ARG BASE\nFROM ${BASE}\n",
    "ARG BASE=alpine\nFROM ${BASE} AS a\nFROM ${BASE}\nCOPY --from=a /x /y\n",
    # COPY --from: stages, indexes, images, variables, odd flag spellings
    "FROM busybox AS a\nARG X\nFROM alpine AS b\nARG Y\nFROM b\nCOPY --from=a /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --from=0 /x /y\nARG Z\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --from=5 /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --from=nginx:1 /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nARG S\nCOPY --from=${S} /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --from a /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --FROM=a /x /y\n",
    'FROM busybox AS a\nARG X\nFROM alpine\nCOPY --from="a" /x /y\n',
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --from=a --from=b /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY --chmod=644 --link --from=a /x /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nCOPY -- --from=a /y\n",
    "FROM busybox AS a\nARG X\nFROM alpine\nADD --from=a /x /y\n",
    "FROM busybox AS a\nARG X\nFROM a AS b\nFROM alpine AS c\nARG Y\n",
    "FROM busybox AS a\nFROM a AS a\nARG X\n",
    "FROM busybox AS a\nCOPY --from=b /x /y\nFROM alpine AS b\nARG X\n",
    "FROM b AS a\nFROM alpine AS b\nARG X\n",
    "FROM busybox AS a\nARG X\nFROM alpine AS b\nARG Y\n",
    "FROM busybox AS a\nARG X\nFROM alpine AS b\nARG S\nCOPY --from=$S /x /y\n",
    # odd whitespace, line endings, a byte order mark
    "FROM busybox AS a\r\nARG X\r\n",
    "FROM busybox AS a\rARG X\n",
    "\ufeffFROM busybox AS a\nARG X\n",
    "FROM\tbusybox\tAS\ta\nARG\tX\n",
    "FROM busybox\u00a0AS a\nARG X\n",
    "FROM busybox AS a\nARG X\x0bY\n",
    # instructions the parser refuses
    "FROM busybox\nNOPE x\n",
    "FROM busybox\nEXPOSE\n",
]


def _strings_in_tests() -> Iterator[str]:
    """Every string literal in the tests that declares a Dockerfile (a FROM line)."""
    for path in sorted((ROOT / "tests").rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and len(text) < 20_000 and _FROM_LINE.search(text):
                yield text


def _files() -> Iterator[str]:
    """The Dockerfiles of the fixtures and examples."""
    for folder in ("tests", "examples"):
        for path in sorted((ROOT / folder).rglob("*")):
            name = path.name.lower()
            if not path.is_file() or "__snapshots__" in path.parts or name.endswith(".py"):
                continue
            if "dockerfile" in name or "containerfile" in name:
                try:
                    yield path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue


@functools.cache
def corpus() -> list[str]:
    """Every Dockerfile the test runs both checks on, each text once."""
    return list(dict.fromkeys([*HOSTILE, *_files(), *_strings_in_tests()]))


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _targets(text: str) -> dict[str, dict[str, Any]]:
    """Targets that ask of ``text`` what a user might: each stage (in another case too), a stage
    it lacks, each name the file mentions as a build arg (with a value, empty), an arg no ARG
    declares, built-in args, secrets and ssh, a template."""
    stages = re.findall(r"(?im)^[ \t]*from[ \t].*?[ \t]as[ \t]+(\S+)", text)
    words = sorted(set(_WORD.findall(text)))[:40]
    wanted: list[dict[str, Any]] = [{}]
    wanted += [{"target": stage} for stage in stages]
    wanted += [{"target": stage.upper()} for stage in stages[:2]]
    wanted += [{"target": "nosuchstage"}, {"target": "${STAGE}"}]
    wanted += [{"args": {word: "1.0"}} for word in words]
    wanted += [{"args": dict.fromkeys(words, "")}, {"args": dict.fromkeys(words, "x y")}]
    wanted += [{"args": {word: 3}} for word in words[:8]]  # values not text: str() of each
    wanted += [{"args": dict.fromkeys(words[:8], True)}]
    wanted += [{"args": {word: ["a list"]}} for word in words[:3]]  # not hashable: no verdict kept
    wanted += [{"args": {word: "1.0"}} for word in words[:8]]  # again: the verdicts kept
    wanted += [
        {"args": {"NOT_DECLARED": "1", "HTTP_PROXY": "p", "BUILDKIT_INLINE_CACHE": "1"}},
        {"args": {"TARGETPLATFORM": "linux/arm64", "SOURCE_DATE_EPOCH": "0"}},
        {"secret": ["id=s,src=f"]},
        {"ssh": ["default"]},
    ]
    for stage, word in itertools.islice(itertools.product(stages, words), 30):
        wanted.append({"target": stage, "args": {word: "v"}})
    return {
        f"t{index}": {"dockerfile-inline": text, "context": ".", **attributes}
        for index, attributes in enumerate(wanted)
    }


def _findings(text: str, folder: Path, *, quick: bool) -> tuple[list[str], list[str], int]:
    targets = _targets(text)
    answered = 0
    shapes = dockerfile_shapes(folder)

    def counting(attributes: Any) -> DockerfileShape | None:
        nonlocal answered
        found = shapes(attributes)
        answered += found is not None
        return found

    shape = counting if quick else None
    # targets others inherit get warnings instead of errors: both kinds are compared
    native = NativeBake(targets={"child": {"inherits": ["t1"]}})
    found = check_bake_targets(targets, native, dockerfile_reader(folder), shape=shape)
    return [repr(e) for e in found.errors], [repr(w) for w in found.warnings], answered


def test_the_corpus_is_large_and_mostly_scanned() -> None:
    texts = corpus()
    scanned = [text for text in texts if scan_dockerfile(text) is not None]
    assert len(texts) > 150
    assert len(scanned) > len(texts) // 3  # the quick path is really taken


@pytest.mark.parametrize("part", range(4))
def test_both_paths_report_the_same_findings(part: int, tmp_path: Path) -> None:
    for text in corpus()[part::4]:
        full = _findings(text, tmp_path, quick=False)
        quick = _findings(text, tmp_path, quick=True)
        assert quick[:2] == full[:2], text


def test_findings_are_real_on_both_paths(tmp_path: Path) -> None:
    """Not vacuous: the corpus yields findings of every kind, and scanned files give some."""
    errors = warnings = 0
    for text in HOSTILE:
        found = _findings(text, tmp_path, quick=True)
        errors += len(found[0])
        warnings += len(found[1])
    assert errors > 20
    assert warnings > 50
    text = "ARG V\nFROM busybox:${V} AS a\nARG X\n"
    assert scan_dockerfile(text) is not None
    errors_found, warnings_found, _ = _findings(text, tmp_path, quick=True)
    assert any("does not pass build arg V" in error for error in errors_found)
    assert any("NOT_DECLARED" in warning for warning in warnings_found)


def test_files_on_disk_give_the_same_findings_too(tmp_path: Path) -> None:
    """Files are read as bytes for the scan and as text for the parser: line endings (CRLF,
    a lone CR), a byte order mark and bytes that are not UTF-8 change neither answer."""
    texts = [
        "ARG V\r\nFROM busybox:${V} AS a\r\nARG X\r\n",
        "ARG V\rFROM busybox:${V} AS a\rARG X\r",
        "\ufeffARG V\nFROM busybox:${V} AS a\nARG X\n",
    ]
    raw = [text.encode() for text in texts] + [b"FROM busybox AS a\nARG X\xff\n"]
    for index, data in enumerate(raw):
        (tmp_path / f"{index}.Dockerfile").write_bytes(data)
    asked = [{}, {"args": {"X": "1"}}, {"args": {"V": "1", "NOPE": "1"}}, {"target": "b"}]
    targets = {
        f"t{index}-{number}": {"context": ".", "dockerfile": f"{index}.Dockerfile", **attributes}
        for index in range(len(raw))
        for number, attributes in enumerate(asked)
    }
    native = NativeBake()
    full = check_bake_targets(targets, native, dockerfile_reader(tmp_path))
    quick = check_bake_targets(
        targets, native, dockerfile_reader(tmp_path), shape=dockerfile_shapes(tmp_path)
    )
    assert [repr(e) for e in quick.errors] == [repr(e) for e in full.errors]
    assert [repr(w) for w in quick.warnings] == [repr(w) for w in full.warnings]
    assert len(full.errors) >= 3  # V is left out by each readable file


def _scanned_line_by_line(text: str) -> DockerfileShape | None:
    """The scan as it reads every line of the text (no cache, comments and directives read in
    place), which ``scan_dockerfile``'s answer per instruction text must equal."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if any(mark in text.lower() for mark in ("<<", "--mount")) or scan._ODD_SPACE.search(text):
        return None
    try:
        return scan._Scan().run(text.split("\n"))
    except scan._Unsure:
        return None


_INSERTED = ["# a comment\n", "\n", " \t\n", "  # indented \\\n", "# syntax=x\n", "# escape=`\n"]
"""Lines put between a text's lines: comments (one ending as a continuation), blank lines and
directives, which count only among a file's first lines."""


def _with_lines_inserted(text: str) -> Iterator[str]:
    lines = text.split("\n")
    for position in range(min(len(lines), 8)):
        for inserted in _INSERTED:
            yield "\n".join([*lines[:position], inserted.removesuffix("\n"), *lines[position:]])
    yield "# services/a/svc0\n" + text
    yield text + "\n# the end"


def test_a_texts_comments_and_blank_lines_change_no_shape() -> None:
    """Each text is scanned by its instruction lines only: the same shape as a scan of every
    line, on the corpus and on each text with comments, blank lines and directives inserted
    (inside continuations and among the directives too)."""
    checked = 0
    for text in corpus():
        for variant in [text, *_with_lines_inserted(text)]:
            assert scan_dockerfile(variant) == _scanned_line_by_line(variant), variant
            checked += scan_dockerfile(variant) is not None
    assert checked > 1000


def test_texts_differing_in_comments_share_one_shape() -> None:
    """The render's targets build Dockerfiles that differ in a header comment: one shape object,
    so the verdict kept per shape is found by identity."""
    body = "ARG V=1\nFROM busybox:${V} AS build\nARG SERVICE\nFROM scratch\nCOPY --from=build / /\n"
    first = scan_dockerfile(f"# services/a\n{body}")
    assert first is not None
    assert scan_dockerfile(f"# services/b\n\n{body}# end\n") is first
    assert scan_dockerfile(f"# syntax=docker/dockerfile:1\n{body}") is first
    assert scan_dockerfile(f"# escape=`\n{body}") is None  # a directive the scan is unsure of


def test_odd_whitespace_is_found_in_ascii_and_other_texts() -> None:
    """The scan's quick test for whitespace other than spaces, tabs and line breaks finds what
    the regular expression finds: each ASCII character, and others, alone or in a text."""
    characters = [chr(code) for code in range(128)] + ["\x85", "\xa0", "\u2003", "\u3000", "é"]
    for char in characters:
        for text in (char, f"FROM busybox AS a{char}\nARG X\n", f"ARG é\nFROM x{char}"):
            assert scan._odd_space(text) == bool(scan._ODD_SPACE.search(text)), repr(text)
