"""The five data sections of the feed, built from the engine's per-router snapshot.

The engine keeps one value per *command* (``cpu``, ``memory``, ``interface_brief``, ...);
the feed speaks in the earlier service's five *sections*. This module is the one mapping
between them, used by the WebSocket `router_data` messages and the HTTP endpoints alike, so
the two can never disagree. A section none of whose sources has been collected is ``None``
(sent as ``null``), never a structure of zeros.

Every section carries its freshness, from the engine's one rule
(:mod:`app.engine.freshness`): ``collected_at`` is the *oldest* answer among the sources it
shows (never the time of the request), ``age_s`` its age, ``stale`` whether any of those
sources is stale (its last poll failed, or it is older than its ``max_age``),
``fresh_until`` when the first of them turns stale by the clock alone, ``error`` the newest
error of a source that fails now (with the first line the parser could not read), and
``sources`` the same per engine section. Stale data is sent marked, never re-stamped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.alarms import AlarmList
from app.domain.interfaces import InterfaceBrief, InterfaceDetail
from app.domain.subscribers import AccessUserCounters
from app.domain.system import CpuUsage, Health, MemoryUsage, Version
from app.engine.freshness import Freshness, SectionRecord, freshness_of
from app.engine.monitor import Monitor, RouterSnapshot
from app.engine.rates import TrafficGap, TrafficPoint, TrafficSample
from app.engine.subscribers import SubscriberSummary
from app.feed.wire.base import finite, iso_or_none, iso_z, safe_int
from app.feed.wire.sections import (
    FeedSection,
    InterfacesStatusSection,
    LastError,
    NetworkTrafficSection,
    OnlineTotalSection,
    PppoeStatsSection,
    RouterSections,
    SectionError,
    SectionStatus,
    SectionWarning,
    SystemMetricsSection,
    TrafficRow,
)

ONLINE_TOTAL = "online_total"
SYSTEM_METRICS = "system_metrics"
INTERFACES_STATUS = "interfaces_status"
NETWORK_TRAFFIC = "network_traffic"
PPPOE_STATS = "pppoe_stats"

# Feed section -> the engine sections it is made of (see app.engine.poller.SECTIONS).
SOURCES: Mapping[str, tuple[str, ...]] = {
    ONLINE_TOTAL: ("online_total",),
    SYSTEM_METRICS: ("cpu", "memory", "health", "version", "alarms"),
    INTERFACES_STATUS: ("interface_brief",),
    NETWORK_TRAFFIC: ("traffic",),
    PPPOE_STATS: ("subscribers", "domains", "ip_pools", "slots"),
}
FEED_SECTIONS: tuple[str, ...] = tuple(SOURCES)
DERIVED_SECTION = "subscribers"  # built by the engine from online_total, domains, ...

# Engine section -> the feed section it changes.
FEED_SECTION_OF: Mapping[str, str] = {
    source: section for section, sources in SOURCES.items() for source in sources
}


@dataclass(frozen=True, slots=True)
class _Rate:
    in_bps: float | None
    out_bps: float | None
    in_pps: float | None
    out_pps: float | None
    sampled_at: float
    gap: str | None  # why there is no rate (poll_failed, counter_reset, clock)


class TrafficRates:
    """The newest rate (or gap) per router and interface, from `TrafficSampled` events.

    The engine hands rates out only as events; the feed keeps the last one so a new client
    or an HTTP request sees them. Bits/s fall back to the history ring when the feed started
    after the last sample (packets/s are not kept there: they stay null until the next poll).
    """

    def __init__(self) -> None:
        self._rates: dict[str, dict[str, _Rate]] = {}

    def update(self, router: str, points: Iterable[TrafficPoint]) -> None:
        rates = self._rates.setdefault(router, {})
        for point in points:
            if isinstance(point, TrafficSample):
                rates[point.interface] = _Rate(
                    point.in_bps, point.out_bps, point.in_pps, point.out_pps, point.t, None
                )
            elif isinstance(point, TrafficGap):
                rates[point.interface] = _Rate(None, None, None, None, point.t, str(point.reason))

    def forget(self, router: str) -> None:
        self._rates.pop(router, None)

    def rate(self, monitor: Monitor, router: str, interface: str) -> _Rate | None:
        known = self._rates.get(router, {}).get(interface)
        if known is not None:
            return known
        latest_in = monitor.history.latest(router, f"if.{interface}.in_bps")
        latest_out = monitor.history.latest(router, f"if.{interface}.out_bps")
        if latest_in is None and latest_out is None:
            return None
        sampled_at = max(p[0] for p in (latest_in, latest_out) if p is not None)
        return _Rate(
            None if latest_in is None else latest_in[1],
            None if latest_out is None else latest_out[1],
            None,
            None,
            sampled_at,
            None,
        )


def source_records(snapshot: RouterSnapshot, name: str) -> list[SectionRecord]:
    """The engine records behind feed section `name` (a bare value gets a lasting record)."""
    records = []
    for source in SOURCES[name]:
        record = snapshot.records.get(source)
        if record is None:  # a snapshot built without records: its values do not age
            record = SectionRecord(source, math.inf, snapshot.sections.get(source))
        records.append(record)
    return records


def section_error(record: SectionRecord) -> SectionError | None:
    """The error that makes `record` fail now, for the API (None while it succeeds)."""
    error = record.error
    if error is None:
        return None
    return SectionError(
        code=error.code,
        message=error.detail,
        section=record.section,
        command=error.command,
        line=error.line,
        line_number=error.line_number,
        at=iso_z(error.at),
        consecutive_failures=record.failures,
    )


def section_status(record: SectionRecord, now: float) -> SectionStatus:
    """One engine section's freshness and poll outcome (`/api/router_status`, `sources`)."""
    collected = record.collected_at
    age = record.age(now)
    last = record.last_error
    return SectionStatus(
        state=freshness_of(record, now),
        collected_at=iso_or_none(collected),
        collected_epoch=collected,
        age_s=None if age is None else round(age, 3),
        max_age_s=record.max_age if math.isfinite(record.max_age) else None,
        outcome=record.outcome,
        partial=record.partial,
        consecutive_failures=record.failures,
        error=section_error(record),
        last_error=None
        if last is None
        else LastError(code=last.code, message=last.detail, at=iso_z(last.at)),
        raw=record.raw,
    )


