"""systemd drop-ins (``docker.service.d/*.conf``) as a typed resource: SystemdDropIn.

Settings are named as systemd names them (``ExecStart``, ``LimitNOFILE``). Values are literal:
the renderer escapes ``%`` as ``%%`` and quotes what needs quoting. ``ExecStart`` and
``ExecReload`` replace the unit's command (an empty assignment first, then the new one), which
is what a ``Type=notify`` service such as docker.service requires.

``drop_in_for(daemon)`` derives the drop-in a DaemonConfig needs: the stock unit starts
``dockerd -H fd:// --containerd=/run/containerd/containerd.sock`` (Debian adds ``$DOCKER_OPTS``),
and dockerd refuses to start when daemon.json sets ``hosts`` or ``containerd`` as well. Its
ExecStart passes the stock flags the daemon does not set, and nothing else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from bakepy.models.base import BakepyModel, empty_list
from bakepy.models.host.daemon import DaemonConfig
from bakepy.models.host.systemd_values import (
    ByteLimit,
    CountLimit,
    TasksLimit,
    TimeSpan,
    check_text,
    extra_key,
)
from bakepy.models.resource import Metadata, Resource

DOCKERD = "/usr/sbin/dockerd"
"""Where Debian's docker.io installs dockerd (upstream packages use /usr/bin/dockerd)."""
CONTAINERD_SOCKET = "/run/containerd/containerd.sock"
"""The containerd socket the stock docker.service passes with ``--containerd``."""
DOCKER_UNIT = "docker.service"
"""The unit the drop-ins extend."""
STOCK_EXEC_START = (DOCKERD, "-H", "fd://", f"--containerd={CONTAINERD_SOCKET}")
"""The command the stock docker.service starts (Debian adds ``$DOCKER_OPTS``)."""

_UNIT_NAME = re.compile(
    r"^[A-Za-z0-9:_.\\-]+(@[A-Za-z0-9:_.\\-]*)?"
    r"\.(service|socket|target|mount|automount|swap|timer|path|slice|scope|device)$"
)
_FILE_NAME = re.compile(r"^[A-Za-z0-9_.@-]+\.conf$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")

Command = list[str]


def _check_extra(section: BakepyModel, lines: list[str]) -> None:
    """Raw lines may not set a key that a typed field of the same section covers."""
    typed = {
        field.serialization_alias or field.alias: name
        for name, field in type(section).model_fields.items()
    }
    for line in lines:
        key = extra_key(line)
        if key in typed and key != "extra":
            raise ValueError(f"raw line {line!r} sets {key}; use the field {typed[key]!r}")


def _check_command(command: Command, what: str) -> None:
    if not command or not command[0]:
        raise ValueError(f"{what} needs an executable")
    for arg in command:
        check_text(arg, f"{what} argument")
        if arg == ";":
            raise ValueError(f"{what} argument ';' would separate commands; it cannot be written")


class SystemdUnitSection(BakepyModel):
    """Settings of the ``[Unit]`` section a drop-in adds (dependency lists add to the unit's)."""

    description: str | None = Field(
        default=None,
        validation_alias="Description",
        serialization_alias="Description",
        description="Replaces the unit's description.",
    )
    documentation: list[str] | None = Field(
        default=None,
        validation_alias="Documentation",
        serialization_alias="Documentation",
        description="Documentation URIs.",
    )
    after: list[str] | None = Field(
        default=None,
        validation_alias="After",
        serialization_alias="After",
        description="Start after.",
    )
    before: list[str] | None = Field(
        default=None,
        validation_alias="Before",
        serialization_alias="Before",
        description="Start before.",
    )
    wants: list[str] | None = Field(
        default=None,
        validation_alias="Wants",
        serialization_alias="Wants",
        description="Units started with this one.",
    )
    requires: list[str] | None = Field(
        default=None,
        validation_alias="Requires",
        serialization_alias="Requires",
        description="Units this one cannot run without.",
    )
    binds_to: list[str] | None = Field(
        default=None,
        validation_alias="BindsTo",
        serialization_alias="BindsTo",
        description="Requires, and stop when they stop.",
    )
    part_of: list[str] | None = Field(
        default=None,
        validation_alias="PartOf",
        serialization_alias="PartOf",
        description="Units whose stop and restart apply here.",
    )
    start_limit_burst: int | None = Field(
        default=None,
        validation_alias="StartLimitBurst",
        serialization_alias="StartLimitBurst",
        ge=0,
        description="Starts allowed per interval.",
    )
    start_limit_interval_sec: TimeSpan | None = Field(
        default=None,
        validation_alias="StartLimitIntervalSec",
        serialization_alias="StartLimitIntervalSec",
        description="Interval of StartLimitBurst.",
    )
    extra: list[str] = Field(
        default_factory=empty_list, description="Raw `Key=value` lines for settings not typed here."
    )

    @model_validator(mode="after")
    def _raw_lines(self) -> SystemdUnitSection:
        _check_extra(self, self.extra)
        if self.description is not None:
            check_text(self.description, "Description")
        lists = (self.documentation, self.after, self.before, self.wants, self.requires)
        for item in [i for values in (*lists, self.binds_to, self.part_of) for i in values or []]:
            if not item or _SPACE.search(item):
                raise ValueError(f"{item!r} must be one word: lists are written space-separated")
        return self


