"""``bakepy affected``: a git history of a small monorepo, each change checked against the
brute-force answer (every target's input digest at the revision and in the working tree)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bakepy.api.affected import affected, definitions
from bakepy.api.definitions import load_for
from bakepy.loaders.packages import load_packages
from bakepy.loaders.repository import Repository, discover_packages, find_repository
from bakepy.resolution.affected import digest, target_inputs

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FILES = {
    "bakepy.toml": 'packages = ["**"]\n',
    "bakepy.yaml": (
        "apiVersion: bakepy.dev/v1alpha1\nkind: Variable\nmetadata: {name: VERSION}\n"
        'spec: {default: "1"}\n---\n'
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: base}\n"
        "spec: {args: {VERSION: '${VERSION}'}, context: shared}\n"
    ),
    "shared/Dockerfile": "FROM scratch\n",
    "services/a/bakepy.yaml": (
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: a}\n"
        'spec: {inherits: [":base"], context: .}\n'
    ),
    "services/a/Dockerfile": "FROM scratch\nCOPY main.go /\n",
    "services/a/main.go": "package main\n",
    "services/a/README.md": "# a\n",
    "services/a/.dockerignore": "*.md\n",
    "services/b/bakepy.yaml": (
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: b}\n"
        'spec: {context: ., contexts: {a: "target:services/a:a"}}\n'
    ),
    "services/b/Dockerfile": "FROM a\n",
    "services/c/bakepy.py": (
        "from bakepy import Target, TargetSpec\n\n"
        'c = Target(metadata="c", spec=TargetSpec(context=".",'
        ' dockerfile_inline="FROM scratch\\n"))\n'
    ),
    "services/d/bakepy.yaml": (
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: d}\n"
        'spec: {context: ., args: {X: "1"}}\n'
    ),
    "services/d/Dockerfile": "FROM scratch\n",
    "services/e/bakepy.yaml": (
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: e}\n"
        'spec: {inherits: ["services/d:d"], context: .}\n'
    ),
    "services/e/Dockerfile": "FROM scratch\n",
}


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture(name="repo")
def repo_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start")
    monkeypatch.chdir(root)
    return root


def _digests(root: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every target's input digest in the tree at ``root``, and its target: links."""
    repository = Repository(root, find_repository(root, git_fallback=False).config)  # type: ignore[union-attr]
    project = load_packages(repository, discover_packages(repository))
    defined = definitions(project, root, {})
    inputs = {name: target_inputs(name, target, root) for name, target in defined.items()}
    return (
        {name: digest(defined[name], inputs[name], root) for name in defined},
        {name: inputs[name].links for name in defined},
    )


def _brute_force(root: Path, since: str, transitive: bool) -> set[str]:
    """The targets whose digest differs between ``since`` and the working tree (with
    ``transitive``: a target's digest covers the digests of the targets it links to)."""
    scratch = Path(tempfile.mkdtemp())
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", since], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
    before, _ = _digests(scratch)
    after, links = _digests(root)

    def closed(digests: dict[str, str], name: str) -> str:
        if not transitive:
            return digests.get(name, "")
        return digests.get(name, "") + "".join(closed(digests, link) for link in links[name])

    return {name for name in after if closed(after, name) != closed(before, name)}


CHANGES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "a context file": (
        lambda r: (r / "services/a/main.go").write_text("package main // x\n"),
        {"services-a-a"},
    ),
    "an ignored file": (lambda r: (r / "services/a/README.md").write_text("# changed\n"), set()),
    "the .dockerignore": (
        lambda r: (r / "services/a/.dockerignore").write_text("*.txt\n"),
        {"services-a-a"},
    ),
    "a shared base's context": (
        lambda r: (r / "shared/Dockerfile").write_text("FROM busybox\n"),
        {"base"},  # services/a inherits base but builds its own context
    ),
    "a variable": (
        lambda r: (r / "bakepy.yaml").write_text(
            FILES["bakepy.yaml"].replace('default: "1"', 'default: "2"')
        ),
        {"base", "services-a-a"},
    ),
    "a Dockerfile": (
        lambda r: (r / "services/b/Dockerfile").write_text("FROM a\nRUN true\n"),
        {"services-b-b"},
    ),
    "a Python definition": (
        lambda r: (r / "services/c/bakepy.py").write_text(
            FILES["services/c/bakepy.py"].replace("FROM scratch", "FROM busybox")
        ),
        {"services-c-c"},
    ),
    "an inherited package's definition": (
        lambda r: (r / "services/d/bakepy.yaml").write_text(
            FILES["services/d/bakepy.yaml"].replace('X: "1"', 'X: "2"')
        ),
        {"services-d-d", "services-e-e"},  # e inherits d: the whole tree is compared
    ),
    "a package's own definition": (
        lambda r: (r / "services/e/bakepy.yaml").write_text(
            FILES["services/e/bakepy.yaml"].replace("context: .", "context: ., target: e")
        ),
        {"services-e-e"},  # only services/e is loaded as it was
    ),
    "a new package": (
        lambda r: _new_package(r / "services/f"),
        {"services-f-f"},
    ),
    "an untracked file": (
        lambda r: (r / "services/c/new.txt").write_text("new\n"),
        {"services-c-c"},
    ),
    "nothing": (lambda r: None, set()),
}


