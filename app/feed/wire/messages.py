"""WebSocket messages: what the server sends (`ServerMessage`) and what a client may send.

Every server message is a JSON object whose ``type`` names it (the tag), with ``timestamp``
(ISO 8601 UTC, ``Z``) and ``epoch`` (the same moment in epoch seconds, for clients that
measure delays). Client messages are decoded by one tagged-union decoder
(:data:`CLIENT_DECODER`); anything that does not fit is answered with an `error`.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from app.domain.alerts import AlertKind, Severity
from app.feed.wire.base import Epoch, Time, Wire
from app.feed.wire.commands import InterfaceAction, Line, RequestId, TranscriptStep
from app.feed.wire.sections import RouterSections
from app.feed.wire.status import FeedStats, RouterStatus

MAX_SUBSCRIBE_ROUTERS = 1000  # more names than any site monitors


class ServerMessage(Wire, tag_field="type", kw_only=True):
    """Fields every server message carries."""

    timestamp: Time
    epoch: Epoch


class WelcomeMessage(ServerMessage, tag="welcome", kw_only=True):
    """The first message on every connection."""

    message: str
    server_time: Time
    version: str
    routers: list[str]
    mass_drop_percent: Annotated[
        float,
        msgspec.Meta(
            description="The mass-drop alert's threshold: a fall in the subscriber total this "
            "large (in percent) is an incident; smaller changes are ordinary churn, which a "
            "display should not colour as one."
        ),
    ]


class RouterDataMessage(ServerMessage, tag="router_data", kw_only=True):
    """On connect every section of a router; later the sections one poll round changed or
    whose freshness changed. Each section is exactly the `data` of its HTTP endpoint."""

    router: str
    data: RouterSections


class SystemStatusMessage(ServerMessage, tag="system_status", kw_only=True):
    status: Annotated[
        dict[str, RouterStatus],
        msgspec.Meta(description="Per router: connection state, latency, last error."),
    ]
    feed: FeedStats


class AlertBody(Wire, kw_only=True):
    """An app alert (raised, cleared or acknowledged)."""

    id: str
    router: str
    severity: Severity
    kind: AlertKind
    subject: str
    message: str
    raised_at: Time
    cleared_at: Time | None
    acknowledged_by: str | None
    acknowledged_at: Time | None


class AlertMessage(ServerMessage, tag="alert", kw_only=True):
    router: str
    alert: AlertBody


class HeartbeatMessage(ServerMessage, tag="heartbeat", kw_only=True):
    server_time: Time


class PongMessage(ServerMessage, tag="pong", kw_only=True):
    server_time: Time


class SubscribedMessage(ServerMessage, tag="subscribed", kw_only=True):
    routers: Annotated[list[str] | None, msgspec.Meta(description="null: every router.")]


class ErrorMessage(ServerMessage, tag="error", kw_only=True):
    """A bad client message, a refused connection, or a command that was not run."""

    code: str
    message: str
    status: Annotated[int | UnsetType, msgspec.Meta(description="HTTP-like status (commands).")] = (
        UNSET
    )
    id: RequestId | UnsetType = UNSET
    routers: list[str] | UnsetType = UNSET
    retry_after: int | UnsetType = UNSET
    preview: list[str] | UnsetType = UNSET


class CommandResultMessage(ServerMessage, tag="command_result", kw_only=True):
    """Answer to a `command` message: the fields of ExecuteCommandResult (a console line)
    or InterfaceCommandResult (an interface change), without `success`."""

    id: RequestId | UnsetType = UNSET
    router: str
    command: str | UnsetType = UNSET
    class_: str | UnsetType = msgspec.field(default=UNSET, name="class")
    output: str | UnsetType = UNSET
    prompt: str | UnsetType = UNSET
    cleanup: list[str] | UnsetType = UNSET
    interface: str | UnsetType = UNSET
    action: InterfaceAction | UnsetType = UNSET
    outcome: str | UnsetType = UNSET
    commands: list[str] | UnsetType = UNSET
    transcript: list[TranscriptStep] | UnsetType = UNSET


SERVER_MESSAGES: dict[str, type[ServerMessage]] = {
    "welcome": WelcomeMessage,
    "router_data": RouterDataMessage,
    "system_status": SystemStatusMessage,
    "alert": AlertMessage,
    "heartbeat": HeartbeatMessage,
    "subscribed": SubscribedMessage,
    "pong": PongMessage,
    "error": ErrorMessage,
    "command_result": CommandResultMessage,
}


# ----- client -> server ------------------------------------------------------------------


class ClientMessage(Wire, tag_field="type", kw_only=True):
    """A message a client sends (a JSON object with a `type`)."""


class PingMessage(ClientMessage, tag="ping", kw_only=True):
    """Answered with `pong` (the bare text frame `ping` works too)."""


class SubscribeMessage(ClientMessage, tag="subscribe", kw_only=True):
    """Which routers to receive from now on; answered with `subscribed`."""

    routers: Annotated[
        Annotated[list[Line], msgspec.Meta(max_length=MAX_SUBSCRIBE_ROUTERS)] | None,
        msgspec.Meta(description="null or absent: every router."),
    ] = None


class CommandMessage(ClientMessage, tag="command", kw_only=True):
    """Only where remote commands are enabled and the connection presented the token;
    answered with `command_result` or `error`. Either `command` (a console line), or
    `interface` with `action` and `confirm` (an interface change)."""

    id: RequestId | UnsetType = UNSET
    router: Line | None = None
    command: Line | None = None
    interface: Line | None = None
    action: InterfaceAction | None = None
    confirm: Line | None = None


CLIENT_MESSAGES: dict[str, type[ClientMessage]] = {
    "ping": PingMessage,
    "subscribe": SubscribeMessage,
    "command": CommandMessage,
}

AnyClientMessage = PingMessage | SubscribeMessage | CommandMessage
CLIENT_DECODER = msgspec.json.Decoder(AnyClientMessage)
