"""Hand-written compose files, loaded by bakepy and judged by ``docker compose`` and buildx.

Each case is a folder under tests/fixtures/compose with a ``compose.yaml`` written the way
people write them (interpolation, ``.env``, extends, include, profiles, every short syntax,
build sections). For each case:

* bakepy loads the file (the ComposeProject) and renders it into a temporary folder;
  ``docker compose config --format json`` of the original must equal that of the re-rendered
  file, for each set of ``--profile`` flags of the case. The only flag added for the
  re-rendered file is ``--env-file <case>/.env``: bakepy's file holds the interpolated values,
  but ``environment: [VAR]`` (no value) is still resolved by compose when it reads the file,
  from the variables of the project folder, which for the rendered file is the temporary one.
  Paths need no normalizing: the rendered file's relative paths lead back to the case folder,
  and compose prints them absolute;
* bakepy collects the same warnings compose prints (unset variables, obsolete ``version``);
* for the cases with builds, ``bakepy print -f compose.yaml`` must equal
  ``docker buildx bake --print -f compose.yaml`` run in the case folder, normalized as
  ``bakeprint.normalize`` does (group member order is Go map order; attributes buildx 0.13
  drops), with ``ulimits`` sorted (buildx 0.13 lists them in Go map order) and the documented
  differences between current bake and buildx 0.13 of the case applied (bake.md §11, §13).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bakeprint import buildx_env, normalize, ssh_agent_fixture  # noqa: F401
from conftest import _missing
from typer.testing import CliRunner

from bakepy import Project, render
from bakepy.api.output import write_files
from bakepy.cli import app
from bakepy.generators.files import RenderOptions
from bakepy.loaders.compose.into_project import add_compose_files
from bakepy.resolution.checks.references import validate_references

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


@dataclass(frozen=True)
class Case:
    """A fixture folder, the profile sets to judge it with, and whether it builds."""

    folder: str
    profiles: tuple[tuple[str, ...], ...] = ((),)
    bake: bool = False
    env: dict[str, str] = field(default_factory=dict)
    differences: Callable[[Printed], Printed] | None = None
    """bakepy's print turned into what buildx 0.13 prints, where the two are known to differ."""


CASES: dict[str, Case] = {
    "interpolation": Case("interpolation"),
    "interpolation-shell": Case(
        "interpolation", env={"CI_TAG": "from-shell", "CI_PORT": "9090", "FROM_SHELL": "s"}
    ),
    "short-syntax": Case("short-syntax", bake=True),
    "extends": Case("extends", bake=True),
    "include": Case("include", profiles=((), ("metrics",)), bake=True),
    "profiles": Case("profiles", profiles=((), ("debug",), ("tools",), ("debug", "tools", "dev"))),
    "profiles-env": Case("profiles", profiles=(("mail",),), env={"MAIL_PROFILE": "mail"}),
    "builds": Case("builds", bake=True),
    "builds-shell": Case("builds", bake=True, env={"BUILD_TAG": "2.0.0", "FROM_DOTENV": "s"}),
    "builds-current-bake": Case("builds-current-bake", bake=True, differences=as_buildx_0_13),
}


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


def tool_env(case: Case, ssh_agent: str) -> dict[str, str]:
    """A small explicit environment: no stray variable reaches compose, buildx or bakepy."""
    return buildx_env(ssh_agent, case.env)


def compose_config(
    docker: str, file: Path, flags: list[str], env: dict[str, str]
) -> tuple[Printed, list[str]]:
    """``docker compose -f FILE FLAGS config --format json`` and the warnings it printed."""
    result = subprocess.run(
        [docker, "compose", "-f", str(file), *flags, "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    warnings = [
        m.replace('\\"', '"') for m in re.findall(r'level=warning msg="(.*)"$', result.stderr, re.M)
    ]
    printed: Printed = json.loads(result.stdout)
    return printed, warnings


def load_case(case: Case, env: dict[str, str]) -> Project:
    """The case's compose file loaded as ``bakepy.load`` does, with ``env`` as the shell."""
    folder = FIXTURES / case.folder
    project = Project(base_dir=folder)
    add_compose_files(project, [folder / "compose.yaml"], environ=env, cwd=folder)
    validate_references(project)
    return project


def fixture_variables() -> set[str]:
    """Every variable name a fixture mentions, so tests can clear them from the environment."""
    pattern = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
    names = {"COMPOSE_PROJECT_NAME"}
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".env", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            names.update(pattern.findall(text))
            names.update(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)=", text, re.M))
    return names


def profile_id(profiles: tuple[str, ...]) -> str:
    return "+".join(profiles) or "no-profile"


COMPOSE_RUNS = [
    pytest.param(name, profiles, id=f"{name}[{profile_id(profiles)}]")
    for name, case in CASES.items()
    for profiles in case.profiles
]


@pytest.mark.parametrize(("name", "profiles"), COMPOSE_RUNS)
def test_compose_config_of_the_rerendered_file_equals_the_original(
    name: str, profiles: tuple[str, ...], docker: str, ssh_agent: str, tmp_path: Path
) -> None:
    case = CASES[name]
    folder = FIXTURES / case.folder
    env = tool_env(case, ssh_agent)
    flags = [flag for profile in profiles for flag in ("--profile", profile)]
    original, warnings = compose_config(docker, folder / "compose.yaml", flags, env)
    project = load_case(case, env)
    assert set(project.warnings) == set(warnings)
    write_files(render(project, tmp_path, RenderOptions(syntax_directive=False)), tmp_path)
    dotenv = ["--env-file", str(folder / ".env")] if (folder / ".env").is_file() else []
    rerendered, _ = compose_config(docker, tmp_path / "compose.yaml", dotenv + flags, env)
    assert rerendered == original


def as_compared(printed: Printed) -> Printed:
    """``normalize`` of bakeprint, and ulimits sorted (buildx 0.13 prints Go map order)."""
    out = normalize(printed)
    for target in out.get("target", {}).values():
        if "ulimits" in target:
            target["ulimits"] = sorted(target["ulimits"])
    return out


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.bake])
def test_bakepy_print_of_a_compose_file_equals_buildx_print(
    name: str, docker: str, ssh_agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    folder = FIXTURES / case.folder
    env = tool_env(case, ssh_agent)
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
    if case.differences is not None:
        ours = case.differences(ours)
    assert as_compared(ours) == as_compared(theirs)


def test_every_fixture_folder_is_a_case() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == {case.folder for case in CASES.values()}
