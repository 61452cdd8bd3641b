"""Rules across a host's files: daemon.json against the ExecStart of docker.service.

dockerd refuses to start when a daemon.json key is also given as a flag, whatever the values
(``the following directives are specified both as a flag and in the configuration file``).
The stock docker.service passes ``-H fd://`` and ``--containerd=...``, so ``hosts`` and
``containerd`` need a drop-in that resets ExecStart. Every DaemonConfig of a project is
checked against the command docker.service ends up with: the stock one, or the ExecStart of
the last drop-in (by file name, as systemd reads them) that replaces it.
"""

from __future__ import annotations

from bakepy.errors import Diagnostic
from bakepy.models.host.daemon import DaemonConfig
from bakepy.models.host.daemon_keys import MERGED_KEYS, flag_key
from bakepy.models.host.systemd import DOCKER_UNIT, STOCK_EXEC_START, SystemdDropIn, exec_start_for
from bakepy.project import Project

BOTH = "dockerd refuses to start: 'specified both as a flag and in the configuration file'"


def daemon_keys(daemon: DaemonConfig) -> set[str]:
    """The keys daemon.json sets, with ``proxies.http-proxy`` for the nested proxy keys."""
    document = daemon.spec.to_daemon_json()
    keys = set(document)
    keys |= {f"proxies.{key}" for key in document.get("proxies", {})}
    return keys


def command_flags(command: list[str] | tuple[str, ...]) -> list[tuple[int, str, str]]:
    """``(index, flag as written with its value, daemon.json key)`` for each flag of a command."""
    found: list[tuple[int, str, str]] = []
    for index, arg in enumerate(command[1:], start=1):
        if not arg.startswith("-") or arg == "-":
            continue
        key = flag_key(arg)
        if key is None:
            continue
        following = command[index + 1] if index + 1 < len(command) else ""
        takes_next = "=" not in arg and following and not following.startswith("-")
        found.append((index, f"{arg} {following}" if takes_next else arg, key))
    return found


def docker_service_command(project: Project) -> tuple[list[str], SystemdDropIn | None]:
    """docker.service's ExecStart after its drop-ins, and the drop-in that set it (or None)."""
    drop_ins = sorted(
        (d for d in project.of_kind(SystemdDropIn) if d.spec.unit == DOCKER_UNIT),
        key=lambda d: d.file_name,
    )
    for drop_in in reversed(drop_ins):
        if drop_in.spec.service is not None and drop_in.spec.service.exec_start is not None:
            return list(drop_in.spec.service.exec_start), drop_in
    return list(STOCK_EXEC_START), None


def _key_path(key: str) -> tuple[str, ...]:
    return ("spec", *key.split("."))


def _conflicts(
    daemon: DaemonConfig, command: list[str], drop_in: SystemdDropIn | None
) -> list[Diagnostic]:
    keys = daemon_keys(daemon)
    problems: list[Diagnostic] = []
    for index, flag, key in command_flags(command):
        if key not in keys or key in MERGED_KEYS:
            continue
        name = flag.split()[0].split("=")[0]
        if drop_in is None:
            problems.append(
                Diagnostic(
                    f"daemon.json sets {key}, but the stock docker.service starts dockerd with "
                    f"{flag}; {BOTH}",
                    daemon.location(*_key_path(key)),
                    hint="add a SystemdDropIn for docker.service that resets ExecStart without "
                    f"{name}: drop_in_for({daemon.name}) in Python, or "
                    f"Service: {{ExecStart: [{', '.join(exec_start_for(daemon))}]}} in YAML",
                )
            )
        else:
            problems.append(
                Diagnostic(
                    f"ExecStart passes {flag}, but {daemon.ref} sets {key} in daemon.json; {BOTH}",
                    drop_in.location("spec", "Service", "ExecStart", index),
                    hint=f"remove {name} from ExecStart or {key} from {daemon.ref}",
                )
            )
    return problems


def _duplicate_paths(project: Project) -> list[Diagnostic]:
    seen: dict[str, SystemdDropIn] = {}
    problems: list[Diagnostic] = []
    for drop_in in project.of_kind(SystemdDropIn):
        other = seen.setdefault(drop_in.path, drop_in)
        if other is not drop_in:
            problems.append(
                Diagnostic(
                    f"{drop_in.ref} and {other.ref} both render {drop_in.path}",
                    drop_in.location("spec", "file"),
                    hint="give one of them another spec.file",
                )
            )
    return problems


def check_host(project: Project) -> list[Diagnostic]:
    """Every DaemonConfig against docker.service's ExecStart, and drop-in file collisions."""
    command, drop_in = docker_service_command(project)
    problems: list[Diagnostic] = []
    for daemon in project.of_kind(DaemonConfig):
        problems += _conflicts(daemon, command, drop_in)
    return problems + _duplicate_paths(project)
