"""The engine's view of the outside world: small protocols the transport layer satisfies.

The engine never imports asyncssh, telnetlib3 or keyring; the composition root hands it
objects that fit these shapes, so tests can hand it the same real transport.
"""

from __future__ import annotations

from typing import Protocol

from app.domain.router import CommandResult, RouterProfile


class RouterSession(Protocol):
    """One interactive CLI session on a router, positioned at a prompt."""

    @property
    def is_open(self) -> bool:
        """False once the session broke, timed out or was closed; never reuse it then."""
        ...

    @property
    def hostname(self) -> str:
        """The router's hostname as its prompt shows it (`<NE8000>` -> `NE8000`)."""
        ...

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Send one line and read up to the next prompt or question; one at a time per session.

        Raises a :class:`~app.domain.errors.RouterError` subclass: CommandRejected for an
        ``Error:`` answer, RouterTimeout or SessionLost after which the session is closed.
        """
        ...

    async def close(self) -> None:
        """Log out and close the connection; safe to call twice."""
        ...


class SessionOpener(Protocol):
    """Opens a logged-in session (SSH or telnet, per the profile)."""

    async def __call__(self, profile: RouterProfile, password: str) -> RouterSession: ...


class SecretStore(Protocol):
    """Where router passwords live: the OS keyring, or memory for this session only."""

    def get_password(self, router: str) -> str | None: ...

    def set_password(self, router: str, password: str) -> None: ...

    def delete_password(self, router: str) -> None: ...
