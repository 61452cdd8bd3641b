"""The engine lists an image in one spelling; every spelling of its reference finds it, so an
apply never pulls an image it has (engine 26.1, containerd image store)."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from bakepy.engine.compose.client import DockerEngineClient

pytestmark = pytest.mark.engine


def test_every_spelling_finds_the_local_image(docker_engine: str, base_image: str) -> None:
    name = f"bakepyref{uuid.uuid4().hex[:8]}"
    subprocess.run([docker_engine, "tag", base_image, f"{name}:2"], check=True)
    try:
        image_id = subprocess.run(
            [docker_engine, "image", "inspect", f"{name}:2", "--format", "{{.Id}}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        spellings = [
            f"{name}:2",
            f"docker.io/library/{name}:2",
            f"index.docker.io/library/{name}:2",
            f"library/{name}:2",
        ]
        found = DockerEngineClient().image_ids([*spellings, f"{name}:3", name])
        assert found == dict.fromkeys(spellings, image_id)
    finally:
        subprocess.run([docker_engine, "rmi", f"{name}:2"], check=False, capture_output=True)
