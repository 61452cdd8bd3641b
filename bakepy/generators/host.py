"""The engine host's files: daemon.json and systemd drop-ins for docker.service."""

from __future__ import annotations

import json
from pathlib import Path

from bakepy.generators.files import HEADER, RenderedFile, RenderOptions
from bakepy.generators.systemd_dropin import render_drop_in
from bakepy.models.host.daemon import DaemonConfig
from bakepy.models.host.systemd import SystemdDropIn
from bakepy.project import Project


def daemon_json_name(daemon: DaemonConfig, project: Project) -> str:
    """``daemon.json`` for a project's only DaemonConfig, else ``<name>.daemon.json``."""
    return (
        "daemon.json" if len(project.of_kind(DaemonConfig)) == 1 else f"{daemon.name}.daemon.json"
    )


def render_daemon_json(daemon: DaemonConfig) -> str:
    """daemon.json with sorted keys and no header: JSON has no comments, dockerd no "//" key."""
    return json.dumps(daemon.spec.to_daemon_json(), indent=2, sort_keys=True) + "\n"


def render_host_files(
    project: Project, out_dir: Path, options: RenderOptions
) -> list[RenderedFile]:
    """daemon.json of every DaemonConfig and ``<unit>.d/<file>`` of every SystemdDropIn."""
    files = [
        RenderedFile(daemon_json_name(d, project), render_daemon_json(d), "daemon.json")
        for d in project.of_kind(DaemonConfig)
    ]
    files += [
        RenderedFile(d.path, render_drop_in(d, HEADER), "systemd")
        for d in project.of_kind(SystemdDropIn)
    ]
    return files