class SystemdServiceSection(BakepyModel):
    """Settings of the ``[Service]`` section a drop-in adds or replaces."""

    exec_start: Command | None = Field(
        default=None,
        validation_alias="ExecStart",
        serialization_alias="ExecStart",
        description="Replaces the command (rendered as `ExecStart=` then the new one); "
        "one argument per item, `$VAR` is expanded by systemd.",
    )
    exec_start_pre: list[Command] | None = Field(
        default=None,
        validation_alias="ExecStartPre",
        serialization_alias="ExecStartPre",
        description="Commands run before, after the unit's.",
    )
    exec_reload: Command | None = Field(
        default=None,
        validation_alias="ExecReload",
        serialization_alias="ExecReload",
        description="Replaces the reload command (`$MAINPID` is the main process).",
    )
    environment: dict[str, str] | None = Field(
        default=None,
        validation_alias="Environment",
        serialization_alias="Environment",
        description="Environment variables, taken literally.",
    )
    environment_file: list[str] | None = Field(
        default=None,
        validation_alias="EnvironmentFile",
        serialization_alias="EnvironmentFile",
        description="Files of variables; `-` if optional.",
    )
    limit_nofile: CountLimit | None = Field(
        default=None,
        validation_alias="LimitNOFILE",
        serialization_alias="LimitNOFILE",
        description="Open files: `65536`, `soft:hard`.",
    )
    limit_nproc: CountLimit | None = Field(
        default=None,
        validation_alias="LimitNPROC",
        serialization_alias="LimitNPROC",
        description="Processes: a number or `infinity`.",
    )
    limit_core: ByteLimit | None = Field(
        default=None,
        validation_alias="LimitCORE",
        serialization_alias="LimitCORE",
        description="Core dump size in bytes, or `infinity`.",
    )
    limit_memlock: ByteLimit | None = Field(
        default=None,
        validation_alias="LimitMEMLOCK",
        serialization_alias="LimitMEMLOCK",
        description="Locked memory in bytes, or `infinity`.",
    )
    tasks_max: TasksLimit | None = Field(
        default=None,
        validation_alias="TasksMax",
        serialization_alias="TasksMax",
        description="Task limit: a number, `80%`, `infinity`.",
    )
    restart: (
        Literal[
            "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"
        ]
        | None
    ) = Field(
        default=None,
        validation_alias="Restart",
        serialization_alias="Restart",
        description="When systemd restarts the service.",
    )
    restart_sec: TimeSpan | None = Field(
        default=None,
        validation_alias="RestartSec",
        serialization_alias="RestartSec",
        description="Pause before a restart.",
    )
    timeout_start_sec: TimeSpan | None = Field(
        default=None,
        validation_alias="TimeoutStartSec",
        serialization_alias="TimeoutStartSec",
        description="Start timeout (`0`: none).",
    )
    timeout_stop_sec: TimeSpan | None = Field(
        default=None,
        validation_alias="TimeoutStopSec",
        serialization_alias="TimeoutStopSec",
        description="Stop timeout.",
    )
    kill_mode: Literal["control-group", "mixed", "process", "none"] | None = Field(
        default=None,
        validation_alias="KillMode",
        serialization_alias="KillMode",
        description="Which processes a stop kills.",
    )
    delegate: bool | None = Field(
        default=None,
        validation_alias="Delegate",
        serialization_alias="Delegate",
        description="Delegate the cgroup subtree to the service.",
    )
    oom_score_adjust: int | None = Field(
        default=None,
        validation_alias="OOMScoreAdjust",
        serialization_alias="OOMScoreAdjust",
        ge=-1000,
        le=1000,
        description="OOM killer adjustment (the stock unit sets -500).",
    )
    extra: list[str] = Field(
        default_factory=empty_list, description="Raw `Key=value` lines for settings not typed here."
    )

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name, item in (value or {}).items():
            if not _ENV_NAME.match(name):
                raise ValueError(f"{name!r} is not an environment variable name")
            check_text(item, f"value of {name}")
        return value

    @model_validator(mode="after")
    def _commands_and_lines(self) -> SystemdServiceSection:
        if self.exec_start is not None:
            _check_command(self.exec_start, "ExecStart")
        if self.exec_reload is not None:
            _check_command(self.exec_reload, "ExecReload")
        for command in self.exec_start_pre or []:
            _check_command(command, "ExecStartPre")
        for path in self.environment_file or []:
            if not path.removeprefix("-").startswith("/"):
                raise ValueError(f"EnvironmentFile {path!r} must be an absolute path")
            check_text(path, "EnvironmentFile")
        _check_extra(self, self.extra)
        return self


