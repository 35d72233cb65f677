"""What can go wrong between a seat and its collector, as errors the window already shows."""

from __future__ import annotations

from app.domain.errors import NE8000MonitorError
from app.domain.messages import MessageId
from app.domain.messages import message as domain_message


class CollectorError(NE8000MonitorError):
    """The collector could not be asked, or refused; the message says why in plain words."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        preview: tuple[str, ...] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status (None: no answer at all)
        self.code = code  # the feed's error code (`rate_limited`, `bad_token`, ...)
        self.preview = preview  # the lines a change would send, when the answer has them
        self.retry_after = retry_after


class CollectorUnreachable(CollectorError):
    """No answer from the collector (down, network, TLS handshake failed)."""

    # What the window says, translated; the error's own text is the technical detail.
    operator_message = domain_message(MessageId.ERROR_COLLECTOR_UNREACHABLE)


class CollectorRefused(CollectorError):
    """The collector answered and refused this seat: token missing or wrong, or its
    certificate is not the pinned one. Retrying will not help until that is fixed."""


class ManagedByCollector(NE8000MonitorError, ValueError):
    """A change to what the collector monitors (routers, uplinks, host keys) asked of a
    seat: those belong to the collector's own settings.

    A ValueError too, so the window's existing "cannot change this" paths report it."""
