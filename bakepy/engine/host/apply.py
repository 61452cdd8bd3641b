"""Apply a project's daemon.json and docker.service drop-ins to a host (or a folder standing in).

``apply_host`` plans (:mod:`bakepy.engine.host.plan`), has ``dockerd --validate`` judge the new
daemon.json with the flags docker.service will pass, writes atomically with a backup
(:mod:`bakepy.engine.host.write`), then runs the systemctl commands the change needs, but
only with ``yes=True`` and only on the real root: under another root it says what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bakepy.engine.commands import CommandRunner, SubprocessRunner
from bakepy.engine.host.plan import DAEMON_JSON, HostPlan, plan_host
from bakepy.engine.host.write import BACKUP_DIR, host_lock, write_host_files
from bakepy.errors import CommandError, HostValidationError
from bakepy.models.host.systemd import DOCKER_UNIT
from bakepy.project import Project

SYSTEM_ROOT = Path("/")
"""The root whose services are real: systemctl only ever runs for it."""
PATH_KEYS = ("tlscacert", "tlscert", "tlskey", "userland-proxy-path")
"""daemon.json keys naming files that ``dockerd --validate`` opens."""

__all__ = ["BACKUP_DIR", "HostResult", "HostValidationError", "apply_host", "plan_host"]


def is_system_root(root: Path) -> bool:
    """Whether ``root`` is the machine's own ``/`` (the only root whose services bakepy touches)."""
    return root.resolve() == SYSTEM_ROOT.resolve()


def find_dockerd() -> str:
    """dockerd on PATH, or where packages install it (``/usr/sbin`` is not on users' PATH)."""
    candidates = ("/usr/sbin/dockerd", "/usr/bin/dockerd")
    found = shutil.which("dockerd") or next((p for p in candidates if os.access(p, os.X_OK)), None)
    return found or "dockerd"


def validation_flags(exec_start: tuple[str, ...]) -> list[str]:
    """docker.service's flags without ``--config-file``, which validation passes itself."""
    flags: list[str] = []
    skip = False
    for arg in exec_start[1:]:
        if skip:
            skip = False
        elif arg == "--config-file":
            skip = True
        elif not arg.startswith("--config-file="):
            flags.append(arg)
    return flags


def _rerooted(text: str, root: Path) -> str:
    """Under another root, file keys that exist there point there, so dockerd can open them."""
    if is_system_root(root):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return text
    if not isinstance(document, dict):
        return text
    moved = {
        key: str(root / value.lstrip("/"))
        for key in PATH_KEYS
        if isinstance(value := document.get(key), str)
        and value.startswith("/")
        and (root / value.lstrip("/")).exists()
    }
    return json.dumps({**document, **moved}, indent=2) if moved else text


def _needs_validation(plan: HostPlan) -> bool:
    return any(
        f.status != "unchanged" and (f.kind == "daemon.json" or f.unit == DOCKER_UNIT)
        for f in plan.files
    )


def _daemon_json_text(plan: HostPlan) -> str:
    declared = next((f for f in plan.files if f.kind == "daemon.json"), None)
    if declared is not None:
        return declared.text
    try:
        return (plan.root / DAEMON_JSON).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def validate_host(plan: HostPlan, runner: CommandRunner, dockerd: str | None = None) -> list[str]:
    """``dockerd --validate`` of the daemon.json the host will have, with docker.service's flags.

    Returns the command as it applies to the host (empty when nothing dockerd reads changes);
    raises HostValidationError quoting dockerd when it refuses.
    """
    if not _needs_validation(plan):
        return []
    flags = validation_flags(plan.exec_start)
    shown = ["dockerd", "--validate", "--config-file", "/" + DAEMON_JSON, *flags]
    with tempfile.TemporaryDirectory(prefix="bakepy-validate-") as folder:
        config = Path(folder) / "daemon.json"
        config.write_text(_rerooted(_daemon_json_text(plan), plan.root), encoding="utf-8")
        args = [dockerd or find_dockerd(), "--validate", "--config-file", str(config), *flags]
        try:
            result = runner.run(args)
        except CommandError as exc:
            raise HostValidationError(
                f"{exc.message}; bakepy validates daemon.json with it before writing",
                hint="install the Docker engine (23 or later) or put dockerd on PATH",
            ) from None
    if result.returncode == 0:
        return shown
    said = (result.stderr or result.stdout).strip().replace(str(config), "/" + DAEMON_JSON)
    hint = "nothing was written; " + (
        "dockerd 23 or later is needed for --validate"
        if "unknown flag: --validate" in said
        else f"checked as: {' '.join(shown)}"
    )
    raise HostValidationError(f"dockerd refuses the host configuration: {said}", hint=hint)


