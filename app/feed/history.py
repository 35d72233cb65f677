"""`GET /api/history` and `/api/history/metrics`: the engine's stored series over HTTP.

``?router=R&metric=M[&metric=M2...]&since=T&until=T&resolution=auto|raw|5min&max_points=N``

* `metric` as the engine names it (``subscribers.total``, ``cpu.percent``,
  ``memory.percent``, ``if.NAME.in_bps``, ``if.NAME.out_bps``, ``pool.NAME.percent``);
  up to :data:`MAX_METRICS` per request, so a wall or a desktop seat loads a router's
  plots in one request. `/api/history/metrics?router=R` lists the series the router has.
* `since` / `until`: ISO 8601 (with an offset or ``Z``) or epoch seconds; a negative
  number is seconds before now (``since=-3600``: the last hour). Defaults: the last hour.
* `resolution`: ``raw`` (every poll, spans up to :data:`MAX_RAW_SPAN`), ``5min`` (bucket
  averages, spans up to :data:`MAX_SPAN`), ``auto`` (raw for short recent spans).
* Each point is ``[epoch seconds, value]``; a gap (failed poll, counter reset) is
  ``null``, never 0. More than `max_points` points are averaged in groups (``decimated``).
* ``rollups=1`` adds, for 5-minute series, each bucket's minimum, maximum and counts (the
  desktop's traffic peaks and percentiles need them; averages alone flatten the peaks).

Anything out of bounds or malformed is a 400 naming the parameter; nothing is guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from aiohttp import web

from app.feed.context import FeedContext
from app.feed.http_api import RouterChoiceError, choose_router, error_response, json_response
from app.feed.wire.base import iso_z
from app.feed.wire.history import HistoryAnswer, HistoryMetricsAnswer, HistorySeries, Rollup

HISTORY_PATH = "/api/history"
METRICS_PATH = "/api/history/metrics"
DEFAULT_SPAN = 3600.0
MAX_RAW_SPAN = 24 * 3600.0  # raw samples: a day (17,280 points at a 5 s poll)
MAX_SPAN = 400 * 86_400.0  # 5-minute averages are kept 400 days
DEFAULT_MAX_POINTS = 2000
MAX_POINTS = 10_000
MAX_METRICS = 64
MAX_METRIC_CHARS = 200
_METRIC = re.compile(r"^[\w.\-/:@ ]+$")  # interface names hold / : . - and spaces
Resolution = Literal["auto", "raw", "5min"]


class BadParameter(Exception):
    """A query parameter that cannot be used: which, and why."""

    def __init__(self, name: str, message: str, limit: float | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.limit = limit


def parse_time(name: str, text: str, now: float) -> float:
    """Epoch seconds from ISO 8601 or a number (negative: seconds before `now`)."""
    value: float
    try:
        value = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise BadParameter(
                name, f"`{name}` must be ISO 8601 (2026-01-31T12:00:00Z) or epoch seconds"
            ) from None
        if moment.tzinfo is None:
            raise BadParameter(name, f"`{name}` needs a UTC offset or `Z`") from None
        return moment.timestamp()
    if not math.isfinite(value):
        raise BadParameter(name, f"`{name}` must be a finite number")
    return now + value if value < 0 else value


def parse_metrics(values: Sequence[str]) -> list[str]:
    if not values:
        raise BadParameter("metric", "give at least one `metric` (see /api/history/metrics)")
    if len(values) > MAX_METRICS:
        raise BadParameter("metric", f"at most {MAX_METRICS} `metric` per request", MAX_METRICS)
    metrics = []
    for metric in values:
        if len(metric) > MAX_METRIC_CHARS or not _METRIC.match(metric):
            raise BadParameter("metric", f"`metric`: not a metric name: {metric[:60]!r}")
        if metric not in metrics:
            metrics.append(metric)
    return metrics


def parse_max_points(text: str | None) -> int:
    if text is None:
        return DEFAULT_MAX_POINTS
    try:
        value = int(text)
    except ValueError:
        raise BadParameter("max_points", "`max_points` must be a whole number") from None
    if not 2 <= value <= MAX_POINTS:
        raise BadParameter("max_points", f"`max_points` must be 2 to {MAX_POINTS}", MAX_POINTS)
    return value


def parse_span(
    since_text: str | None, until_text: str | None, resolution: str, now: float
) -> tuple[float, float]:
    until = now if until_text is None else parse_time("until", until_text, now)
    since = until - DEFAULT_SPAN if since_text is None else parse_time("since", since_text, now)
    if since >= until:
        raise BadParameter("since", "`since` must be before `until`")
    span = until - since
    if resolution == "raw" and span > MAX_RAW_SPAN:
        raise BadParameter(
            "since",
            f"`since` to `until`: raw samples cover at most {MAX_RAW_SPAN / 3600:g} hours; "
            "ask for resolution=5min or a shorter span",
            MAX_RAW_SPAN,
        )
    if span > MAX_SPAN:
        raise BadParameter(
            "since", f"`since` to `until`: at most {MAX_SPAN / 86400:g} days per request", MAX_SPAN
        )
    return since, until


def decimate(
    points: Sequence[tuple[float, float | None]], max_points: int
) -> tuple[list[tuple[float, float | None]], float | None]:
    """At most `max_points` points: consecutive groups averaged (a group of gaps stays a
    gap); each point keeps the time of the first point of its group. Also the time span of
    a group (None when nothing had to be merged)."""
    if len(points) <= max_points:
        return list(points), None
    size = math.ceil(len(points) / max_points)
    merged: list[tuple[float, float | None]] = []
    for start in range(0, len(points), size):
        group = points[start : start + size]
        known = [value for _, value in group if value is not None]
        merged.append((group[0][0], sum(known) / len(known) if known else None))
    step = (points[-1][0] - points[0][0]) / max(1, len(points) - 1) * size
    return merged, step


def decimate_rollups(rollups: Sequence[Rollup], max_points: int) -> list[Rollup]:
    """Rollups grouped like :func:`decimate` groups their points: the average weighted by
    the samples, the minimum of the minimums, the maximum of the maximums, counts summed."""
    if len(rollups) <= max_points:
        return list(rollups)
    size = math.ceil(len(rollups) / max_points)
    merged: list[Rollup] = []
    for start in range(0, len(rollups), size):
        group = rollups[start : start + size]
        counted = [(r[1], r[4]) for r in group if r[1] is not None and r[4] > 0]
        samples = sum(count for _, count in counted)
        average = sum(value * count for value, count in counted) / samples if samples else None
        lows = [r[2] for r in group if r[2] is not None]
        highs = [r[3] for r in group if r[3] is not None]
        merged.append(
            (
                group[0][0],
                average,
                min(lows) if lows else None,
                max(highs) if highs else None,
                sum(r[4] for r in group),
                sum(r[5] for r in group),
            )
        )
    return merged


def history_routes(ctx: FeedContext) -> list[web.RouteDef]:
    async def history(request: web.Request) -> web.Response:
        try:
            router = choose_router(ctx, request, required=True)
        except RouterChoiceError as error:
            return error.response
        assert router is not None
        now = ctx.clock()
        resolution = request.query.get("resolution", "auto")
        try:
            if resolution not in ("auto", "raw", "5min"):
                raise BadParameter("resolution", "`resolution` must be auto, raw or 5min")
            metrics = parse_metrics(request.query.getall("metric", []))
            since, until = parse_span(
                request.query.get("since"), request.query.get("until"), resolution, now
            )
            max_points = parse_max_points(request.query.get("max_points"))
            with_rollups = request.query.get("rollups", "0") in ("1", "true")
        except BadParameter as bad:
            details = {} if bad.limit is None else {"limit": bad.limit}
            return error_response(ctx, 400, "bad_parameter", bad.message, **details)
        series = []
        for metric in metrics:
            result = await ctx.monitor.history_query(
                router,
                metric,
                since,
                until,
                resolution=resolution,  # type: ignore[arg-type]
            )
            chosen = "raw" if result.store is None else result.store.resolution
            points = [(round(t, 3), value) for t, value in result.points]
            points, step = decimate(points, max_points)
            rollups = None
            if with_rollups and result.store is not None and chosen == "5min":
                rollups = decimate_rollups(
                    [
                        (round(p.timestamp, 3), p.value, p.minimum, p.maximum, p.count, p.gaps)
                        for p in result.store.points
                    ],
                    max_points,
                )
            series.append(
                HistorySeries(
                    metric=metric,
                    resolution=chosen,
                    points=points,
                    decimated=step is not None,
                    step_s=step,
                    rollups=rollups,
                )
            )
        return json_response(
            HistoryAnswer(
                router=router,
                timestamp=iso_z(now),
                since=iso_z(since),
                since_epoch=since,
                until=iso_z(until),
                until_epoch=until,
                series=series,
            )
        )

    async def metrics(request: web.Request) -> web.Response:
        try:
            router = choose_router(ctx, request, required=True)
        except RouterChoiceError as error:
            return error.response
        assert router is not None
        return json_response(
            HistoryMetricsAnswer(
                router=router,
                timestamp=iso_z(ctx.clock()),
                metrics=ctx.monitor.history.metrics(router),
            )
        )

    return [web.get(HISTORY_PATH, history), web.get(METRICS_PATH, metrics)]
