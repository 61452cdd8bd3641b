"""``docker compose config`` judges runtime apply's interpolation: for a project full of
variables, with a ``.env`` beside the compose file and variables in the environment, compose
prints exactly the interpolated view ``bakepy apply`` converges the engine to."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bakepy import ComposeProject, ComposeProjectSpec, Project, render
from bakepy.api.output import write_files
from bakepy.engine.compose.desired import compose_view
from bakepy.generators.compose import compose_filename
from bakepy.generators.files import RenderOptions

pytestmark = pytest.mark.conformance

SERVICES = {
    "app": {
        "image": "localhost:5000/busybox:${TAG:-latest}",
        "command": ["echo", "${GREETING}", "$$HOME", "${UNSET-fallback}", "$TAG"],
        "working_dir": "/srv/${TAG}",
        "environment": {
            "MODE": "${MODE}",
            "ALT": "${MODE:+set}",
            "NONE": "${UNSET:+set}",
            "NESTED": "${UNSET:-${TAG}-x}",
            "EMPTY_OK": "${EMPTY-unused}",
            "REQUIRED": "${MODE:?needed}",
            "LITERAL": "$${NOT_A_VARIABLE}",
        },
        "labels": {"tier": "${TIER-back}"},
        "healthcheck": {"test": ["CMD", "true"], "interval": "${EVERY}"},
    }
}


def unescaped(value: Any) -> Any:
    """Compose prints a literal ``$`` as ``$$`` (so its output is a compose file again)."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [unescaped(v) for v in value]
    if isinstance(value, dict):
        return {k: unescaped(v) for k, v in value.items()}
    return value


def test_compose_config_prints_the_view_runtime_apply_interpolates(
    docker_compose: str, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("TAG=1.36\nMODE=from-dotenv\nGREETING=hello there\nEVERY=90s\n")
    spec = ComposeProjectSpec.model_validate({"services": SERVICES})
    compose = ComposeProject(metadata="interp", spec=spec)
    project = Project([compose], base_dir=tmp_path)
    write_files(render(project, tmp_path, RenderOptions(syntax_directive=False)), tmp_path)
    file = tmp_path / compose_filename(compose, project)
    environment = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/root", "MODE": "shell"}
    environment["EMPTY"] = ""
    printed = subprocess.run(
        [docker_compose, "compose", "-f", str(file), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )
    assert printed.returncode == 0, printed.stderr
    theirs = unescaped(json.loads(printed.stdout))
    ours = compose_view(project, compose, environment)
    assert ours.data == theirs
    app = ours.data["services"]["app"]
    assert app["environment"]["MODE"] == "shell"  # the environment wins over .env
    assert app["command"][1:3] == ["hello there", "$HOME"]
    assert ours.warnings == ()  # every variable used is set or has a default
