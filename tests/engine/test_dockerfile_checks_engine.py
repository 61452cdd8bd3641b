"""The Target-vs-Dockerfile checks and the FROM-line check, each against what BuildKit does
with the same input: where the build fails bakepy reports an error (before anything is
rendered), where BuildKit builds something else without a word bakepy warns.

Each case is built with ``docker buildx build`` and the flags the Target stands for
(``--target``, ``--secret``, ``--ssh``, ``--build-arg``), on the local busybox image.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bakepy import Project, ValidationError, check, render
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.bake.targets import Target, TargetSpec

pytestmark = pytest.mark.engine

IMAGE = "localhost:5000/busybox:latest"


@dataclass(frozen=True)
class Case:
    """A Dockerfile, the target attributes that build it, and what bakepy says about it."""

    text: str
    verdict: str
    """``error`` (BuildKit fails), ``warning`` (it builds without a word) or ``clean``."""
    message: str
    stage: str | None = None
    secrets: list[str] = field(default_factory=list)
    args: dict[str, str] = field(default_factory=dict)


CASES = {
    "undeclared tag in FROM": Case(
        "FROM localhost:5000/busybox:${TAG}\nRUN true\n", "error", "uses $TAG, which no ARG"
    ),
    "undeclared prefix in FROM": Case(
        "FROM ${REGISTRY}" + IMAGE + "\nRUN true\n", "warning", "uses $REGISTRY, which no ARG"
    ),
    "target stage the Dockerfile lacks": Case(
        f"FROM {IMAGE} AS build\nRUN true\n", "error", "'biuld' is not a stage", stage="biuld"
    ),
    "required secret not passed": Case(
        f"FROM {IMAGE}\nRUN --mount=type=secret,id=tok,required=true true\n",
        "error",
        "requires secret 'tok'",
    ),
    "required ssh not passed": Case(
        f"FROM {IMAGE}\nRUN --mount=type=ssh,required true\n", "error", "requires ssh 'default'"
    ),
    "required secret in a stage not built": Case(
        f"FROM {IMAGE} AS docs\nRUN --mount=type=secret,id=tok,required=true true\n"
        f"FROM {IMAGE}\nRUN true\n",
        "clean",
        "",
    ),
    "secret no mount reads": Case(
        f"FROM {IMAGE}\nRUN true\n", "warning", "passes secret 'unused'", secrets=["unused"]
    ),
    "build arg no ARG declares": Case(
        f"FROM {IMAGE}\nARG VERSION\nRUN true\n",
        "warning",
        "passes build arg VERSON",
        args={"VERSON": "1"},
    ),
    "FROM arg without default not passed": Case(
        "ARG TAG\nFROM localhost:5000/busybox:${TAG}\nRUN true\n",
        "error",
        "does not pass build arg TAG",
    ),
}


def buildkit_builds(case: Case, base_image: str, folder: Path) -> bool:
    """Whether ``docker buildx build`` with the target's flags succeeds."""
    (folder / "Dockerfile").write_text(case.text.replace(IMAGE, base_image))
    (folder / "secret").write_text("value\n")
    command = ["docker", "buildx", "build", "--progress=plain", "--output=type=cacheonly"]
    command += ["--target", case.stage] if case.stage else []
    for ident in case.secrets:
        command += ["--secret", f"id={ident},src={folder / 'secret'}"]
    for name, value in case.args.items():
        command += ["--build-arg", f"{name}={value}"]
    result = subprocess.run(
        [*command, str(folder)], capture_output=True, text=True, timeout=300, check=False
    )
    return result.returncode == 0


def bakepy_verdict(case: Case) -> tuple[str, str]:
    """``error``, ``warning`` or ``clean``, and the messages, for the Target that builds it."""
    dockerfile = parse_dockerfile(case.text, name="app", path=Path("Dockerfile"))
    spec = TargetSpec(
        dockerfile=dockerfile,
        target=case.stage,
        secret=[f"id={ident},src=secret" for ident in case.secrets],
        args=dict(case.args),
    )
    try:
        warnings = check(Project([Target(metadata="app", spec=spec)]))
    except ValidationError as error:
        return "error", str(error)
    return ("warning" if warnings else "clean"), "\n".join(warnings)


def bakepy_verdict_of_the_file(case: Case, folder: Path) -> tuple[str, str]:
    """The same, for a Target naming the Dockerfile on disk (a path, not a resource), as
    render checks it (the output folder not created yet)."""
    (folder / "Dockerfile").write_text(case.text)
    spec = TargetSpec(
        context=".",
        dockerfile="Dockerfile",
        target=case.stage,
        secret=[f"id={ident},src=secret" for ident in case.secrets],
        args=dict(case.args),
    )
    project = Project([Target(metadata="app", spec=spec)], base_dir=folder)
    try:
        files = render(project, folder / "out")
    except ValidationError as error:
        return "error", str(error)
    warnings = [warning for file in files for warning in file.warnings]
    return ("warning" if warnings else "clean"), "\n".join(warnings)


@pytest.mark.parametrize("name", list(CASES))
def test_bakepy_says_what_buildkit_does(name: str, base_image: str, tmp_path: Path) -> None:
    case = CASES[name]
    verdict, messages = bakepy_verdict(case)
    assert verdict == case.verdict, messages
    assert case.message in messages
    on_disk = tmp_path / "on-disk"
    on_disk.mkdir()
    verdict, messages = bakepy_verdict_of_the_file(case, on_disk)
    assert verdict == case.verdict, messages
    assert case.message in messages
    assert buildkit_builds(case, base_image, tmp_path) == (case.verdict != "error")
