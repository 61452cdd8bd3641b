"""A repository of packages: the root found from anywhere, packages discovered, addresses,
bake names derived from them, specs and plain names, references across packages."""

from __future__ import annotations

from pathlib import Path

import pytest

import bakepy
from bakepy.api.definitions import load_for, load_selected
from bakepy.errors import BakepyError, LoadError, SelectionError, ValidationError
from bakepy.loaders.repository import discover_packages, find_repository
from bakepy.models.address import Address, AddressSpec
from bakepy.resolution.selection import bake_names

ROOT_MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Variable
metadata: {name: TAG}
spec: {default: "1.0"}
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: base}
spec:
  args: {BASE: root}
"""

PAYMENTS = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: api, labels: {team: payments}}
spec:
  inherits: [":base"]
  tags: ["payments/api:${TAG}"]
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: worker, labels: {team: payments}}
spec:
  inherits: [api]
  contexts: {lib: "target:libs/shared:lib"}
---
apiVersion: bakepy.dev/v1alpha1
kind: Group
metadata: {name: default}
spec:
  targets: [api, worker]
"""

SEARCH = """\
from bakepy import Target, TargetSpec

api = Target(metadata="api", spec=TargetSpec(inherits=[":base"], tags=["search/api:1"]))
"""

SHARED = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: lib, labels: {team: platform}}
spec:
  target: lib
"""


@pytest.fixture(name="repo")
def repo_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a root package, two services and a shared library; one excluded
    folder and one folder git tools keep, neither of them walked."""
    root = tmp_path / "repo"
    files = {
        "bakepy.toml": 'packages = ["**"]\nexclude = ["legacy/**"]\n',
        "bakepy.yaml": ROOT_MANIFEST,
        "services/payments/bakepy.yaml": PAYMENTS,
        "services/search/bakepy.py": SEARCH,
        "libs/shared/targets.yaml": SHARED,
        "libs/shared/README.md": "not a definition\n",
        "legacy/old/bakepy.yaml": "not: [valid",
        "node_modules/x/bakepy.yaml": "not: [valid",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    monkeypatch.chdir(root)
    return root


def test_the_root_is_found_from_anywhere_inside(repo: Path) -> None:
    found = find_repository(repo / "services" / "payments")
    assert found is not None
    assert found.root == repo.resolve()
    assert found.config.exclude == ("legacy/**",)


def test_packages_are_the_folders_with_definitions(repo: Path) -> None:
    found = find_repository(repo)
    assert found is not None
    packages = discover_packages(found)
    assert [p.path for p in packages] == ["", "libs/shared", "services/payments", "services/search"]
    assert [f.name for f in packages[1].files] == ["targets.yaml"]  # manifests by apiVersion


def test_the_whole_repository_renders_with_derived_bake_names(repo: Path, tmp_path: Path) -> None:
    project = load_selected([], ["::"], None)
    names = {project.address_of(t).__str__(): t.name for t in project.targets}
    assert names == {
        ":base": "base",
        "libs/shared:lib": "libs-shared-lib",
        "services/payments:api": "services-payments-api",
        "services/payments:worker": "services-payments-worker",
        "services/search:api": "services-search-api",
    }
    hcl = {f.path: f.text for f in bakepy.render(project, tmp_path / "out")}["docker-bake.hcl"]
    assert 'target "services-payments-worker" {' in hcl
    assert 'inherits = ["services-payments-api"]' in hcl
    assert 'lib = "target:libs-shared-lib"' in hcl
    assert 'targets = ["services-payments-api", "services-payments-worker"]' in hcl


def test_a_spec_loads_its_package_and_what_it_references(repo: Path) -> None:
    project = load_selected([], ["services/payments:worker"], None)
    assert sorted(t.name for t in project.targets) == [
        "base",
        "libs-shared-lib",
        "services-payments-api",
        "services-payments-worker",
    ]
    resolved = bakepy.resolve(project, ["services/payments:worker"]).to_dict()
    assert resolved["target"]["services-payments-worker"]["args"] == {"BASE": "root"}
    assert resolved["target"]["services-payments-worker"]["tags"] == ["payments/api:1.0"]


def test_plain_names_mean_the_package_run_from(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "services" / "search")
    project = load_for([], [])
    assert bake_names(project, ["api"]) == ["services-search-api"]
    resolved = bakepy.resolve(project, ["api"]).to_dict()
    assert resolved["target"]["services-search-api"]["tags"] == ["search/api:1"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "services/payments:",
            ["services-payments-api", "services-payments-worker", "services-payments-default"],
        ),
        (
            "services::",
            [
                "services-payments-api",
                "services-payments-worker",
                "services-payments-default",
                "services-search-api",
            ],
        ),
        ("services/search:api", ["services-search-api"]),
        (":base", ["base"]),
    ],
)
def test_specs_select(repo: Path, spec: str, expected: list[str]) -> None:
    project = load_for([], ["::"])
    assert bake_names(project, [spec]) == expected


