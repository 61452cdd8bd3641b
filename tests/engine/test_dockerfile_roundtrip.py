"""Parsed and re-rendered Dockerfiles mean to BuildKit what the originals mean.

Every ``tests/fixtures/dockerfiles/*.Dockerfile`` is judged by BuildKit as written and as
``render(parse(text))``: the frontend must list the same build targets (names, default,
descriptions, bases) and the same outline for each (build args with their values and
descriptions, secrets and ssh with whether they are required), or refuse both with the same
error. The ``busybox-*`` fixtures build offline from the local busybox image; they are built
both ways in one ``docker buildx bake`` into OCI layouts, and the image configurations and
final filesystems (paths, modes, owners, contents) must match. A declared multi-line RUN
(lines the shell must see, continuation lines) is built too, and its files show each declared
line ran as written.

Neither form carries a ``# syntax=`` line: the frontend image it names cannot be pulled here
(see ENGINE.md), so BuildKit's built-in frontend reads both.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bakepy.generators.dockerfile import render_dockerfile
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.dockerfile.instructions import Copy, Dockerfile, DockerfileSpec, Run, Stage

from .frontend import Frontend, FrontendError
from .oci import image_config, image_files

pytestmark = pytest.mark.engine

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "dockerfiles").glob("*"))
BUILT = [path for path in FIXTURES if path.name.startswith("busybox-")]
FIXTURE_IMAGE = "localhost:5000/busybox:latest"
CONFIG_KEYS = (
    "Env",
    "Cmd",
    "Entrypoint",
    "Labels",
    "ExposedPorts",
    "Volumes",
    "WorkingDir",
    "User",
    "StopSignal",
    "Healthcheck",
    "Shell",
    "OnBuild",
    "ArgsEscaped",
)
_SYNTAX = re.compile(r"(?im)\A((?:[ \t]*#[^\n]*\n)*?)[ \t]*#[ \t]*syntax[ \t]*=[^\n]*\n")
_LINE = re.compile(r"\blines? \d+")


def without_syntax(text: str) -> str:
    """``text`` without its ``# syntax=`` directive (BuildKit here cannot pull that frontend)."""
    return _SYNTAX.sub(r"\1", text.replace("\r\n", "\n"), count=1)


