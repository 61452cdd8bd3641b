"""What BuildKit's Dockerfile frontend reads from a Dockerfile without building it: the build
targets (name, default, description, base) and each target's outline (build args with their
values and descriptions, secrets and ssh with whether they are required).

buildx 0.13 has no ``--call``; its experimental ``--print=targets`` and ``--print=outline``
(``BUILDX_EXPERIMENTAL=1``) ask the frontend the same questions. An outline resolves the base
images, and no registry is reachable here: every image a Dockerfile names is replaced with the
local base image through ``--build-context NAME=docker-image://...`` (found from the errors of
a first try), for the original and the rendered file alike.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_MISSING = re.compile(r"#(\d+) \[internal\] load metadata for (\S+)")
_FAILED = re.compile(r"#(\d+) ERROR")
_UNRESOLVED = re.compile(r"failed to resolve source metadata for (\S+): ")
_TRIES = 8
_SELF_REFERENCE = re.compile(r"(?im)^\s*ARG\s+(?:.*\s)?([A-Za-z_]\w*)=[^\n]*\$\{?\1\b")


class FrontendError(AssertionError):
    """The frontend refused the Dockerfile (its message is BuildKit's)."""


@dataclass
class Frontend:
    """Asks the frontend about Dockerfiles, standing the local base image in for images."""

    base_image: str
    context: Path
    images: set[str] = field(default_factory=set)
    """Images found missing so far (shared: the original and the rendered file name the same)."""

    def ask(self, dockerfile: Path, what: str, target: str | None = None) -> Any:
        """The JSON answer of ``--print=what`` for ``dockerfile`` (and ``target``)."""
        for _ in range(_TRIES):
            result = self._run(dockerfile, what, target)
            if result.returncode == 0:
                return json.loads(result.stdout)
            if "panic: " in result.stderr:
                continue  # buildx 0.13 sometimes panics on a closed channel: ask again
            missing = _missing_images(result.stderr) - self.images
            if not missing:
                raise FrontendError(_last_error(result.stderr))
            self.images |= missing
        raise FrontendError(f"still missing images after {_TRIES} tries: {sorted(self.images)}")

    def _run(
        self, dockerfile: Path, what: str, target: str | None
    ) -> subprocess.CompletedProcess[str]:
        command = [
            "docker",
            "buildx",
            "build",
            f"--print={what},format=json",
            "-f",
            str(dockerfile),
        ]
        command += ["--target", target] if target else []
        for image in sorted(self.images):
            command += ["--build-context", f"{image}=docker-image://{self.base_image}"]
        return subprocess.run(
            [*command, str(self.context)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "BUILDX_EXPERIMENTAL": "1"},
        )

    def view(self, dockerfile: Path) -> dict[str, Any]:
        """Every target with its description and base, and the outline of each (none for a
        file with an ARG whose default names itself: BuildKit 0.13's outline recurses on it
        until dockerd dies of a stack overflow)."""
        listed = self.ask(dockerfile, "targets")["targets"]
        targets = [
            {key: item.get(key) for key in ("name", "default", "description", "base")}
            for item in listed
        ]
        names = [item["name"] for item in listed if item.get("name")]
        if _SELF_REFERENCE.search(dockerfile.read_text()):
            names = []
        outlines = {name: _outline(self.ask(dockerfile, "outline", name)) for name in names}
        return {"targets": targets, "outlines": outlines}


def _outline(answer: dict[str, Any]) -> dict[str, Any]:
    """An outline without locations and sources, its lists sorted: the names one ARG line
    declares come in a different order from one run to the next (a Go map)."""
    return {
        "name": answer.get("name"),
        "description": answer.get("description"),
        "args": sorted(
            (arg.get("name"), arg.get("value") or "", arg.get("description") or "")
            for arg in answer.get("args", [])
        ),
        "secrets": sorted(
            (item.get("name"), item.get("required", False)) for item in answer.get("secrets", [])
        ),
        "ssh": sorted(
            (item.get("name"), item.get("required", False)) for item in answer.get("ssh", [])
        ),
    }


def _missing_images(stderr: str) -> set[str]:
    """The images whose metadata the frontend failed to load."""
    steps = dict(_MISSING.findall(stderr))
    failed = set(_FAILED.findall(stderr))
    found = {image for number, image in steps.items() if number in failed}
    return found | set(_UNRESOLVED.findall(stderr))


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "ERROR" in line or "error" in line]
    return (lines[-1] if lines else stderr[-2000:]).strip()