class SystemdDropInSpec(BakepyModel):
    """Which unit the drop-in extends, its file name, and its ``[Unit]`` and ``[Service]``."""

    unit: str = Field(default="docker.service", description="The unit the drop-in extends.")
    file: str | None = Field(
        default=None, description="File name in `<unit>.d/`; `<metadata.name>.conf` if unset."
    )
    unit_section: SystemdUnitSection | None = Field(
        default=None,
        validation_alias="Unit",
        serialization_alias="Unit",
        description="Settings of the `[Unit]` section.",
    )
    service: SystemdServiceSection | None = Field(
        default=None,
        validation_alias="Service",
        serialization_alias="Service",
        description="Settings of the `[Service]` section.",
    )

    @field_validator("unit")
    @classmethod
    def _unit_name(cls, value: str) -> str:
        if not _UNIT_NAME.match(value):
            raise ValueError(f"{value!r} is not a unit name such as docker.service")
        return value

    @field_validator("file")
    @classmethod
    def _file_name(cls, value: str | None) -> str | None:
        if value is not None and not _FILE_NAME.match(value):
            raise ValueError(
                f"{value!r} must be a file name ending in .conf (systemd reads no other)"
            )
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> SystemdDropInSpec:
        sections = (self.unit_section, self.service)
        if not any(s is not None and s.model_dump(exclude_defaults=True) for s in sections):
            raise ValueError("the drop-in sets nothing; give [Unit] or [Service] settings")
        return self


class SystemdDropIn(Resource):
    """A drop-in for a systemd unit (``kind: SystemdDropIn``), rendered as ``<unit>.d/<file>``.

    The file goes to ``/etc/systemd/system/``, e.g. ``docker.service.d/bakepy.conf``.

    Example::

        reset = SystemdDropIn(metadata="bakepy", spec=SystemdDropInSpec(
            service=SystemdServiceSection(exec_start=["/usr/sbin/dockerd"])))
    """

    KIND: ClassVar[str] = "SystemdDropIn"
    kind: Literal["SystemdDropIn"] = Field(default="SystemdDropIn", description="Resource kind.")
    spec: SystemdDropInSpec = Field(description="Unit, file name and settings.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: SystemdDropInSpec, api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @model_validator(mode="after")
    def _file_from_name(self) -> SystemdDropIn:
        if self.spec.file is None and not _FILE_NAME.match(f"{self.name}.conf"):
            raise ValueError(
                f"name {self.name!r} cannot be a file name; set spec.file (such as bakepy.conf)"
            )
        return self

    @property
    def file_name(self) -> str:
        """The drop-in's file name: ``spec.file`` or ``<metadata.name>.conf``."""
        return self.spec.file or f"{self.name}.conf"

    @property
    def path(self) -> str:
        """Path under ``/etc/systemd/system``: ``docker.service.d/bakepy.conf``."""
        return f"{self.spec.unit}.d/{self.file_name}"


def drop_in_for(
    daemon: DaemonConfig, *, dockerd: str = DOCKERD, name: str = "bakepy"
) -> SystemdDropIn:
    """The docker.service drop-in ``daemon`` needs: ExecStart reset without the flags it sets."""
    return SystemdDropIn(
        metadata=Metadata(name=name, labels=dict(daemon.metadata.labels)),
        spec=SystemdDropInSpec(
            service=SystemdServiceSection(exec_start=exec_start_for(daemon, dockerd))
        ),
    )


def exec_start_for(daemon: DaemonConfig, dockerd: str = DOCKERD) -> list[str]:
    """The stock ExecStart of docker.service without the flags ``daemon`` sets itself."""
    command = [dockerd]
    if not daemon.spec.hosts:
        command += ["-H", "fd://"]
    if not daemon.spec.containerd:
        command += [f"--containerd={CONTAINERD_SOCKET}"]
    return command