def test_labels_select_across_packages(repo: Path) -> None:
    project = load_selected([], ["::"], ["team in (payments,platform)", "team!=payments"])
    assert sorted(t.name for t in project.targets) == ["libs-shared-lib"]


def test_errors_name_addresses(repo: Path) -> None:
    with pytest.raises(SelectionError, match="nothing matches services/payments:nope"):
        bake_names(load_for([], ["::"]), ["services/payments:nope"])
    with pytest.raises(BakepyError, match="no package 'services/nowhere'"):
        load_for([], ["services/nowhere:x"])
    (repo / "services" / "payments" / "bakepy.yaml").write_text(
        PAYMENTS.replace('inherits: [":base"]', 'inherits: ["services/search:nope"]')
    )
    with pytest.raises(BakepyError, match="nope"):
        load_for([], ["services/payments:api"])


def test_two_addresses_on_one_bake_name_are_an_error(repo: Path) -> None:
    (repo / "services-payments").mkdir()
    (repo / "services-payments" / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: api}\nspec: {}\n"
    )
    with pytest.raises(ValidationError, match="both become the bake name 'services-payments-api'"):
        load_for([], ["::"])


def test_a_variable_declared_differently_in_two_packages_is_an_error(repo: Path) -> None:
    (repo / "libs" / "shared" / "vars.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Variable\nmetadata: {name: TAG}\n"
        'spec: {default: "2.0"}\n'
    )
    with pytest.raises(ValidationError, match="Variable 'TAG' is declared differently at :TAG"):
        load_for([], ["::"])


def test_outside_a_configured_repository_a_folder_loads_as_before(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: api}\nspec: {}\n"
    )
    plain = load_selected([tmp_path / "app"], [], None)
    assert [t.name for t in plain.targets] == ["api"]  # no marker, no spec: short names
    packaged = load_selected([tmp_path / "app"], [], None, recursive=True)
    assert [t.name for t in packaged.targets] == ["app-api"]  # the git root is the root


def test_bad_settings_are_located(tmp_path: Path) -> None:
    (tmp_path / "bakepy.toml").write_text('packages = "services/*"\n')
    with pytest.raises(LoadError, match="packages must be a list"):
        find_repository(tmp_path)


@pytest.mark.parametrize(
    ("text", "package", "name", "scope"),
    [
        ("services/payments:api", "services/payments", "api", "one"),
        (":api", "", "api", "one"),
        ("services/payments:", "services/payments", None, "package"),
        ("services::", "services", None, "below"),
        ("::", "", None, "below"),
    ],
)
def test_spec_forms(text: str, package: str, name: str | None, scope: str) -> None:
    spec = AddressSpec.parse(text)
    assert (spec.package, spec.name, spec.scope) == (package, name, scope)
    assert str(spec) == (text if text != ":api" else ":api")


def test_bake_names_of_addresses() -> None:
    assert Address("", "api").bake_name() == "api"
    assert Address("services/payments", "api").bake_name() == "services-payments-api"
    assert Address.parse("base", relative_to="libs") == Address("libs", "base")
    with pytest.raises(ValueError, match="invalid package path"):
        Address.parse("../up:x")


def test_owners_come_from_codeowners_and_select(repo: Path) -> None:
    from typer.testing import CliRunner

    from bakepy.cli import app

    (repo / ".github").mkdir()
    (repo / ".github" / "CODEOWNERS").write_text(
        "* @org/platform\n/services/payments/ @org/payments\nlibs/ @org/libs @alice\n"
    )
    project = load_for([], ["::"])
    owners = {t.name: project.owners_of(t) for t in project.targets}
    assert owners["services-payments-api"] == ("@org/payments",)
    assert owners["libs-shared-lib"] == ("@org/libs", "@alice")
    assert owners["base"] == ("@org/platform",)
    chosen = load_selected([], ["::"], None, owner="@alice")
    assert [t.name for t in chosen.targets] == ["libs-shared-lib"]
    listed = CliRunner().invoke(app, ["addresses", "::", "--owner", "@org/payments"])
    assert listed.exit_code == 0, listed.output
    assert "services/payments:api" in listed.stdout
    assert "services/search" not in listed.stdout
    drawn = CliRunner().invoke(app, ["graph", "::"])
    assert "target libs-shared-lib (@org/libs @alice)" in drawn.stdout


