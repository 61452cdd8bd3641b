"""On the real engine: a no-change ``bakepy apply`` of a compose file is answered from the cache
of its lowered desired state (no model, docker SDK or typer imported) and prints what the whole
command prints; a change to any input (the compose file, ``.env``, an env file, an override file
that appears, a variable of the environment, a secret's file) or to the engine (a container
stopped or removed) is still seen and applied.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import bakepy
from bakepy.engine.compose.verbs import delete_runtime

from .buildkit import docker, unique
from .test_runtime_parallel_engine import inspect

pytestmark = pytest.mark.engine

HEAVY = ("pydantic", "docker", "typer", "yaml")
"""Packages a run answered from the cache never imports."""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the bakepy package the commands run: a cache entry is valid for one bakepy
    source only, and an editable install's source may be edited while the tests run."""
    folder = tmp_path_factory.mktemp("package")
    source = Path(bakepy.__file__).parent
    shutil.copytree(source, folder / "bakepy", ignore=shutil.ignore_patterns("__pycache__"))
    return str(folder)


@pytest.fixture(autouse=True)
def isolated(package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands import bakepy from the copy (``PYTHONPATH`` comes before site-packages)."""
    monkeypatch.setenv("PYTHONPATH", package)


@pytest.fixture
def name() -> Iterator[str]:
    """A project name of the test's own; whatever it made is removed, pass or fail."""
    chosen = unique("bknoop")
    try:
        yield chosen
    finally:
        delete_runtime(chosen, volumes=True)


def write_project(folder: Path, name: str, image: str) -> Path:
    """Two services: a database with a health check and a named volume, an app that waits for
    it to be healthy; two networks; environment from the file, ``.env`` and an env file."""
    folder.mkdir(exist_ok=True)
    (folder / "app.env").write_text("FROM_ENV_FILE=one\n")
    (folder / ".env").write_text("MODE=first\n")
    compose = f"""
name: {name}
services:
  db:
    image: {image}
    init: true
    command: ["sleep", "86400"]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      retries: 5
    volumes: [data:/data]
    networks: [backend]
    labels:
      tier: db
  app:
    image: {image}
    init: true
    command: ["sleep", "86400"]
    environment:
      MODE: ${{MODE}}
      LEVEL: ${{LEVEL:-info}}
      FIXED: "1"
    env_file: [app.env]
    depends_on:
      db:
        condition: service_healthy
    networks: [frontend, backend]
networks:
  frontend: {{}}
  backend: {{}}
volumes:
  data: {{}}
"""
    path = folder / "compose.yaml"
    path.write_text(compose)
    return path


def apply(folder: Path, command: str = "apply", code: int = 0, **env: str) -> tuple[str, bool]:
    """``bakepy apply -f FOLDER`` (or another ``command``) in a fresh process: its stdout, and
    whether it was answered from the cache (none of ``HEAVY`` was imported)."""
    return run_traced(folder, [command, "-f", str(folder)], code=code, **env)


def run_traced(
    folder: Path, arguments: list[str], *, code: int = 0, **env: str
) -> tuple[str, bool]:
    """``bakepy ARGUMENTS`` run in ``folder`` in a fresh process under ``-X importtime``: its
    stdout, and whether it was answered from the cache (none of ``HEAVY`` was imported)."""
    environment = {**os.environ, "BAKEPY_APPLY_CACHE_TRACE": "1", **env}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bakepy", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=folder,
        timeout=300,
        check=False,
    )
    assert done.returncode == code, done.stderr[-3000:]
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    cached = not imported & set(HEAVY)
    if not cached:  # why not, should an assertion on it fail
        print(*[line for line in done.stderr.splitlines() if not line.startswith("import")])
    return done.stdout, cached


def environment_of(container: str) -> dict[str, str]:
    """A container's environment as the engine reports it."""
    pairs = inspect(container)["Config"]["Env"]
    return dict(pair.split("=", 1) for pair in pairs)


def test_a_no_change_apply_is_answered_from_the_cache_as_the_whole_command_answers(
    base_image: str, name: str, tmp_path: Path
) -> None:
    compose = write_project(tmp_path / "project", name, base_image)
    first, cached = apply(compose.parent)
    assert not cached
    assert "created" in first
    ids = {c: inspect(f"{name}-{c}-1")["Id"] for c in ("db", "app")}

    second, cached = apply(compose.parent)
    assert cached
    whole, cached_too = apply(compose.parent, BAKEPY_APPLY_CACHE="0")
    assert not cached_too
    assert second == whole
    assert second.startswith("No changes.")
    assert {c: inspect(f"{name}-{c}-1")["Id"] for c in ("db", "app")} == ids


