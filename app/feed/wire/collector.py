"""What a desktop seat in collector mode needs beyond the data: who it is to the collector,
the collector's rules, shared alert acknowledgement, the change workflow with its preview,
and the audit entries of its own commands.

`GET /api/collector`, `POST /api/alerts/acknowledge`, `POST /api/change/preview`,
`POST /api/change`, `GET /api/audit`. Each is token-checked like every endpoint; the ones
that act are rate-limited and written to the collector's audit log with the seat's name.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.feed.wire.base import Time, Wire
from app.feed.wire.commands import Line, TranscriptStep
from app.feed.wire.messages import AlertBody

ChangeAction = Literal["shutdown", "undo_shutdown", "cut_user"]
MAX_PREVIEW_LINES = 16  # a change is a handful of lines; more is not a preview of ours


class CollectorThresholds(Wire, kw_only=True):
    """The collector's alert thresholds (its `[thresholds]`): the seats colour with them."""

    mass_drop_percent: float
    mass_drop_window: float
    cpu_percent: float
    cpu_polls: int
    memory_percent: float
    memory_polls: int
    pool_percent: float


class CollectorRouter(Wire, kw_only=True):
    monitored: Annotated[
        list[str],
        msgspec.Meta(description="The uplinks the collector watches (down alerts, traffic)."),
    ]


class CollectorInfoAnswer(Wire, kw_only=True):
    """Who the caller is to this collector and what the collector allows."""

    success: Literal[True] = True
    timestamp: Time
    version: str
    seat: Annotated[
        str | None,
        msgspec.Meta(description="The seat whose token the caller presented (null otherwise)."),
    ]
    auth: Annotated[
        Literal["seat", "token"] | None,
        msgspec.Meta(description="seat token, the shared token, or none (loopback, no token)."),
    ]
    remote_commands: Annotated[
        bool, msgspec.Meta(description="Console lines and changes are accepted from seats.")
    ]
    operator_mode: Annotated[
        bool,
        msgspec.Meta(description="Configuration lines and changes too (with confirmation)."),
    ]
    thresholds: CollectorThresholds
    routers: dict[str, CollectorRouter]


class AlertsAnswer(Wire, kw_only=True):
    """The active alerts (of one router, or all), newest first."""

    success: Literal[True] = True
    timestamp: Time
    router: str | None
    alerts: list[AlertBody]


class AcknowledgeRequest(Wire, kw_only=True):
    """Acknowledge an active alert for every seat and wall."""

    id: Annotated[Line, msgspec.Meta(description="The alert's `id`.")]
    user: Annotated[
        Line | None,
        msgspec.Meta(description="Who at the seat acknowledged it (the seat's login name)."),
    ] = None


class AcknowledgeAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    timestamp: Time
    alert: AlertBody


class ChangeRequestBody(Wire, kw_only=True):
    """A change through the collector's workflow: an interface shut down or brought back,
    or a subscriber's sessions cut."""

    router: Line | None = None
    action: ChangeAction
    interface: Annotated[
        Line | None, msgspec.Meta(description="shutdown, undo_shutdown: the interface.")
    ] = None
    username: Annotated[
        Line | None, msgspec.Meta(description="cut_user: the subscriber's account name.")
    ] = None
    confirm: Annotated[
        Line | None,
        msgspec.Meta(
            description="Repeats the interface name (or the account name): the operator's "
            "confirmation. Without it /api/change answers 400 with the `preview`."
        ),
    ] = None
    lines: Annotated[
        Annotated[list[Line], msgspec.Meta(max_length=MAX_PREVIEW_LINES)] | None,
        msgspec.Meta(
            description="The exact lines the operator was shown. When given they must be "
            "the lines the collector would send, else 409 `preview_mismatch` (with the "
            "collector's `preview`) and nothing is sent."
        ),
    ] = None


class ChangePreviewAnswer(Wire, kw_only=True):
    """The exact lines a change would send; nothing was sent."""

    success: Literal[True] = True
    timestamp: Time
    router: str
    action: ChangeAction
    target: Annotated[
        str, msgspec.Meta(description="The canonical interface name, or the account name.")
    ]
    lines: list[str]
    confirm_with: Annotated[
        str, msgspec.Meta(description="What `confirm` must repeat to send the change.")
    ]


class ChangeResultAnswer(Wire, kw_only=True):
    """A change that went through; the router's answer to every line."""

    success: Literal[True] = True
    timestamp: Time
    router: str
    action: ChangeAction
    target: str
    outcome: Annotated[
        str, msgspec.Meta(description="committed (configuration) or applied (cut access-user).")
    ]
    commands: list[str]
    transcript: list[TranscriptStep]
    users_cut: Annotated[
        int | None,
        msgspec.Meta(description="Sessions the router said it cut (cut_user; null: not said)."),
    ] = None


class AuditClientBody(Wire, kw_only=True):
    address: str | None
    via: str
    protocol: str | None = None
    auth: str | None = None
    seat: str | None = None


class AuditRecord(Wire, kw_only=True):
    """One line of the collector's audit log."""

    time: str
    user: str
    client: AuditClientBody | None = None
    router: str
    commands: list[str]
    outcome: str
    output: str
    detail: str | None = None


class AuditAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    timestamp: Time
    router: str | None
    entries: Annotated[
        list[AuditRecord],
        msgspec.Meta(description="Oldest first; the newest `limit` entries that match."),
    ]
