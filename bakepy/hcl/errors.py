"""The single exception type raised by the HCL expression engine."""

from __future__ import annotations


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
