"""Plan a host: the declared daemon.json and drop-ins against the files under a root.

``plan_host`` reads, never writes: per file a unified diff (a missing file is all added), the
changed keys, and the systemctl commands the change needs to take effect.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bakepy.engine.host.keys import KeyChange, daemon_json_changes, drop_in_changes, strongest
from bakepy.engine.host.units import ServiceCommands, docker_service
from bakepy.errors import BakepyError
from bakepy.generators.files import HEADER
from bakepy.generators.host import render_daemon_json
from bakepy.generators.systemd_dropin import render_drop_in
from bakepy.models.host.daemon import DaemonConfig
from bakepy.models.host.systemd import DOCKER_UNIT, STOCK_EXEC_START, SystemdDropIn
from bakepy.project import Project
from bakepy.support.atomic import resolve_under

DAEMON_JSON = "etc/docker/daemon.json"
"""Where dockerd reads daemon.json, relative to the root."""
SYSTEMD_DIR = "etc/systemd/system"
"""Where administrators' drop-ins go, relative to the root."""

FileKind = Literal["daemon.json", "drop-in"]
FileStatus = Literal["create", "update", "unchanged"]
ActionKind = Literal["daemon-reload", "reload", "restart"]

_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s:@/\"']+):[^\s@/\"']+@")


def redact(text: str) -> str:
    """URLs with a password (proxy settings) shown as ``http://user:***@host``."""
    return _CREDENTIALS.sub(r"\1:***@", text)