def _new_package(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text("FROM scratch\n")
    (folder / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: f}\nspec: {context: .}\n"
    )


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("mode", ["none", "transitive"])
def test_affected_equals_the_brute_force_answer(repo: Path, change: str, mode: str) -> None:
    make, directly = CHANGES[change]
    make(repo)
    found = {a.name for a in affected("main", dependents=mode) if a.kind == "Target"}  # type: ignore[arg-type]
    assert found == _brute_force(repo, "main", transitive=mode == "transitive")
    users = {"services-b-b"} if "services-a-a" in directly else set()
    assert found == (directly if mode == "none" else directly | users)


def test_reasons_and_addresses(repo: Path) -> None:
    CHANGES["a context file"][0](repo)
    rows = {a.name: a for a in affected("main", dependents="direct")}
    assert rows["services-a-a"].address == "services/a:a"
    assert rows["services-a-a"].reason == "services/a/main.go changed"
    assert rows["services-b-b"].reason == "uses services-a-a"


def test_a_committed_change_counts_too(repo: Path) -> None:
    CHANGES["a Dockerfile"][0](repo)
    _git(repo, "commit", "-q", "-am", "b changes")
    assert {a.name for a in affected("main~1", dependents="none")} == {"services-b-b"}
    assert affected("main", dependents="none") == []


def test_an_unknown_revision_is_a_clear_error(repo: Path) -> None:
    from bakepy.errors import CommandError

    with pytest.raises(CommandError, match="git rev-parse"):
        affected("no-such-branch")


