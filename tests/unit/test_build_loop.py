"""The build side of plan/apply without an engine: the stable bake file, input digests, the
lock file, where results go."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bakepy import Target, TargetSpec, load, render, resolve
from bakepy.api.output import write_files
from bakepy.cli.noop_build import parse
from bakepy.engine.build_plan import Destination, destinations
from bakepy.engine.commands import CommandResult, RecordingRunner
from bakepy.engine.image_lookup import ImageIndex
from bakepy.engine.input_digest import base_images, input_digest
from bakepy.engine.reproducible import stable_bake
from bakepy.errors import CommandError, LoadError
from bakepy.generators.bake_levels import annotation_per_level
from bakepy.loaders.image_lock import ImageLock, read_lock
from bakepy.models.bake.values import Annotation
from bakepy.project import Project

DIGEST = "sha256:" + "a" * 64


def test_multi_level_annotations_are_split_per_level() -> None:
    assert annotation_per_level("index,manifest:k=v") == ["index:k=v", "manifest:k=v"]
    assert annotation_per_level("manifest,index[linux/arm64]:k=a:b") == [
        "manifest[linux/arm64]:k=a:b",
        "index[linux/arm64]:k=a:b",
    ]
    assert annotation_per_level("index:k=v") == ["index:k=v"]
    assert annotation_per_level("k=v") == ["k=v"]
    assert annotation_per_level("${levels}:k=v") == ["${levels}:k=v"]  # a template: as written


def test_rendered_bake_files_say_each_annotation_level_on_its_own(tmp_path: Path) -> None:
    """The rendered file is what buildx reads (apply builds from it too): one entry per level."""
    target = Target(
        metadata="app",
        spec=TargetSpec(
            dockerfile_inline="FROM scratch\n",
            annotations=[
                "index,manifest:a=1",
                "manifest-descriptor,index-descriptor[linux/amd64]:b=2",
                Annotation(key="c", value="3", levels=["index"]),
            ],
        ),
    )
    files = {f.path: f.text for f in render(Project([target], base_dir=tmp_path), tmp_path)}
    assert json.loads(files["docker-bake.json"])["target"]["app"]["annotations"] == [
        "index:a=1",
        "manifest:a=1",
        "manifest-descriptor[linux/amd64]:b=2",
        "index-descriptor[linux/amd64]:b=2",
        "index:c=3",
    ]


def test_an_annotation_list_made_by_an_expression_is_split_when_bake_evaluates_it(
    tmp_path: Path,
) -> None:
    """The expression is kept (its values are only known to bake) inside one that splits each
    entry by level: bakepy's own evaluator of the rendered file gives the levels apart, as
    buildx does (tests/conformance/test_bake_world.py, the attrs-annotations-for-expression
    cases)."""
    (tmp_path / "docker-bake.hcl").write_text(
        'variable "KEYS" {\n  default = ["a", "b"]\n}\n'
        'target "app" {\n  dockerfile-inline = "FROM scratch\\n"\n'
        '  annotations = [for k in KEYS : "index,manifest[linux/amd64]:org.example.${k}=1"]\n}\n'
    )
    out = tmp_path / "out"
    write_files(render(load([tmp_path / "docker-bake.hcl"]), out), out)
    printed = resolve(load([out / "docker-bake.hcl"]), ["app"], {}).targets["app"]
    assert printed["annotations"] == [
        "index[linux/amd64]:org.example.a=1",
        "manifest[linux/amd64]:org.example.a=1",
        "index[linux/amd64]:org.example.b=1",
        "manifest[linux/amd64]:org.example.b=1",
    ]


def test_stable_bake_turns_provenance_off_unless_declared_or_an_index_is_needed() -> None:
    document = {
        "target": {
            "plain": {"tags": ["a"]},
            "declared": {"attest": ["type=provenance,mode=max"]},
            "indexed": {"annotations": ["index:k=v"], "output": ["type=registry"]},
            "multi": {
                "annotations": ["index:k=v", "manifest:k=v"],
                "platforms": ["linux/amd64", "linux/arm64"],
                "output": ["type=registry"],
            },
        }
    }
    resolved = {name: dict(body) for name, body in document["target"].items()}
    resolved["multi"]["annotations"] = ["index,manifest:k=v"]
    stable = stable_bake(document, resolved, list(resolved))
    targets = stable["target"]
    assert targets["plain"]["attest"] == ["type=provenance,disabled=true"]
    assert targets["declared"]["attest"] == ["type=provenance,mode=max"]
    assert "attest" not in targets["indexed"]  # one platform + an index annotation
    assert targets["multi"]["attest"] == ["type=provenance,disabled=true"]
    assert targets["multi"]["annotations"] == ["index:k=v", "manifest:k=v"]
    assert targets["multi"]["output"] == ["type=registry,oci-mediatypes=true"]
    assert document["target"]["plain"] == {"tags": ["a"]}  # the input is left alone


def test_stable_bake_pins_locked_base_images_through_named_contexts() -> None:
    document = {"target": {"app": {"context": "."}}}
    pins = {"app": {"localhost:5000/busybox:latest": DIGEST}}
    stable = stable_bake(document, {"app": {}}, ["app"], pins)
    assert stable["target"]["app"]["contexts"] == {
        "localhost:5000/busybox:latest": f"docker-image://localhost:5000/busybox@{DIGEST}"
    }


def test_rewrite_timestamp_only_with_source_date_epoch_on_builders_that_can() -> None:
    document = {"target": {"app": {"output": ["type=registry"]}}}
    resolved = {"app": {"output": ["type=registry"], "args": {"SOURCE_DATE_EPOCH": "0"}}}
    assert stable_bake(document, resolved, ["app"])["target"]["app"]["output"] == ["type=registry"]
    rewritten = stable_bake(document, resolved, ["app"], rewrite_timestamps=["app"])
    assert rewritten["target"]["app"]["output"] == ["type=registry,rewrite-timestamp=true"]


def test_base_images_skip_stages_and_scratch_and_fill_in_args() -> None:
    text = (
        "ARG BASE=alpine:3.20\nFROM $BASE AS build\nFROM build AS test\n"
        "FROM --platform=$BUILDPLATFORM golang:${GO} AS tools\nFROM scratch\n"
    )
    assert base_images(text, {"GO": "1.22"}) == ["alpine:3.20", "golang:1.22"]
    assert base_images(text, {"BASE": "debian:12", "GO": "1.22"})[0] == "debian:12"
    assert base_images(text, {}) == ["alpine:3.20", "golang:${GO}"]


def _context(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM base:1\nCOPY . /src\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    (tmp_path / ".dockerignore").write_text("*.log\n")
    return tmp_path


def test_input_digest_follows_what_the_build_reads(tmp_path: Path) -> None:
    folder = _context(tmp_path)
    target = {"context": str(folder), "args": {"A": "1"}, "secret": ["id=token,env=TOKEN"]}

    def digest(**changes: object) -> str | None:
        return input_digest("app", {**target, **changes}, tmp_path, lambda _: DIGEST).digest

    first = digest()
    assert first is not None
    assert first == digest()
    (folder / "debug.log").write_text("ignored\n")
    assert digest() == first  # .dockerignore'd
    assert digest(args={"A": "2"}) != first
    assert digest(platforms=["linux/arm64"]) != first
    (folder / "app.py").write_text("print(2)\n")
    second = digest()
    assert second != first
    other_base = input_digest("app", target, tmp_path, lambda _: "sha256:other").digest
    assert other_base != second
    unknown = input_digest("app", target, tmp_path, lambda _: None)
    assert unknown.digest is None
    assert unknown.unknown == "the digest of its base image base:1 is unknown"
    remote = input_digest("app", {"context": "https://example.com/r.git"}, tmp_path, str)
    assert remote.digest is None


def test_destinations_of_outputs(tmp_path: Path) -> None:
    assert destinations({"tags": ["a"]}, tmp_path, docker_driver=True) == [
        Destination("local-image")
    ]
    assert destinations({"tags": ["a"]}, tmp_path, docker_driver=False) == [Destination("cache")]
    found = destinations(
        {"output": ["type=registry", "type=image,push=true", "type=local,dest=out", "bin"]},
        tmp_path,
        docker_driver=True,
    )
    assert [d.kind for d in found] == ["registry", "registry", "path", "path"]
    assert found[2].path == (tmp_path / "out").resolve()


def test_lock_file_round_trips_and_malformed_digests_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bakepy.lock"
    assert read_lock(path) is None
    lock = ImageLock({"b:1": DIGEST, "a:1": DIGEST}, {"r/app:1": DIGEST})
    path.write_text(lock.to_text())
    assert read_lock(path) == lock
    assert path.read_text().index('"a:1"') < path.read_text().index('"b:1"')
    path.write_text(lock.to_text().replace(DIGEST, "sha256:123", 1))
    with pytest.raises(LoadError, match="malformed digest 'sha256:123'") as error:
        read_lock(path)
    assert error.value.location.line == 4
    path.write_text('{"version": 2}')
    with pytest.raises(LoadError, match="not a bakepy lock file of version 1"):
        read_lock(path)
    path.write_text("{")
    with pytest.raises(LoadError, match="not JSON"):
        read_lock(path)


def test_image_lookups_without_a_docker_cli_know_nothing_and_say_so() -> None:
    def missing(args: Sequence[str]) -> CommandResult:
        raise CommandError("docker is not installed or not on PATH")

    index = ImageIndex(RecordingRunner(missing), {"pinned:1": DIGEST})
    index.prefetch(["app:1"], ["registry.invalid/app:1"])
    assert index.local_id("app:1") is None
    assert index.base_digest("registry.invalid/app:1") is None
    assert index.base_digest("pinned:1") == f"pinned:{DIGEST}"


def test_the_no_change_build_path_answers_only_plain_applies() -> None:
    assert parse(["apply", "-f", "a.py", "--file=b.yaml", "app", "--progress", "quiet"]) == [
        "a.py",
        "b.yaml",
    ]
    assert parse(["apply", "--no-syntax-directive"]) == []
    assert parse(["apply", "-o", "json"]) is None
    assert parse(["apply", "--dry-run"]) is None
    assert parse(["apply", "--context", "remote"]) is None
    assert parse(["plan"]) is None
    assert parse(["apply", "-f"]) is None
