"""The points of one plotted series and their per-pixel min/max buckets, kept up to date as
samples arrive (numpy only: no Qt, testable on its own).

Why buckets aligned to time, not to the first sample: a day of 5-second samples is 17,280
points for about 500 drawable pixel pairs. Bucketing by index (as a plain decimation does)
moves every bucket edge when one sample arrives, so every bucket is recomputed and every
pixel repainted. Buckets keyed by ``floor(t / width)`` stay put: a new sample changes only
the newest bucket, an expired one only the oldest, and the plot repaints only that strip.

A point carries a low and a high value (equal for a polled rate; a 5-minute rollup brings
its minimum and maximum) and the time its data ends (the rollup's bucket end), so a rollup
read from the store and raw samples appended live draw the same way. Each drawing bucket
becomes its lowest and highest value (spikes survive any zoom); a bucket of gaps only is
NaN, a break in the line; and the line also breaks where no data exists for longer than
`gap` seconds (the app was not running), never drawn across as if traffic had been seen.
"""

from __future__ import annotations

import math

import numpy as np

_T, _END, _LO, _HI, _MID = range(5)  # SeriesPoints columns
_KEY, _FIRST, _LAST, _LAST_END, _BLO, _BHI = range(6)  # PeakBuckets columns


class _Columns:
    """Float columns that grow at the end and drop at the front, without per-row objects."""

    __slots__ = ("_data", "_head", "_size")

    def __init__(self, columns: int, capacity: int = 256) -> None:
        self._data = np.empty((columns, capacity))
        self._head = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size - self._head

    def column(self, index: int) -> np.ndarray:
        """A view (not a copy) of one column's live rows."""
        return self._data[index, self._head : self._size]

    def extend(self, *columns: np.ndarray) -> None:
        count = len(columns[0])
        if self._size + count > self._data.shape[1]:
            self._reserve(count)
        if count == 1:  # one row (the usual live sample): one assignment, not one per column
            self._data[:, self._size] = [float(values[0]) for values in columns]
        else:
            for index, values in enumerate(columns):
                self._data[index, self._size : self._size + count] = values
        self._size += count

    def drop_front(self, count: int) -> None:
        self._head = min(self._head + count, self._size)

    def set_last(self, index: int, value: float) -> None:
        self._data[index, self._size - 1] = value

    def set_first_row(self, values: tuple[float, ...]) -> None:
        self._data[:, self._head] = values

    def raw_last(self) -> tuple[np.ndarray, int]:
        """The storage and the index of the newest row, for scalar updates in place."""
        return self._data, self._size - 1

    def clear(self) -> None:
        self._head = self._size = 0

    def _reserve(self, count: int) -> None:
        live = len(self)
        capacity = self._data.shape[1]
        if live + count > capacity // 2:  # grow; else compacting to the front is enough
            capacity = max(2 * capacity, live + count)
        data = np.empty((self._data.shape[0], capacity))
        data[:, :live] = self._data[:, self._head : self._size]
        self._data, self._head, self._size = data, 0, live


class SeriesPoints:
    """The points of one series in the visible window, oldest first: time, end of the
    time the point stands for, low, high and the value itself (a rollup's average)."""

    __slots__ = ("_columns",)

    def __init__(self) -> None:
        self._columns = _Columns(5)

    def __len__(self) -> int:
        return len(self._columns)

    @property
    def t(self) -> np.ndarray:
        return self._columns.column(_T)

    @property
    def end(self) -> np.ndarray:
        return self._columns.column(_END)

    @property
    def lo(self) -> np.ndarray:
        return self._columns.column(_LO)

    @property
    def hi(self) -> np.ndarray:
        return self._columns.column(_HI)

    @property
    def mid(self) -> np.ndarray:
        return self._columns.column(_MID)

    def extend(
        self, t: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray, mid: np.ndarray
    ) -> None:
        """Append points (times ascending, none older than the newest point)."""
        if not len(t):
            return
        if len(self) and t[0] < self.t[-1]:
            raise ValueError(f"point at {t[0]} is older than the newest one ({self.t[-1]})")
        self._columns.extend(t, end, lo, hi, mid)

    def drop_before(self, start: float) -> int:
        """Forget points dated before `start`; returns how many went."""
        count = int(np.searchsorted(self.t, start, side="left"))
        self._columns.drop_front(count)
        return count

    def clear(self) -> None:
        self._columns.clear()