def test_a_folder_bakepy_rendered_into_is_no_package(repo: Path) -> None:
    (repo / "out").mkdir()
    (repo / "out" / "docker-bake.hcl").write_text('target "x" {}\n')
    (repo / "out" / ".bakepy-rendered.json").write_text("{}\n")
    found = find_repository(repo)
    assert found is not None
    assert "out" not in [p.path for p in discover_packages(found)]


def test_a_loop_across_packages_is_named_by_addresses(repo: Path) -> None:
    from bakepy.errors import CycleError

    (repo / "libs" / "shared" / "targets.yaml").write_text(
        SHARED.replace("target: lib", 'contexts: {w: "target:services/payments:worker"}')
    )
    with pytest.raises(CycleError) as info:
        load_for([], ["::"])
    assert "Target services/payments:worker" in str(info.value)
    assert "Target libs/shared:lib" in str(info.value)


def test_the_walk_lists_what_os_walk_lists(tmp_path: Path) -> None:
    """Discovery's own walk (links told apart by the listing, no lstat per folder) gives
    os.walk's answer: links to folders listed but not entered, links to files and broken
    links as files, pruned folders not entered, an unreadable start answering nothing."""
    import os

    from bakepy.loaders.repository import _walk

    for folder in ("a/b/c", "a/skip/deeper", "d", ".hidden/x"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("a/f.py", "a/b/g.yaml", "d/h", ".hidden/x/i"):
        (tmp_path / name).write_text("x")
    (tmp_path / "link-to-a").symlink_to(tmp_path / "a")
    (tmp_path / "d" / "link-to-file").symlink_to(tmp_path / "a" / "f.py")
    (tmp_path / "d" / "broken").symlink_to(tmp_path / "nowhere")

    def listed(walk: object) -> list[tuple[str, list[str], list[str]]]:
        found = []
        for folder, folders, files in walk:  # type: ignore[attr-defined]
            folders[:] = sorted(f for f in folders if f != "skip")
            found.append((folder, list(folders), sorted(files)))
        return found

    assert listed(_walk(str(tmp_path))) == listed(os.walk(tmp_path))
    assert listed(_walk(str(tmp_path / "missing"))) == []


def test_a_shared_discovery_walks_each_folder_once(repo: Path) -> None:
    """Inside ``shared_discovery`` a repository folder is walked once (a package added since
    is not seen until the block ends); a caller cannot change the kept listing; outside,
    every call walks."""
    from bakepy.loaders.repository import shared_discovery

    repository = find_repository(repo)
    assert repository is not None
    before = [p.path for p in discover_packages(repository)]
    with shared_discovery():
        first = discover_packages(repository)
        (repo / "services" / "late").mkdir()
        (repo / "services" / "late" / "bakepy.yaml").write_text(SHARED)
        first.clear()
        with shared_discovery():  # a nested block shares the enclosing one's walks
            assert [p.path for p in discover_packages(repository)] == before
        assert [p.path for p in discover_packages(repository, "services")] == sorted(
            p for p in [*before, "services/late"] if p.startswith("services/")
        )
    assert "services/late" in [p.path for p in discover_packages(repository)]


def test_names_a_selector_or_owner_leaves_out_are_not_planned(repo: Path) -> None:
    """``plan --owner TEAM ::``: ``::`` names every target, the owner keeps the team's, and
    the names planned are those kept (planning a left-out one failed: 'failed to find
    target')."""
    from bakepy.resolution.selection import bake_names, parse_selector, still_selected

    (repo / "CODEOWNERS").write_text("* @org/platform\n/services/payments/ @org/payments\n")
    loaded = load_for([], ["::"])
    names = bake_names(loaded, ["::"])
    assert "services-search-api" in names
    owned = still_selected(loaded, names, parse_selector(None), "@org/payments")
    assert sorted(owned) == [
        "services-payments-api",
        "services-payments-default",
        "services-payments-worker",
    ]
    assert still_selected(loaded, names, parse_selector("team=nobody"), None) == []
    assert still_selected(loaded, ["a-bake-file-block"], parse_selector("x"), None) == [
        "a-bake-file-block"
    ]


def _python_repo(root: Path, flavour: str) -> None:
    files = {
        "bakepy.toml": 'packages = ["**"]\n',
        "libs/pybase/bakepy.py": (
            "from bakepy import Target, TargetSpec\n\n"
            f'base = Target(metadata="pybase", spec=TargetSpec(args={{"FLAVOUR": "{flavour}"}}))\n'
        ),
        "services/app/bakepy.py": (
            "from bakepy import Target, TargetSpec\n"
            "from libs.pybase.bakepy import base\n\n"
            'app = Target(metadata="app", spec=TargetSpec(inherits=[base], context="."))\n'
        ),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_python_package_imports_another_packages_object_from_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``from libs.pybase.bakepy import base``: the object keeps its own package's address,
    and a second repository loaded in the same process imports its own module, not the
    first one's (``bakepy affected`` loads the tree at a revision after the working tree)."""
    import sys

    for flavour in ("one", "two"):
        root = tmp_path / flavour
        _python_repo(root, flavour)
        monkeypatch.chdir(root)
        project = load_for([], ["::"])
        addresses = sorted(str(project.address_of(t)) for t in project.targets)
        assert addresses == ["libs/pybase:pybase", "services/app:app"]
        resolved = bakepy.resolve(project, ["services-app-app"], env={}).targets
        assert resolved["services-app-app"]["args"] == {"FLAVOUR": flavour}
        assert str(root) not in sys.path
        assert "libs.pybase.bakepy" not in sys.modules


def test_the_build_plan_shows_each_targets_owners() -> None:
    from bakepy.engine.build_plan import BuildPlan, PlannedBuild

    plan = BuildPlan(
        targets=[
            PlannedBuild("svc-api", None, "build", "never built", None, [], ("@org/a", "@bob")),
            PlannedBuild("base", None, "up to date", "inputs unchanged", "sha256:1"),
        ]
    )
    assert plan.render().splitlines()[1:3] == [
        "  target/svc-api (@org/a @bob): would build (never built)",
        "  target/base: up to date (inputs unchanged)",
    ]
    assert plan.to_dict()["targets"][0]["owners"] == ("@org/a", "@bob")


def test_abstract_targets_are_left_out_of_what_a_package_spec_builds(repo: Path) -> None:
    """``plan ::`` builds what ``apply`` would build with no name: not a ``_base`` there to
    be inherited (whose Dockerfile may not even exist); ``:_base`` names it."""
    from bakepy.resolution.selection import bake_names

    (repo / "bakepy.yaml").write_text(
        ROOT_MANIFEST + "---\napiVersion: bakepy.dev/v1alpha1\nkind: Target\n"
        "metadata: {name: _common}\nspec: {}\n"
    )
    project = load_for([], ["::"])
    assert "_common" in bake_names(project, ["::"])
    assert "_common" not in bake_names(project, ["::"], concrete=True)
    assert bake_names(project, [":_common"], concrete=True) == ["_common"]


def _two_packages(root: Path, a_spec: str, b_spec: str) -> None:
    manifest = "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {{name: {}}}\nspec: {}\n"
    root.mkdir()
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    for folder, name, spec in (("a", "x", a_spec), ("b", "y", b_spec)):
        (root / folder).mkdir(parents=True)
        (root / folder / "bakepy.yaml").write_text(manifest.format(name, spec))


def test_cycles_across_packages_are_named_by_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _two_packages(
        tmp_path / "links", '{contexts: {y: "target:b:y"}}', '{contexts: {x: "target:a:x"}}'
    )
    monkeypatch.chdir(tmp_path / "links")
    with pytest.raises(
        BakepyError, match=r"reference cycle: Target a:x -> Target b:y -> Target a:x"
    ):
        load_for([], ["::"])
    _two_packages(tmp_path / "parents", '{inherits: ["b:y"]}', '{inherits: ["a:x"]}')
    monkeypatch.chdir(tmp_path / "parents")
    project = load_for([], ["::"])
    from bakepy.resolution.checks.references import inherits_loops

    [warning] = inherits_loops(project)
    assert warning.startswith("inherits loop Target a:x -> Target b:y -> Target a:x: ")


def test_delete_takes_address_specs_and_refuses_other_names(repo: Path) -> None:
    from typer.testing import CliRunner

    from bakepy.cli import app

    refused = CliRunner().invoke(app, ["delete", "api"])
    assert refused.exit_code == 2
    assert "'api' is no address spec" in refused.output
    assert "services/web:" in refused.output
