"""Hand-written HCL and JSON bake files, judged by ``docker buildx bake --print``.

Each case is a folder under tests/fixtures/bake holding one or more bake files written the way
people write them (bake.md describes every feature used; section numbers are cited in the
files). For each case:

* bakepy reads the files (``bakepy.load`` with the case folder as working directory, as bake
  resolves relative paths against the folder it runs in) and resolves the requested names
  (``bakepy.resolve``, and ``bakepy print`` through the CLI): both must equal what buildx 0.13
  prints for ``--print -f FILE... NAMES`` in that folder with the same environment;
* bakepy renders what it read back to one HCL and one JSON file (``bakepy.render``), and buildx
  must print the same targets from each re-rendered file as from the originals.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bakeprint import buildx_env, levels_apart, normalize, ssh_agent_fixture  # noqa: F401
from typer.testing import CliRunner

import bakepy
from bakepy.api.output import write_files
from bakepy.cli import app

pytestmark = [pytest.mark.conformance]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bake"


@dataclass(frozen=True)
class Case:
    """A folder of bake files, the files to pass (in ``-f`` order), names and environment."""

    folder: str
    names: tuple[str, ...] = ()
    files: tuple[str, ...] = ("docker-bake.hcl",)
    env: Mapping[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "variables": Case("variables", ("app",)),
    # the environment overrides variables, converted to the default's type, but not top-level
    # attributes, unless a variable of the same name is declared too (§1, §3)
    "variables-env": Case(
        "variables",
        ("app",),
        env={
            "TAG": "v1.2",
            "PUSH": "true",
            "JOBS": "7",
            "RATIO": "0.25",
            "EMPTY": "set",
            "NOTHING": "now-set",
            "REGISTRY": "ghcr.io/acme",
            "SHADOWED": "from-env",
            "ORG": "from-env",
        },
    ),
    "variables-env-other-forms": Case(
        "variables", ("app",), env={"PUSH": "1", "JOBS": "-3", "RATIO": "1_000", "TAG": ""}
    ),
    "variables-env-false": Case("variables", ("app",), env={"PUSH": "FALSE", "JOBS": "1e3"}),
    "interpolation": Case("interpolation", ("app",)),
    "heredocs": Case("heredocs", ("plain", "indented", "args")),
    "expressions": Case("expressions", ("app",)),
    "expressions-env": Case("expressions", ("app",), env={"DEBUG": "true"}),
    "user-functions": Case("user-functions", ("app",)),
    "user-functions-env": Case("user-functions", ("app",), env={"TAG": "2.0.0"}),
    "builtins-strings": Case("builtins-strings", ("app",)),
    "builtins-collections": Case("builtins-collections", ("app",)),
    "builtins-encoding": Case("builtins-encoding", ("app",)),
    "builtins-numeric": Case("builtins-numeric", ("app",)),
    "builtins-regex-net-time": Case("builtins-regex-net-time", ("app",)),
    "builtin-variables": Case("builtin-variables"),
    "builtin-variables-env": Case(
        "builtin-variables",
        env={"SOURCE_DATE_EPOCH": "1700000000", "UNDECLARED": "x", "BAKE_CMD_CONTEXT": "x"},
    ),
    "target-references": Case("target-references", ("app",)),
    "matrix": Case("matrix", ("build", "service", "single", "uses-generated")),
    "matrix-generated-names": Case("matrix", ("build-1-21-windows", "svc-api", "svc-worker")),
    "inherits": Case("inherits", ("child", "grandchild", "dockerfile-inline", "_base")),
    "inherits-context": Case("inherits", ("context-from-first-parent", "_extra")),
    "groups-default": Case("groups"),
    "groups-nested": Case("groups", ("release",)),
    "groups-and-targets": Case("groups", ("images", "cli", "default", "web")),
    "group-named-like-target": Case("groups", ("api",)),
    "target-contexts": Case("target-contexts", ("app",)),
    "target-contexts-shared": Case("target-contexts", ("app", "tool")),
    "target-contexts-requested": Case("target-contexts", ("base", "app")),
    "multi-file": Case("multi-file", files=("docker-bake.hcl", "override.hcl", "ci.json")),
    "multi-file-groups": Case(
        "multi-file", ("all", "docs"), files=("docker-bake.hcl", "override.hcl", "ci.json")
    ),
    "multi-file-env": Case(
        "multi-file",
        ("app",),
        files=("docker-bake.hcl", "override.hcl", "ci.json"),
        env={"TAG": "from-env", "CHANNEL": "beta"},
    ),
    "multi-file-other-order": Case(
        "multi-file", ("app", "all"), files=("ci.json", "override.hcl", "docker-bake.hcl")
    ),
    "json-matrix": Case("json-matrix", files=("vars.json", "docker-bake.hcl")),
    "json-matrix-one": Case("json-matrix", ("svc-api",), files=("vars.json", "docker-bake.hcl")),
    "duplicate-blocks": Case("duplicate-blocks", ("app", "other")),
    "json-format": Case("json-format", files=("docker-bake.json",)),
    "json-format-env": Case(
        "json-format",
        ("app", "svc"),
        files=("docker-bake.json",),
        env={"TAG": "2.0", "PUSH": "true", "JOBS": "1"},
    ),
    "attributes": Case("attributes", ("app", "defaults")),
}


def buildx_print_files(
    docker: str, folder: Path, files: tuple[str, ...], names: tuple[str, ...], env: dict[str, str]
) -> dict[str, Any]:
    """``docker buildx bake --print -f FILE... NAMES...`` run in ``folder``."""
    flags = [arg for file in files for arg in ("-f", file)]
    result = subprocess.run(
        [docker, "buildx", "bake", "--print", *flags, *names],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed: dict[str, Any] = json.loads(result.stdout)
    return printed


def _absolute(path: str, folder: Path) -> str:
    if not path or "://" in path or path.startswith(("target:", "git@")) or os.path.isabs(path):
        return path
    return os.path.normpath(folder / path)


def _absolute_fields(entry: str, keys: tuple[str, ...], folder: Path) -> str:
    parts = []
    for part in entry.split(","):
        key, sep, value = part.partition("=")
        parts.append(f"{key}={_absolute(value, folder)}" if sep and key in keys else part)
    return ",".join(parts)


def absolute_paths(printed: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``printed`` (a ``--print`` run in ``folder``) with its local paths made absolute.

    bakepy rewrites a bake file's relative paths (context, local named contexts, secret files,
    local outputs and caches) when it renders the file into another folder, so the original and
    the re-rendered file name the same folders with different relative paths. Made absolute,
    they must be equal. ``dockerfile`` is relative to the context, so it is never rewritten.
    """
    out: dict[str, Any] = json.loads(json.dumps(printed))
    for target in out.get("target", {}).values():
        if "context" in target:
            target["context"] = _absolute(target["context"], folder)
        if "contexts" in target:
            target["contexts"] = {
                key: _absolute_context(value, folder) for key, value in target["contexts"].items()
            }
        if "output" in target:  # an output without "=" is a local folder (bake's shorthand)
            target["output"] = [
                _absolute(entry, folder) if "=" not in entry and entry != "-" else entry
                for entry in target["output"]
            ]
        for key, fields in (
            ("secret", ("src",)),
            ("output", ("dest",)),
            ("cache-from", ("src",)),
            ("cache-to", ("dest",)),
        ):
            if key in target:
                target[key] = [_absolute_fields(e, fields, folder) for e in target[key]]
        if "ssh" in target:
            target["ssh"] = [_absolute_ssh(entry, folder) for entry in target["ssh"]]
    return out