@dataclass(frozen=True)
class HostResult:
    """What an apply did: the plan, the validation, files written, backups and commands."""

    plan: HostPlan
    dry_run: bool
    validated: tuple[str, ...]
    """The ``dockerd --validate`` command that accepted the files (empty when not needed)."""
    written: tuple[Path, ...]
    backup_dir: Path | None
    backups: tuple[Path, ...]
    ran: tuple[tuple[str, ...], ...]
    pending: tuple[tuple[str, ...], ...]
    """Commands the change needs that were not run (no ``yes``, dry run, or another root)."""
    planned_only: bool = False
    """Planned because no root was asked for: host files are written only when asked."""

    @property
    def changed(self) -> bool:
        """Whether files were (or, in a dry run, would be) written."""
        return self.plan.changed

    def render(self) -> str:
        """The result for humans: the plan, then what was written, saved, run or left to run."""
        lines = [self.plan.render().rstrip("\n")]
        if not self.changed:
            return lines[0] + "\n"
        if self.validated:
            lines.append(f"dockerd accepts it: {' '.join(self.validated)}")
        if self.planned_only:
            lines.append(
                "planned only, nothing written: apply writes host files only when asked "
                "(--root / for this machine, --root DIR for another tree)"
            )
        elif self.dry_run:
            lines.append("dry run: nothing written")
        lines += [f"wrote {path}" for path in self.written]
        if self.backup_dir is not None:
            restore = f"cp -a {self.backup_dir}/. {self.plan.root}/"
            lines.append(f"previous files saved in {self.backup_dir} (restore: {restore})")
        lines += [f"ran: {' '.join(command)}" for command in self.ran]
        if self.pending:
            lead = (
                "not run (the root is not /); on the host, run:"
                if not is_system_root(self.plan.root)
                else "not run (apply with --yes to run them):"
            )
            lines += [lead, *(f"  {' '.join(command)}" for command in self.pending)]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the result."""
        return {
            "plan": self.plan.to_dict(),
            "dry_run": self.dry_run,
            "planned_only": self.planned_only,
            "validated": list(self.validated),
            "written": [str(p) for p in self.written],
            "backup_dir": str(self.backup_dir) if self.backup_dir else None,
            "backups": [str(p) for p in self.backups],
            "ran": [list(c) for c in self.ran],
            "pending": [list(c) for c in self.pending],
        }

    def to_json(self) -> str:
        """The result for machines (``--output json``)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"


def _act(plan: HostPlan, runner: CommandRunner, backup: Path | None) -> list[list[str]]:
    ran: list[list[str]] = []
    for command in plan.commands:
        result = runner.run(command)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip() or f"exit code {result.returncode}"
            saved = f"; the previous files are in {backup}" if backup else ""
            raise CommandError(
                f"the host files are written, but {' '.join(command)} failed: {detail}",
                hint=f"ran before it: {ran or 'nothing'}{saved}",
            )
        ran.append(command)
    return ran


def apply_host(
    project: Project,
    *,
    root: Path = Path("/"),
    yes: bool = False,
    dry_run: bool = False,
    runner: CommandRunner | None = None,
    dockerd: str | None = None,
) -> HostResult:
    """Validate, back up and write the project's host files under ``root``; with ``yes`` on the
    real root, run the daemon-reload / reload / restart the change needs."""
    runner = runner or SubprocessRunner()
    root = Path(root)
    if dry_run:
        plan = plan_host(project, root=root)
        validated = validate_host(plan, runner, dockerd) if plan.changed else []
        pending = tuple(tuple(c) for c in plan.commands)
        return HostResult(plan, True, tuple(validated), (), None, (), (), pending)
    root.mkdir(parents=True, exist_ok=True)
    with host_lock(root):
        plan = plan_host(project, root=root)
        if not plan.changed:
            return HostResult(plan, False, (), (), None, (), (), ())
        validated = validate_host(plan, runner, dockerd)
        written = write_host_files(root, plan.files)
        act = yes and is_system_root(root)
        ran = _act(plan, runner, written.backup_dir) if act else []
    pending = () if act else tuple(tuple(c) for c in plan.commands)
    return HostResult(
        plan,
        False,
        tuple(validated),
        written.files,
        written.backup_dir,
        written.backups,
        tuple(tuple(c) for c in ran),
        pending,
    )
