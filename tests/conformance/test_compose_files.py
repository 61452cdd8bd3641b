"""Compose files written the way people write them, judged by ``docker compose config`` 2.26.

Each case is a folder under tests/fixtures/compose: a ``compose.yaml`` (and what it reads: a
``.env``, env files, build contexts, included or extended files) reproducing a construct seen
in public compose files, and a ``case.json`` saying how to run it::

    {"about": "...",                       what real-world form the case reproduces
     "files": ["compose.yaml", ...],       the -f files, in order (default compose.yaml;
                                           none: both tools find the files in the folder)
     "runs": [{"profiles": [...], "env": {...}}, ...],   default: one run, no profile
     "refused": "...",                     compose must refuse it, saying this
     "bake": true}                         also compare `bakepy print` with `buildx bake --print`

For a run of a case compose accepts, ``bakepy render -f FILE... -o OUT`` (the command a user
runs, in a subprocess) writes the rendered project, and ``docker compose config --format json``
of the original, run in its folder, must equal that of the rendered ``OUT/compose.yaml``, run
in ``OUT``, with the same environment and profiles and nothing else: what the rendered folder
holds (its ``.env``, paths leading back to the case folder) must make it mean the same. bakepy
also collects the warnings compose prints (unset variables, obsolete ``version``, ...).

For a case compose refuses, ``bakepy render`` must refuse it too: exit code 2, an error of one
or two lines naming the file and line (no traceback), and nothing written.

For the cases with ``bake``, ``bakepy print -f compose.yaml`` must equal ``docker buildx bake
--print -f compose.yaml`` run in the case folder, normalized as ``bakeprint.normalize`` does,
with ``ulimits`` sorted (buildx 0.13 prints Go map order) and the documented differences
between current bake and buildx 0.13 applied (bake.md §11, §13).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bakeprint import buildx_env, normalize, ssh_agent_fixture  # noqa: F401
from conftest import _missing
from typer.testing import CliRunner

from bakepy.cli import app

pytestmark = [pytest.mark.conformance]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "compose"
Printed = dict[str, Any]


def as_buildx_0_13(printed: Printed) -> Printed:
    """What buildx 0.13 prints where current bake (and bakepy) maps more of a build section:
    0.13 ignores ``platforms``, ``ssh``, ``pull`` and ``no_cache`` in a compose build section
    (``x-bake`` only), prints a one-number ulimit as ``0:0``, and keeps ``service:NAME``
    contexts as written instead of linking ``target:NAME`` (bake.md §11, verified here)."""
    out: Printed = json.loads(json.dumps(printed))
    app_target = out["target"]["app"]
    for key in ("platforms", "ssh", "pull", "no-cache"):
        app_target.pop(key)
    app_target["ulimits"] = ["nproc=0:0"]
    app_target["contexts"]["base"] = "service:base"
    return out


DIFFERENCES: dict[str, Callable[[Printed], Printed]] = {"builds-current-bake": as_buildx_0_13}
"""bakepy's print turned into what buildx 0.13 prints, where the two are known to differ."""


@dataclass(frozen=True)
class Run:
    """One way of running a case: the profiles turned on and the shell's variables."""

    profiles: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        parts = ["+".join(self.profiles) or "no-profile"]
        parts += [f"{key}={value}" for key, value in sorted(self.env.items())]
        return ",".join(parts)


@dataclass(frozen=True)
class Case:
    """A fixture folder and how to judge it (its case.json)."""

    folder: str
    about: str
    files: tuple[str, ...] = ("compose.yaml",)
    runs: tuple[Run, ...] = (Run(),)
    refused: str | None = None
    bake: bool = False


def read_case(folder: Path) -> Case:
    """A case as its case.json describes it."""
    data = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    runs = tuple(
        Run(tuple(run.get("profiles", ())), dict(run.get("env", {})))
        for run in data.get("runs", [{}])
    )
    return Case(
        folder=folder.name,
        about=data["about"],
        files=tuple(data.get("files", ["compose.yaml"])),
        runs=runs,
        refused=data.get("refused"),
        bake=data.get("bake", False),
    )


CASES: dict[str, Case] = {
    path.name: read_case(path) for path in sorted(FIXTURES.iterdir()) if path.is_dir()
}
ACCEPTED = [
    pytest.param(name, run, id=f"{name}[{run.id}]")
    for name, case in CASES.items()
    if case.refused is None
    for run in case.runs
]
REFUSED = [name for name, case in CASES.items() if case.refused is not None]


@pytest.fixture(scope="module", name="docker")
def docker_fixture() -> str:
    """The docker CLI with the compose and buildx plugins (neither needs a daemon here)."""
    docker = shutil.which("docker")
    if docker is None:
        _missing("the docker CLI is not installed (run scripts/engine-up.sh)")
    assert docker is not None
    for plugin in ("compose", "buildx"):
        version = subprocess.run(
            [docker, plugin, "version"], capture_output=True, text=True, timeout=60, check=False
        )
        if version.returncode != 0:
            _missing(f"the docker {plugin} plugin is not installed (run scripts/engine-up.sh)")
    return docker