def _absolute_context(value: str, folder: Path) -> str:
    """A named context with a local folder (or an OCI layout's folder) made absolute."""
    if value.startswith("oci-layout://"):
        return "oci-layout://" + _absolute(value.removeprefix("oci-layout://"), folder)
    return _absolute(value, folder)


def _absolute_ssh(entry: str, folder: Path) -> str:
    ident, sep, paths = entry.partition("=")
    if not sep:
        return entry
    return ident + "=" + ",".join(_absolute(p, folder) for p in paths.split(","))


@pytest.fixture(name="case")
def case_fixture(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> Case:
    """The case of the test id, with the working directory in its folder (and parsed HCL
    cached for the session, not in the user's cache)."""
    case: Case = CASES[request.param]
    monkeypatch.chdir(FIXTURES / case.folder)
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "hcl-cache"))
    return case


def _env(case: Case, ssh_agent: str) -> dict[str, str]:
    return buildx_env(ssh_agent, dict(case.env))


def as_documented(printed: dict[str, Any]) -> dict[str, Any]:
    """buildx 0.13 prints ``dockerfile = ""`` as given; bake fills in the default ``Dockerfile``
    for an empty value too (bake.md §2, "Defaults filled in after resolution"), as bakepy does."""
    out: dict[str, Any] = json.loads(json.dumps(printed))
    for target in out.get("target", {}).values():
        if target.get("dockerfile") == "":
            target["dockerfile"] = "Dockerfile"
    return out


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_bakepy_resolve_equals_buildx_print(case: Case, buildx: str, ssh_agent: str) -> None:
    folder = FIXTURES / case.folder
    env = _env(case, ssh_agent)
    theirs = buildx_print_files(buildx, folder, case.files, case.names, env)
    project = bakepy.load(list(case.files))
    ours = bakepy.resolve(project, list(case.names), env).to_dict()
    assert normalize(ours) == normalize(as_documented(theirs))


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_bakepy_print_cli_equals_library(
    case: Case, ssh_agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _env(case, ssh_agent)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    flags = [arg for file in case.files for arg in ("-f", file)]
    result = CliRunner().invoke(app, ["print", *flags, *case.names])
    assert result.exit_code == 0, result.stderr
    project = bakepy.load(list(case.files))
    expected = bakepy.resolve(project, list(case.names), dict(os.environ)).to_dict()
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_rendered_hcl_and_json_print_like_the_originals(
    case: Case, buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    folder = FIXTURES / case.folder
    env = _env(case, ssh_agent)
    original = absolute_paths(
        buildx_print_files(buildx, folder, case.files, case.names, env), folder
    )
    write_files(bakepy.render(bakepy.load(list(case.files)), tmp_path), tmp_path)
    for rendered in ("docker-bake.hcl", "docker-bake.json"):
        printed = buildx_print_files(buildx, tmp_path, (rendered,), case.names, env)
        expected = levels_apart(original)  # one annotation per level in rendered files
        assert normalize(absolute_paths(printed, tmp_path)) == normalize(expected), rendered


def test_every_fixture_folder_is_a_case() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == {case.folder for case in CASES.values()}
