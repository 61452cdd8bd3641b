"""``docker stack config`` (the loader of ``docker stack deploy``) judges stack apply's
interpolation: for a stack file full of variables and the same environment, it prints exactly
the interpolated stack document ``apply_stack`` converges the swarm to. (The stack loader
lacks compose's ``${VAR:+alt}``, which apply_stack, interpolating as compose does, accepts.)"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bakepy import ComposeProject, ComposeProjectSpec, Project, Stack, StackSpec, render
from bakepy.api.output import write_files
from bakepy.engine.compose.desired import interpolated_compose
from bakepy.generators.files import RenderOptions
from bakepy.resolution.compose.stack import stack_document

pytestmark = pytest.mark.conformance

SPEC = {
    "services": {
        "app": {
            "image": "localhost:5000/busybox:${IMAGE_TAG:-latest}",
            "command": ["echo", "${GREETING}", "$$HOME", "${UNSET-fallback}"],
            "working_dir": "/srv/${IMAGE_TAG}",
            "environment": {
                "MODE": "${MODE}",
                "REQUIRED": "${MODE:?needed}",
                "LITERAL": "$${NOT_A_VARIABLE}",
            },
            "labels": {"tier": "${TIER-back}"},
            "deploy": {"labels": {"mode": "${MODE}"}, "replicas": 2},
            "networks": ["front"],
            "secrets": ["token"],
        }
    },
    "networks": {"front": {"labels": {"mode": "${MODE}"}}},
    "secrets": {"token": {"file": "token.txt"}},
}


def test_stack_config_prints_the_document_stack_apply_interpolates(
    docker_compose: str, tmp_path: Path
) -> None:
    (tmp_path / "token.txt").write_text("t")
    compose = ComposeProject(metadata="interp", spec=ComposeProjectSpec.model_validate(SPEC))
    stack = Stack(metadata="interp", spec=StackSpec(project=compose))
    project = Project([compose, stack], base_dir=tmp_path)
    files = render(project, tmp_path, RenderOptions(syntax_directive=False))
    write_files(files, tmp_path)
    (file,) = [f for f in files if f.kind == "stack"]
    environment = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/root", "MODE": "shell"}
    environment["GREETING"] = "hello there"
    printed = subprocess.run(
        [docker_compose, "stack", "config", "-c", str(tmp_path / file.path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )
    assert printed.returncode == 0, printed.stderr
    theirs: dict[str, Any] = yaml.safe_load(printed.stdout)
    theirs["secrets"]["token"]["file"] = "./token.txt"  # the loader makes paths absolute
    done = interpolated_compose(project, compose, environment, stack.ref)
    ours = stack_document(stack, done.document, engine=True).data
    assert ours == theirs
    app = ours["services"]["app"]
    assert app["image"] == "localhost:5000/busybox:latest"
    assert app["command"] == ["echo", "hello there", "$HOME", "fallback"]
    assert app["environment"]["LITERAL"] == "${NOT_A_VARIABLE}"
