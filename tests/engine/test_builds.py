"""Real builds on BuildKit through ``docker buildx bake`` on the files bakepy renders.

Each test checks the result (files in the image, cache hits, registry content), not just the
exit code.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest

from bakepy import Dockerfile, DockerfileSpec, Project, Target, TargetSpec, Variable, VariableSpec
from bakepy.models.bake import Annotation, Output, Secret
from bakepy.models.dockerfile import Arg, CacheMount, Copy, Heredoc, Run, SecretMount, Stage

from .buildkit import bake, docker, image_bytes, raw_manifest, run_in_image, unique

pytestmark = pytest.mark.engine


def image_target(name: str, dockerfile: Dockerfile, image: str, **spec: object) -> Target:
    """A target that loads its result into the engine's image store as ``image``."""
    return Target(
        metadata=name,
        spec=TargetSpec(dockerfile=dockerfile, tags=[image], output=["type=docker"], **spec),
    )


def test_heredoc_run_and_inline_copy_land_in_the_image(base_image: str, tmp_path: Path) -> None:
    stage = Stage(
        name="app",
        from_=base_image,
        instructions=[
            Run(
                command="sh",
                heredoc=Heredoc(
                    body="set -e\necho from-heredoc > /heredoc.txt\necho $((6 * 7)) >> /heredoc.txt"
                ),
            ),
            Copy(
                dest="/etc/app.conf",
                heredocs=[Heredoc(delimiter="EOF", body="mode=inline\nlevel=3")],
            ),
        ],
    )
    dockerfile = Dockerfile(metadata="heredocs", spec=DockerfileSpec(stages=[stage]))
    image = unique("bakepy-heredoc") + ":test"
    bake(Project([image_target("app", dockerfile, image)]), tmp_path, "app")
    assert run_in_image(image, "cat", "/heredoc.txt") == "from-heredoc\n42\n"
    assert run_in_image(image, "cat", "/etc/app.conf") == "mode=inline\nlevel=3\n"


def test_cache_mount_is_reused_by_the_second_build(base_image: str, tmp_path: Path) -> None:
    cache_id = unique("bakepy-cache")
    stage = Stage(
        name="app",
        from_=base_image,
        instructions=[
            Arg(name="BUST"),
            Run(
                command="echo run-$BUST >> /cache/runs && cp /cache/runs /runs.txt",
                mounts=[CacheMount(target="/cache", id=cache_id)],
            ),
        ],
    )
    dockerfile = Dockerfile(metadata="cache", spec=DockerfileSpec(stages=[stage]))
    image = unique("bakepy-cache") + ":test"
    bust = Variable(metadata="BUST", spec=VariableSpec(default="1"))
    target = image_target("app", dockerfile, image, args={"BUST": "${BUST}"})
    bake(Project([bust, target]), tmp_path, "app")
    assert run_in_image(image, "cat", "/runs.txt") == "run-1\n"
    bake(Project([bust, target]), tmp_path, "app", extra=("--set", "app.args.BUST=2"))
    assert run_in_image(image, "cat", "/runs.txt") == "run-1\nrun-2\n"


def test_secret_is_readable_during_run_and_absent_from_the_image(
    base_image: str, tmp_path: Path
) -> None:
    value = "s3cr3t-" + secrets.token_hex(16)
    (tmp_path / "token.txt").write_text(value)
    stage = Stage(
        name="app",
        from_=base_image,
        instructions=[
            Run(
                command="sha256sum /run/secrets/token | cut -d' ' -f1 > /token.sha256 "
                "&& test -s /run/token-copy && echo file-ok > /mounted.txt",
                mounts=[
                    SecretMount(id="token", required=True),
                    SecretMount(id="token", target="/run/token-copy"),
                ],
            ),
        ],
    )
    dockerfile = Dockerfile(metadata="secret", spec=DockerfileSpec(stages=[stage]))
    image = unique("bakepy-secret") + ":test"
    # BuildKit leaves secret contents out of its cache keys: without no-cache, the RUN step of
    # an earlier run (another random value) would be reused.
    target = image_target(
        "app", dockerfile, image, secret=[Secret(id="token", src="token.txt")], no_cache=True
    )
    project = Project([target], base_dir=tmp_path)
    result = bake(project, tmp_path, "app")
    expected = hashlib.sha256(value.encode()).hexdigest()
    assert run_in_image(image, "cat", "/token.sha256").strip() == expected
    assert run_in_image(image, "cat", "/mounted.txt") == "file-ok\n"
    assert value not in result.stdout + result.stderr
    assert value not in docker("history", "--no-trunc", image)
    assert value not in docker("image", "inspect", image)
    for blob in image_bytes(image):
        assert value.encode() not in blob
    for rendered in tmp_path.glob("*.Dockerfile"):
        assert value not in rendered.read_text()
    assert value not in (tmp_path / "docker-bake.hcl").read_text()