@pytest.fixture(scope="module")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context the fixtures read: config files, a tar archive, sources, a token."""
    context = tmp_path_factory.mktemp("context")
    (context / "app.conf").write_text("mode=fixture\nlevel=3\n")
    with tarfile.open(context / "archive.tar", "w") as archive:
        data = b"from the archive\n"
        member = tarfile.TarInfo("unpacked/readme.txt")
        member.size, member.mode = len(data), 0o644
        archive.addfile(member, io.BytesIO(data))
    (context / "token").write_text("not-a-real-token\n")
    (context / "scripts").mkdir()
    (context / "scripts" / "entrypoint.sh").write_text('#!/bin/sh\nexec "$@"\n')
    (context / "src" / "lib").mkdir(parents=True)
    (context / "src" / "main.txt").write_text("main source\n")
    (context / "src" / "notes.txt").write_text("notes\n")
    (context / "src" / "lib" / "util.txt").write_text("utility\n")
    (context / "docs").mkdir()
    (context / "docs" / "readme.md").write_text("# docs\n")
    (context / "package.json").write_text('{"name": "fixture"}\n')
    return context


@pytest.fixture(scope="module")
def versions(
    tmp_path_factory: pytest.TempPathFactory, base_image: str, build_context: Path
) -> dict[str, tuple[Path, Path]]:
    """Every fixture written as BuildKit reads it here (original) and as bakepy renders it."""
    folder = tmp_path_factory.mktemp("dockerfiles")
    written: dict[str, tuple[Path, Path]] = {}
    for fixture in FIXTURES:
        text = without_syntax(fixture.read_text()).replace(FIXTURE_IMAGE, base_image)
        original = folder / f"{fixture.stem}.original.Dockerfile"
        original.write_text(text)
        model = parse_dockerfile(text, name=fixture.stem, path=original)
        rendered = folder / f"{fixture.stem}.rendered.Dockerfile"
        rendered.write_text(render_dockerfile(model, include_syntax=False))
        written[fixture.name] = (original, rendered)
    return written


def _view(frontend: Frontend, dockerfile: Path) -> dict[str, Any]:
    """What the frontend reads from ``dockerfile``, or the error it refuses it with."""
    try:
        return frontend.view(dockerfile)
    except FrontendError as error:
        return {"refused": _LINE.sub("line N", str(error))}


@pytest.fixture(scope="module")
def views(
    versions: dict[str, tuple[Path, Path]], base_image: str, build_context: Path
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The frontend's view of each fixture's two versions, asked in parallel."""

    def both(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        frontend = Frontend(base_image, build_context)
        original, rendered = versions[name]
        return _view(frontend, original), _view(frontend, rendered)

    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(zip(versions, pool.map(both, versions), strict=True))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_frontend_reads_the_same_targets_and_outlines(
    fixture: Path, views: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    original, rendered = views[fixture.name]
    assert rendered == original


# --- real builds of the busybox fixtures ------------------------------------------------------


BATCH = 8
"""Builds per ``docker buildx bake``, each exported as an OCI tarball: on a cold cache,
seventy builds at once made BuildKit's exports time out (DeadlineExceeded), and exports to
OCI folders raced to write busybox's layer ("ref layer-sha256:... locked")."""


def unpack(archive: Path, folder: Path) -> None:
    """An OCI tarball our own build wrote, unpacked (with the data filter where this Python
    has one: 3.11.2 has not)."""
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(folder, filter="data")
        else:
            tar.extractall(folder)


def bake(folder: Path, context: Path, builds: dict[str, dict[str, Any]]) -> dict[str, Path]:
    """Build every ``name: {dockerfile or inline, contexts}`` from ``context``, BATCH at a
    time, each into an OCI layout folder (via a tarball; no image store, no attestations);
    returns the folders."""
    layouts = {name: folder / name for name in builds}
    names = list(builds)
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        targets = {
            name: {
                "context": str(context),
                **builds[name],
                "output": [f"type=oci,dest={layouts[name]}.tar"],
                "attest": ["type=provenance,disabled=true"],
                "secret": [f"id=token,src={context / 'token'}"],
            }
            for name in batch
        }
        bake_file = folder / f"docker-bake-{start}.json"
        document = {"group": {"default": {"targets": batch}}, "target": targets}
        bake_file.write_text(json.dumps(document))
        result = subprocess.run(
            ["docker", "buildx", "bake", "--progress=plain", "-f", str(bake_file)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
        assert result.returncode == 0, "\n".join(errors[-20:]) or result.stderr[-4000:]
    for layout in layouts.values():
        unpack(Path(f"{layout}.tar"), layout)
    return layouts


@pytest.fixture(scope="module")
def images(
    versions: dict[str, tuple[Path, Path]],
    build_context: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, Path]]:
    """Both versions of every busybox fixture, built in one ``docker buildx bake``; then, for
    images with ONBUILD triggers, an image ``FROM`` each in a second one (``child:`` keys):
    a trigger is stored as written and means what it does in the build that runs it."""
    builds: dict[str, dict[str, Any]] = {}
    for index, fixture in enumerate(BUILT):
        original, rendered = versions[fixture.name]
        builds[f"original-{index}"] = {"dockerfile": str(original)}
        builds[f"rendered-{index}"] = {"dockerfile": str(rendered)}
    built = bake(tmp_path_factory.mktemp("images"), build_context, builds)
    pairs = {
        fixture.name: (built[f"original-{index}"], built[f"rendered-{index}"])
        for index, fixture in enumerate(BUILT)
    }
    children: dict[str, dict[str, Any]] = {}
    for index, fixture in enumerate(BUILT):
        if comparable_config(pairs[fixture.name][0])["OnBuild"]:
            for kind, layout in zip(("original", "rendered"), pairs[fixture.name], strict=True):
                children[f"{kind}-{index}"] = {
                    "dockerfile-inline": "FROM parent\n",
                    "contexts": {"parent": f"oci-layout://{layout}"},
                }
    if children:
        grown = bake(tmp_path_factory.mktemp("children"), build_context, children)
        for index, fixture in enumerate(BUILT):
            if f"original-{index}" in grown:
                pairs[f"child:{fixture.name}"] = (
                    grown[f"original-{index}"],
                    grown[f"rendered-{index}"],
                )
    return pairs


def comparable_config(layout: Path) -> dict[str, Any]:
    """The parts of the image configuration a Dockerfile decides, and the author; ONBUILD
    triggers only counted: BuildKit stores a trigger as written (keyword case, spacing), and
    the child image built from it is compared instead."""
    document = image_config(layout)
    config = document.get("config", {})
    triggers = len(config.get("OnBuild") or [])
    return {
        "author": document.get("author"),
        **{key: config.get(key) for key in CONFIG_KEYS},
        "OnBuild": triggers,
    }


@pytest.mark.parametrize("fixture", BUILT, ids=lambda path: path.stem)
def test_rendered_dockerfile_builds_the_same_image(
    fixture: Path, images: dict[str, tuple[Path, Path]]
) -> None:
    original, rendered = images[fixture.name]
    assert comparable_config(rendered) == comparable_config(original)
    assert image_files(rendered) == image_files(original)


def test_onbuild_triggers_do_the_same_in_a_child_build(
    images: dict[str, tuple[Path, Path]],
) -> None:
    children = {name: pair for name, pair in images.items() if name.startswith("child:")}
    assert children, "no fixture has ONBUILD triggers"
    for name, (original, rendered) in children.items():
        assert comparable_config(rendered) == comparable_config(original), name
        assert image_files(rendered) == image_files(original), name


# --- a declared multi-line RUN runs the lines that were declared ------------------------------


MULTI_LINE_RUNS = {
    "lines.txt": (
        Run(command="echo first > /out/lines.txt\necho second >> /out/lines.txt"),
        "first\nsecond\n",
    ),
    "continued.txt": (Run(command="echo one \\\n    two > /out/continued.txt"), "one two\n"),
    "quoted.txt": (
        Run(command="set -e\necho 'a \\\n  b' > /out/quoted.txt\necho c >> /out/quoted.txt"),
        "a   b\nc\n",
    ),
    "commented.txt": (
        Run(
            command="echo x \\\n  # skipped by BuildKit, not by a shell\n  y > /out/commented.txt\n"
            "echo z >> /out/commented.txt"
        ),
        "x y\nz\n",
    ),
    "flagged.txt": (
        Run(command="echo m > /out/flagged.txt\necho n >> /out/flagged.txt", network="none"),
        "m\nn\n",
    ),
}
"""File name: (RUN as declared, what the file holds when each declared line ran as written)."""


def test_a_declared_multi_line_run_builds_what_was_declared(
    tmp_path: Path, base_image: str
) -> None:
    build = Stage(
        name="build",
        from_=base_image,
        instructions=[Run(command="mkdir /out"), *(run for run, _ in MULTI_LINE_RUNS.values())],
    )
    files = Stage(from_="scratch", instructions=[Copy(from_="build", src=["/out/"], dest="/")])
    model = Dockerfile(metadata="multi-line", spec=DockerfileSpec(stages=[build, files]))
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(render_dockerfile(model, include_syntax=False))
    result = subprocess.run(
        [
            *("docker", "buildx", "build", "--progress=plain", "-f", str(dockerfile)),
            *("--output", f"type=local,dest={tmp_path / 'out'}", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    for name, (_, expected) in MULTI_LINE_RUNS.items():
        assert (tmp_path / "out" / name).read_text() == expected, name