class PeakBuckets:
    """Min/max per `width`-second bucket of a :class:`SeriesPoints`, updated incrementally.

    The drawn line is kept beside the buckets, three points a bucket (its low at its first
    point, its high at its last, then a separator: NaN where the line breaks, else the high
    again), so :meth:`drawable` hands out views without building anything per frame.
    """

    __slots__ = ("_columns", "_gap", "_line", "width")

    def __init__(self, width: float, gap: float = math.inf) -> None:
        if not width > 0:
            raise ValueError(f"bucket width must be positive, got {width}")
        self.width = width
        self._gap = gap
        self._columns = _Columns(6)
        self._line = _Columns(2, capacity=3 * 256)

    def __len__(self) -> int:
        return len(self._columns)

    def rebuild(self, points: SeriesPoints) -> None:
        self._columns.clear()
        self._line.clear()
        self.add(points.t, points.end, points.lo, points.hi)

    def add(self, t: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float | None:
        """Take in points appended to the series; returns the time from which the drawn
        line changed (the previous bucket's last point, where the new segment starts), or
        None when nothing was added."""
        if not len(t):
            return None
        columns = self._columns
        if len(t) == 1 and len(columns) and self._merge_one(t, end, lo, hi):
            return float(columns.column(_LAST)[-2]) if len(columns) > 1 else float(t[0])
        keys = np.floor(t / self.width)
        changed = len(columns)  # index of the first bucket that changes
        merged = 0
        if changed and keys[0] == columns.column(_KEY)[-1]:
            merged = int(np.searchsorted(keys, keys[0], side="right"))
            self._merge_last(t[:merged], end[:merged], lo[:merged], hi[:merged])
            changed -= 1
        if merged < len(t):
            self._append(keys[merged:], t[merged:], end[merged:], lo[merged:], hi[merged:])
        if changed == 0:
            return float(columns.column(_FIRST)[0])
        return float(columns.column(_LAST)[changed - 1])

    def drop_before(self, points: SeriesPoints) -> float | None:
        """Follow `points` after they dropped what left the window: whole buckets go, and a
        bucket cut by the window's edge is rebuilt from the points left in it. Returns the
        time up to which the drawn line changed (None: unchanged)."""
        columns = self._columns
        if not len(points):
            changed = float(columns.column(_LAST)[-1]) if len(columns) else None
            columns.clear()
            self._line.clear()
            return changed
        first_key = np.floor(points.t[0] / self.width)
        gone = int(np.searchsorted(columns.column(_KEY), first_key, side="left"))
        columns.drop_front(gone)
        self._line.drop_front(3 * gone)
        if not len(columns) or columns.column(_FIRST)[0] >= points.t[0]:
            return float(columns.column(_FIRST)[0]) if gone and len(columns) else None
        inside = int(np.searchsorted(points.t, (first_key + 1) * self.width, side="left"))
        t, end = points.t[:inside], points.end[:inside]
        lo, hi = points.lo[:inside], points.hi[:inside]
        columns.set_first_row(
            (first_key, t[0], t[-1], end.max(), np.fmin.reduce(lo), np.fmax.reduce(hi))
        )
        self._draw(0, 1)
        return float(t[-1])

    def drawable(self, gap: float) -> tuple[np.ndarray, np.ndarray]:
        """x, y of the line (views: valid until the next change); the line breaks where
        the data stops for more than `gap` seconds."""
        if gap != self._gap:
            self._gap = gap
            self._draw(0, len(self._columns))
        return self._line.column(0), self._line.column(1)

    def _draw(self, first: int, last: int) -> None:
        """Write the line points of buckets [first, last) and the separator before them."""
        columns = self._columns
        if last <= first or not len(columns):
            return
        lead = max(first - 1, 0)  # the bucket before: its separator depends on `first`
        starts, ends = columns.column(_FIRST), columns.column(_LAST)
        highs = columns.column(_BHI)
        x, y = self._line.column(0), self._line.column(1)
        x[3 * first : 3 * last : 3] = starts[first:last]
        y[3 * first : 3 * last : 3] = columns.column(_BLO)[first:last]
        x[3 * first + 1 : 3 * last : 3] = ends[first:last]
        y[3 * first + 1 : 3 * last : 3] = highs[first:last]
        x[3 * lead + 2 : 3 * last : 3] = ends[lead:last]
        following = np.append(starts[lead + 1 : last + 1], np.nan)[: last - lead]
        breaks = following - columns.column(_LAST_END)[lead:last] > self._gap
        y[3 * lead + 2 : 3 * last : 3] = np.where(breaks, np.nan, highs[lead:last])

    def _merge_one(self, t: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
        """The usual live case, one sample into the newest bucket, with scalar arithmetic
        (numpy's per-call overhead would cost more than the work); False if it does not
        belong to the newest bucket."""
        data, row = self._columns.raw_last()
        sample_t = float(t[0])
        if math.floor(sample_t / self.width) != data[_KEY, row]:
            return False
        low = _fmin(float(data[_BLO, row]), float(lo[0]))
        high = _fmax(float(data[_BHI, row]), float(hi[0]))
        data[_LAST, row] = sample_t
        data[_LAST_END, row] = max(float(data[_LAST_END, row]), float(end[0]))
        data[_BLO, row] = low
        data[_BHI, row] = high
        line, point = self._line.raw_last()  # the bucket's low, high and separator
        line[1, point - 2] = low
        line[0, point - 1] = sample_t
        line[1, point - 1] = high
        line[0, point] = sample_t
        line[1, point] = high  # the newest bucket has no next one: never a break
        return True

    def _merge_last(self, t: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        columns = self._columns
        columns.set_last(_LAST, t[-1])
        columns.set_last(_LAST_END, max(columns.column(_LAST_END)[-1], end.max()))
        columns.set_last(_BLO, np.fmin(columns.column(_BLO)[-1], np.fmin.reduce(lo)))
        columns.set_last(_BHI, np.fmax(columns.column(_BHI)[-1], np.fmax.reduce(hi)))
        count = len(columns)
        self._draw(count - 1, count)

    def _append(
        self, keys: np.ndarray, t: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> None:
        starts = np.flatnonzero(np.diff(keys)) + 1
        starts = np.concatenate(([0], starts))
        lasts = np.concatenate((starts[1:] - 1, [len(t) - 1]))
        before = len(self._columns)
        self._columns.extend(
            keys[starts],
            t[starts],
            t[lasts],
            np.maximum.reduceat(end, starts),
            np.fmin.reduceat(lo, starts),
            np.fmax.reduceat(hi, starts),
        )
        added = 3 * len(starts)
        self._line.extend(np.empty(added), np.empty(added))
        self._draw(before, len(self._columns))


def _fmin(a: float, b: float) -> float:
    """numpy's fmin on floats: the lower, a NaN only when both are."""
    return b if a != a or b < a else a  # noqa: PLR0124 -- a != a is the NaN test


def _fmax(a: float, b: float) -> float:
    return b if a != a or b > a else a  # noqa: PLR0124


def typical_step(times: np.ndarray) -> float | None:
    """The usual spacing of polled samples (median gap between them); None under two."""
    if len(times) < 2:
        return None
    steps = np.diff(times)
    steps = steps[steps > 0]
    return float(np.median(steps)) if len(steps) else None
