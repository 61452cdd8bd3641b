"""Packages defined only by a bake file or a compose file are first-class (issue 12): their
targets and groups get addresses and bake names derived from them, are selected by every
spec form from the root or from inside a package, with or without a root definition, and
two packages' equal names (``app``, a compose ``web``, ``default``) never meet."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bakepy
from bakepy.api.definitions import load_for, load_selected
from bakepy.cli.app import app
from bakepy.errors import ValidationError
from bakepy.resolution.selection import bake_names

ROOT_MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Variable
metadata: {name: TAG}
spec: {default: dev}
"""

COMPOSE = """\
services:
  web:
    build: .
    image: localhost:5000/{name}-web
    healthcheck:
      test: ["CMD", "true"]
"""


def _bake_package(folder: Path, body: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text("FROM scratch\n")
    (folder / "docker-bake.hcl").write_text(
        f'target "app" {{\n  tags = ["{folder.name}:latest"]\n{body}}}\n'
    )


@pytest.fixture(name="repo")
def repo_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    _bake_package(root / "a")
    _bake_package(root / "b")
    monkeypatch.chdir(root)
    return root


def _addresses(names: list[str]) -> list[tuple[str, str, str]]:
    project = load_for([], names)
    return sorted((str(project.address_of(r)), r.KIND, r.name) for r in project)


@pytest.mark.parametrize("root_definition", [False, True])
def test_bake_file_packages_are_addressed(repo: Path, root_definition: bool) -> None:
    if root_definition:
        (repo / "bakepy.yaml").write_text(ROOT_MANIFEST)
    found = [row for row in _addresses(["::"]) if row[1] == "Target"]
    assert found == [("a:app", "Target", "a-app"), ("b:app", "Target", "b-app")]


@pytest.mark.parametrize("inside", [False, True])
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("::", ["a-app", "b-app"]),
        ("a:", ["a-app"]),
        ("a::", ["a-app"]),
        ("b:app", ["b-app"]),
    ],
)
def test_every_spec_selects_bake_file_targets(
    repo: Path, monkeypatch: pytest.MonkeyPatch, spec: str, expected: list[str], inside: bool
) -> None:
    if inside:
        monkeypatch.chdir(repo / "a")
    project = load_selected([], [spec], None)
    assert sorted(t.name for t in project.targets) == expected
    resolved = bakepy.resolve(project, bake_names(project, [spec]), {})
    assert sorted(resolved.targets) == expected


def test_a_plain_name_inside_a_bake_file_package_means_its_target(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "b")
    project = load_for([], [])
    assert bake_names(project, ["app"]) == ["b-app"]


