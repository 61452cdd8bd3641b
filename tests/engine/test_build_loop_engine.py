"""Builds in the plan/apply loop, on the real engine, BuildKit and local registry: an unchanged
apply neither rebuilds nor replaces the container, plan lists builds and builders, builders
are created and deleted, multi-level annotations land on each level, and ``bakepy.lock`` pins
base and pushed images."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bakepy
from bakepy import (
    Builder,
    BuilderSpec,
    ComposeProject,
    Project,
    Target,
    TargetSpec,
    apply_builds,
)
from bakepy.api.converge import delete_builders, plan_builds
from bakepy.api.output import write_files
from bakepy.engine.builders import inspect_builder
from bakepy.engine.commands import SubprocessRunner
from bakepy.engine.registry_http import tag_digest
from bakepy.generators.files import RenderOptions

from .buildkit import docker, unique

pytestmark = pytest.mark.engine
# RUN steps use no network: they need none, and the shared engine's docker0 bridge may be
# taken down by other tests on this machine.


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bakepy", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )


def _app_project(base_image: str, tmp_path: Path, image: str, compose_name: str) -> Project:
    """A context folder with a Dockerfile and a file it copies, an image loaded into the
    engine, and a compose service running it."""
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base_image}\nCOPY app.txt /app.txt\nRUN --network=none cat /app.txt > /copy.txt\n"
        'CMD ["sleep", "3600"]\n'
    )
    (tmp_path / "app.txt").write_text("v1\n")
    (tmp_path / ".dockerignore").write_text("ignored.txt\n")
    target = Target(
        metadata="app",
        spec=TargetSpec(context=".", tags=[image], output=["type=docker"]),
    )
    compose = ComposeProject.model_validate(
        {
            "metadata": {"name": compose_name},
            "spec": {"services": {"app": {"image": image, "init": True}}},
        }
    )
    return Project([target, compose], base_dir=tmp_path)


def _folder(tmp_path: Path) -> Path:
    """The project's folder: beside the state folder the tests' BAKEPY_STATE_DIR names
    (tmp_path/state), not around it, or each record written would change the context."""
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def _container_id(project: str) -> str:
    return docker("ps", "-q", "--filter", f"label=dev.bakepy.project={project}").strip()


def test_a_second_apply_neither_rebuilds_nor_replaces_the_container(
    base_image: str, tmp_path: Path
) -> None:
    tmp_path = _folder(tmp_path)
    image, name = f"{unique('bakepy-loop')}:dev", unique("bkloop")
    project = _app_project(base_image, tmp_path, image, name)
    try:
        first = bakepy.apply(project, build_progress="quiet", syntax_directive=False)
        assert first.builds is not None
        [built] = first.builds.results
        assert built.action == "built"
        assert built.digest == docker("image", "inspect", image, "--format", "{{.Id}}").strip()
        container = _container_id(name)
        assert container

        planned = bakepy.plan(project, syntax_directive=False)
        assert planned.builds is not None
        assert [(t.target, t.action) for t in planned.builds.targets] == [("app", "up to date")], (
            planned.render()
        )
        assert not planned.has_changes, planned.render()

        second = bakepy.apply(project, build_progress="quiet", syntax_directive=False)
        assert second.builds is not None
        [kept] = second.builds.results
        assert (kept.action, kept.digest) == ("up to date", built.digest)
        assert docker("image", "inspect", image, "--format", "{{.Id}}").strip() == built.digest
        assert _container_id(name) == container
        assert [d.action for d in second.runtime[0].done if d.action != "unchanged"] == []

        # an ignored file changes nothing; a copied file does, and says so
        (tmp_path / "ignored.txt").write_text("anything\n")
        assert not bakepy.plan(project, syntax_directive=False).has_changes
        (tmp_path / "app.txt").write_text("v2\n")
        changed = plan_builds(project, ["app"], syntax_directive=False)
        assert [(t.action, t.reason) for t in changed.targets] == [
            ("build", "its inputs changed since its last build")
        ]
        (tmp_path / "app.txt").write_text("v1\n")
        # a removed image is rebuilt, to the same digest (no provenance timestamps in it)
        docker("rmi", "-f", image)  # untagged: the running container keeps its image
        gone = plan_builds(project, ["app"], syntax_directive=False)
        assert gone.targets[0].reason == f"{image} is not on this engine"
        rebuilt = apply_builds(project, ["app"], progress="quiet", syntax_directive=False)
        assert [(r.action, r.digest) for r in rebuilt.results] == [("built", built.digest)]
    finally:
        bakepy.delete(project)
        docker("rmi", "-f", image, check=False)


def test_dry_run_of_a_build_only_project_says_what_it_would_do(
    base_image: str, tmp_path: Path
) -> None:
    tmp_path = _folder(tmp_path)
    image = f"{unique('bakepy-dry')}:1"
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\n"
        f'spec:\n  dockerfile-inline: "FROM {base_image}\\nRUN --network=none echo hi > /hi\\n"\n'
        f"  tags: [{image!r}]\n  output: [type=docker]\n"
    )
    dry = _cli("apply", "-f", str(tmp_path), "--dry-run", "--no-syntax-directive")
    assert dry.returncode == 0, dry.stderr
    assert "target/app: would build (no build of it is recorded on this host)" in dry.stdout
    assert docker("image", "ls", "-q", image).strip() == ""  # nothing was built
    planned = _cli("plan", "-f", str(tmp_path), "--no-syntax-directive", "-o", "json")
    assert planned.returncode == 1, planned.stderr
    assert json.loads(planned.stdout)["builds"]["targets"][0]["action"] == "build"
    try:
        applied = _cli("apply", "-f", str(tmp_path), "--no-syntax-directive", "--progress", "quiet")
        assert applied.returncode == 0, applied.stderr
        again = _cli("plan", "-f", str(tmp_path), "--no-syntax-directive")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "target/app: up to date (inputs unchanged)" in again.stdout
    finally:
        docker("rmi", "-f", image, check=False)


def test_a_no_change_apply_of_builds_is_answered_from_the_cache_until_something_moves(
    base_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path = _folder(tmp_path)
    image = f"{unique('bakepy-noop')}:1"
    (tmp_path / "Dockerfile").write_text(f"FROM {base_image}\nCOPY app.txt /app.txt\n")
    (tmp_path / "app.txt").write_text("v1\n")
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\n"
        f"spec:\n  context: .\n  tags: [{image!r}]\n  output: [type=docker]\n"
    )
    monkeypatch.setenv("BAKEPY_APPLY_CACHE_TRACE", "1")
    command = ["apply", "-f", str(tmp_path / "bakepy.yaml"), "--no-syntax-directive"]

    def apply() -> subprocess.CompletedProcess[str]:
        done = _cli(*command, "--progress", "quiet")
        assert done.returncode == 0, done.stderr
        return done

    try:
        assert apply().stdout.startswith("built app:")
        kept = apply()  # the whole command: it records what it read and planned
        assert kept.stdout.startswith("up to date app:")
        cached = apply()
        assert cached.stdout == kept.stdout
        assert "apply cache (builds): not used" not in cached.stderr
        (tmp_path / "app.txt").write_text("v2\n")
        changed = apply()
        assert "app.txt changed" in changed.stderr
        assert changed.stdout.startswith("built app:")
        apply()
        docker("rmi", "-f", image)
        gone = apply()
        assert f"{image} is not on this engine" in gone.stderr
        assert gone.stdout.startswith("built app:")
    finally:
        docker("rmi", "-f", image, check=False)


def test_builders_are_planned_dry_run_and_deleted(docker_engine: str, tmp_path: Path) -> None:
    tmp_path = _folder(tmp_path)
    runner = SubprocessRunner()
    name = unique("bakepy-loop-builder")
    declared = Builder(
        metadata=name, spec=BuilderSpec.model_validate({"driver": "docker-container"})
    )
    project = Project([declared], base_dir=tmp_path)
    try:
        assert [(b.name, b.action) for b in delete_builders(project, dry_run=True)] == [
            (name, "unchanged")
        ]
        (tmp_path / "bakepy.py").write_text(
            "from bakepy import Builder, BuilderSpec\n"
            f"b = Builder(metadata={name!r}, spec=BuilderSpec(driver='docker-container'))\n"
        )
        dry = _cli("apply", "-f", str(tmp_path / "bakepy.py"), "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert f"builder/{name}: create" in dry.stdout
        assert inspect_builder(runner, name) is None  # a dry run creates nothing
        applied = _cli("apply", "-f", str(tmp_path / "bakepy.py"))
        assert applied.returncode == 0, applied.stderr
        assert inspect_builder(runner, name) is not None
        planned = _cli("plan", "-f", str(tmp_path / "bakepy.py"))
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert f"builder/{name}: unchanged" in planned.stdout
        assert [b.action for b in delete_builders(project, dry_run=True)] == ["delete"]
        deleted = _cli("delete", "-f", str(tmp_path / "bakepy.py"))
        assert deleted.returncode == 0, deleted.stderr
        assert f"builder/{name}: deleted" in deleted.stdout
        assert inspect_builder(runner, name) is None
    finally:
        subprocess.run(["docker", "buildx", "rm", name], capture_output=True, check=False)


def _raw(reference: str) -> dict[str, object]:
    return json.loads(docker("buildx", "imagetools", "inspect", "--raw", reference))  # type: ignore[no-any-return]


def test_index_and_manifest_annotations_land_on_both_levels(
    base_image: str, registry: str, tmp_path: Path
) -> None:
    tmp_path = _folder(tmp_path)
    repository = f"{registry}/{unique('bakepy-levels')}"
    target = Target(
        metadata="multi",
        spec=TargetSpec(
            dockerfile_inline=f"FROM {base_image}\nRUN --network=none uname -m > /arch\n",
            platforms=["linux/amd64", "linux/arm64"],
            tags=[f"{repository}:1"],
            output=["type=registry"],
            annotations=["index,manifest:dev.bakepy.both=yes", "index:dev.bakepy.index=only"],
        ),
    )
    project = Project([target], base_dir=tmp_path)
    apply_builds(project, ["multi"], progress="quiet", syntax_directive=False)
    index = _raw(f"{repository}:1")
    assert index["annotations"] == {"dev.bakepy.both": "yes", "dev.bakepy.index": "only"}
    manifests = index["manifests"]
    assert isinstance(manifests, list)
    platforms = [m for m in manifests if m["platform"]["os"] != "unknown"]
    assert len(platforms) == 2
    for entry in platforms:
        manifest = _raw(f"{repository}@{entry['digest']}")
        assert manifest["annotations"] == {"dev.bakepy.both": "yes"}
        assert "index,manifest:dev.bakepy.both" not in json.dumps(manifest)

    # The rendered bake files say the same, and buildx alone puts each level where it belongs.
    out = tmp_path / "rendered"
    rendered = bakepy.render(project, out, RenderOptions(syntax_directive=False))
    write_files(rendered, out)
    for name in ("docker-bake.hcl", "docker-bake.json"):
        printed = json.loads(docker("buildx", "bake", "--print", "-f", str(out / name), "multi"))
        assert printed["target"]["multi"]["annotations"] == [
            "index:dev.bakepy.both=yes",
            "manifest:dev.bakepy.both=yes",
            "index:dev.bakepy.index=only",
        ]
    tag = f"{repository}:rendered"
    subprocess.run(
        [
            *("docker", "buildx", "bake", "-f", str(out / "docker-bake.hcl"), "multi"),
            *("--set", f"multi.tags={tag}", "--progress", "quiet"),
        ],
        cwd=out,
        check=True,
        capture_output=True,
    )
    index = _raw(tag)
    assert index["annotations"] == {"dev.bakepy.both": "yes", "dev.bakepy.index": "only"}
    built = [m for m in index["manifests"] if m["platform"]["os"] != "unknown"]  # type: ignore[index]
    assert len(built) == 2
    for entry in built:
        assert _raw(f"{repository}@{entry['digest']}")["annotations"] == {"dev.bakepy.both": "yes"}

    # Why: buildx 0.13 pushes the combined form under a literal key, on the manifests only.
    combined = out / "combined.hcl"
    combined.write_text(
        (out / "docker-bake.hcl")
        .read_text()
        .replace('"index:dev.bakepy.both=yes",', "")
        .replace('"manifest:dev.bakepy.both=yes"', '"index,manifest:dev.bakepy.both=yes"')
    )
    tag = f"{repository}:combined"
    subprocess.run(
        [
            *("docker", "buildx", "bake", "-f", str(combined), "multi"),
            *("--set", f"multi.tags={tag}", "--progress", "quiet"),
        ],
        cwd=out,
        check=True,
        capture_output=True,
    )
    index = _raw(tag)
    assert index["annotations"] == {"dev.bakepy.index": "only"}
    entry = next(m for m in index["manifests"] if m["platform"]["os"] != "unknown")  # type: ignore[index]
    assert _raw(f"{repository}@{entry['digest']}")["annotations"] == {
        "index,manifest:dev.bakepy.both": "yes"
    }


def test_lock_pins_base_and_pushed_images_and_apply_honours_it(
    base_image: str, registry: str, tmp_path: Path
) -> None:
    tmp_path = _folder(tmp_path)
    pushed = f"{registry}/{unique('bakepy-lock')}:1"
    definition = tmp_path / "bakepy.py"
    definition.write_text(
        "from bakepy import Target, TargetSpec\n"
        f"app = Target(metadata='app', spec=TargetSpec(dockerfile_inline="
        f"'FROM {base_image}\\nRUN --network=none echo locked > /l\\n', tags=[{pushed!r}], "
        "output=['type=registry']))\n"
    )
    first = _cli("apply", "-f", str(definition), "--no-syntax-directive", "--progress", "quiet")
    assert first.returncode == 0, first.stderr
    locked = _cli("lock", "-f", str(definition), "--no-syntax-directive", "-o", "json")
    assert locked.returncode == 0, locked.stderr
    document = json.loads(locked.stdout)
    base_digest = json.loads(
        docker("buildx", "imagetools", "inspect", base_image, "--format", "{{json .Manifest}}")
    )["digest"]
    assert document["base"] == {base_image: base_digest}
    assert tag_digest(base_image) == base_digest  # over HTTP, as imagetools sees it
    assert tag_digest(f"{registry}/bakepy-never-pushed:1") is None
    pushed_digest = json.loads(
        docker("buildx", "imagetools", "inspect", pushed, "--format", "{{json .Manifest}}")
    )["digest"]
    assert document["pushed"] == {pushed: pushed_digest}
    lock_file = tmp_path / "bakepy.lock"
    assert json.loads(lock_file.read_text())["base"] == {base_image: base_digest}

    # the build reads its base image at the locked digest
    applied = _cli("apply", "-f", str(definition), "--no-syntax-directive", "--progress", "plain")
    assert applied.returncode == 0, applied.stderr
    assert f"FROM {base_image}@{base_digest}" in applied.stderr
    assert _cli("plan", "-f", str(definition), "--no-syntax-directive").returncode == 0

    # a malformed digest is refused with the file and line, before anything runs
    lock_file.write_text(lock_file.read_text().replace(base_digest, "sha256:not-a-digest"))
    refused = _cli("validate", "-f", str(definition))
    assert refused.returncode == 2
    assert f"{lock_file}:4:" in refused.stderr
    assert "malformed digest 'sha256:not-a-digest'" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _cli("plan", "-f", str(definition), "--no-syntax-directive").returncode == 2
