"""The feed's sections turned back into the engine's section records (the reverse of
:mod:`app.feed.sections`).

The feed speaks in five sections, each naming the engine sections it is made of
(``sources``) with their freshness: the time the router answered (``collected_epoch``),
the last outcome, consecutive failures, the error with the first line not understood, the
router's own text of a partial answer. Each source becomes a
:class:`~app.engine.freshness.SectionRecord` holding the model the views read (the domain
dataclasses travel natively in the feed). Times are the router's, never the time a message
arrived. What the feed does not carry stays missing (None), never invented:

* ``domains``, ``ip_pools``, ``slots``: the feed sends them combined as the subscriber
  summary (``subscribers``); their records keep time and outcome, with no model of their own;
* ``traffic``: each interface's detail carries what the feed's traffic rows hold
  (description, states, bandwidth, counters, utilisation); the router's 300-second
  averages, MTU, addresses and the like are None.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from msgspec import UNSET

from app.domain.interfaces import InterfaceBrief, InterfaceDetail
from app.domain.parsing import ParseWarning
from app.domain.subscribers import AccessUserCounters
from app.engine.freshness import SectionError, SectionRecord, SectionValue
from app.engine.rates import GapReason, TrafficGap, TrafficPoint, TrafficSample
from app.engine.subscribers import SubscriberSummary
from app.feed.sections import FEED_SECTIONS, SOURCES
from app.feed.wire.sections import (
    FeedSection,
    InterfacesStatusSection,
    NetworkTrafficSection,
    OnlineTotalSection,
    PppoeStatsSection,
    RouterSections,
    SectionStatus,
    SystemMetricsSection,
    TrafficRow,
)
from app.feed.wire.sections import SectionError as WireSectionError


def epoch_of(iso: str | None) -> float | None:
    """Epoch seconds of the feed's ISO 8601 time (None stays None)."""
    if iso is None:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _int(value: int | str | None) -> int | None:
    """A SafeInt back to an int (the feed sends integers beyond 2**53 as strings)."""
    return None if value is None else int(value)


def section_error(error: WireSectionError) -> SectionError:
    return SectionError(
        code=error.code,
        detail=error.message,
        at=epoch_of(error.at) or 0.0,
        command=error.command,
        line=error.line,
        line_number=error.line_number,
    )


def record_of(
    name: str,
    status: SectionStatus,
    data: Any,
    warnings: tuple[ParseWarning, ...] = (),
) -> SectionRecord:
    """The engine record of source `name` as the collector describes it, holding `data`."""
    collected = status.collected_epoch
    if collected is None:
        collected = epoch_of(status.collected_at)
    value = None
    if collected is not None:
        value = SectionValue(data, collected, warnings, status.raw if warnings else None)
    if status.error is not None:
        last_error: SectionError | None = section_error(status.error)
    elif status.last_error is not None:
        last = status.last_error
        last_error = SectionError(last.code, last.message, epoch_of(last.at) or 0.0)
    else:
        last_error = None
    return SectionRecord(
        section=name,
        max_age=math.inf if status.max_age_s is None else status.max_age_s,
        value=value,
        outcome=status.outcome,
        attempted_at=None,  # the collector does not say; nothing here reads it
        failures=status.consecutive_failures,
        last_error=last_error,
        raw=status.raw,
    )


def _warnings(section: FeedSection, source: str) -> tuple[ParseWarning, ...]:
    return tuple(
        ParseWarning(w.message, w.line, w.line_number)
        for w in section.warnings
        if w.section == source
    )


