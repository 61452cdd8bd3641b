"""buildx judges the rendered bake files: ``docker buildx bake --print`` of the HCL and of the
JSON give the same targets, and they equal what ``bakepy print`` resolves."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bakepy import Group, RenderOptions, load, render, resolve
from bakepy.output import write_files

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (REPO / "examples").iterdir() if (p / "bakepy.py").exists())

IGNORED_BY_BUILDX_0_13 = ("call", "description", "entitlements", "extra-hosts", "network")
"""Attributes buildx 0.13 drops silently (../shared/reference/bake.md §13)."""


@pytest.fixture(scope="module")
def ssh_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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


def normalize(printed: dict[str, Any]) -> dict[str, Any]:
    """Drop what buildx 0.13 ignores; sort group members (matrix order is Go map order)."""
    out = json.loads(json.dumps(printed))
    for target in out.get("target", {}).values():
        for key in IGNORED_BY_BUILDX_0_13:
            target.pop(key, None)
    for group in out.get("group", {}).values():
        group.pop("description", None)
        group["targets"] = sorted(group["targets"])
    return out


def buildx_print(
    docker: str, folder: Path, file: str, names: list[str], env: dict[str, str]
) -> dict[str, Any]:
    """``docker buildx bake --print -f FILE NAMES...`` run in ``folder``."""
    result = subprocess.run(
        [docker, "buildx", "bake", "--print", "-f", file, *names],
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


@pytest.mark.conformance
@pytest.mark.parametrize("example", EXAMPLES)
def test_buildx_print_of_hcl_and_json_equals_bakepy_print(
    example: str, buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    project = load([REPO / "examples" / example / "bakepy.py"])
    write_files(render(project, tmp_path, RenderOptions()), tmp_path)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "SSH_AUTH_SOCK": ssh_agent,
        "NPM_TOKEN": "unused-by-print",
        "DOCKER_HOST": os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
    }
    names = (
        ["all"]
        if project.find(Group, "all")
        else [t.name for t in project.targets if not t.name.startswith("_")]
    )
    from_hcl = buildx_print(buildx, tmp_path, "docker-bake.hcl", names, env)
    from_json = buildx_print(buildx, tmp_path, "docker-bake.json", names, env)
    ours = resolve(project, names, env, base_dir=tmp_path).to_dict()
    assert normalize(from_hcl) == normalize(from_json)
    assert normalize(ours) == normalize(from_hcl)
