"""Every example passes ``bakepy validate`` without a warning with the tools the README's set-up
installs (buildx 0.13.1, dockerd 26.1 whose built-in Dockerfile frontend is 1.7.0), not only with
the newest ones the other tests assume: a new user's first command must not fail or warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import check, load
from bakepy.models.toolchain import Toolchain, Version

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = sorted(
    path.relative_to(REPO).as_posix()
    for example in (REPO / "examples").iterdir()
    for path in (example / "bakepy.py", example / "bakepy.yaml")
    if path.exists()
)
REFERENCE = Toolchain(buildx=Version.parse("0.13.1"), dockerfile=Version.parse("1.7.0"))


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_the_example_is_valid_for_buildx_0_13_and_dockerd_26(definition: str) -> None:
    project = load([REPO / definition], REFERENCE)
    assert check(project, {}, toolchain=REFERENCE) == []  # raises on an error; returns warnings
    assert project.warnings == []
