"""Rules across a host's files: daemon.json against the ExecStart of docker.service.

dockerd refuses to start when a daemon.json key is also given as a flag, whatever the values
(``the following directives are specified both as a flag and in the configuration file``).
The stock docker.service passes ``-H fd://`` and ``--containerd=...``, so ``hosts`` and
``containerd`` need a drop-in that resets ExecStart. Every DaemonConfig of a project is
checked against the command docker.service ends up with: the stock one, or the ExecStart of
the last drop-in (by file name, as systemd reads them) that replaces it.
"""

from __future__ import annotations

import re

from bakepy.errors import Diagnostic
from bakepy.models.host.daemon import DaemonConfig
from bakepy.models.host.daemon_keys import MERGED_KEYS, flag_key
from bakepy.models.host.daemon_rules import (
    ROOT_FOR_ANYONE,
    is_loopback,
    tcp_address,
    verifies_clients,
)
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


_WHOLE_WORD = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def docker_service_environment(project: Project) -> dict[str, str]:
    """The ``Environment=`` docker.service's drop-ins set, later files (by name) winning."""
    drop_ins = sorted(
        (d for d in project.of_kind(SystemdDropIn) if d.spec.unit == DOCKER_UNIT),
        key=lambda d: d.file_name,
    )
    environment: dict[str, str] = {}
    for drop_in in drop_ins:
        if drop_in.spec.service is not None and drop_in.spec.service.environment:
            environment.update(drop_in.spec.service.environment)
    return environment


def expand_exec_start(command: list[str], environment: dict[str, str]) -> list[tuple[int, str]]:
    """ExecStart's arguments as systemd passes them, each with the index of the word it came
    from: ``$NAME`` as a word of its own is split at blanks into words, ``${NAME}`` is replaced
    in place by the exact value (one word); an unset variable is empty."""
    words: list[tuple[int, str]] = []
    for index, word in enumerate(command):
        whole = _WHOLE_WORD.fullmatch(word)
        if whole is not None:
            words += [(index, part) for part in environment.get(whole.group(1), "").split()]
        else:
            value = _BRACED.sub(lambda m: environment.get(m.group(1), ""), word)
            words.append((index, value))
    return words


def _key_path(key: str) -> tuple[str, ...]:
    return ("spec", *key.split("."))


def _conflicts(
    daemon: DaemonConfig, command: list[str], origin: list[int], drop_in: SystemdDropIn | None
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
                    drop_in.location("spec", "Service", "ExecStart", origin[index]),
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


def _flag_values(command: list[str], short: str | None, long: str) -> list[tuple[int, str]]:
    """``(index, value)`` of a flag however pflag reads it: ``-H v``, ``-H=v``, ``-Hv``,
    ``--host v``, ``--host=v``."""
    found: list[tuple[int, str]] = []
    for index, arg in enumerate(command[1:], start=1):
        following = command[index + 1] if index + 1 < len(command) else ""
        for name in [n for n in (short, long) if n]:
            if arg == name:
                found.append((index, following))
            elif arg.startswith(name + "="):
                found.append((index, arg[len(name) + 1 :]))
            elif name == short and arg.startswith(name) and not arg.startswith("--"):
                found.append((index, arg[len(name) :]))
    return found


def _flag_on(command: list[str], long: str) -> bool:
    """Whether a boolean flag is set on the command line (``--tlsverify``, ``=true``)."""
    return any(arg == long or arg.lower() in (f"{long}=true", f"{long}=1") for arg in command[1:])


def _open_hosts(
    project: Project, command: list[str], origin: list[int], drop_in: SystemdDropIn
) -> list[Diagnostic]:
    """A ``-H tcp://`` on ExecStart is judged as daemon.json's ``hosts`` is: a non-loopback
    address needs TLS client verification (from the flags or daemon.json) unless the
    DaemonConfig says ``i_understand_tcp_without_tls_is_root_for_anyone``."""
    daemons = project.of_kind(DaemonConfig)
    if any(d.spec.i_understand_tcp_without_tls_is_root_for_anyone for d in daemons):
        return []
    verified_by_flags = _flag_on(command, "--tlsverify") and all(
        _flag_values(command, None, flag) for flag in ("--tlscacert", "--tlscert", "--tlskey")
    )
    if verified_by_flags or any(verifies_clients(d.spec) for d in daemons):
        return []
    problems: list[Diagnostic] = []
    for index, host in _flag_values(command, "-H", "--host"):
        address = tcp_address(host)
        if address is None or is_loopback(address):
            continue
        problems.append(
            Diagnostic(
                f"ExecStart passes -H {host}: dockerd listens on the network without TLS "
                f"client verification, which {ROOT_FOR_ANYONE}",
                drop_in.location("spec", "Service", "ExecStart", origin[index]),
                hint="add --tlsverify with --tlscacert, --tlscert and --tlskey (or set them in "
                "daemon.json), listen on 127.0.0.1, or set "
                "i_understand_tcp_without_tls_is_root_for_anyone in a DaemonConfig",
            )
        )
    return problems


def check_host(project: Project) -> list[Diagnostic]:
    """Every DaemonConfig against docker.service's ExecStart, the hosts ExecStart opens (with
    daemon.json's TLS settings: the effective configuration; ExecStart's ``$VARIABLES``
    expanded from the drop-ins' Environment, as systemd does), and drop-in file collisions."""
    written, drop_in = docker_service_command(project)
    expanded = expand_exec_start(written, docker_service_environment(project))
    command = [word for _, word in expanded]
    origin = [index for index, _ in expanded]
    problems: list[Diagnostic] = []
    for daemon in project.of_kind(DaemonConfig):
        problems += _conflicts(daemon, command, origin, drop_in)
    if drop_in is not None:
        problems += _open_hosts(project, command, origin, drop_in)
    return problems + _duplicate_paths(project)
