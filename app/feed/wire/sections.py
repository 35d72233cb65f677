"""The five data sections of the feed and the freshness every one of them carries.

A section is exactly the `data` of its HTTP endpoint and a member of `router_data`. Its
figures come with where they come from (``sources``: the engine sections it is made of)
and how old they are: ``collected_at`` is the oldest router answer it shows, never the
time of the request; stale data is sent marked, never re-stamped with "now".
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from app.domain.alarms import AlarmList
from app.domain.interfaces import BriefInterface
from app.domain.system import CpuUsage, Health, MemoryUsage, Version
from app.engine.freshness import ErrorCode, Freshness, Outcome
from app.engine.subscribers import DomainUsage, PoolUsage, SlotUsage
from app.feed.wire.base import Epoch, SafeInt, Time, Wire

Seconds = Annotated[float, msgspec.Meta(description="Seconds.")]


class SectionError(Wire, kw_only=True):
    """Why a section's last poll failed (null while it succeeds)."""

    code: Annotated[ErrorCode, msgspec.Meta(description="Stable, for clients to translate.")]
    message: Annotated[str, msgspec.Meta(description="English detail.")]
    section: Annotated[str, msgspec.Meta(description="The engine section that failed.")]
    command: str | None
    line: Annotated[
        str | None,
        msgspec.Meta(description="The first line of the router's answer that could not be read."),
    ]
    line_number: int | None
    at: Time
    consecutive_failures: int


class LastError(Wire, kw_only=True):
    """The newest error of a section, kept after it succeeds again."""

    code: ErrorCode
    message: str
    at: Time


class SectionStatus(Wire, kw_only=True):
    """One engine section's freshness and poll outcome."""

    state: Freshness
    collected_at: Time | None
    collected_epoch: Annotated[
        Epoch | None, msgspec.Meta(description="`collected_at` in epoch seconds.")
    ] = None
    age_s: Seconds | None
    max_age_s: Annotated[
        float | None,
        msgspec.Meta(description="Seconds an answer stays fresh (2 x interval + timeout)."),
    ]
    outcome: Outcome | None
    partial: bool
    consecutive_failures: int
    error: SectionError | None
    last_error: LastError | None
    raw: Annotated[
        str | None,
        msgspec.Meta(
            description="The router's own text of the last answer that could not be read "
            "or was read only in part (null otherwise), for the operator to read."
        ),
    ] = None


class SectionWarning(Wire, kw_only=True):
    """A line of the router's answer that the parser skipped."""

    section: str
    message: str
    line: str
    line_number: int | None


class FeedSection(Wire, kw_only=True):
    """One data section: its figures plus where they come from and how old they are.
    Stale data is sent marked, never re-stamped with the current time."""

    collected_at: Annotated[
        Time | None,
        msgspec.Meta(description="When the router gave the data (the oldest answer it shows)."),
    ]
    collected_epoch: Epoch | None
    age_s: Annotated[float | None, msgspec.Meta(description="Seconds since then.")]
    stale: Annotated[
        bool,
        msgspec.Meta(description="The data's last poll failed or it is older than its max age."),
    ]
    state: Freshness
    fresh_until: Annotated[
        Time | None,
        msgspec.Meta(description="When the data turns stale by the clock if no new answer comes."),
    ]
    fresh_until_epoch: Epoch | None
    partial: Annotated[bool, msgspec.Meta(description="Some lines of an answer were not read.")]
    warnings: list[SectionWarning]
    error: Annotated[
        SectionError | None,
        msgspec.Meta(description="The newest error of a source that fails now."),
    ]
    sources: Annotated[
        dict[str, SectionStatus],
        msgspec.Meta(description="The engine sections this section is made of."),
    ]


class OnlineTotalSection(FeedSection, kw_only=True):
    """`display access-user online-total`: the online subscriber total."""

    total: int | None
    counters: dict[str, int]


class SystemMetricsSection(FeedSection, kw_only=True):
    """CPU, memory, board health, version and the router's active alarms."""

    cpu_percent: int | None
    memory_percent: int | None
    memory_used_bytes: SafeInt | None
    memory_total_bytes: SafeInt | None
    uptime_seconds: int | None
    model: str | None
    vrp_version: str | None
    cpu: CpuUsage | None
    memory: MemoryUsage | None
    health: Health | None
    version: Version | None
    alarms: AlarmList | None


class InterfacesStatusSection(FeedSection, kw_only=True):
    """`display interface brief`: every interface and the counts of up and down."""

    count: int
    up: int
    down: int
    admin_down: int
    interfaces: list[BriefInterface]


class TrafficRow(Wire, kw_only=True):
    """One polled interface: its rates between the last two polls and its counters."""

    name: str
    monitored: Annotated[
        bool, msgspec.Meta(description="An uplink: down alerts, traffic plots, the wall.")
    ]
    description: str
    current_state: Annotated[
        str, msgspec.Meta(description="As printed after `current state :` (UP, DOWN, ...).")
    ] = ""
    admin_down: bool = False
    phy_up: bool
    protocol_up: bool | None
    bandwidth: str | None
    in_bps: float | None
    out_bps: float | None
    in_pps: float | None
    out_pps: float | None
    sampled_at: Annotated[
        Time | None,
        msgspec.Meta(description="When the newer of the two counter readings was taken."),
    ]
    sampled_epoch: Annotated[
        Epoch | None, msgspec.Meta(description="`sampled_at` in epoch seconds.")
    ] = None
    stale: Annotated[
        bool, msgspec.Meta(description="The rate comes from counters older than the max age.")
    ]
    gap: Annotated[
        str | None,
        msgspec.Meta(description="Why there is no rate: poll_failed, counter_reset, clock."),
    ]
    input_bytes: SafeInt | None
    output_bytes: SafeInt | None
    input_packets: SafeInt | None
    output_packets: SafeInt | None
    input_errors: SafeInt | None
    output_errors: SafeInt | None
    input_util_percent: float | None
    output_util_percent: float | None


class NetworkTrafficSection(FeedSection, kw_only=True):
    """Per-interface bits/s and packets/s; the totals are the uplinks' (all ports when no
    uplink is marked), null when no rate is known yet."""

    interfaces: list[TrafficRow]
    total_in_bps: float | None
    total_out_bps: float | None


class PppoeStatsSection(FeedSection, kw_only=True):
    """Subscriber summary: total, per domain, per slot, per IP pool."""

    total: int | None
    domains: list[DomainUsage] | None
    slots: list[SlotUsage] | None
    pools: list[PoolUsage] | None
    pool_summary: PoolUsage | None


AnySection = (
    OnlineTotalSection
    | SystemMetricsSection
    | InterfacesStatusSection
    | NetworkTrafficSection
    | PppoeStatsSection
)


class RouterSections(Wire, kw_only=True):
    """The data sections of a router. A `router_data` message carries the ones that changed
    (or whose freshness changed); the others are absent. Missing data is null, never 0."""

    online_total: OnlineTotalSection | UnsetType | None = UNSET
    system_metrics: SystemMetricsSection | UnsetType | None = UNSET
    interfaces_status: InterfacesStatusSection | UnsetType | None = UNSET
    network_traffic: NetworkTrafficSection | UnsetType | None = UNSET
    pppoe_stats: PppoeStatsSection | UnsetType | None = UNSET
