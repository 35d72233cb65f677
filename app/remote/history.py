"""A seat's history reads: the collector's `/api/history`, as the engine's query answers.

Peaks and percentiles must survive: a 5-minute series comes with each bucket's minimum,
maximum and counts (``rollups=1``), and an answer the collector had to decimate (more points
than it sends at once) is asked again in halves instead of being shown averaged.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from app.engine.history_store import HistoryPoint, Resolution, SeriesData
from app.engine.monitor import HistoryResult
from app.feed.wire.history import HistoryAnswer, HistorySeries
from app.remote.client import CollectorClient

MAX_POINTS = 10_000  # the most the collector sends per series
SPLIT_DEPTH = 6  # a decimated answer is asked again in halves, this deep at most


async def history_query(
    client: CollectorClient,
    router: str,
    metric: str,
    span: tuple[float, float],
    resolution: Resolution | Literal["auto"],
) -> HistoryResult:
    """Points of one series in ``span`` (epoch seconds), gaps as None, never 0."""
    series = await _series(client, (router, metric), span, resolution, SPLIT_DEPTH)
    points = [(t, value) for t, value in series.points]
    if series.resolution != "5min":
        return HistoryResult("memory", points)
    rollups = series.rollups
    if rollups is None:  # a collector without rollups: each point is its own bucket
        rollups = [(t, v, v, v, int(v is not None), int(v is None)) for t, v in points]
    store = SeriesData(
        router,
        metric,
        "5min",
        tuple(HistoryPoint(*bucket) for bucket in rollups),
    )
    return HistoryResult("store", points, store)


async def _series(
    client: CollectorClient,
    series_of: tuple[str, str],
    span: tuple[float, float],
    resolution: str,
    depth: int,
) -> HistorySeries:
    """`series_of` is (router, metric)."""
    router, metric = series_of
    start, end = span
    answer = await client.get(
        "/api/history",
        HistoryAnswer,
        params=[
            ("router", router),
            ("metric", metric),
            ("since", repr(start)),
            ("until", repr(end)),
            ("resolution", resolution),
            ("max_points", str(MAX_POINTS)),
            ("rollups", "1"),
        ],
    )
    series = answer.series[0]
    if not series.decimated or depth <= 0:
        return series
    # Averaged groups would flatten peaks and percentiles: ask in halves instead.
    middle = (start + end) / 2
    chosen = series.resolution
    first = await _series(client, series_of, (start, middle), chosen, depth - 1)
    second = await _series(client, series_of, (middle + 1e-3, end), chosen, depth - 1)
    # A 5-minute bucket that straddles the middle is in both halves: keep it once.
    last = first.points[-1][0] if first.points else None
    points = [*first.points, *(p for p in second.points if last is None or p[0] > last)]
    rollups = None
    if first.rollups is not None or second.rollups is not None:
        before = first.rollups or []
        newest = before[-1][0] if before else None
        rollups = [
            *before,
            *(r for r in second.rollups or () if newest is None or r[0] > newest),
        ]
    return msgspec.structs.replace(
        series,
        points=points,
        decimated=first.decimated or second.decimated,
        rollups=rollups,
    )
