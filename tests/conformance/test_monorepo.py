"""A repository of packages, judged by buildx: the bake file bakepy renders for the whole
repository (and for one package spec) prints in ``docker buildx bake --print`` what bakepy
prints for it, in HCL and in JSON (benchmarks/packages.py writes the repository: Python,
YAML and compose packages, targets inheriting the root's base by address, a CODEOWNERS);
the compose files it renders for each compose package are read by ``docker compose config``;
packages of a bake file alone print, renamed, as buildx prints them in their own folder."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bakeprint import buildx_env, normalize, ssh_agent_fixture  # noqa: F401
from test_bake_files import absolute_paths, buildx_print_files

import bakepy
from bakepy.api.definitions import load_selected
from bakepy.api.output import write_files

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from packages import write

pytestmark = [pytest.mark.conformance]


@pytest.fixture(name="repository")
def repository_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    paths = write(tmp_path / "repo", packages=12, targets=3)
    monkeypatch.chdir(tmp_path / "repo")
    return paths


@pytest.mark.parametrize("spec", ["::", "services/search::", "services/search/pkg001:svc2"])
def test_rendered_repository_prints_in_buildx_as_in_bakepy(
    spec: str, repository: list[str], buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    project = load_selected([], [spec], None)
    names = [t.name for t in project.targets if not t.name.startswith("_")]
    env = buildx_env(ssh_agent)
    ours = replace(bakepy.resolve(project, names, env), buildx=None).to_dict()  # text entries
    out = tmp_path / "out"
    write_files(bakepy.render(project, out, env=env), out)
    expected: dict[str, Any] = normalize(absolute_paths(ours, Path.cwd()))
    for rendered in ("docker-bake.hcl", "docker-bake.json"):
        printed = buildx_print_files(buildx, out, (rendered,), tuple(names), env)
        assert normalize(absolute_paths(printed, out)) == expected, rendered
    assert len(names) == {"::": 36, "services/search::": 6}.get(spec, 1)


def test_compose_packages_render_apart_and_compose_reads_them(
    repository: list[str], docker_compose: str, tmp_path: Path
) -> None:
    project = load_selected([], ["::"], None)
    out = tmp_path / "out"
    write_files(bakepy.render(project, out, env={}), out)
    compose_packages = [p for p in repository if (Path(p) / "compose.yaml").is_file()]
    assert len(compose_packages) == 3  # pkg001, pkg006, pkg011: packages.py rotates kinds
    hcl = (out / "docker-bake.hcl").read_text()
    for package in compose_packages:
        prefix = package.replace("/", "-")
        assert hcl.count(f'target "{prefix}-svc0"') == 1
        assert f'group "{prefix}-default"' in hcl
        name = Path(package).name  # compose's project name, as in the package's folder
        result = subprocess.run(
            [docker_compose, "compose", "-f", str(out / f"{name}.compose.yaml"), "config", "-q"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        config = _compose_config(docker_compose, out / f"{name}.compose.yaml")
        assert config["name"] == name
        assert sorted(config["services"]) == ["svc0", "svc1", "svc2"]
        built = config["services"]["svc1"]["build"]
        assert Path(built["context"]) == (Path(package) / "svc1").resolve()
        assert config["services"]["svc1"]["depends_on"]["svc0"]["condition"] == "service_healthy"
    assert 'target "svc0"' not in hcl
    assert hcl.count('group "default"') == 1  # the packages' defaults, which bake builds


def _compose_config(docker_compose: str, file: Path) -> dict[str, Any]:
    """What ``docker compose config`` makes of a rendered compose file, as JSON."""
    command = [docker_compose, "compose", "-f", str(file), "config", "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


BAKE_PACKAGE = """\
variable "TAG" {
  default = "dev"
}

group "default" {
  targets = ["app"]
}

target "base" {
  args = { FLAVOUR = "%(name)s" }
  labels = { "org.example.team" = "%(name)s" }
}

target "deps" {
  inherits = ["base"]
  target = "deps"
}

target "app" {
  inherits = ["base"]
  dockerfile = "app.Dockerfile"
  contexts = { deps = "target:deps" }
  tags = ["registry.example.com/%(name)s/app:${TAG}"]
  platforms = ["linux/amd64", "linux/arm64"]
}
"""


def test_bake_file_packages_print_in_buildx_as_in_their_own_folders(
    tmp_path: Path, buildx: str, ssh_agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each package's bake file, printed by buildx in its own folder, is what buildx prints
    for its renamed blocks in the rendered repository file (paths made absolute)."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    packages = ("teams/red", "teams/blue")
    for package in packages:
        folder = root / package
        folder.mkdir(parents=True)
        (folder / "app.Dockerfile").write_text("FROM scratch AS deps\nFROM scratch\n")
        (folder / "docker-bake.hcl").write_text(BAKE_PACKAGE % {"name": folder.name})
    monkeypatch.chdir(root)
    env = buildx_env(ssh_agent)
    out = tmp_path / "out"
    write_files(bakepy.render(load_selected([], ["::"], None), out, env=env), out)
    for package in packages:
        prefix = package.replace("/", "-")
        alone = buildx_print_files(buildx, root / package, ("docker-bake.hcl",), ("app",), env)
        names = (f"{prefix}-app",)
        for rendered in ("docker-bake.hcl", "docker-bake.json"):
            printed = buildx_print_files(buildx, out, (rendered,), names, env)
            ours = absolute_paths(printed, out)["target"][f"{prefix}-app"]
            theirs = absolute_paths(alone, root / package)["target"]["app"]
            theirs["contexts"] = {"deps": f"target:{prefix}-deps"}  # the link, renamed too
            assert _one(ours) == _one(theirs), (package, rendered)
            linked = absolute_paths(printed, out)["target"][f"{prefix}-deps"]
            alone_linked = absolute_paths(alone, root / package)["target"]["deps"]
            assert _one(linked) == _one(alone_linked), (package, rendered)
        group = (f"{prefix}-default",)
        grouped = buildx_print_files(buildx, out, ("docker-bake.hcl",), group, env)
        assert grouped["group"][f"{prefix}-default"]["targets"] == [f"{prefix}-app"]
    # no target named: bake builds ``default``, which bakepy made of the packages' defaults
    for rendered in ("docker-bake.hcl", "docker-bake.json"):
        everything = buildx_print_files(buildx, out, (rendered,), (), env)
        assert everything["group"]["default"]["targets"] == [
            "teams-blue-default",
            "teams-red-default",
        ]
        assert sorted(everything["target"]) == [
            "teams-blue-app",
            "teams-blue-deps",
            "teams-red-app",
            "teams-red-deps",
        ]


def _one(target: dict[str, Any]) -> dict[str, Any]:
    """One printed target as ``normalize`` leaves it."""
    normalized: dict[str, Any] = normalize({"target": {"t": target}})["target"]["t"]
    return normalized