@dataclass(frozen=True)
class HostFileChange:
    """One host file: where it goes, whether and how it changes, and which keys change."""

    kind: FileKind
    path: str
    """Absolute path on the host being configured: ``/etc/docker/daemon.json``."""
    target: Path
    """Where it is written: ``path`` under the root."""
    unit: str
    status: FileStatus
    keys: tuple[KeyChange, ...]
    diff: str
    text: str = field(repr=False)
    old_text: str | None = field(repr=False)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: everything but the file texts (the diff shows them, redacted)."""
        return {
            "kind": self.kind,
            "path": self.path,
            "target": str(self.target),
            "unit": self.unit,
            "status": self.status,
            "keys": [vars(k) for k in self.keys],
            "diff": self.diff,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class HostAction:
    """A systemctl command a change needs (``daemon-reload``, a reload or a restart), and why."""

    kind: ActionKind
    unit: str | None
    command: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "action": self.kind,
            "unit": self.unit,
            "command": list(self.command),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class HostPlan:
    """What applying a project's host files would change under ``root``, and what it needs."""

    root: Path
    files: tuple[HostFileChange, ...]
    actions: tuple[HostAction, ...]
    exec_start: tuple[str, ...]
    """docker.service's command once the declared drop-ins are in place."""
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether any file would be written."""
        return any(f.status != "unchanged" for f in self.files)

    @property
    def commands(self) -> list[list[str]]:
        """The systemctl commands, in the order they must run."""
        return [list(a.command) for a in self.actions]

    def render(self) -> str:
        """The plan for humans: a line per file, the diffs, the commands and why."""
        if not self.files:
            return f"no DaemonConfig or SystemdDropIn declared: nothing to do under {self.root}\n"
        lines = [f"host files under {self.root}:"]
        for file in self.files:
            keys = ", ".join(k.describe() for k in file.keys)
            lines.append(f"  {file.status:<9} {file.path}" + (f"  {keys}" if keys else ""))
            lines += [f"            note: {note}" for note in file.notes]
        if not self.changed:
            return "\n".join([*lines, "nothing to do: the files match the declaration", ""])
        lines += [""] + [f.diff.rstrip("\n") for f in self.files if f.diff]
        lines += ["", *render_actions(self.actions)]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the plan."""
        return {
            "root": str(self.root),
            "changed": self.changed,
            "files": [f.to_dict() for f in self.files],
            "actions": [a.to_dict() for a in self.actions],
            "exec_start": list(self.exec_start),
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """The plan for machines (``--output json``)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"


def render_actions(actions: tuple[HostAction, ...]) -> list[str]:
    """``to take effect:`` then each command with its reasons; a line when none is needed."""
    if not actions:
        return ["no reload or restart needed (the running services see no change)"]
    lines = ["to take effect:"]
    for action in actions:
        lines.append(f"  {' '.join(action.command)}")
        lines += [f"      because {reason}" for reason in action.reasons]
        if action.kind == "reload" and action.unit == DOCKER_UNIT:
            lines.append("      (without systemd: kill -HUP $(pidof dockerd))")
    return lines


def _read(target: Path) -> str | None:
    if target.is_dir():
        raise BakepyError(f"{target} is a folder; bakepy would write a file there")
    try:
        return target.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None


def unified_diff(path: str, old: str | None, new: str) -> str:
    """``--- a/etc/...`` / ``+++ b/etc/...`` (``/dev/null`` when missing), passwords hidden."""
    rel = path.lstrip("/")
    before = f"a/{rel}" if old is not None else "/dev/null"
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True), new.splitlines(keepends=True), before, f"b/{rel}"
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return redact(text)


def _daemon_keys(old: str | None, new: str) -> tuple[list[KeyChange], tuple[str, ...]]:
    document: dict[str, Any] = json.loads(new)
    if old is None:
        return daemon_json_changes({}, document), ()
    try:
        before = json.loads(old) if old.strip() else {}
    except json.JSONDecodeError:
        before = None
    if not isinstance(before, dict):
        whole = KeyChange("(file)", "changed", "restart", "the host's file is not JSON")
        return [whole], ("the file on the host is not a JSON object",)
    return daemon_json_changes(before, document), ()


def _file(kind: FileKind, rel: str, unit: str, text: str, root: Path) -> HostFileChange:
    try:
        target = resolve_under(root, rel)  # never out of root through a symlink
    except OSError as exc:
        raise BakepyError(f"cannot place /{rel} under {root}: {exc}") from None
    path = "/" + rel
    old = _read(target)
    if kind == "daemon.json":
        keys, notes = _daemon_keys(old, text)
    else:
        keys, notes = drop_in_changes(old or "", text), ()
    status: FileStatus = "create" if old is None else "unchanged" if old == text else "update"
    diff = "" if status == "unchanged" else unified_diff(path, old, text)
    return HostFileChange(kind, path, target, unit, status, tuple(keys), diff, text, old, notes)


def desired_files(project: Project, root: Path) -> list[HostFileChange]:
    """The project's daemon.json and drop-ins, each compared with the file under ``root``."""
    daemons = project.of_kind(DaemonConfig)
    if len(daemons) > 1:
        names = ", ".join(d.ref for d in daemons)
        raise BakepyError(
            f"a host has one daemon.json, but the project declares {len(daemons)}: {names}",
            hint="select one with a name or a label selector",
        )
    files = [
        _file("daemon.json", DAEMON_JSON, DOCKER_UNIT, render_daemon_json(d), root) for d in daemons
    ]
    for drop_in in project.of_kind(SystemdDropIn):
        rel = f"{SYSTEMD_DIR}/{drop_in.path}"
        files.append(
            _file("drop-in", rel, drop_in.spec.unit, render_drop_in(drop_in, HEADER), root)
        )
    return files


def _unit_action(unit: str, keys: list[KeyChange], service: ServiceCommands) -> HostAction:
    effect = strongest([k.effect for k in keys])
    by_why: dict[str, list[str]] = {}
    for key in keys:
        if key.effect == effect:
            by_why.setdefault(key.why, []).append(key.key)
    reasons = tuple(f"{', '.join(dict.fromkeys(names))}: {why}" for why, names in by_why.items())
    if effect == "restart":
        return HostAction("restart", unit, ("systemctl", "restart", unit), reasons)
    if unit == DOCKER_UNIT and not service.can_reload:
        command = ("systemctl", "kill", "--signal=HUP", "--kill-whom=main", unit)
        return HostAction("reload", unit, command, (*reasons, "docker.service has no ExecReload"))
    return HostAction("reload", unit, ("systemctl", "reload", unit), reasons)


def plan_actions(files: list[HostFileChange], service: ServiceCommands) -> list[HostAction]:
    """daemon-reload when a drop-in changed, then a reload or restart per unit that needs one."""
    changed = [f for f in files if f.status != "unchanged"]
    actions: list[HostAction] = []
    drop_ins = tuple(f"{f.path} changed" for f in changed if f.kind == "drop-in")
    if drop_ins:
        actions.append(HostAction("daemon-reload", None, ("systemctl", "daemon-reload"), drop_ins))
    per_unit: dict[str, list[KeyChange]] = {}
    for file in changed:
        for key in file.keys:
            if key.effect in ("reload", "restart"):
                per_unit.setdefault(file.unit, []).append(key)
    actions += [_unit_action(unit, keys, service) for unit, keys in sorted(per_unit.items())]
    return actions


def _warnings(
    files: list[HostFileChange], service: ServiceCommands, actions: list[HostAction]
) -> list[str]:
    warnings: list[str] = []
    docker = [f for f in files if f.unit == DOCKER_UNIT]
    if docker and not service.unit_found:
        stock = " ".join(STOCK_EXEC_START)
        warnings.append(f"no docker.service under the root: assumed the stock ExecStart={stock}")
    if service.exec_start_count > 1:
        warnings.append(
            f"docker.service ends up with {service.exec_start_count} ExecStart= commands; "
            "systemd refuses to start it (a drop-in must reset it with an empty ExecStart=)"
        )
    config = _flag_value(service.exec_start, "--config-file")
    if config not in (None, "/" + DAEMON_JSON) and any(f.kind == "daemon.json" for f in files):
        warnings.append(
            f"docker.service passes --config-file {config}: dockerd does not read /{DAEMON_JSON}"
        )
    daemon = next((f for f in files if f.kind == "daemon.json"), None)
    restarts = any(a.kind == "restart" and a.unit == DOCKER_UNIT for a in actions)
    if restarts and daemon is not None and json.loads(daemon.text).get("live-restore") is not True:
        warnings.append("restarting dockerd stops running containers (live-restore is off)")
    return warnings


def _flag_value(command: tuple[str, ...], flag: str) -> str | None:
    for index, arg in enumerate(command):
        if arg == flag and index + 1 < len(command):
            return command[index + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def plan_host(project: Project, *, root: Path = Path("/")) -> HostPlan:
    """Diff the project's daemon.json and drop-ins against ``root``; nothing is written."""
    root = Path(root)
    files = desired_files(project, root)
    overlay = {
        Path(f.path).name: f.text for f in files if f.kind == "drop-in" and f.unit == DOCKER_UNIT
    }
    service = docker_service(root, overlay)
    actions = plan_actions(files, service)
    warnings = _warnings(files, service, actions) if files else []
    return HostPlan(root, tuple(files), tuple(actions), service.exec_start, tuple(warnings))