def compose_config(
    docker: str,
    folder: Path,
    files: tuple[str, ...],
    profiles: tuple[str, ...],
    env: dict[str, str],
) -> subprocess.CompletedProcess[str]:
    """``docker compose -f FILE... [--profile P]... config --format json``, run in ``folder``."""
    flags = [flag for file in files for flag in ("-f", file)]
    flags += [flag for profile in profiles for flag in ("--profile", profile)]
    return subprocess.run(
        [docker, "compose", *flags, "config", "--format", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def compose_warnings(stderr: str) -> set[str]:
    """The messages of compose's ``level=warning`` lines."""
    found = re.findall(r'level=warning msg="(.*)"$', stderr, re.M)
    return {message.replace('\\"', '"') for message in found}


def bakepy_render(
    folder: Path, files: tuple[str, ...], out: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``bakepy render -f FILE... -o OUT``, run in ``folder`` as a user runs it."""
    flags = [flag for file in files for flag in ("-f", file)]
    return subprocess.run(
        [sys.executable, "-P", "-m", "bakepy", "render", *flags, "--out", str(out)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(("name", "run"), ACCEPTED)
def test_compose_config_of_the_rendered_project_equals_the_original(
    name: str, run: Run, docker: str, ssh_agent: str, tmp_path: Path
) -> None:
    case = CASES[name]
    folder = FIXTURES / case.folder
    env = buildx_env(ssh_agent, run.env)
    original = compose_config(docker, folder, case.files, run.profiles, env)
    assert original.returncode == 0, original.stderr
    out = tmp_path / "out"
    rendered = bakepy_render(folder, case.files, out, env)
    assert rendered.returncode == 0, rendered.stderr
    assert "Traceback" not in rendered.stderr
    warnings = {line[len("warning: ") :] for line in rendered.stderr.splitlines()}
    assert compose_warnings(original.stderr) <= warnings
    again = compose_config(docker, out, ("compose.yaml",), run.profiles, env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(original.stdout)


@pytest.mark.parametrize("name", REFUSED)
def test_what_compose_refuses_bakepy_refuses(
    name: str, docker: str, ssh_agent: str, tmp_path: Path
) -> None:
    case = CASES[name]
    assert case.refused is not None
    folder = FIXTURES / case.folder
    env = buildx_env(ssh_agent, case.runs[0].env)
    original = compose_config(docker, folder, case.files, case.runs[0].profiles, env)
    assert original.returncode != 0
    assert case.refused in original.stderr
    out = tmp_path / "out"
    rendered = bakepy_render(folder, case.files, out, env)
    assert rendered.returncode == 2, rendered.stdout + rendered.stderr
    errors = [line for line in rendered.stderr.splitlines() if not line.startswith("warning:")]
    assert 1 <= len(errors) <= 2, rendered.stderr
    assert "Traceback" not in rendered.stderr
    assert re.search(r"\.ya?ml:\d+", errors[0]), errors[0]
    assert not out.exists()


def as_compared(printed: Printed) -> Printed:
    """``normalize`` of bakeprint, and ulimits sorted (buildx 0.13 prints Go map order)."""
    out = normalize(printed)
    for target in out.get("target", {}).values():
        if "ulimits" in target:
            target["ulimits"] = sorted(target["ulimits"])
    return out


def fixture_variables() -> set[str]:
    """Every variable name a fixture mentions, so tests can clear them from the environment."""
    pattern = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
    names = {"COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES"}
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".env", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            names.update(pattern.findall(text))
            names.update(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)=", text, re.M))
    return names


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.bake])
def test_bakepy_print_of_a_compose_file_equals_buildx_print(
    name: str, docker: str, ssh_agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    folder = FIXTURES / case.folder
    for run in case.runs:
        env = buildx_env(ssh_agent, run.env)
        result = subprocess.run(
            [docker, "buildx", "bake", "--print", "-f", "compose.yaml"],
            cwd=folder,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        theirs: Printed = json.loads(result.stdout)
        monkeypatch.chdir(folder)
        for variable in fixture_variables():
            monkeypatch.delenv(variable, raising=False)
        for variable, value in env.items():
            monkeypatch.setenv(variable, value)
        printed = CliRunner().invoke(app, ["print", "-f", "compose.yaml"])
        assert printed.exit_code == 0, printed.output
        ours: Printed = json.loads(printed.stdout)
        if name in DIFFERENCES:
            ours = DIFFERENCES[name](ours)
        assert as_compared(ours) == as_compared(theirs)


def test_there_are_enough_cases_and_each_says_what_it_reproduces() -> None:
    assert len(CASES) >= 80
    assert all(case.about for case in CASES.values())
