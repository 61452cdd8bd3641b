"""A service built from a bake Target, judged by both tools on the rendered files: under every
environment, ``docker compose config`` runs the image ``docker buildx bake --print`` builds
(the bake variables stay variables in compose.yaml, not their defaults frozen), with the same
build args; the Target's ``output`` compose cannot take is dropped with a warning."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import _missing

from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    Project,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
    render,
)
from bakepy.api.output import write_files

pytestmark = pytest.mark.conformance

BASE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin:/usr/local/bin"),
    "HOME": os.environ.get("HOME", "/root"),
    **({"DOCKER_HOST": os.environ["DOCKER_HOST"]} if "DOCKER_HOST" in os.environ else {}),
}
"""Nothing from the developer's shell but where the tools and the engine are."""

RUNS = [
    {},
    {"VERSION": "2.0"},
    {"VERSION": "2.0", "REGISTRY": "ghcr.io/acme"},
    {"VERSION": ""},
]
"""The shells the rendered files are judged under: defaults, one or both variables set, and
one set empty (both tools then use the empty value, not the default)."""


@pytest.fixture(scope="module", name="docker")
def docker_fixture() -> str:
    """The docker CLI with the compose and buildx plugins (neither command needs a daemon)."""
    docker = shutil.which("docker")
    if docker is None:
        _missing("the docker CLI is not installed (run scripts/engine-up.sh)")
    assert docker is not None
    for plugin in ("compose", "buildx"):
        version = subprocess.run(
            [docker, plugin, "version"], capture_output=True, text=True, timeout=60, check=False
        )
        if version.returncode != 0:
            _missing(f"the docker {plugin} plugin is not installed (run scripts/engine-up.sh)")
    return docker


def tool(docker: str, folder: Path, env: dict[str, str], *args: str) -> Any:
    """The JSON a docker command run in ``folder`` under ``env`` prints; it must succeed."""
    result = subprocess.run(
        [docker, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**BASE_ENV, **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def shop(base: Path) -> Project:
    """A compose service built from a Target whose tags and args use two bake variables, and
    whose output (push to a registry) compose has no field for."""
    (base / "Dockerfile").write_text("FROM busybox\nARG APP_VERSION\nRUN echo $APP_VERSION\n")
    version = Variable(metadata="VERSION", spec=VariableSpec(default="1.0"))
    registry = Variable(metadata="REGISTRY", spec=VariableSpec(default="localhost:5000"))
    target = Target(
        metadata="app",
        spec=TargetSpec(
            context=".",
            tags=["${REGISTRY}/app:${VERSION}", "${REGISTRY}/app:latest"],
            args={"APP_VERSION": "v${VERSION}"},
            output=["type=registry"],
        ),
    )
    spec = ComposeProjectSpec.model_validate({"services": {"app": {"build": target}}})
    compose = ComposeProject(metadata="shop", spec=spec)
    return Project([version, registry, target, compose], base_dir=base)


def test_compose_runs_what_bake_builds_under_every_environment(docker: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = render(shop(tmp_path), out)
    write_files(files, out)
    warnings = [w for file in files for w in file.warnings]
    assert any("ignore output of Target/app" in warning for warning in warnings), warnings
    for env in RUNS:
        printed = tool(
            docker, out, env, "buildx", "bake", "-f", "docker-bake.hcl", "--print", "app"
        )
        built = printed["target"]["app"]
        config = tool(
            docker, out, env, "compose", "-f", "compose.yaml", "config", "--format", "json"
        )
        service = config["services"]["app"]
        assert service["image"] == built["tags"][0], env
        assert set(service["build"]["tags"]) == set(built["tags"][1:]), env
        assert service["build"]["args"] == built["args"], env
        assert "output" not in service["build"]
        version = env.get("VERSION", "1.0")
        assert built["args"] == {"APP_VERSION": f"v{version}"}, env
