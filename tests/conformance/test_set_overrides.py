"""``--set`` overrides: bakepy's resolution equals ``docker buildx bake --print --set ...``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from bakeprint import normalize

from bakepy import load, resolve
from bakepy.errors import OverrideError, SelectionError
from bakepy.resolution.bake.overrides import Override

BAKE_FILE = """\
variable "TAG" { default = "1" }
target "base" {
  args = { A = "1" }
  platforms = ["linux/amd64"]
}
target "app" {
  inherits = ["base"]
  tags = ["app:${TAG}"]
  output = ["type=image,name=app"]
  cache-from = ["type=registry,ref=r/c"]
}
target "lib" {
  tags = ["lib:1"]
}
"""

CASES = [
    ["app.tags=x"],
    ["app.tags=x", "app.tags=y"],
    ["*.args.Z=1"],
    ["base.args.A=9"],
    ["app.args.HOME"],
    ["app.platform=linux/arm64", "app.platform=linux/amd64"],
    ["app.no-cache=true", "app.pull=false"],
    ["app.push=true"],
    ["a*.context=sub", "app.dockerfile=other.Dockerfile", "app.target=final"],
    ["app.labels.team=x", "app.cache-from=type=gha", "app.secrets=id=s,env=HOME"],
    # Go's path.Match: ^ negates a class, ! is an ordinary character (fnmatch differs)
    ["[^a]*.tags=x"],
    ["[!a]*.tags=x"],
    ["[a-k]??.tags=x"],
]


@pytest.mark.conformance
@pytest.mark.parametrize("sets", CASES, ids=[" ".join(c) for c in CASES])
def test_overrides_match_buildx(
    sets: list[str], buildx: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE)
    monkeypatch.chdir(tmp_path)
    env = {"HOME": "/home/test", "PATH": "/usr/bin:/bin"}
    flags = [arg for text in sets for arg in ("--set", text)]
    printed = subprocess.run(
        [buildx, "buildx", "bake", "--print", "app", "lib", *flags],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    ours = resolve(load([tmp_path / "docker-bake.hcl"]), ["app", "lib"], env, overrides=sets)
    assert normalize(ours.to_dict()) == normalize(json.loads(printed.stdout))  # one entry shape


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app.bogus=1", "unknown key: bogus"),
        ("app=1", "expected pattern.key=value"),
        ("app.args=1", "args needs a name"),
        ("app.context+=x", r"only list keys take \+="),
        ("app.tags", "tags needs a value"),
    ],
)
def test_bad_overrides_are_errors(text: str, message: str) -> None:
    with pytest.raises(OverrideError, match=message):
        Override.parse(text)


def test_an_override_must_match_a_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SelectionError, match="could not find any target matching 'nope'"):
        resolve(load([tmp_path / "docker-bake.hcl"]), ["app"], {}, overrides=["nope.tags=x"])


def test_newer_buildx_forms_append_and_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE)
    monkeypatch.chdir(tmp_path)
    project = load([tmp_path / "docker-bake.hcl"])
    app = resolve(project, ["app"], {}, overrides=["app.tags+=extra", "app.load=true"]).targets
    assert app["app"]["tags"] == ["app:1", "extra"]
    assert app["app"]["output"] == ["type=docker"]