def test_the_repository_renders_one_target_per_package(repo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", "::", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "docker-bake.hcl").read_text()
    assert 'target "a-app"' in text
    assert 'target "b-app"' in text
    assert 'target "app"' not in text


def test_bake_file_contexts_are_the_package_folder(repo: Path) -> None:
    resolved = bakepy.resolve(load_selected([], ["::"], None), ["a-app", "b-app"], {})
    assert Path(str(resolved.targets["a-app"]["context"])).resolve() == repo / "a"


def test_inherits_and_groups_inside_a_bake_file_follow_the_renaming(repo: Path) -> None:
    (repo / "a" / "docker-bake.hcl").write_text(
        'group "default" {\n  targets = ["app"]\n}\n'
        'target "base" {\n  args = { X = "1" }\n}\n'
        'target "app" {\n  inherits = ["base"]\n}\n'
    )
    project = load_selected([], ["a:"], None)
    resolved = bakepy.resolve(project, bake_names(project, ["a:default"]), {})
    assert list(resolved.targets) == ["a-app"]
    assert resolved.targets["a-app"]["args"] == {"X": "1"}


def test_two_bake_packages_meeting_on_one_bake_name_are_an_error(repo: Path) -> None:
    _bake_package(repo / "x-y")
    (repo / "x" / "y").mkdir(parents=True)
    (repo / "x" / "docker-bake.hcl").write_text('target "y-app" {\n}\n')
    with pytest.raises(ValidationError) as caught:
        load_for([], ["::"])
    assert "x:y-app and x-y:app both become the bake name 'x-y-app'" in str(caught.value) or (
        "x-y:app and x:y-app both become the bake name 'x-y-app'" in str(caught.value)
    )


def _compose_repo(root: Path) -> None:
    root.mkdir()
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    for name in ("front", "back"):
        (root / name).mkdir()
        (root / name / "Dockerfile").write_text("FROM scratch\n")
        (root / name / "compose.yaml").write_text(COMPOSE.format(name=name))


def test_compose_packages_with_equal_services_do_not_collide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    monkeypatch.chdir(root)
    listed = CliRunner().invoke(app, ["addresses", "::"])
    assert listed.exit_code == 0, listed.output
    lines = [line.split() for line in listed.output.splitlines()]
    assert ["back:web", "Target", "back-web"] in lines
    assert ["front:web", "Target", "front-web"] in lines
    assert ["front:default", "Group", "front-default"] in lines
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", "::", "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    text = (out / "docker-bake.hcl").read_text()
    assert text.count('target "front-web"') == 1
    assert text.count('target "back-web"') == 1
    assert 'target "web"' not in text
    # no package's default is the repository's: the root's default groups them all, so a
    # plain ``docker buildx bake`` on the rendered file builds what each package's would
    assert text.count('group "default"') == 1
    assert 'targets = ["back-default", "front-default"]' in text
    assert sorted(p.name for p in out.glob("*.compose.yaml")) == [
        "back.compose.yaml",  # compose's own project names, as in each folder
        "front.compose.yaml",
    ]


def test_one_compose_package_renders_its_compose_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    monkeypatch.chdir(root / "back")
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", "front:", "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    assert (out / "compose.yaml").is_file()
    assert 'target "front-web"' in (out / "docker-bake.hcl").read_text()
    assert "back-web" not in (out / "docker-bake.hcl").read_text()


def test_print_and_render_show_the_address_mapping_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    monkeypatch.chdir(root)
    printed = CliRunner().invoke(app, ["print", "front:", "--addresses"])
    assert printed.exit_code == 0, printed.output
    assert printed.stderr.splitlines() == [
        "front:default  Group   front-default",
        "front:web      Target  front-web",
    ]
    assert '"front-web"' in printed.stdout
    rendered = CliRunner().invoke(app, ["render", "::", "--addresses", "--out", "out"])
    assert rendered.exit_code == 0, rendered.output
    assert "back:web       Target  back-web" in rendered.stderr.splitlines()
    again = CliRunner().invoke(app, ["render", "::", "--addresses", "--out", "out"])
    assert "back:web       Target  back-web" in again.stderr.splitlines()  # not from the cache


def test_an_error_in_a_bake_file_package_names_its_file_and_line(repo: Path) -> None:
    (repo / "b" / "docker-bake.hcl").write_text(
        'target "app" {\n  tags = ["b"]\n  inherits = ["nope"]\n}\n'
    )
    result = CliRunner().invoke(app, ["render", "::", "--out", "out"])
    assert result.exit_code == 2
    assert f"{repo / 'b' / 'docker-bake.hcl'}:3:" in result.stderr
    assert "Target 'nope' does not exist" in result.stderr
    assert "Traceback" not in result.output
    assert not (repo / "out").exists()


def test_matrix_variants_of_two_packages_stay_apart(repo: Path) -> None:
    for package in ("a", "b"):
        (repo / package / "docker-bake.hcl").write_text(
            'target "svc" {\n  name = "svc-${item}"\n  matrix = { item = ["x", "y"] }\n'
            "  args = { ITEM = item }\n}\n"
        )
    project = load_selected([], ["::"], None)
    resolved = bakepy.resolve(project, ["a-svc", "b-svc"], {})
    assert sorted(resolved.targets) == ["a-svc-x", "a-svc-y", "b-svc-x", "b-svc-y"]
    assert resolved.targets["b-svc-y"]["args"] == {"ITEM": "y"}


def test_a_root_name_a_package_name_becomes_is_an_error(repo: Path) -> None:
    (repo / "docker-bake.hcl").write_text('target "a-app" {\n}\n')
    with pytest.raises(ValidationError) as caught:
        load_for([], ["::"])
    assert ":a-app and a:app both become the bake name 'a-app'" in str(caught.value)


def test_a_group_and_a_target_of_one_bake_name_are_an_error(repo: Path) -> None:
    (repo / "a" / "docker-bake.hcl").write_text('group "b-app" {\n  targets = []\n}\n')
    _bake_package(repo / "a" / "b")  # its target a/b:app becomes a-b-app, as the group
    with pytest.raises(ValidationError) as caught:
        load_for([], ["::"])
    assert "a:b-app and a/b:app both become the bake name 'a-b-app'" in str(caught.value)


def _commit_all(root: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_affected_names_bake_and_compose_package_targets_by_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    _bake_package(root / "tools")
    _commit_all(root)
    monkeypatch.chdir(root)
    (root / "tools" / "docker-bake.hcl").write_text('target "app" {\n  tags = ["t:2"]\n}\n')
    with (root / "front" / "Dockerfile").open("a") as dockerfile:
        dockerfile.write("# changed\n")
    result = CliRunner().invoke(app, ["affected", "--since", "HEAD", "--dependents", "none"])
    assert result.exit_code == 0, result.output
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["front:web", "front-web"],
        ["tools:app", "tools-app"],
    ]


def test_a_default_group_the_root_declares_is_the_repository_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    (root / "docker-bake.hcl").write_text('group "default" {\n  targets = ["front-web"]\n}\n')
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", "::", "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    text = (out / "docker-bake.hcl").read_text()
    assert 'group "default" {\n  targets = ["front-web"]\n}' in text
    assert "every package" not in text


def test_the_repository_default_holds_only_the_packages_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", "front:", "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    assert 'targets = ["front-default"]' in (out / "docker-bake.hcl").read_text()


def test_a_package_without_a_default_group_adds_its_targets_not_named_underscore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    (root / "tools").mkdir()
    (root / "tools" / "bakepy.yaml").write_text(
        "\n---\n".join(
            "apiVersion: bakepy.dev/v1alpha1\nkind: Target\n"
            f"metadata: {{name: {name}}}\nspec: {{context: .}}\n"
            for name in ("lint", "_common")
        )
    )
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", "::", "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    text = (out / "docker-bake.hcl").read_text()
    assert 'targets = ["back-default", "front-default", "tools-lint"]' in text


def test_a_root_target_named_default_is_not_hidden_by_a_made_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    (root / "docker-bake.hcl").write_text('target "default" {\n  context = "front"\n}\n')
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", "::", "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    assert 'group "default"' not in (out / "docker-bake.hcl").read_text()


def test_two_compose_packages_of_one_project_name_are_an_error_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _compose_repo(root)
    (root / "front" / "compose.yaml").write_text("name: back\n" + COMPOSE.format(name="front"))
    monkeypatch.chdir(root)
    rendered = CliRunner().invoke(app, ["render", "::", "--out", str(tmp_path / "out")])
    assert rendered.exit_code == 2
    assert "back:back and front:back are both the compose project 'back'" in rendered.output
    assert "top-level `name:`" in rendered.output
    assert not (tmp_path / "out").exists()


def test_specs_over_packages_that_only_run_compose_services_select_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packages whose compose files build nothing have no target: ``::`` and ``front:``
    select their compose projects, not "nothing matches"."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    for name in ("front", "back"):
        (root / name).mkdir()
        (root / name / "compose.yaml").write_text("services:\n  web:\n    image: busybox\n")
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    everything = CliRunner().invoke(app, ["render", "::", "--out", str(out)])
    assert everything.exit_code == 0, everything.output
    assert sorted(p.name for p in out.glob("*.compose.yaml")) == [
        "back.compose.yaml",
        "front.compose.yaml",
    ]
    one = CliRunner().invoke(app, ["render", "front:", "--out", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    assert "name: front\n" in (tmp_path / "one" / "compose.yaml").read_text()
    assert not (tmp_path / "one" / "docker-bake.hcl").exists()
    missing = CliRunner().invoke(app, ["render", "front:nope", "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2
    assert "nothing matches front:nope" in missing.output


def test_a_compose_package_reads_its_own_dotenv_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``docker buildx bake`` in the package folder takes that folder's ``.env``; a package's
    targets are the same from the root, from another package, or from inside it."""
    root = tmp_path / "repo"
    _compose_repo(root)
    (root / "front" / "compose.yaml").write_text(
        "services:\n  web:\n    build:\n      context: .\n      args: {V: '${V:-unset}'}\n"
    )
    (root / "front" / ".env").write_text("V=from-front\n")
    (root / ".env").write_text("V=from-root\n")
    printed = []
    for where in (root, root / "back", root / "front"):
        monkeypatch.chdir(where)
        result = CliRunner().invoke(app, ["print", "front:web"])
        assert result.exit_code == 0, result.output
        printed.append(json.loads(result.stdout)["target"]["front-web"]["args"])
    assert printed == [{"V": "from-front"}] * 3
