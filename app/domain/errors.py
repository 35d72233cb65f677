"""Errors every layer can raise or catch without importing the layer that raised them."""

from __future__ import annotations


class NE8000MonitorError(Exception):
    """Base class: anything the app reports to the operator as a clear message."""


class ParseError(NE8000MonitorError):
    """Router output that a parser cannot make sense of.

    Carries the offending line so the operator (and the `parse` command) can say exactly
    where the text stopped looking like the expected VRP output.
    """

    def __init__(
        self,
        message: str,
        *,
        line: str | None = None,
        line_number: int | None = None,
        command: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.line_number = line_number
        self.command = command

    def with_command(self, command: str) -> ParseError:
        """Return a copy that names the command whose output failed to parse."""
        return type(self)(
            self.message, line=self.line, line_number=self.line_number, command=command
        )

    def __str__(self) -> str:
        parts = []
        if self.command:
            parts.append(f"cannot parse output of {self.command!r}")
        parts.append(self.message)
        if self.line is not None:
            where = f"line {self.line_number}" if self.line_number is not None else "line"
            parts.append(f"{where}: {self.line.strip()[:160]!r}")
        return ": ".join(parts)


class RouterCommandError(ParseError):
    """The router rejected the command (a caret line and an ``Error:`` message)."""


class UnknownCommandError(NE8000MonitorError):
    """A command the catalog does not know, or an abbreviation that is ambiguous."""
