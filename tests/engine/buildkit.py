"""Helpers for engine tests: render a project without the syntax directive and bake it."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
import uuid
from pathlib import Path
from typing import Any

from bakepy import Project, render
from bakepy.api.output import write_files
from bakepy.generators.files import RenderOptions


def unique(prefix: str) -> str:
    """A name no earlier run used, so tests never see each other's images."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def bake(
    project: Project, out_dir: Path, *targets: str, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Render ``project`` into ``out_dir`` and run ``docker buildx bake`` there; must succeed."""
    write_files(render(project, out_dir, RenderOptions(syntax_directive=False)), out_dir)
    result = subprocess.run(
        ["docker", "buildx", "bake", "--progress=plain", "-f", "docker-bake.hcl", *extra, *targets],
        cwd=out_dir,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def docker(*args: str, check: bool = True) -> str:
    """Run a docker CLI command and return its stdout."""
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def run_in_image(image: str, *command: str, platform: str | None = None) -> str:
    """``docker run --rm`` a command in ``image`` and return what it printed."""
    flags = ["--platform", platform] if platform else []
    return docker("run", "--rm", *flags, image, *command)


def image_bytes(image: str) -> list[bytes]:
    """Every blob of ``image`` (layers uncompressed, configs, manifests), from ``docker save``."""
    raw = subprocess.run(
        ["docker", "save", image], capture_output=True, timeout=300, check=True
    ).stdout
    blobs: list[bytes] = []
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member)
            if handle is None:
                continue
            data = handle.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            blobs.append(data)
    return blobs


def raw_manifest(reference: str) -> dict[str, Any]:
    """The raw index or manifest the registry holds for ``reference``."""
    manifest: dict[str, Any] = json.loads(
        docker("buildx", "imagetools", "inspect", "--raw", reference)
    )
    return manifest
