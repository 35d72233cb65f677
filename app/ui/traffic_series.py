"""One direction of one interface in the Traffic tab: its points in the visible window, its
drawing buckets and its figures (current, peak, 95th percentile), kept in step.

The window starts from history (the engine's ring or the SQLite store, through the
monitor): polled rates for windows up to 6 hours; for longer ones the store's 5-minute
rollups up to the current 5-minute bucket, then that bucket's polled rates. Live samples are
then appended as they arrive and the oldest points expire, so nothing is re-read or
re-sorted per frame. Qt-free: the view draws what :meth:`TrafficSeries.drawable` returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.history_store import HistoryPoint
from app.engine.traffic_stats import AVERAGE_SECONDS, Basis, TrafficFigures, WindowFigures
from app.ui.peak_buckets import PeakBuckets, SeriesPoints, typical_step

RAW_WINDOW_LIMIT = 6 * 3600.0  # longer windows read 5-minute rollups from the store
GAP_POLLS = 3.0  # the line breaks where no sample came for three poll intervals
FALLBACK_STEP = 20.0  # the default traffic poll interval, until the data shows its own


@dataclass(frozen=True, slots=True)
class SeriesHistory:
    """What history holds for one series: rollups (older part of a long window, oldest
    first) and polled samples from `raw_from` on."""

    rollups: Sequence[HistoryPoint]
    samples: Sequence[tuple[float, float | None]]
    basis: Basis
    raw_from: float


def _floats(values: Sequence[float | None]) -> np.ndarray:
    return np.fromiter(
        (math.nan if v is None else v for v in values), dtype=float, count=len(values)
    )


class TrafficSeries:
    """Points, drawing buckets and figures of one series over a sliding window."""

    __slots__ = ("buckets", "figures", "loaded", "newest", "points", "raw_from", "step")

    def __init__(self, bucket_width: float) -> None:
        self.points = SeriesPoints()
        self.buckets = PeakBuckets(bucket_width)
        self.figures = WindowFigures()
        self.newest = -math.inf  # the newest polled sample taken in (live ones come after)
        self.raw_from = math.inf  # polled samples are taken from here on
        self.step: float | None = None
        self.loaded = False

    def load(self, history: SeriesHistory) -> None:
        """Start over from history (a window change, the tab opening, an hourly refresh)."""
        self.points.clear()
        self.figures = WindowFigures(history.basis)
        rollups = history.rollups
        if rollups:
            starts = np.fromiter((p.timestamp for p in rollups), dtype=float, count=len(rollups))
            self.points.extend(
                starts,
                starts + AVERAGE_SECONDS,
                _floats([p.minimum for p in rollups]),
                _floats([p.maximum for p in rollups]),
                _floats([p.value for p in rollups]),
            )
            for point in rollups:
                self.figures.add_average(point.timestamp, point.value, point.maximum)
        self.buckets.rebuild(self.points)
        self.raw_from = history.raw_from
        self.newest = -math.inf
        self.step = None
        samples = [(t, v) for t, v in history.samples if t >= history.raw_from]
        if samples:
            times = np.fromiter((t for t, _ in samples), dtype=float, count=len(samples))
            self.take(times, _floats([v for _, v in samples]))
        self.loaded = True

    def take(self, times: np.ndarray, values: np.ndarray) -> float | None:
        """Append polled samples newer than any taken (older ones are skipped, so the
        live ring may be read from a little before); returns where the drawing changed."""
        if not len(times):
            return None
        if times[0] <= self.newest or times[0] < self.raw_from:  # times ascend: cut the head
            first = int(np.searchsorted(times, self.newest, side="right"))
            if self.raw_from > self.newest:
                first = max(first, int(np.searchsorted(times, self.raw_from, side="left")))
            if first >= len(times):
                return None
            times, values = times[first:], values[first:]
        self.points.extend(times, times, values, values, values)
        for t, value in zip(times.tolist(), values.tolist(), strict=True):
            self.figures.add_sample(t, None if math.isnan(value) else value)
        self.newest = float(times[-1])
        if self.step is None:
            self.step = typical_step(self.points.t[self.points.t >= self.raw_from])
        return self.buckets.add(times, times, values, values)

    def expire(self, start: float) -> None:
        """Forget what is older than the window's start. The figures drop exactly that;
        the points drop only whole drawing buckets before it, which lie left of the plot's
        visible range, so expiring never changes what is on screen."""
        self.figures.expire(start)
        width = self.buckets.width
        if len(self.points) and self.points.t[0] < start // width * width:
            self.points.drop_before(start // width * width)
            self.buckets.drop_before(self.points)

    def rebucket(self, width: float) -> None:
        """A new zoom: rebuild the drawing buckets from the points."""
        self.buckets = PeakBuckets(width)
        self.buckets.rebuild(self.points)

    @property
    def gap(self) -> float:
        """Seconds without data after which the line breaks."""
        return GAP_POLLS * (self.step or FALLBACK_STEP)

    def drawable(self) -> tuple[np.ndarray, np.ndarray]:
        return self.buckets.drawable(self.gap)

    def current_figures(self) -> TrafficFigures:
        return self.figures.figures()

    def value_at(self, t: float) -> tuple[float, float | None] | None:
        """The point nearest to `t` (its time, its value or None for a gap)."""
        times = self.points.t
        if not len(times):
            return None
        index = int(np.clip(np.searchsorted(times, t), 0, len(times) - 1))
        if index > 0 and abs(times[index - 1] - t) < abs(times[index] - t):
            index -= 1
        value = float(self.points.mid[index])
        return float(times[index]), None if math.isnan(value) else value