def _traffic_detail(row: TrafficRow) -> InterfaceDetail:
    """What the feed's traffic row says about a port; the rest of the detail is None."""
    return InterfaceDetail(
        name=row.name,
        current_state=row.current_state,
        phy_up=row.phy_up,
        admin_down=row.admin_down,
        protocol_state=None,
        protocol_up=row.protocol_up,
        ifindex=None,
        description=row.description,
        mtu=None,
        bandwidth=row.bandwidth,
        internet_address=None,
        mac_address=None,
        last_up_time=None,
        last_down_time=None,
        last_protocol_up_time=None,
        rate_interval_seconds=None,
        input_rate_bps=None,
        input_rate_pps=None,
        output_rate_bps=None,
        output_rate_pps=None,
        input_bytes=_int(row.input_bytes),
        input_packets=_int(row.input_packets),
        output_bytes=_int(row.output_bytes),
        output_packets=_int(row.output_packets),
        input_errors=_int(row.input_errors),
        output_errors=_int(row.output_errors),
        crc_errors=None,
        input_util_percent=row.input_util_percent,
        output_util_percent=row.output_util_percent,
        trunk_members=(),
        counter_order=None,
    )


def _models(section: FeedSection) -> dict[str, Any]:
    """The engine models a feed section holds, by engine section name."""
    if isinstance(section, OnlineTotalSection):
        return {
            "online_total": AccessUserCounters(
                total_users=section.total,
                counters=dict(section.counters),
                warnings=_warnings(section, "online_total"),
            )
        }
    if isinstance(section, SystemMetricsSection):
        return {
            "cpu": section.cpu,
            "memory": section.memory,
            "health": section.health,
            "version": section.version,
            "alarms": section.alarms,
        }
    if isinstance(section, InterfacesStatusSection):
        return {
            "interface_brief": InterfaceBrief(
                tuple(section.interfaces), _warnings(section, "interface_brief")
            )
        }
    if isinstance(section, NetworkTrafficSection):
        return {"traffic": {row.name: _traffic_detail(row) for row in section.interfaces}}
    if isinstance(section, PppoeStatsSection):
        return {
            "subscribers": SubscriberSummary(
                total=section.total,
                domains=None if section.domains is None else tuple(section.domains),
                slots=None if section.slots is None else tuple(section.slots),
                pools=None if section.pools is None else tuple(section.pools),
                pool_summary=section.pool_summary,
            )
        }
    return {}


def section_records(name: str, section: FeedSection | None) -> dict[str, SectionRecord]:
    """The records of the engine sections behind feed section `name`.

    A section the collector has never collected (``null``) leaves its sources with no
    answer yet (``never``), which is exactly what the collector knows."""
    sources = SOURCES[name]
    if section is None:
        return {source: SectionRecord(source, math.inf) for source in sources}
    models = _models(section)
    records = {}
    for source in sources:
        status = section.sources.get(source)
        if status is None:  # an older collector without this source: nothing known
            records[source] = SectionRecord(source, math.inf)
            continue
        records[source] = record_of(
            source, status, models.get(source), _warnings(section, source)
        )
    return records


def router_records(data: RouterSections) -> dict[str, SectionRecord]:
    """Every engine record a `router_data` message carries (its absent sections: none)."""
    records: dict[str, SectionRecord] = {}
    for name in FEED_SECTIONS:
        section = getattr(data, name)
        if section is UNSET:
            continue
        records.update(section_records(name, section))
    return records


def traffic_points(
    router: str, section: FeedSection | None, seen: dict[str, float]
) -> list[TrafficPoint]:
    """The rates (or gaps) of `section` newer than the ones already taken (`seen`, by
    interface: the time of the newest one); `seen` is updated."""
    if not isinstance(section, NetworkTrafficSection):
        return []
    points: list[TrafficPoint] = []
    for row in section.interfaces:
        at = row.sampled_epoch if row.sampled_epoch is not None else epoch_of(row.sampled_at)
        if at is None or at <= seen.get(row.name, -math.inf):
            continue
        seen[row.name] = at
        if row.gap is not None:
            points.append(TrafficGap(router, row.name, at, _gap_reason(row.gap)))
        else:
            points.append(
                TrafficSample(router, row.name, at, row.in_bps, row.out_bps, row.in_pps,
                              row.out_pps)
            )
    return points


def _gap_reason(text: str) -> GapReason:
    try:
        return GapReason(text)
    except ValueError:  # a newer collector's reason: still a gap
        return GapReason.POLL_FAILED