def test_a_no_change_plan_is_answered_from_the_apply_entry_as_the_whole_plan_answers(
    base_image: str, name: str, tmp_path: Path
) -> None:
    compose = write_project(tmp_path / "project", name, base_image)
    apply(compose.parent)
    planned, cached = apply(compose.parent, "plan")
    assert cached
    whole, cached_too = apply(compose.parent, "plan", BAKEPY_APPLY_CACHE="0")
    assert not cached_too
    assert planned == whole
    assert planned.startswith(f"project {name}\n")
    docker("stop", "-t", "0", f"{name}-app-1")  # drift on the engine: the whole plan says it
    drifted, cached = apply(compose.parent, "plan", 1)
    assert not cached
    assert "app" in drifted
    assert drifted != planned


@pytest.mark.parametrize(
    ("change", "variable", "expected"),
    [
        ("compose file", "FIXED", "2"),
        (".env", "MODE", "second"),
        ("env file", "FROM_ENV_FILE", "two"),
        ("environment", "LEVEL", "debug"),
        ("override file", "FIXED", "3"),
    ],
)
def test_a_changed_input_is_seen_and_applied(
    base_image: str, name: str, tmp_path: Path, change: str, variable: str, expected: str
) -> None:
    compose = write_project(tmp_path / "project", name, base_image)
    apply(compose.parent)
    assert apply(compose.parent)[1]  # the cache answers while nothing changed
    env: dict[str, str] = {}
    folder = compose.parent
    if change == "compose file":
        compose.write_text(compose.read_text().replace('FIXED: "1"', 'FIXED: "2"'))
    elif change == ".env":
        (folder / ".env").write_text("MODE=second\n")
    elif change == "env file":
        (folder / "app.env").write_text("FROM_ENV_FILE=two\n")
    elif change == "environment":
        env["LEVEL"] = "debug"
    else:
        (folder / "compose.override.yaml").write_text(
            'services:\n  app:\n    environment:\n      FIXED: "3"\n'
        )

    output, cached = apply(compose.parent, **env)
    assert not cached
    assert "replaced service/app" in output
    assert environment_of(f"{name}-app-1")[variable] == expected
    again, cached = apply(compose.parent, **env)
    assert cached
    assert again.startswith("No changes.")


def test_drift_on_the_engine_is_repaired_although_the_inputs_are_unchanged(
    base_image: str, name: str, tmp_path: Path
) -> None:
    compose = write_project(tmp_path / "project", name, base_image)
    apply(compose.parent)
    assert apply(compose.parent)[1]

    docker("stop", "-t", "0", f"{name}-app-1")
    output, cached = apply(compose.parent)
    assert not cached
    assert "No changes." not in output
    assert inspect(f"{name}-app-1")["State"]["Running"]

    docker("rm", "-f", f"{name}-db-1")
    output, cached = apply(compose.parent)
    assert not cached
    assert inspect(f"{name}-db-1")["State"]["Running"]
    assert apply(compose.parent)[1]


def test_secret_files_are_checked_and_their_values_never_cached(
    base_image: str, name: str, tmp_path: Path, state: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    value, pem = unique("s3cret"), unique("pem")
    (folder / "cert.pem").write_text(pem)
    (folder / "compose.yaml").write_text(
        f"name: {name}\nservices:\n  app:\n    image: {base_image}\n    init: true\n"
        '    command: ["sleep", "86400"]\n    secrets: [token, cert]\n'
        "secrets:\n  token:\n    environment: TOKEN\n  cert:\n    file: ./cert.pem\n"
    )
    apply(folder, TOKEN=value)
    assert apply(folder, TOKEN=value)[1]
    cached_text = "".join(p.read_text() for p in (state / "apply-cache").iterdir())
    assert value not in cached_text
    assert pem not in cached_text
    assert json.loads(cached_text)["payload"]["projects"][0]["containers"][0]["files"]

    written = next(p for p in (state / "files" / name).rglob("*") if p.is_file())
    written.write_text("tampered")
    assert not apply(folder, TOKEN=value)[1]  # no longer its content on disk: written again
    assert written.read_text() == value
    assert apply(folder, TOKEN=value)[1]

    (folder / "cert.pem").write_text(pem + "-rotated")
    output, cached = apply(folder, TOKEN=value)
    assert not cached
    assert "replaced service/app" in output
    assert apply(folder, TOKEN=value)[1]