def test_the_command_line(repo: Path) -> None:
    from typer.testing import CliRunner

    from bakepy.cli import app

    CHANGES["a context file"][0](repo)
    result = CliRunner().invoke(app, ["affected", "--since", "main", "--dependents", "none"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [
        "services/a:a",
        "services-a-a",
        "(services/a/main.go",
        "changed)",
    ]
    printed = CliRunner().invoke(app, ["print", "::", "--changed-since", "main"])
    assert printed.exit_code == 0, printed.output
    assert '"services-b-b"' in printed.stdout  # uses a: rebuilt too
    assert '"services-c-c"' not in printed.stdout
    _git(repo, "stash", "-q")
    unchanged = CliRunner().invoke(app, ["print", "::", "--changed-since", "main"])
    assert unchanged.exit_code == 0
    assert unchanged.stdout == ""
    assert "no target changed since main" in unchanged.stderr


def test_plan_and_apply_take_changed_since_as_print_does(repo: Path) -> None:
    from typer.testing import CliRunner

    from bakepy.cli import app

    CHANGES["a context file"][0](repo)
    planned = CliRunner().invoke(app, ["plan", "::", "--changed-since", "main"])
    assert planned.exit_code == 1, planned.output  # something would build
    assert "target/services-a-a: would build" in planned.stdout
    assert "target/services-b-b: would build" in planned.stdout  # uses a: rebuilt too
    assert "services-c-c" not in planned.stdout
    _git(repo, "stash", "-q")
    for verb in (["plan"], ["apply", "--dry-run"]):
        unchanged = CliRunner().invoke(app, [*verb, "::", "--changed-since", "main"])
        assert unchanged.exit_code == 0, unchanged.output
        assert "would build" not in unchanged.stdout
        assert "no target changed since main" in unchanged.stderr


def test_the_kept_snapshot_answers_and_knows_when_it_cannot(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bakepy.cli import app

    def run() -> list[str]:
        result = CliRunner().invoke(app, ["affected", "--since", "main", "--dependents", "none"])
        assert result.exit_code == 0, result.output
        return [line.split()[1] for line in result.stdout.splitlines()]

    CHANGES["a context file"][0](repo)
    assert run() == ["services-a-a"]  # loads, keeps a snapshot
    monkeypatch.setattr(
        "bakepy.api.affected.load_for",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")),
    )
    (repo / "services/c/new.txt").write_text("x\n")
    assert run() == ["services-a-a", "services-c-c"]  # from the snapshot
    (repo / "services/a/.dockerignore").write_text("*.md\n*.go\n")  # the snapshot's is stale
    with pytest.raises(AssertionError, match="loaded"):
        CliRunner().invoke(app, ["affected", "--since", "main"], catch_exceptions=False)


def test_the_revision_unpacks_without_touching_the_repository_index(repo: Path) -> None:
    """git writes the revision's tree through an index of its own: what is staged stays."""
    CHANGES["a variable"][0](repo)
    _git(repo, "add", "bakepy.yaml")
    staged = subprocess.run(
        ["git", "-C", str(repo), "diff", "--cached", "--name-only"], capture_output=True, text=True
    ).stdout
    assert {a.name for a in affected("main", dependents="none")} == {"base", "services-a-a"}
    after = subprocess.run(
        ["git", "-C", str(repo), "diff", "--cached", "--name-only"], capture_output=True, text=True
    ).stdout
    assert after == staged == "bakepy.yaml\n"


COMPOSE_PACKAGE = {
    "services/h/compose.yaml": (
        "services:\n  web:\n    build:\n      context: app\n      args: {V: '${V}'}\n"
        "    env_file: app.conf\n"
    ),
    "services/h/.env": "V=1\n",
    "services/h/app.conf": "MODE=x\n",
    "services/h/app/Dockerfile": "FROM scratch\n",
}


def _add_compose_package(repo: Path) -> None:
    for name, text in COMPOSE_PACKAGE.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "d")


def test_a_changed_dotenv_file_changes_the_definitions_it_feeds(repo: Path) -> None:
    """``.env`` has no suffix, yet compose reads its variables: a change is a definition's."""
    _add_compose_package(repo)
    (repo / "services/h/.env").write_text("V=2\n")
    rows = {a.name: a.reason for a in affected("main", dependents="none")}
    assert rows == {"services-h-web": "definition changed"}


def test_a_definition_reading_other_files_at_the_revision_is_loaded_whole(repo: Path) -> None:
    """Only definition files are unpacked first; a compose ``env_file`` named otherwise is
    missing there, so the whole tree is unpacked and the answer is exact, not "everything"."""
    _add_compose_package(repo)
    CHANGES["a Python definition"][0](repo)
    assert {a.name for a in affected("main", dependents="none")} == {"services-c-c"}


def test_might_define() -> None:
    from bakepy.resolution.affected import might_define

    defining = ["bakepy.py", "a/bakepy.yaml", "compose.yml", "docker-bake.hcl", "x.json"]
    defining += ["bakepy.toml", ".env", "a/.env", "a/.env.local", "prod.env"]
    assert all(might_define(path) for path in defining)
    others = ["main.go", "Dockerfile", "a/app.conf", ".dockerignore", "envfile", "a.environment"]
    assert not any(might_define(path) for path in others)


KEPT_CHANGES = [
    "a context file",
    "an ignored file",
    "a shared base's context",
    "a Dockerfile",
    "an untracked file",
    "nothing",
]


@pytest.mark.parametrize("change", KEPT_CHANGES)
def test_the_kept_snapshot_gives_the_loaded_answer(repo: Path, change: str) -> None:
    """A kept snapshot builds only the targets a changed path may concern (by text) and
    reads links from its JSON form: every answer equals the loaded snapshot's."""
    import json

    from bakepy.api.affected import affected_and_snapshot
    from bakepy.engine.git import changed_files, toplevel
    from bakepy.resolution.affected import KeptTargets, Snapshot, touched

    CHANGES[change][0](repo)
    (repo / "services/b/extra.txt").write_text("x\n")  # b's context too: two targets found
    found, loaded = affected_and_snapshot("main")
    kept = Snapshot.from_json(json.loads(json.dumps(loaded.to_json())))
    assert kept is not None
    assert isinstance(kept.targets, KeptTargets)
    changed = [toplevel(repo) / name for name in changed_files(repo, "main")]
    assert touched(kept.targets.values(), changed, kept.root) == found
    for mode in ("none", "direct", "transitive"):
        assert kept.report(found, mode) == loaded.report(found, mode)  # type: ignore[arg-type]
    assert dict(kept.targets.items()).keys() == loaded.targets.keys()
    assert [t.to_json() for t in kept.targets.values()] == loaded.to_json()["targets"]


def test_changed_since_without_a_spec_looks_at_the_whole_repository(repo: Path) -> None:
    """From the root with no TARGET, ``--changed-since`` takes what ``affected`` lists for
    the whole repository (the changed targets' packages are loaded); with a spec, what the
    spec selects of it. Each failed before: 'failed to find target services-a-a'."""
    from typer.testing import CliRunner

    from bakepy.cli import app

    CHANGES["a context file"][0](repo)
    printed = CliRunner().invoke(app, ["print", "--changed-since", "main"])
    assert printed.exit_code == 0, printed.output
    assert sorted(json.loads(printed.stdout)["target"]) == ["services-a-a", "services-b-b"]
    drawn = CliRunner().invoke(app, ["graph", "--changed-since", "main"])
    assert drawn.exit_code == 0, drawn.output
    assert "target services-b-b" in drawn.stdout
    assert "services-c-c" not in drawn.stdout
    out = repo.parent / "out"
    rendered = CliRunner().invoke(
        app, ["render", "services/b:", "--changed-since", "main", "--out", str(out)]
    )
    assert rendered.exit_code == 0, rendered.output
    hcl = (out / "docker-bake.hcl").read_text()
    assert 'target "services-b-b"' in hcl
    assert 'target "services-c-c"' not in hcl
    planned = CliRunner().invoke(app, ["plan", "--changed-since", "main"])
    assert "target/services-a-a: would build" in planned.stdout, planned.output
    assert "services-c-c" not in planned.stdout


def test_changed_since_leaves_abstract_targets_out_of_the_builds(repo: Path) -> None:
    """A changed ``_base`` (a base to inherit) is printed but not built on its own."""
    from typer.testing import CliRunner

    from bakepy.cli import app

    (repo / "bakepy.yaml").write_text(FILES["bakepy.yaml"].replace("{name: base}", "{name: _base}"))
    (repo / "services/a/bakepy.yaml").write_text(
        FILES["services/a/bakepy.yaml"].replace(":base", ":_base")
    )
    _git(repo, "commit", "-qam", "abstract base")
    (repo / "shared/Dockerfile").write_text("FROM busybox\n")
    printed = CliRunner().invoke(app, ["print", "--changed-since", "main"])
    assert sorted(json.loads(printed.stdout)["target"]) == ["_base"], printed.output
    planned = CliRunner().invoke(app, ["plan", "--changed-since", "main"])
    assert "_base" not in planned.stdout, planned.output
    assert "no target changed since main" in planned.stderr


@pytest.mark.parametrize(
    ("change", "packages"),
    [
        ("a package's own definition", {"services/e"}),
        ("a Python definition", {"services/c"}),
        ("a new package", {"services/f"}),
        ("an inherited package's definition", None),  # e inherits from d
        ("a variable", None),  # the root declares variables: any target may use them
    ],
)
def test_a_definition_change_inside_packages_loads_only_them_as_they_were(
    repo: Path, change: str, packages: set[str] | None
) -> None:
    """Which packages the tree at the revision is loaded for (None: all of them); the
    answers equal the brute force's in test_affected_equals_the_brute_force_answer."""
    from bakepy.api.affected import changed_packages
    from bakepy.engine.git import changed_files, toplevel

    CHANGES[change][0](repo)
    project = load_for([], ["::"])
    changed = [toplevel(repo) / name for name in changed_files(repo, "main")]
    assert changed_packages(project, repo.resolve(), changed) == packages


def test_a_definition_another_package_imports_loads_the_whole_tree(repo: Path) -> None:
    from bakepy.api.affected import changed_packages
    from bakepy.engine.git import changed_files, toplevel

    (repo / "services/g").mkdir()
    (repo / "services/g/bakepy.py").write_text(
        "from bakepy import Target, TargetSpec\nfrom services.c.bakepy import c\n\n"
        'g = Target(metadata="g", spec=TargetSpec(dockerfile_inline=c.spec.dockerfile_inline))\n'
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "g imports c")
    CHANGES["a Python definition"][0](repo)
    project = load_for([], ["::"])
    changed = [toplevel(repo) / name for name in changed_files(repo, "main")]
    assert changed_packages(project, repo.resolve(), changed) is None
    # g's Dockerfile is c's text, which changed: the whole tree's answer says so
    assert {a.name for a in affected("main", dependents="none")} == {"services-c-c", "services-g-g"}
