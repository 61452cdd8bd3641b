"""The fuzz tier of the command line (issue 15): every reader (YAML manifests, HCL and JSON bake
files, compose files and their .env, Dockerfiles) is fed hostile input through ``bakepy
render``, as a user runs it. Whatever the input, the answer is exit 0 (it happened to be
valid) or exit 2 with one ``error: FILE:LINE: ...`` line naming the file read, never a
traceback; on exit 2 nothing is written. Inputs are valid seeds cut, spliced and salted with
hostile fragments (unclosed brackets, anchors and aliases, interpolations, NUL and control
characters, byte-order marks, invalid UTF-8, deep nesting), at most a few kilobytes each; the
tier runs in about a minute (``BAKEPY_CLI_FUZZ_EXAMPLES`` raises the count for a long hunt).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from bakepy.cli import app

FUZZ = settings(
    max_examples=int(os.environ.get("BAKEPY_CLI_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Dockerfile
metadata: {name: app, labels: {team: web}}
spec:
  stages:
    - name: build
      from: busybox
      instructions:
        - {instruction: RUN, command: "echo hi > /x"}
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: app}
spec:
  context: .
  dockerfile: Dockerfile/app
  tags: ["app:${TAG}"]
  args: {A: "1"}
---
apiVersion: bakepy.dev/v1alpha1
kind: Variable
metadata: {name: TAG}
spec: {default: "1.0"}
"""

HCL = """\
variable "TAG" {
  default = "1.0"
}
group "default" {
  targets = ["app"]
}
target "app" {
  context = "."
  dockerfile-inline = "FROM busybox\\nRUN echo hi\\n"
  tags = ["app:${TAG}", lower("X")]
  args = { A = "1" }
}
"""

JSON = """\
{
  "variable": {"TAG": {"default": "1.0"}},
  "group": {"default": {"targets": ["app"]}},
  "target": {
    "app": {"context": ".", "dockerfile-inline": "FROM busybox\\n", "tags": ["app:${TAG}"]}
  }
}
"""

COMPOSE = """\
services:
  web:
    image: "busybox:${TAG:-1}"
    environment:
      A: "1"
    ports: ["8080:80"]
    depends_on: [db]
  db:
    image: busybox
    volumes: [data:/data]
volumes:
  data: {}
"""

DOTENV = """\
TAG=1.0
NAME="two words"
MULTI='a
b'
"""

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM ${BASE} AS build
RUN --mount=type=cache,target=/c echo hi && \\
    echo there
COPY --chmod=644 a.txt /a.txt
FROM build
ENV A=1 B="two words"
CMD ["sh", "-c", "echo $A"]
"""

READERS: dict[str, tuple[str, str]] = {
    "manifest": ("bakepy.yaml", MANIFEST),
    "hcl": ("docker-bake.hcl", HCL),
    "json": ("docker-bake.json", JSON),
    "compose": ("compose.yaml", COMPOSE),
    "dotenv": (".env", DOTENV),
    "dockerfile": ("Dockerfile", DOCKERFILE),
}

HOSTILE = st.sampled_from(
    [
        "{", "}", "[", "]", "(", ")", '"', "'", "\\", ":", ": ", "- ", "---\n", "...\n",
        "&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "${", "${A", "$${X}", "%{",
        "<<EOT\n", "\nEOT\n", "\x00", "\x07", "\t", "\r", "\ufeff", "\u202e", "\n", "\n\n",
        "=", "==", "#", "//", "/*", "@", "|", ">", "?", "~", "null", "true", "0x1F", "1e999",
        "9" * 30, "-" * 3, "[" * 60, "{" * 60, "a" * 500, "é", "\U0001f600",
    ]
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    """``seed`` with a few pieces cut out, moved, or replaced by hostile fragments."""
    text = seed
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        action = draw(st.sampled_from(["insert", "replace", "delete", "duplicate"]))
        if action == "insert":
            text = text[:start] + draw(HOSTILE) + text[start:]
        elif action == "replace":
            text = text[:start] + draw(HOSTILE) + text[end:]
        elif action == "delete":
            text = text[:start] + text[end:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text[:4000]


RAW_BYTES = st.binary(max_size=300).map(lambda b: b"\xff\xfe" + b if b[:1] == b"\x00" else b)
"""Bytes that are not text at all (invalid UTF-8, UTF-16 with a BOM, NULs)."""


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    """Where each example's files go (a folder of its own per example, removed after)."""
    return tmp_path


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run_reader(base: Path, reader: str, data: bytes) -> None:
    """Render a folder whose ``reader`` file holds ``data`` (the other files valid) and check
    the answer: exit 0, or exit 2 with a located error and nothing written."""
    name, _ = READERS[reader]
    folder = base / f"case-{len(list(base.iterdir()))}"
    folder.mkdir()
    files = {name: data}
    if reader == "dotenv":
        files["compose.yaml"] = COMPOSE.encode()
    (folder / "a.txt").write_text("a\n")
    for file, content in files.items():
        (folder / file).write_bytes(content)
    before = _files(folder)
    target = [] if reader in ("dotenv", "compose") else ["-f", name]
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, ["render", *target, "--out", "out"])
    finally:
        os.chdir(previous)
    output = result.output
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{reader}: {result.exception!r} for {data!r}") from result.exception
    assert result.exit_code in (0, 2), (result.exit_code, output, data)
    if result.exit_code == 2:
        first = output.splitlines()[0] if output else ""
        # the line where there is one: an empty file has none
        line = r":\d+" if data.strip() else r"(:\d+)?"
        assert re.match(rf"error: .*{re.escape(name)}{line}", first), (first, data)
        assert not (folder / "out").exists(), data
        assert _files(folder) == before, data
    shutil.rmtree(folder)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_seed_renders(folders: Path, reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeds themselves are valid: a mutation is judged against a working input."""
    name, seed = READERS[reader]
    folder = folders / "seed"
    folder.mkdir()
    (folder / name).write_text(seed)
    (folder / "a.txt").write_text("a\n")
    if reader == "dotenv":
        (folder / "compose.yaml").write_text(COMPOSE)
    target = [] if reader in ("dotenv", "compose") else ["-f", name]
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["render", *target, "--out", "out"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("reader", sorted(READERS))
@FUZZ
@given(data=st.data())
def test_hostile_text_gets_a_located_error_and_writes_nothing(
    folders: Path, reader: str, data: st.DataObject
) -> None:
    text = data.draw(mutated(READERS[reader][1]), label="text")
    run_reader(folders, reader, text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("reader", sorted(READERS))
@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 4))
@given(raw=RAW_BYTES)
def test_bytes_that_are_not_text_get_a_located_error(
    folders: Path, reader: str, raw: bytes
) -> None:
    run_reader(folders, reader, raw)
