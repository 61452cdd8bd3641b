"""Parsed and re-rendered Dockerfiles build the same image as the originals, on a real BuildKit.

Each ``tests/fixtures/dockerfiles/busybox-*.Dockerfile`` builds offline from the local busybox
image. It is built as written and as ``render(parse(text))``; the image configurations
(``docker image inspect``) and the final filesystems (paths, modes, owners, contents) must match.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from bakepy.generators.dockerfile import render_dockerfile
from bakepy.loaders.dockerfile.parser import parse_dockerfile

from .buildkit import docker, unique

pytestmark = pytest.mark.engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dockerfiles"
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
RUNTIME_FILES = frozenset({".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf"})


@pytest.fixture(scope="module")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context the fixtures copy from: a config file and a tar archive."""
    context = tmp_path_factory.mktemp("context")
    (context / "app.conf").write_text("mode=fixture\nlevel=3\n")
    with tarfile.open(context / "archive.tar", "w") as archive:
        data = b"from the archive\n"
        member = tarfile.TarInfo("unpacked/readme.txt")
        member.size, member.mode = len(data), 0o644
        archive.addfile(member, io.BytesIO(data))
    (context / "token").write_text("not-a-real-token\n")
    return context


def build(dockerfile: Path, context: Path) -> str:
    """Build ``dockerfile`` into the engine's image store; returns the tag."""
    tag = unique("bakepy-roundtrip") + ":test"
    command = ["docker", "buildx", "build", "--load", "--progress=plain", "-t", tag]
    command += ["-f", str(dockerfile), "--secret", f"id=token,src={context / 'token'}"]
    result = subprocess.run(
        [*command, str(context)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return tag


def image_config(tag: str) -> dict[str, Any]:
    """The parts of the image configuration a Dockerfile decides, and the author."""
    inspected = json.loads(docker("image", "inspect", tag))[0]
    config = inspected["Config"]
    return {"Author": inspected.get("Author"), **{key: config.get(key) for key in CONFIG_KEYS}}


def image_files(tag: str) -> list[tuple[str, ...]]:
    """Every path of the image's filesystem with its type, mode, owner and content digest."""
    container = docker("create", tag).strip()
    try:
        exported = subprocess.run(
            ["docker", "export", container], capture_output=True, timeout=120, check=True
        ).stdout
    finally:
        docker("rm", "--volumes", container)  # and the anonymous volumes of VOLUME lines
    entries: list[tuple[str, ...]] = []
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        for member in archive.getmembers():
            if member.name.rstrip("/") in RUNTIME_FILES:
                continue
            handle = archive.extractfile(member) if member.isfile() else None
            digest = hashlib.sha256(handle.read()).hexdigest() if handle else member.linkname
            entries.append(
                (
                    member.name,
                    str(member.type),
                    oct(member.mode),
                    f"{member.uid}:{member.gid}",
                    digest,
                )
            )
    return sorted(entries)


@pytest.mark.parametrize(
    "fixture", sorted(FIXTURES.glob("busybox-*.Dockerfile")), ids=lambda path: path.stem
)
def test_rendered_dockerfile_builds_the_same_image(
    fixture: Path, base_image: str, build_context: Path, tmp_path: Path
) -> None:
    original = tmp_path / "original.Dockerfile"
    original.write_text(fixture.read_text().replace(FIXTURE_IMAGE, base_image))
    rendered = tmp_path / "rendered.Dockerfile"
    model = parse_dockerfile(original.read_text(), name=fixture.stem, path=original)
    rendered.write_text(render_dockerfile(model, include_syntax=False))
    tags = [build(original, build_context), build(rendered, build_context)]
    try:
        assert image_config(tags[1]) == image_config(tags[0])
        assert image_files(tags[1]) == image_files(tags[0])
    finally:
        docker("image", "rm", *tags)