def _verdict(
    records: list[SectionRecord], now: float
) -> tuple[Freshness, SectionRecord | None]:
    """A feed section's state (stale if any shown part is, never if none is shown) and the
    record holding its newest error (on a tie the section that failed, not the summary
    built from it)."""
    shown = [r for r in records if r.value is not None]
    if any(freshness_of(r, now) is Freshness.STALE for r in shown):
        state = Freshness.STALE
    else:
        state = Freshness.FRESH if shown else Freshness.NEVER
    failing = [r for r in records if r.error is not None]
    newest = max(
        failing,
        key=lambda r: (r.error.at, r.section != DERIVED_SECTION),  # type: ignore[union-attr]
        default=None,
    )
    return state, newest


def section_told(snapshot: RouterSnapshot, name: str, now: float) -> tuple[str, str | None]:
    """What clients know of feed section `name`: its state and its error code. The
    freshness watch compares only these, every few seconds for every router, so it does
    not build the section's other fields."""
    state, newest = _verdict(source_records(snapshot, name), now)
    error = None if newest is None else section_error(newest)
    return str(state), None if error is None else str(error.code)


def freshness_fields(records: Iterable[SectionRecord], now: float) -> dict[str, Any]:
    """Freshness of a feed section made of `records` (see the module docstring): the
    keyword arguments of :class:`FeedSection` beyond a section's own figures."""
    records = list(records)
    shown = [r for r in records if r.value is not None]
    state, newest = _verdict(records, now)
    oldest = min((r.collected_at for r in shown), default=None)  # type: ignore[type-var]
    until = min((r.collected_at + r.max_age for r in shown), default=None)  # type: ignore[operator]
    warnings = [
        SectionWarning(
            section=r.section, message=w.message, line=w.line, line_number=w.line_number
        )
        for r in shown
        for w in r.value.warnings  # type: ignore[union-attr]
    ]
    stale = state is Freshness.STALE
    finite_until = until is not None and math.isfinite(until)
    return {
        "collected_at": iso_or_none(oldest),
        "collected_epoch": oldest,
        "age_s": None if oldest is None else round(max(0.0, now - oldest), 3),
        "stale": stale,
        "state": state,
        "fresh_until": iso_z(until) if finite_until else None,  # type: ignore[arg-type]
        "fresh_until_epoch": until if finite_until else None,
        "partial": bool(warnings),
        "warnings": warnings,
        "error": None if newest is None else section_error(newest),
        "sources": {r.section: section_status(r, now) for r in records},
    }


