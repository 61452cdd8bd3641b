"""Helpers shared by the conformance tests that let ``docker buildx bake --print`` judge bakepy.

``normalize`` drops what buildx 0.13 ignores and sorts what it prints in Go map order;
``buildx_print`` runs ``--print`` in a folder with an explicit environment. The ``ssh_agent``
fixture is module-scoped (import ``ssh_agent_fixture`` into a test module to use it): buildx
checks ``SSH_AUTH_SOCK`` even for ``--print``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bakepy.models.toolchain import LATEST_BUILDX
from bakepy.resolution.bake.printed import printed_target

IGNORED_BY_BUILDX_0_13 = ("call", "description", "entitlements", "extra-hosts", "network")
"""Attributes buildx 0.13 drops silently (../shared/reference/bake.md §13)."""


@pytest.fixture(scope="module", name="ssh_agent")
def ssh_agent_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An ssh-agent socket: buildx checks SSH_AUTH_SOCK even for --print."""
    sock = tmp_path_factory.mktemp("ssh") / "agent.sock"
    proc = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            if sock.exists():
                break
            subprocess.run(["sleep", "0.05"], check=True)
        yield str(sock)
    finally:
        proc.terminate()
        proc.wait()


RUN_FOLDERS = ("BAKEPY_STATE_DIR", "BAKEPY_CACHE_DIR")
"""Where a test run keeps bakepy's state and cache (set for the whole run by conftest)."""


def buildx_env(ssh_agent: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small explicit environment for buildx (and bakepy): no stray variable overrides,
    but the run's own state and cache folders (tests/conftest.py), so that a bakepy run in
    it never writes the user's ~/.cache/bakepy."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "SSH_AUTH_SOCK": ssh_agent,
        "DOCKER_HOST": os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
    }
    env.update({name: os.environ[name] for name in RUN_FOLDERS if name in os.environ})
    env.update(overrides or {})
    return env


LEVELS = ("index", "manifest", "index-descriptor", "manifest-descriptor")


def levels_apart(printed: dict[str, Any]) -> dict[str, Any]:
    """``printed`` with each annotation naming several levels (``index,manifest:k=v``) written
    once per level, as bakepy renders it: buildx 0.13 pushes the combined form under the literal
    key ``index,manifest:k`` on the manifests only (tests/engine/test_build_loop_engine.py)."""
    out = json.loads(json.dumps(printed))
    for target in out.get("target", {}).values():
        split = []
        for text in target.get("annotations") or []:
            head, colon, rest = text.partition(":")
            levels, bracket, platform = head.partition("[")
            names = levels.split(",")
            if colon and len(names) > 1 and all(name in LEVELS for name in names):
                split += [f"{name}{bracket}{platform}:{rest}" for name in names]
            else:
                split.append(text)
        if "annotations" in target:
            target["annotations"] = split
    return out


def normalize(printed: dict[str, Any]) -> dict[str, Any]:
    """Drop what buildx 0.13 ignores; sort group members (matrix order is Go map order);
    typed entries in one shape (0.13 prints them as text, bakepy for the latest buildx as
    objects, as buildx has since 0.19: tests/unit/test_bake_printed.py checks that shape)."""
    out = json.loads(json.dumps(printed))
    for name, target in out.get("target", {}).items():
        for key in IGNORED_BY_BUILDX_0_13:
            target.pop(key, None)
        out["target"][name] = printed_target(target, LATEST_BUILDX)
    for group in out.get("group", {}).values():
        group.pop("description", None)
        group["targets"] = sorted(group["targets"])
    return out


def buildx_print(
    docker: str, folder: Path, file: str, names: list[str], env: dict[str, str]
) -> dict[str, Any]:
    """``docker buildx bake --print -f FILE NAMES...`` run in ``folder``."""
    result = buildx_print_result(docker, folder, file, names, env)
    assert result.returncode == 0, result.stderr
    printed: dict[str, Any] = json.loads(result.stdout)
    return printed


def buildx_print_result(
    docker: str, folder: Path, file: str, names: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """The completed ``docker buildx bake --print`` process, for tests that expect a failure."""
    return subprocess.run(
        [docker, "buildx", "bake", "--print", "-f", file, *names],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
