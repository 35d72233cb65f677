"""In-memory ring buffers behind the live charts.

Each (router, metric) pair keeps a fixed number of (timestamp, value) points; ``None`` is
a gap (a failed poll, a counter reset) and stays a gap, never a zero. The points live in two
preallocated ``array('d')`` (16 bytes a point, a gap stored as NaN), so appending is O(1)
and a series never grows after it is created; the number of series is capped too (least
recently written series evicted first), so memory stays bounded however many
interfaces a router reports. Timestamps are POSIX seconds (floats) and must not go
backwards within a series, which keeps time-range slicing a binary search.
"""

from __future__ import annotations

import logging
import math
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Mapping

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 720  # one hour at a 5-second poll, two hours at the 10-second default
DEFAULT_MAX_SERIES = 20_000

Point = tuple[float, float | None]


class RingSeries:
    """A fixed-capacity time series; the oldest point is overwritten when full."""

    __slots__ = ("_size", "_start", "_times", "_values", "capacity")

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._times = array("d", bytes(8 * capacity))
        self._values = array("d", [math.nan]) * capacity
        self._start = 0  # physical index of the oldest point
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _physical(self, logical: int) -> int:
        return (self._start + logical) % self.capacity

    def append(self, timestamp: float, value: float | None) -> None:
        """Add a point; a timestamp older than the newest point is a caller bug."""
        if self._size and timestamp < self._times[self._physical(self._size - 1)]:
            raise ValueError(
                f"timestamp {timestamp} is older than the newest point "
                f"{self._times[self._physical(self._size - 1)]}"
            )
        if self._size < self.capacity:
            index = self._physical(self._size)
            self._size += 1
        else:
            index = self._start
            self._start = (self._start + 1) % self.capacity
        self._times[index] = timestamp
        self._values[index] = math.nan if value is None else float(value)

    def latest(self) -> Point | None:
        if not self._size:
            return None
        index = self._physical(self._size - 1)
        return self._times[index], _value(self._values[index])

    def __iter__(self) -> Iterator[Point]:
        for logical in range(self._size):
            index = self._physical(logical)
            yield self._times[index], _value(self._values[index])

    def points(self) -> list[Point]:
        return list(self)

    def between(self, start: float | None = None, end: float | None = None) -> list[Point]:
        """Points with ``start <= timestamp <= end`` (either bound may be open), oldest first."""
        times = _LogicalTimes(self)
        first = 0 if start is None else bisect_left(times, start)
        last = self._size if end is None else bisect_right(times, end)
        result: list[Point] = []
        for logical in range(first, last):
            index = self._physical(logical)
            result.append((self._times[index], _value(self._values[index])))
        return result

    def clear(self) -> None:
        self._start = 0
        self._size = 0


def _value(stored: float) -> float | None:
    """NaN is how a gap is stored; callers see None."""
    return None if math.isnan(stored) else stored


class _LogicalTimes:
    """A read-only sequence view of a series' timestamps in time order, for ``bisect``."""

    __slots__ = ("_series",)

    def __init__(self, series: RingSeries) -> None:
        self._series = series

    def __len__(self) -> int:
        return len(self._series)

    def __getitem__(self, logical: int) -> float:
        series = self._series
        return series._times[series._physical(logical)]


class History:
    """Ring buffers for every (router, metric) the engine records."""

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, *, max_series: int = DEFAULT_MAX_SERIES
    ) -> None:
        if max_series < 1:
            raise ValueError(f"max_series must be at least 1, got {max_series}")
        self.capacity = capacity
        self.max_series = max_series
        self._series: OrderedDict[tuple[str, str], RingSeries] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._series)

    def record(self, router: str, metric: str, timestamp: float, value: float | None) -> None:
        """Append one point; ``value=None`` records a gap."""
        key = (router, metric)
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= self.max_series:
                (old_router, old_metric), _ = self._series.popitem(last=False)
                self.evicted += 1
                log.debug("history: evicted series %s %s", old_router, old_metric)
            series = self._series[key] = RingSeries(self.capacity)
        else:
            self._series.move_to_end(key)
        series.append(timestamp, value)

    def record_many(
        self, router: str, timestamp: float, values: Mapping[str, float | None]
    ) -> None:
        """Record one poll's worth of metrics at the same timestamp."""
        for metric, value in values.items():
            self.record(router, metric, timestamp, value)

    def series(self, router: str, metric: str) -> RingSeries | None:
        return self._series.get((router, metric))

    def between(
        self, router: str, metric: str, start: float | None = None, end: float | None = None
    ) -> list[Point]:
        series = self._series.get((router, metric))
        return [] if series is None else series.between(start, end)

    def latest(self, router: str, metric: str) -> Point | None:
        series = self._series.get((router, metric))
        return None if series is None else series.latest()

    def metrics(self, router: str) -> list[str]:
        return sorted(metric for name, metric in self._series if name == router)

    def remove_router(self, router: str) -> None:
        for key in [key for key in self._series if key[0] == router]:
            del self._series[key]