def section_freshness(snapshot: RouterSnapshot, name: str, now: float) -> dict[str, Any]:
    """The freshness fields of feed section `name` of `snapshot` at `now`."""
    return freshness_fields(source_records(snapshot, name), now)


def build_sections(
    monitor: Monitor,
    snapshot: RouterSnapshot,
    traffic: TrafficRates,
    names: Iterable[str] = FEED_SECTIONS,
    *,
    now: float | None = None,
) -> dict[str, FeedSection | None]:
    """The named feed sections of one router as wire values (None: not collected).

    `now` (epoch seconds, default the engine's clock) is what ages are measured against.
    """
    now = monitor.now() if now is None else now
    result: dict[str, FeedSection | None] = {}
    for name in names:
        records = source_records(snapshot, name)
        if all(r.value is None for r in records):
            result[name] = None
            continue
        fresh = freshness_fields(records, now)
        if name == ONLINE_TOTAL:
            result[name] = _online_total(snapshot, fresh)
        elif name == SYSTEM_METRICS:
            result[name] = _system_metrics(snapshot, fresh)
        elif name == INTERFACES_STATUS:
            result[name] = _interfaces_status(snapshot, fresh)
        elif name == NETWORK_TRAFFIC:
            result[name] = _network_traffic(monitor, snapshot, traffic, now, fresh)
        else:
            result[name] = _pppoe_stats(snapshot, fresh)
    return result


def router_sections(sections: Mapping[str, FeedSection | None]) -> RouterSections:
    """The `data` of a `router_data` message: the given sections, the others absent."""
    return RouterSections(**sections)  # type: ignore[arg-type]


def _of[T](snapshot: RouterSnapshot, section: str, kind: type[T]) -> T | None:
    data = snapshot.data(section)
    return data if isinstance(data, kind) else None


def _online_total(snapshot: RouterSnapshot, fresh: dict[str, Any]) -> OnlineTotalSection | None:
    online = _of(snapshot, "online_total", AccessUserCounters)
    if online is None:
        return None
    return OnlineTotalSection(total=online.total_users, counters=dict(online.counters), **fresh)


def _system_metrics(snapshot: RouterSnapshot, fresh: dict[str, Any]) -> SystemMetricsSection:
    cpu = _of(snapshot, "cpu", CpuUsage)
    memory = _of(snapshot, "memory", MemoryUsage)
    version = _of(snapshot, "version", Version)
    return SystemMetricsSection(
        cpu_percent=None if cpu is None else cpu.cpu_percent,
        memory_percent=None if memory is None else memory.memory_percent,
        memory_used_bytes=None if memory is None else safe_int(memory.used_bytes),
        memory_total_bytes=None if memory is None else safe_int(memory.total_bytes),
        uptime_seconds=None if version is None else version.uptime_seconds,
        model=None if version is None else version.model,
        vrp_version=None if version is None else version.vrp_version,
        cpu=cpu,
        memory=memory,
        health=_of(snapshot, "health", Health),
        version=version,
        alarms=_of(snapshot, "alarms", AlarmList),
        **fresh,
    )


