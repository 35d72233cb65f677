"""Errors every layer can raise or catch without importing the layer that raised them."""

from __future__ import annotations

from enum import StrEnum

from app.domain.messages import Message


class NE8000MonitorError(Exception):
    """Base class: anything the app reports to the operator as a clear message.

    ``operator_message`` (when set) is the translatable form of the message; the English
    text stays the exception's own. Errors without one are translated by their kind
    (:func:`app.engine.messages.error_message`).
    """

    operator_message: Message | None = None


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


class RouterError(NE8000MonitorError):
    """Something went wrong talking to a router; the message is meant for the operator."""

    def __init__(self, message: str, *, router: str | None = None) -> None:
        super().__init__(message)
        self.message = message  # without the router prefix, for nesting in other messages
        self.router = router

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.router}: {message}" if self.router else message


class RouterUnreachable(RouterError):
    """No TCP connection: wrong address, router down, or a firewall in the way."""


class RouterTimeout(RouterError):
    """Connecting or a command took longer than allowed; the session is discarded."""


class AuthenticationFailed(RouterError):
    """Wrong username or password. Retrying risks locking the account on VRP, so don't."""


class HostKeyChanged(RouterError):
    """The router's SSH host key differs from the trusted one: refuse until the user accepts."""

    def __init__(
        self, message: str, *, router: str | None = None, known: str, offered: str
    ) -> None:
        super().__init__(message, router=router)
        self.known_fingerprint = known
        self.offered_fingerprint = offered


class KeyExchangeFailed(RouterError):
    """No common SSH algorithm; old boxes need the profile's legacy-algorithms opt-in."""


class VtyLinesFull(RouterError):
    """Every VTY line of the router is taken (by people or other tools)."""


class SessionLost(RouterError):
    """The connection dropped, possibly mid-output; what was read is not trusted."""


class CommandRejected(RouterError):
    """The router answered `Error: ...`; carries the router's own message."""

    def __init__(self, message: str, *, router: str | None = None, router_message: str) -> None:
        super().__init__(message, router=router)
        self.router_message = router_message


class PasswordProblem(StrEnum):
    """Why a router has no password, in words the window can translate."""

    NOT_STORED = "not_stored"  # the keyring works; it holds nothing for this router
    SESSION_ONLY = "session_only"  # no usable keyring: passwords live for this session only
    KEYRING_FAILED = "keyring_failed"  # the keyring refused to answer (locked, broken)


class CredentialsUnavailable(NE8000MonitorError):
    """No password for a router, or no usable OS keyring to keep one in.

    ``problem`` says which; the transport's keyring errors are ``KEYRING_FAILED``.
    """

    def __init__(
        self, message: str, *, problem: PasswordProblem = PasswordProblem.KEYRING_FAILED
    ) -> None:
        super().__init__(message)
        self.problem = problem


class ValidationError(NE8000MonitorError):
    """A value meant for a router command failed validation; nothing was sent."""


class RateLimited(NE8000MonitorError):
    """Too many commands of one kind for a router in the current window."""


class ChangeAborted(RouterError):
    """A change was abandoned on the router; nothing stays pending. Carries the reason."""
