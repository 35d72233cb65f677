"""The five data sections of the feed, built from the engine's per-router snapshot.

The engine keeps one value per *command* (``cpu``, ``memory``, ``interface_brief``, ...);
the feed speaks in the earlier service's five *sections*. This module is the one mapping
between them, used by the WebSocket `router_data` messages and the HTTP endpoints alike, so
the two can never disagree. A section none of whose sources has been collected is ``None``
(sent as ``null``), never a structure of zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.interfaces import InterfaceBrief, InterfaceDetail
from app.domain.subscribers import AccessUserCounters
from app.domain.system import CpuUsage, MemoryUsage, Version
from app.engine.monitor import Monitor, RouterSnapshot
from app.engine.rates import TrafficGap, TrafficPoint, TrafficSample
from app.engine.subscribers import SubscriberSummary
from app.feed.serialize import iso_z, to_jsonable

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


def build_sections(
    monitor: Monitor,
    snapshot: RouterSnapshot,
    traffic: TrafficRates,
    names: Iterable[str] = FEED_SECTIONS,
) -> dict[str, dict[str, Any] | None]:
    """The named feed sections of one router as JSON-ready dicts (None: not collected)."""
    builders = {
        ONLINE_TOTAL: _online_total,
        SYSTEM_METRICS: _system_metrics,
        INTERFACES_STATUS: _interfaces_status,
        NETWORK_TRAFFIC: lambda s: _network_traffic(monitor, s, traffic),
        PPPOE_STATS: _pppoe_stats,
    }
    result: dict[str, dict[str, Any] | None] = {}
    for name in names:
        collected = [
            value.timestamp
            for source in SOURCES[name]
            if (value := snapshot.sections.get(source)) is not None
        ]
        if not collected:
            result[name] = None
            continue
        body = builders[name](snapshot)
        if body is None:
            result[name] = None
            continue
        body["collected_at"] = iso_z(max(collected))
        body["collected_epoch"] = max(collected)
        result[name] = to_jsonable(body)
    return result


def _of[T](snapshot: RouterSnapshot, section: str, kind: type[T]) -> T | None:
    data = snapshot.data(section)
    return data if isinstance(data, kind) else None


def _online_total(snapshot: RouterSnapshot) -> dict[str, Any] | None:
    online = _of(snapshot, "online_total", AccessUserCounters)
    if online is None:
        return None
    return {"total": online.total_users, "counters": dict(online.counters)}


def _system_metrics(snapshot: RouterSnapshot) -> dict[str, Any]:
    cpu = _of(snapshot, "cpu", CpuUsage)
    memory = _of(snapshot, "memory", MemoryUsage)
    version = _of(snapshot, "version", Version)
    return {
        "cpu_percent": None if cpu is None else cpu.cpu_percent,
        "memory_percent": None if memory is None else memory.memory_percent,
        "memory_used_bytes": None if memory is None else memory.used_bytes,
        "memory_total_bytes": None if memory is None else memory.total_bytes,
        "uptime_seconds": None if version is None else version.uptime_seconds,
        "model": None if version is None else version.model,
        "vrp_version": None if version is None else version.vrp_version,
        "cpu": cpu,
        "memory": memory,
        "health": snapshot.data("health"),
        "version": version,
        "alarms": snapshot.data("alarms"),
    }


def _interfaces_status(snapshot: RouterSnapshot) -> dict[str, Any] | None:
    brief = _of(snapshot, "interface_brief", InterfaceBrief)
    if brief is None:
        return None
    rows = brief.interfaces
    return {
        "count": len(rows),
        "up": sum(1 for row in rows if row.phy_up),
        "down": sum(1 for row in rows if not row.phy_up),
        "admin_down": sum(1 for row in rows if row.admin_down),
        "interfaces": rows,
    }


def _network_traffic(
    monitor: Monitor, snapshot: RouterSnapshot, traffic: TrafficRates
) -> dict[str, Any] | None:
    details = snapshot.data("traffic")
    if not isinstance(details, Mapping):
        return None
    rows = []
    for name, detail in details.items():
        if not isinstance(detail, InterfaceDetail):
            continue
        rate = traffic.rate(monitor, snapshot.router, name)
        rows.append(
            {
                "name": name,
                "description": detail.description,
                "phy_up": detail.phy_up,
                "protocol_up": detail.protocol_up,
                "bandwidth": detail.bandwidth,
                "in_bps": None if rate is None else rate.in_bps,
                "out_bps": None if rate is None else rate.out_bps,
                "in_pps": None if rate is None else rate.in_pps,
                "out_pps": None if rate is None else rate.out_pps,
                "sampled_at": None if rate is None else iso_z(rate.sampled_at),
                "gap": None if rate is None else rate.gap,
                "input_bytes": detail.input_bytes,
                "output_bytes": detail.output_bytes,
                "input_packets": detail.input_packets,
                "output_packets": detail.output_packets,
                "input_errors": detail.input_errors,
                "output_errors": detail.output_errors,
                "input_util_percent": detail.input_util_percent,
                "output_util_percent": detail.output_util_percent,
            }
        )
    return {
        "interfaces": rows,
        "total_in_bps": _sum(row["in_bps"] for row in rows),
        "total_out_bps": _sum(row["out_bps"] for row in rows),
    }


def _sum(values: Iterable[float | None]) -> float | None:
    """Sum of the known values; None when none is known (no rate yet is not 0 bit/s)."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _pppoe_stats(snapshot: RouterSnapshot) -> dict[str, Any] | None:
    summary = _of(snapshot, "subscribers", SubscriberSummary)
    if summary is None or all(
        part is None for part in (summary.total, summary.domains, summary.slots, summary.pools)
    ):
        return None  # the engine combined sources none of which answered yet
    return {
        "total": summary.total,
        "domains": summary.domains,
        "slots": summary.slots,
        "pools": summary.pools,
        "pool_summary": summary.pool_summary,
    }