def _interfaces_status(
    snapshot: RouterSnapshot, fresh: dict[str, Any]
) -> InterfacesStatusSection | None:
    brief = _of(snapshot, "interface_brief", InterfaceBrief)
    if brief is None:
        return None
    rows = list(brief.interfaces)
    return InterfacesStatusSection(
        count=len(rows),
        up=sum(1 for row in rows if row.phy_up),
        down=sum(1 for row in rows if not row.phy_up),
        admin_down=sum(1 for row in rows if row.admin_down),
        interfaces=rows,
        **fresh,
    )


def _network_traffic(
    monitor: Monitor,
    snapshot: RouterSnapshot,
    traffic: TrafficRates,
    now: float,
    fresh: dict[str, Any],
) -> NetworkTrafficSection | None:
    details = snapshot.data("traffic")
    if not isinstance(details, Mapping):
        return None
    record = snapshot.records.get("traffic")
    max_age = math.inf if record is None else record.max_age
    try:
        monitored = set(monitor.monitored_interfaces(snapshot.router))
    except KeyError:  # removed meanwhile
        monitored = set()
    rows = []
    for name, detail in details.items():
        if not isinstance(detail, InterfaceDetail):
            continue
        rate = traffic.rate(monitor, snapshot.router, name)
        rows.append(
            TrafficRow(
                name=name,
                monitored=name in monitored,
                description=detail.description,
                current_state=detail.current_state,
                admin_down=detail.admin_down,
                phy_up=detail.phy_up,
                protocol_up=detail.protocol_up,
                bandwidth=detail.bandwidth,
                in_bps=None if rate is None else finite(rate.in_bps),
                out_bps=None if rate is None else finite(rate.out_bps),
                in_pps=None if rate is None else finite(rate.in_pps),
                out_pps=None if rate is None else finite(rate.out_pps),
                sampled_at=None if rate is None else iso_z(rate.sampled_at),
                sampled_epoch=None if rate is None else rate.sampled_at,
                # A rate from counters older than the section's max age is not current.
                stale=rate is not None and now - rate.sampled_at > max_age,
                gap=None if rate is None else rate.gap,
                input_bytes=safe_int(detail.input_bytes),
                output_bytes=safe_int(detail.output_bytes),
                input_packets=safe_int(detail.input_packets),
                output_packets=safe_int(detail.output_packets),
                input_errors=safe_int(detail.input_errors),
                output_errors=safe_int(detail.output_errors),
                input_util_percent=finite(detail.input_util_percent),
                output_util_percent=finite(detail.output_util_percent),
            )
        )
    # Every up port is polled; the totals are the uplinks' (the monitored ones) when any are.
    counted = [row for row in rows if row.monitored] or rows
    return NetworkTrafficSection(
        interfaces=rows,
        total_in_bps=_sum(row.in_bps for row in counted),
        total_out_bps=_sum(row.out_bps for row in counted),
        **fresh,
    )


def _sum(values: Iterable[float | None]) -> float | None:
    """Sum of the known values; None when none is known (no rate yet is not 0 bit/s)."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _pppoe_stats(snapshot: RouterSnapshot, fresh: dict[str, Any]) -> PppoeStatsSection | None:
    summary = _of(snapshot, "subscribers", SubscriberSummary)
    if summary is None or all(
        part is None for part in (summary.total, summary.domains, summary.slots, summary.pools)
    ):
        return None  # the engine combined sources none of which answered yet
    return PppoeStatsSection(
        total=summary.total,
        domains=None if summary.domains is None else list(summary.domains),
        slots=None if summary.slots is None else list(summary.slots),
        pools=None if summary.pools is None else list(summary.pools),
        pool_summary=summary.pool_summary,
        **fresh,
    )
