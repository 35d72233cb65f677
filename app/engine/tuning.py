"""Settings values turned into the engine's own configuration objects.

The settings schema is what the operator edits; the poller, cache, alert manager and rate
limiter each have their own richer types. This is the one place that maps one onto the other,
so `serve`, the GUI and the tests run with the same interpretation of the file.
"""

from __future__ import annotations

from dataclasses import replace

from app.engine.alerts import AlertThresholds
from app.engine.poller import DataSet, PollIntervals
from app.engine.ratelimit import LimitKind
from app.engine.settings import MIN_CACHE_TTL, MIN_POLL_INTERVAL, Settings

# A clear level this far below a raise level when the operator moved the raise level below
# the default clear level (hysteresis must survive any threshold the operator picks).
_HYSTERESIS = 5.0


def poll_intervals(
    settings: Settings, *, scale: float | None = None, floor: float = MIN_POLL_INTERVAL
) -> PollIntervals:
    """The poll intervals; `scale` shrinks every one (demo, benchmarks, tests).

    Never below `floor`: the settings refuse anything under the minimum, and `--poll-scale`
    must not get around that for a real router. Only when every router is a simulator the
    app (or a test) started itself may the caller pass a lower floor.
    """
    factor = _factor(scale)
    intervals = settings.intervals
    return PollIntervals(
        interfaces=max(floor, intervals.interfaces * factor),
        subscribers=max(floor, intervals.pppoe * factor),
        system=max(floor, intervals.system * factor),
        traffic=max(floor, intervals.traffic * factor),
        traffic_others=max(floor, intervals.traffic_others * factor),
        jitter=intervals.jitter,
    )


def cache_ttls(
    settings: Settings, *, scale: float | None = None, floor: float = MIN_CACHE_TTL
) -> dict[str, float]:
    """TTL per cache kind (the data-set names the poller caches under), scaled like the
    poll intervals and never below `floor`."""
    factor = _factor(scale)
    ttl = settings.cache_ttl
    return {
        "interfaces": max(floor, ttl.interfaces * factor),
        "pppoe": max(floor, ttl.pppoe * factor),
        "system": max(floor, ttl.system * factor),
        "traffic": max(floor, ttl.traffic * factor),
    }


def shortest_interval(intervals: PollIntervals) -> float:
    """The quickest data set's interval: how long a router may wait for its next poll."""
    return min(intervals.of(dataset) for dataset in DataSet)


def _factor(scale: float | None) -> float:
    factor = 1.0 if scale is None else scale
    if factor <= 0:
        raise ValueError("poll scale must be positive")
    return factor


def _clear_level(raise_at: float, default_clear: float) -> float:
    return min(default_clear, max(0.0, raise_at - _HYSTERESIS))


def alert_thresholds(settings: Settings) -> AlertThresholds:
    """The alert rules' thresholds, with clear levels kept below the raise levels."""
    chosen = settings.thresholds
    base = AlertThresholds()
    window = chosen.mass_drop_window
    return replace(
        base,
        drop_percent=chosen.mass_drop_percent,
        drop_window_seconds=window,
        drop_recover_percent=min(base.drop_recover_percent, chosen.mass_drop_percent / 2),
        drop_settle_seconds=max(base.drop_settle_seconds, window),
        cpu_percent=chosen.cpu_percent,
        cpu_clear_percent=_clear_level(chosen.cpu_percent, base.cpu_clear_percent),
        memory_percent=chosen.memory_percent,
        memory_clear_percent=_clear_level(chosen.memory_percent, base.memory_clear_percent),
        load_polls=max(chosen.cpu_polls, chosen.memory_polls),
        pool_percent=chosen.pool_percent,
        pool_clear_percent=_clear_level(chosen.pool_percent, base.pool_clear_percent),
    )


def rate_limits(settings: Settings) -> dict[LimitKind, int]:
    """Requests per router per minute by kind."""
    limits = settings.rate_limits
    return {
        LimitKind.COMMAND: limits.commands,
        LimitKind.DATA: limits.data,
        LimitKind.DIAGNOSTIC: limits.diagnostics,
    }
