"""One exception tree for every user mistake; each error says where it happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

FieldPath = tuple[str | int, ...]


def format_field_path(path: FieldPath) -> str:
    """Render a field path as ``spec.stages[2].instructions[0].from``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, line and column when known, and the field path inside the
    resource."""

    file: Path | None = None
    line: int | None = None
    resource: str | None = None
    field_path: FieldPath = ()
    column: int | None = None

    def describe(self) -> str:
        """``file:line[:column]: Kind/name: field.path`` with the parts that are known."""
        parts: list[str] = []
        if self.file is not None:
            where = str(self.file)
            if self.line:
                where += f":{self.line}" + (f":{self.column}" if self.column else "")
            parts.append(where)
        if self.resource:
            parts.append(self.resource)
        if self.field_path:
            parts.append(format_field_path(self.field_path))
        return ": ".join(parts)

    def with_field(self, *more: str | int) -> Location:
        """The same location, one or more fields deeper."""
        return Location(self.file, self.line, self.resource, (*self.field_path, *more), self.column)


@dataclass
class Diagnostic:
    """One problem found in a declaration: what is wrong, where, and how to fix it."""

    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None

    def __str__(self) -> str:
        where = self.location.describe()
        head = f"{where}: {self.message}" if where else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class BakepyError(Exception):
    """Base of every error bakepy raises for a user mistake (never for a bug)."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        self.diagnostic = Diagnostic(message, location or Location(), hint)
        super().__init__(str(self.diagnostic))

    @property
    def message(self) -> str:
        """The problem, without the location."""
        return self.diagnostic.message

    @property
    def location(self) -> Location:
        """Where the problem is."""
        return self.diagnostic.location


class LoadError(BakepyError):
    """A definition file could not be read, parsed or validated against the models."""


class ValidationError(BakepyError):
    """One or more declarations break a rule; every problem is listed."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0]
        super().__init__(first.message, first.location, first.hint)
        self.args = ("\n".join(str(d) for d in self.diagnostics),)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class UnresolvedReferenceError(BakepyError):
    """A reference names a resource, stage or variable that does not exist."""


class CycleError(BakepyError):
    """A chain of references (inherits, target: contexts, groups, depends_on) loops."""


class EvaluationError(BakepyError):
    """An expression (variable, function, matrix name, validation) could not be evaluated."""


class SelectionError(BakepyError):
    """A requested target, group or label selector matched nothing."""


class OverrideError(BakepyError):
    """A ``--set`` value bake would reject: bad syntax, an unknown key, no matching target."""


class ImportDefinitionError(BakepyError):
    """A file holds something bakepy cannot declare without changing what it means."""


class CommandError(BakepyError):
    """A docker command bakepy ran failed, or the docker CLI is not installed."""


class EngineError(BakepyError):
    """The engine is unreachable, or refused a call bakepy made."""


class RuntimeSpecError(BakepyError):
    """A service asks for something bakepy cannot run as a container."""


class WaitError(BakepyError):
    """A dependency did not reach its condition (unhealthy, failed, or timed out)."""


class LockError(BakepyError):
    """Another apply of the same project held the lock for longer than the timeout."""


class HostValidationError(BakepyError):
    """``dockerd --validate`` refused the host configuration; nothing was written."""


class RunError(BakepyError):
    """The container did not build, start or become healthy."""


class HclError(Exception):
    """An HCL syntax or evaluation error with a one-line message and an optional column."""

    def __init__(self, message: str, column: int | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.line = line

    def __str__(self) -> str:
        """Render the message, adding the source position for syntax errors."""
        if self.column is None:
            return self.message
        if self.line is not None and self.line > 1:
            return f"{self.message} (line {self.line}, column {self.column})"
        return f"{self.message} (column {self.column})"
