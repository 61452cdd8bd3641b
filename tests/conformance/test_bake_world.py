"""Bake files written the way teams write them, judged by ``docker buildx bake --print``.

Each case is a folder under tests/fixtures/bake-world: the bake files (HCL or JSON, one or
several, as ``-f`` takes them) reproduce a pattern seen in public repositories, in our own
words, and ``case.json`` says how to print them::

    {"about": "the real-world pattern", "files": ["docker-bake.hcl"], "names": ["app"],
     "env": {"TAG": "1.2"}, "rejected": "substring of buildx's error"}

Every field but ``about`` is optional (default: every ``docker-bake.*`` file in bake's order,
no names, no environment). ``also`` holds more cases over the same files, by name, each with
its own ``about``, ``names``, ``env``, ``rejected`` and ``ignore_unknown`` (nothing inherited
but ``files``): one file printed for a branch build and for a release, say. For a case buildx
accepts, four forms must print the same targets as buildx prints for the original, with the
same environment:

* ``bakepy.resolve`` of the files as loaded;
* the files rendered by bakepy (``docker-bake.hcl`` and ``docker-bake.json``), printed by buildx;
* the files imported as Python (``bakepy import --to python``), resolved by bakepy;
* the files imported as YAML manifests, resolved by bakepy.

A case buildx refuses (``rejected``) must be refused by bakepy too, with a BakepyError.
A case with a ``divergence`` (the reason) is a known difference in what bakepy evaluates:
its print and import forms are expected to fail (strictly: once they pass, the marker must
go); its rendered files keep the expressions, which buildx evaluates, and must pass.
A case with ``"ignore_unknown": true`` holds what bake does not know (``push = true``, an
``args { }`` block): bakepy refuses it by default, naming what buildx would drop, and with
``ignore_unknown`` reads it as buildx does. bakepy targets the buildx installed here, as the
command line does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bakeprint import buildx_env, levels_apart, normalize, ssh_agent_fixture  # noqa: F401
from test_bake_files import absolute_paths, as_documented, buildx_print_files

import bakepy
from bakepy.api.definitions import import_definitions
from bakepy.api.output import write_files
from bakepy.engine.toolchain import installed_buildx
from bakepy.models.bake.features import default_files
from bakepy.models.toolchain import Toolchain

pytestmark = [pytest.mark.conformance]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bake-world"


@dataclass(frozen=True)
class WorldCase:
    """One folder of bake files and how buildx is asked to print them."""

    folder: Path
    about: str
    files: tuple[str, ...]
    names: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    rejected: str | None = None
    ignore_unknown: bool = False

    @classmethod
    def read(cls, folder: Path, data: dict[str, Any]) -> WorldCase:
        """The case ``data`` (from ``case.json``) over the files in ``folder``."""
        names = default_files(TOOLCHAIN.bake())
        files = data.get("files") or [n for n in names if (folder / n).is_file()]
        return cls(
            folder,
            data["about"],
            tuple(files),
            tuple(data.get("names", ())),
            dict(data.get("env", {})),
            data.get("rejected"),
            bool(data.get("ignore_unknown")),
        )

    def load(self, files: list[Path] | None = None) -> bakepy.Project:
        """The case's files as the command line loads them for the installed buildx."""
        paths = files if files is not None else [Path(f) for f in self.files]
        return bakepy.load(paths, TOOLCHAIN, ignore_unknown=self.ignore_unknown)


def _cases() -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every case by name: each folder's own and the ones it holds under ``also``."""
    cases: dict[str, tuple[Path, dict[str, Any]]] = {}
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "case.json").is_file()):
        data: dict[str, Any] = json.loads((folder / "case.json").read_text())
        cases[folder.name] = (folder, data)
        for name, variant in data.get("also", {}).items():
            cases[name] = (folder, {"files": data.get("files"), **variant})
    return dict(sorted(cases.items()))


CASES = _cases()
TOOLCHAIN = Toolchain(buildx=installed_buildx())
"""The buildx installed here: bakepy reads the files as it does (the CLI's default)."""


@pytest.fixture(name="case")
def case_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> WorldCase:
    """The case, copied into ``tmp_path/case`` (imports write beside the files) and with the
    working directory there, as bake resolves relative paths against the folder it runs in."""
    copy = tmp_path / "case"
    folder, data = CASES[request.param]
    if (
        "divergence" in data
        and request.function.__name__ != "test_rendered_files_print_like_the_original"
    ):
        request.applymarker(pytest.mark.xfail(reason=data["divergence"], strict=True))
    shutil.copytree(folder, copy)
    monkeypatch.chdir(copy)
    return WorldCase.read(copy, data)


def resolved(case: WorldCase, project: bakepy.Project, env: dict[str, str]) -> dict[str, Any]:
    """What ``bakepy print`` prints for the case."""
    return bakepy.resolve(project, list(case.names), env, toolchain=TOOLCHAIN).to_dict()


def _expected(case: WorldCase, buildx: str, env: dict[str, str]) -> dict[str, Any]:
    return normalize(
        as_documented(buildx_print_files(buildx, case.folder, case.files, case.names, env))
    )


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_bakepy_print_equals_buildx(case: WorldCase, buildx: str, ssh_agent: str) -> None:
    env = buildx_env(ssh_agent, case.env)
    if case.rejected is not None:
        flags = [arg for file in case.files for arg in ("-f", file)]
        result = subprocess.run(
            [buildx, "buildx", "bake", "--print", *flags, *case.names],
            cwd=case.folder,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0, "buildx accepts it: remove 'rejected' from case.json"
        assert case.rejected in result.stderr
        with pytest.raises(bakepy.BakepyError):
            resolved(case, case.load(), env)
        return
    if case.ignore_unknown:
        with pytest.raises(bakepy.LoadError, match="buildx"):
            bakepy.load([Path(f) for f in case.files], TOOLCHAIN)
    expected = _expected(case, buildx, env)
    assert normalize(resolved(case, case.load(), env)) == expected


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_rendered_files_print_like_the_original(
    case: WorldCase, buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    if case.rejected is not None:
        pytest.skip("buildx refuses the original")
    env = buildx_env(ssh_agent, case.env)
    original = absolute_paths(
        buildx_print_files(buildx, case.folder, case.files, case.names, env), case.folder
    )
    out = tmp_path / "rendered"
    rendered = bakepy.render(case.load(), out, env=env, names=case.names, toolchain=TOOLCHAIN)
    write_files(rendered, out)
    for rendered in ("docker-bake.hcl", "docker-bake.json"):
        printed = buildx_print_files(buildx, out, (rendered,), case.names, env)
        expected = levels_apart(as_documented(original))  # one annotation per level
        assert normalize(absolute_paths(printed, out)) == normalize(expected), rendered


@pytest.mark.parametrize("to", ["python", "yaml"])
@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_imported_definition_prints_like_the_original(
    case: WorldCase, to: str, buildx: str, ssh_agent: str
) -> None:
    if case.rejected is not None:
        pytest.skip("buildx refuses the original")
    env = buildx_env(ssh_agent, case.env)
    expected = _expected(case, buildx, env)
    files = [Path(f) for f in case.files]
    text = import_definitions(
        files,
        to,  # type: ignore[arg-type]
        ignore_unknown=case.ignore_unknown,
        toolchain=TOOLCHAIN,
    )
    definition = case.folder / ("bakepy.py" if to == "python" else "bakepy.yaml")
    definition.write_text(text)
    assert normalize(resolved(case, case.load([definition]), env)) == expected


def test_there_are_at_least_150_cases() -> None:
    assert len(CASES) >= 150
