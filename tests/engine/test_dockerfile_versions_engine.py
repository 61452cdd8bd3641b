"""The engine's built-in Dockerfile frontend agrees with bakepy's feature table.

Each Dockerfile is rendered without a ``# syntax=`` line, so the frontend built into the
engine's BuildKit parses it; which frontend that is comes from the engine's version
(``builtin_frontend``). A feature that frontend lacks must fail the build (with BuildKit's own
error) and be refused by ``check_dockerfile_versions``; one it has must build and pass. With
dockerd 26.1 (BuildKit 0.13, frontend 1.7) the first kind fails and the second builds.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from bakepy.generators.dockerfile import render_dockerfile
from bakepy.models.dockerfile import (
    Add,
    Copy,
    Dockerfile,
    DockerfileSpec,
    Healthcheck,
    Heredoc,
    Run,
    SecretMount,
    Stage,
)
from bakepy.models.dockerfile.features import FEATURE_BY_NAME, builtin_frontend
from bakepy.models.dockerfile.instructions import Instruction
from bakepy.models.toolchain import Version
from bakepy.resolution.checks.dockerfile_versions import check_dockerfile_versions

from .buildkit import docker, run_in_image, unique

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def builtin(docker_engine: str) -> Version:
    """The Dockerfile frontend built into the engine under test."""
    engine = docker("version", "--format", "{{.Server.Version}}").strip()
    frontend = builtin_frontend(Version.parse(engine))
    if frontend is None:
        pytest.skip(f"bakepy does not know which frontend dockerd {engine} has built in")
    return frontend


@pytest.fixture
def context(tmp_path: Path) -> Path:
    """A build context: a file, a tar archive, a nested go.mod and a secret."""
    folder = tmp_path / "context"
    (folder / "src" / "api").mkdir(parents=True)
    (folder / "app").write_text("app\n")
    (folder / "scratch.tmp").write_text("left out\n")
    (folder / "src" / "api" / "go.mod").write_text("module api\n")
    (folder / "token").write_text("not-a-real-token\n")
    with tarfile.open(folder / "app.tar", "w") as archive:
        data = b"from the archive\n"
        member = tarfile.TarInfo("unpacked.txt")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return folder


def model(base_image: str, *instructions: Instruction) -> Dockerfile:
    """A one-stage Dockerfile FROM the local base image."""
    stage = Stage(from_=base_image, instructions=list(instructions))
    return Dockerfile(metadata="versions", spec=DockerfileSpec(stages=[stage]))


def build(
    dockerfile: Dockerfile, context: Path, tag: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Build the rendering of ``dockerfile`` (no ``# syntax=``: the builtin frontend parses it)."""
    path = context.parent / "Dockerfile"
    path.write_text(render_dockerfile(dockerfile, include_syntax=False))
    command = ["docker", "buildx", "build", "--progress=plain", "-f", str(path)]
    command += ["--secret", f"id=token,src={context / 'token'}"]
    command += ["--load", "-t", tag] if tag else []
    return subprocess.run(
        [*command, str(context)], capture_output=True, text=True, timeout=300, check=False
    )


def refused_names(dockerfile: Dockerfile, builtin: Version) -> list[str]:
    """The features ``check_dockerfile_versions`` refuses for the builtin frontend."""
    return [d.message.split(" needs ")[0] for d in check_dockerfile_versions(dockerfile, builtin)]


GATED: list[tuple[str, Instruction, str]] = [
    ("COPY --exclude", Copy(src=["."], dest="/app/", exclude=["*.tmp"]), "unknown flag: exclude"),
    (
        "COPY --parents",
        Copy(src=["src/*/go.mod"], dest="/app/", parents=True),
        "unknown flag: parents",
    ),
    ("RUN --security", Run(command="true", security="sandbox"), "unknown flag: security"),
    (
        "RUN --mount=type=secret,env=",
        Run(command='test -n "$TOKEN"', mounts=[SecretMount(id="token", env="TOKEN")]),
        "unexpected key 'env'",
    ),
    ("ADD --unpack", Add(src=["app.tar"], dest="/x/", unpack=True), "unknown flag: unpack"),
]
"""Features newer than frontend 1.7, and what BuildKit says when a frontend lacks them."""


@pytest.mark.parametrize(("name", "instruction", "error"), GATED, ids=[g[0] for g in GATED])
def test_a_feature_the_builtin_lacks_fails_the_build_and_is_refused(
    name: str,
    instruction: Instruction,
    error: str,
    builtin: Version,
    base_image: str,
    context: Path,
) -> None:
    dockerfile = model(base_image, instruction)
    result = build(dockerfile, context)
    if FEATURE_BY_NAME[name].available(builtin):
        assert result.returncode == 0, result.stderr[-3000:]
        assert refused_names(dockerfile, builtin) == []
        return
    assert result.returncode != 0
    assert error in result.stderr, result.stderr[-3000:]
    assert refused_names(dockerfile, builtin) == [name]


def test_a_symbolic_chmod_the_builtin_lacks_is_ignored_or_refused(
    builtin: Version, base_image: str, context: Path
) -> None:
    feature = FEATURE_BY_NAME["COPY --chmod with a symbolic mode"]
    dockerfile = model(base_image, Copy(src=["app"], dest="/app", chmod="u+x"))
    tag = unique("bakepy-chmod") + ":test"
    result = build(dockerfile, context, tag)
    diagnostics = check_dockerfile_versions(dockerfile, builtin)
    if feature.available(builtin):
        assert result.returncode == 0, result.stderr[-3000:]
        assert run_in_image(tag, "stat", "-c", "%a", "/app").strip() == "744"
        assert diagnostics == []
    elif feature.ignored_by(builtin):
        assert result.returncode == 0, result.stderr[-3000:]
        assert run_in_image(tag, "stat", "-c", "%a", "/app").strip() == "644"
        [diagnostic] = diagnostics
        assert diagnostic.message.endswith("which ignores it without a word")
    else:
        assert result.returncode != 0
        assert [d.message.split(" needs ")[0] for d in diagnostics] == [feature.name]
    if result.returncode == 0:
        docker("image", "rm", tag)


HAS: list[tuple[str, Instruction]] = [
    ("COPY --link", Copy(src=["app"], dest="/linked/app", link=True)),
    ("heredocs", Run(command="sh", heredoc=Heredoc(body="echo from-heredoc > /heredoc.txt"))),
    ("RUN --network", Run(command="true", network="none")),
    ("HEALTHCHECK --start-interval", Healthcheck(command="true", start_interval="2s")),
    (
        "RUN --mount",
        Run(command="test -s /run/secrets/token", mounts=[SecretMount(id="token", required=True)]),
    ),
]
"""Features frontend 1.7 has."""


@pytest.mark.parametrize(("name", "instruction"), HAS, ids=[h[0] for h in HAS])
def test_a_feature_the_builtin_has_builds_and_is_not_refused(
    name: str, instruction: Instruction, builtin: Version, base_image: str, context: Path
) -> None:
    if not FEATURE_BY_NAME[name].available(builtin):
        pytest.skip(f"the builtin frontend {builtin} lacks {name}")
    dockerfile = model(base_image, instruction)
    assert check_dockerfile_versions(dockerfile, builtin) == []
    result = build(dockerfile, context)
    assert result.returncode == 0, result.stderr[-3000:]
