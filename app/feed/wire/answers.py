"""HTTP answers of the data endpoints and the error object every endpoint shares."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.engine.freshness import Freshness
from app.feed.wire.base import Time, Wire
from app.feed.wire.sections import (
    InterfacesStatusSection,
    NetworkTrafficSection,
    OnlineTotalSection,
    PppoeStatsSection,
    SectionError,
    SystemMetricsSection,
)


class ErrorBody(Wire, kw_only=True):
    """What went wrong, for a program (`code`) and for a person (`message`)."""

    code: Annotated[
        str,
        msgspec.Meta(
            description="Machine-readable, e.g. not_found, unknown_router, router_required, "
            "token_required (401), bad_token (403), bad_request (400)."
        ),
    ]
    message: str
    routers: list[str] | UnsetType = UNSET
    allowed: list[str] | UnsetType = UNSET
    retry_after: Annotated[
        int | UnsetType, msgspec.Meta(description="Seconds (rate_limited only).")
    ] = UNSET
    preview: Annotated[
        list[str] | UnsetType,
        msgspec.Meta(description="The lines the change would send (confirmation_required)."),
    ] = UNSET
    limit: Annotated[
        float | UnsetType, msgspec.Meta(description="The bound a value exceeded (history).")
    ] = UNSET


class ErrorAnswer(Wire, kw_only=True):
    success: Literal[False] = False
    timestamp: Time
    error: ErrorBody


class SectionAnswer(Wire, kw_only=True):
    """A data endpoint's answer: the section's data and how fresh it is."""

    success: Literal[True] = True
    router: str
    timestamp: Time
    collected: Annotated[
        bool,
        msgspec.Meta(
            description="True when `data` is there and current; false before the first "
            "poll and while the data is stale."
        ),
    ]
    collected_at: Time | None
    age_s: float | None
    stale: bool
    state: Freshness
    fresh_until: Time | None
    partial: bool
    error: SectionError | None
    message: Annotated[
        str | UnsetType,
        msgspec.Meta(description="Why `collected` is false (not collected yet, stale)."),
    ] = UNSET


class OnlineTotalAnswer(SectionAnswer, kw_only=True):
    data: OnlineTotalSection | None


class SystemMetricsAnswer(SectionAnswer, kw_only=True):
    data: SystemMetricsSection | None


class InterfacesStatusAnswer(SectionAnswer, kw_only=True):
    data: InterfacesStatusSection | None


class NetworkTrafficAnswer(SectionAnswer, kw_only=True):
    data: NetworkTrafficSection | None


class PppoeStatsAnswer(SectionAnswer, kw_only=True):
    data: PppoeStatsSection | None


SECTION_ANSWERS: dict[str, type[SectionAnswer]] = {
    "online_total": OnlineTotalAnswer,
    "system_metrics": SystemMetricsAnswer,
    "interfaces_status": InterfacesStatusAnswer,
    "network_traffic": NetworkTrafficAnswer,
    "pppoe_stats": PppoeStatsAnswer,
}


class RouterOnlineTotal(Wire, kw_only=True):
    """One router's online total within the answer for all routers."""

    collected: bool
    collected_at: Time | None
    age_s: float | None
    stale: bool
    state: Freshness
    fresh_until: Time | None
    partial: bool
    error: SectionError | None
    data: OnlineTotalSection | None


class AllOnlineTotalAnswer(Wire, kw_only=True):
    """`/api/online_total` without `router` while several routers are monitored."""

    success: Literal[True] = True
    router: None = None
    timestamp: Time
    collected: Annotated[
        bool, msgspec.Meta(description="Every router's figure is known and current.")
    ]
    stale: Annotated[bool, msgspec.Meta(description="Some router's figure is stale.")]
    total: Annotated[
        int | None,
        msgspec.Meta(
            description="The sum, null until every router is known (a partial sum would "
            "look like a mass drop)."
        ),
    ]
    routers: dict[str, RouterOnlineTotal]
