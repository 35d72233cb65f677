"""Current, peak and 95th percentile of one traffic series over a sliding window.

The Traffic tab shows these beside its plot and updates them as samples arrive, so they are
kept here as plain arithmetic (no Qt: testable on its own) and maintained per sample
instead of re-sorting a day of samples every second.

Definitions, as ISPs use them:

* **current**: the newest sample and the time the router gave it. When the newest poll
  failed (a gap), current is missing; the value before it is not shown as current.
* **peak**: the highest rate in the window, with its time. A 5-minute rollup brings its
  highest polled sample, so the peak of a day read from rollups is still a polled rate.
* **95th percentile**, nearest rank: sort the values, drop the top 5 %, take the highest
  left. Over the polled rates when the window is read sample by sample (``samples``);
  over 5-minute averages when it is read from the store's rollups (``averages``), the
  burstable-billing figure. Live samples of such a window are folded into 5-minute averages
  by the store's own rule (the average of the bucket's polled values, gaps not counted)
  once their bucket is complete.

Gaps are never values: they count for no figure. With no value a figure is None.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sortedcontainers import SortedList

PERCENTILE = 95.0
AVERAGE_SECONDS = 300  # the store's rollup bucket: 5-minute averages

Basis = Literal["samples", "averages"]


def nearest_rank(sorted_values: Sequence[float], percent: float = PERCENTILE) -> float | None:
    """The nearest-rank percentile of values sorted ascending; None for no values."""
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in (0, 100], got {percent}")
    if not sorted_values:
        return None
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


@dataclass(frozen=True, slots=True)
class TrafficFigures:
    """The figures of one series over the visible window (bit/s; None = missing)."""

    current: float | None
    current_at: float | None  # the router's time of the newest sample, a gap included
    peak: float | None
    peak_at: float | None
    p95: float | None
    basis: Basis
    levels: int  # how many values the percentile was taken over


EMPTY_SAMPLES = TrafficFigures(None, None, None, None, None, "samples", 0)


class WindowFigures:
    """Figures of one series over a sliding window, updated sample by sample.

    Feed points oldest first: :meth:`add_average` for 5-minute rollups read from the store,
    :meth:`add_sample` for polled rates (``None`` for a gap); :meth:`expire` drops what
    fell out of the window. The percentile's values are kept in a sorted list (logarithmic
    insertion and removal, also at a day of 5-second samples); the peak is a sliding-window
    maximum (a queue of the values that can still become the peak, amortised constant).
    """

    __slots__ = ("_levels", "_newest", "_pending", "_sorted_levels", "_tops", "basis")

    def __init__(self, basis: Basis = "samples") -> None:
        self.basis: Basis = basis
        # The percentile's values, (time, value) oldest first, and the same values sorted.
        self._levels: deque[tuple[float, float]] = deque()
        self._sorted_levels: SortedList = SortedList()
        # Candidates for the peak, (time, value): times ascending, values non-increasing,
        # so the first is the highest of the window (its earliest time on a tie).
        self._tops: deque[tuple[float, float]] = deque()
        self._newest: tuple[float, float | None] | None = None
        # The 5-minute bucket of live samples being averaged: [bucket start, sum, count].
        self._pending: list[float] | None = None

    def add_average(self, bucket: float, average: float | None, maximum: float | None) -> None:
        """One 5-minute rollup of the store (its bucket start, average and maximum)."""
        if average is not None:
            self._add_level(bucket, average)
        if maximum is not None:
            self._add_top(bucket, maximum)

    def add_sample(self, t: float, value: float | None) -> None:
        """One polled rate; ``None`` is a gap (a failed poll)."""
        if self._newest is not None and t < self._newest[0]:
            raise ValueError(f"sample at {t} is older than the newest one ({self._newest[0]})")
        self._newest = (t, value)
        if self.basis == "averages":
            self._fold(t, value)
        elif value is not None:
            self._add_level(t, value)
        if value is not None:
            self._add_top(t, value)

    def expire(self, start: float) -> None:
        """Forget every value dated before `start` (the window's left edge)."""
        levels, tops = self._levels, self._tops
        while levels and levels[0][0] < start:
            self._sorted_levels.remove(levels.popleft()[1])
        while tops and tops[0][0] < start:
            tops.popleft()

    def figures(self) -> TrafficFigures:
        newest = self._newest
        peak = self._tops[0] if self._tops else None
        return TrafficFigures(
            current=None if newest is None else newest[1],
            current_at=None if newest is None else newest[0],
            peak=None if peak is None else peak[1],
            peak_at=None if peak is None else peak[0],
            p95=nearest_rank(self._sorted_levels),
            basis=self.basis,
            levels=len(self._sorted_levels),
        )

    def _fold(self, t: float, value: float | None) -> None:
        """Average live samples per 5-minute bucket; a bucket counts once it is complete."""
        bucket = t // AVERAGE_SECONDS * AVERAGE_SECONDS
        pending = self._pending
        if pending is not None and bucket > pending[0]:
            start, total, count = pending
            if count:  # a bucket of gaps only has no average, as in the store
                self._add_level(start, total / count)
            pending = None
        if pending is None:
            pending = self._pending = [bucket, 0.0, 0.0]
        if value is not None:
            pending[1] += value
            pending[2] += 1

    def _add_level(self, t: float, level: float) -> None:
        self._levels.append((t, level))
        self._sorted_levels.add(level)

    def _add_top(self, t: float, top: float) -> None:
        tops = self._tops
        while tops and tops[-1][1] < top:
            tops.pop()  # never the peak again: `top` is higher and stays longer
        tops.append((t, top))


def figures_of(
    samples: Iterable[tuple[float, float | None]], basis: Basis = "samples"
) -> TrafficFigures:
    """The figures of polled samples (oldest first) in one go."""
    window = WindowFigures(basis)
    for t, value in samples:
        window.add_sample(t, value)
    return window.figures()


_BANDWIDTH = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*([kmgt])(?:bps|bits?(?:/s)?|b/s)?\s*$", re.IGNORECASE
)
_UNIT = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def capacity_bps(bandwidth: str | None) -> int | None:
    """bit/s of `display interface`'s `Port BW`/`Current BW` text (`10G`, `100Mbps`,
    `100 Mbits`); None when absent or not understood (a bare number has no unit to trust)."""
    if bandwidth is None:
        return None
    match = _BANDWIDTH.match(bandwidth)
    if match is None:
        return None
    return round(float(match[1]) * _UNIT[match[2].lower()])
