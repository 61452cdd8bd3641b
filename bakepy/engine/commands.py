"""The seam between bakepy and the docker CLI: run a command, or record it (tests, dry runs).

Everything that shells out goes through a ``CommandRunner``; tests swap in a recording one,
as httpx swaps its transport for a mock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bakepy.errors import CommandError


@dataclass(frozen=True)
class CommandResult:
    """What a command printed and how it ended."""

    returncode: int
    stdout: str = ""
    stderr: str = ""


class CommandRunner(Protocol):
    """Runs one command; ``stream=True`` lets its stderr through live (BuildKit's progress)."""

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> CommandResult:
        """Run ``args`` and return its result (never raises for a non-zero exit)."""
        ...


class SubprocessRunner:
    """Runs commands for real."""

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> CommandResult:
        """Run ``args`` with subprocess; a missing executable is a CommandError."""
        if shutil.which(args[0]) is None:
            raise CommandError(f"{args[0]} is not installed or not on PATH")
        full_env = {**os.environ, **(env or {})}
        completed = subprocess.run(
            list(args),
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=None if stream else subprocess.PIPE,
            text=True,
            check=False,
        )
        return CommandResult(completed.returncode, completed.stdout, completed.stderr or "")


@dataclass
class RecordingRunner:
    """Records every command and answers with ``respond`` (default: success, no output)."""

    respond: Callable[[Sequence[str]], CommandResult] = field(default=lambda args: CommandResult(0))
    calls: list[list[str]] = field(default_factory=list)

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> CommandResult:
        """Record ``args`` and return the canned answer."""
        self.calls.append(list(args))
        return self.respond(args)