def test_local_output_exports_the_binaries_stage(base_image: str, tmp_path: Path) -> None:
    build = Stage(
        name="build",
        from_=base_image,
        instructions=[
            Run(command="mkdir /out && echo client > /out/client && echo server > /out/server")
        ],
    )
    binaries = Stage(
        name="binaries",
        from_="scratch",
        instructions=[Copy(from_=build, src=["/out/client", "/out/server"], dest="/")],
    )
    dockerfile = Dockerfile(metadata="bins", spec=DockerfileSpec(stages=[build, binaries]))
    target = Target(
        metadata="binaries",
        spec=TargetSpec(
            dockerfile=dockerfile, target=binaries, output=[Output(type="local", dest="bin")]
        ),
    )
    bake(Project([target], base_dir=tmp_path), tmp_path, "binaries")
    exported = sorted(p.name for p in (tmp_path / "bin").iterdir())
    assert exported == ["client", "server"]
    assert (tmp_path / "bin" / "client").read_text() == "client\n"


def test_target_builds_only_the_stages_it_needs(base_image: str, tmp_path: Path) -> None:
    base = Stage(name="base", from_=base_image, instructions=[Run(command="echo base > /base.txt")])
    broken = Stage(
        name="broken",
        from_=base_image,
        instructions=[Run(command="echo this stage must not run && exit 1")],
    )
    final = Stage(
        name="final", from_=base, instructions=[Run(command="cat /base.txt > /final.txt")]
    )
    dockerfile = Dockerfile(metadata="partial", spec=DockerfileSpec(stages=[base, broken, final]))
    image = unique("bakepy-partial") + ":test"
    result = bake(
        Project([image_target("final", dockerfile, image, target=final)]), tmp_path, "final"
    )
    assert run_in_image(image, "cat", "/final.txt") == "base\n"
    assert "this stage must not run" not in result.stderr


def test_multi_platform_image_with_annotations_is_pushed(
    base_image: str, registry: str, tmp_path: Path
) -> None:
    stage = Stage(name="app", from_=base_image, instructions=[Run(command="uname -m > /arch")])
    dockerfile = Dockerfile(metadata="multi", spec=DockerfileSpec(stages=[stage]))
    reference = f"{registry}/{unique('bakepy-multi')}:1"
    target = Target(
        metadata="multi",
        spec=TargetSpec(
            dockerfile=dockerfile,
            platforms=["linux/amd64", "linux/arm64"],
            tags=[reference],
            output=[Output(type="registry")],
            annotations=[
                Annotation(key="org.opencontainers.image.title", value="multi", levels=["index"]),
                Annotation(key="dev.bakepy.test", value="per-manifest", levels=["manifest"]),
            ],
        ),
    )
    bake(Project([target]), tmp_path, "multi")
    index = raw_manifest(reference)
    assert index["annotations"]["org.opencontainers.image.title"] == "multi"
    platforms = {
        f"{m['platform']['os']}/{m['platform']['architecture']}": m["digest"]
        for m in index["manifests"]
        if m["platform"]["os"] != "unknown"
    }
    assert set(platforms) == {"linux/amd64", "linux/arm64"}
    for digest in platforms.values():
        manifest = raw_manifest(f"{reference.rsplit(':', 1)[0]}@{digest}")
        assert manifest["annotations"]["dev.bakepy.test"] == "per-manifest"
    assert run_in_image(reference, "cat", "/arch", platform="linux/arm64") == "aarch64\n"
    assert run_in_image(reference, "cat", "/arch", platform="linux/amd64") == "x86_64\n"
