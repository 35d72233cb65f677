"""Per-interface bits/s and packets/s from 64-bit counter deltas between polls.

The router's own `300 seconds input rate` is a slow average; the NOC wants what happened
since the last poll, so the rate is the counter delta over the time between the two polls
actually observed. Counters are exact Python ints (busy uplinks pass 2**53 bytes).

Two rules keep the graphs honest:
- a counter that goes backwards (interface reset, reboot, a 64-bit wrap) starts a new series:
  a gap marker, never a huge spike or a negative rate;
- a poll that failed leaves a gap marker, never a zero, and the next good poll starts a new
  series, because a rate spanning the gap would smear traffic over time nobody saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain.interfaces import InterfaceDetail


class GapReason(StrEnum):
    """Why a series breaks."""

    POLL_FAILED = "poll_failed"
    COUNTER_RESET = "counter_reset"  # a counter went backwards
    CLOCK = "clock"  # poll time did not advance (clock stepped back or duplicate poll)


@dataclass(frozen=True, slots=True)
class TrafficSample:
    """Average rates of one interface between the previous poll and the poll at ``t``.

    A rate is None when the router printed no counter for it in either poll.
    """

    router: str
    interface: str
    t: float  # poll timestamp (seconds, the caller's clock: epoch for history)
    in_bps: float | None
    out_bps: float | None
    in_pps: float | None
    out_pps: float | None


@dataclass(frozen=True, slots=True)
class TrafficGap:
    """No rate for ``interface`` at ``t``: the series breaks here (draw no line across)."""

    router: str
    interface: str
    t: float
    reason: GapReason


TrafficPoint = TrafficSample | TrafficGap


@dataclass(frozen=True, slots=True)
class _Reading:
    t: float
    in_bytes: int | None
    out_bytes: int | None
    in_packets: int | None
    out_packets: int | None

    @classmethod
    def of(cls, detail: InterfaceDetail, t: float) -> _Reading:
        return cls(
            t, detail.input_bytes, detail.output_bytes, detail.input_packets, detail.output_packets
        )

    def counters(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (self.in_bytes, self.out_bytes, self.in_packets, self.out_packets)


class RateTracker:
    """Counter readings per router and interface; turns each poll into samples and gaps.

    Only the last reading per interface is kept. An interface absent from a successful poll
    (and not named in its `keep`) is forgotten; one that reappears starts a new series.
    """

    def __init__(self) -> None:
        # router -> interface -> last reading, or None after a gap (series not started).
        self._last: dict[str, dict[str, _Reading | None]] = {}

    def update(
        self,
        router: str,
        t: float,
        interfaces: Iterable[InterfaceDetail],
        *,
        failed: Iterable[str] = (),
        taken: Mapping[str, float] | None = None,
        keep: Iterable[str] = (),
    ) -> list[TrafficPoint]:
        """Feed one poll of `router` taken at `t`; returns its samples and gap markers.

        `t` is when the output was actually received (not when the poll was scheduled), so
        jitter and slow commands cost no accuracy. `taken` gives an interface (by its
        printed name) its own answer time instead: each rate is then its own two readings'
        counter delta over their own time apart.

        `interfaces` are the parsed `display interface` blocks; `failed` names interfaces
        whose own command failed this time (a gap for each, their state kept). An
        interface's first reading, or its first after a gap, yields nothing: a rate needs two.
        `keep` names interfaces this poll did not read (their turn comes later): their last
        reading stays, and their next rate spans the time between their own two readings.
        """
        previous = self._last.get(router, {})
        current: dict[str, _Reading | None] = {}
        points: list[TrafficPoint] = []
        for name in failed:
            current[name] = None
            if name in previous:
                points.append(TrafficGap(router, name, t, GapReason.POLL_FAILED))
        for detail in interfaces:
            if isinstance(current.get(detail.name), _Reading):
                continue  # printed twice in one poll: the first block counts
            at = t if taken is None else taken.get(detail.name, t)
            reading = _Reading.of(detail, at)
            current[detail.name] = reading
            before = previous.get(detail.name)
            if before is not None:
                point = _rate(router, detail.name, before, reading)
                if point is not None:
                    points.append(point)
        for name in keep:
            if name in previous and name not in current:
                current[name] = previous[name]
        self._last[router] = current
        return points

    def poll_failed(self, router: str, t: float) -> list[TrafficGap]:
        """The whole poll of `router` failed at `t`: a gap for every interface it had."""
        known = self._last.get(router, {})
        for name in known:
            known[name] = None
        return [TrafficGap(router, name, t, GapReason.POLL_FAILED) for name in known]

    def forget(self, router: str) -> None:
        """Drop all state of `router` (removed from monitoring)."""
        self._last.pop(router, None)

    def interfaces(self, router: str) -> frozenset[str]:
        """Interfaces of `router` being tracked (a series running or waiting to restart)."""
        return frozenset(self._last.get(router, {}))


def _rate(router: str, name: str, before: _Reading, now: _Reading) -> TrafficPoint | None:
    elapsed = now.t - before.t
    if elapsed <= 0:
        return TrafficGap(router, name, now.t, GapReason.CLOCK)
    deltas: list[int | None] = []
    for old, new in zip(before.counters(), now.counters(), strict=True):
        if old is None or new is None:
            deltas.append(None)
        elif new < old:
            return TrafficGap(router, name, now.t, GapReason.COUNTER_RESET)
        else:
            deltas.append(new - old)
    in_bytes, out_bytes, in_packets, out_packets = deltas
    return TrafficSample(
        router=router,
        interface=name,
        t=now.t,
        in_bps=None if in_bytes is None else in_bytes * 8 / elapsed,
        out_bps=None if out_bytes is None else out_bytes * 8 / elapsed,
        in_pps=None if in_packets is None else in_packets / elapsed,
        out_pps=None if out_packets is None else out_packets / elapsed,
    )
