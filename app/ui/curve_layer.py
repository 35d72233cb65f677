"""Many time-series curves drawn by one plot item that repaints only what changed.

Profiling the traffic view (32 curves of a day) showed each frame repainting every curve in
full, plus per-curve bookkeeping (bounds, path rebuilds) in pyqtgraph's items. This item
holds every curve and lets Qt cache the picture in device pixels
(``QGraphicsItem.DeviceCoordinateCache``):

* when the time axis scrolls, Qt shifts the cached pixels and asks this item to paint only
  the strip that came into view;
* when samples arrive, :meth:`set_curve` invalidates only the strip from the first changed
  point to the right edge, and :meth:`paint` draws only the part of each curve inside the
  exposed rectangle (found by binary search on the sorted times);
* a frame with no change (a hover, another widget) is a single blit.

A change of the y scale, of pens or of the set of curves repaints everything once. Exports
(PNG) paint without the cache, so they always draw every curve in full.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPen, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

# The item's bounds reach this many visible spans beyond each side of the visible range, so
# they change (and the cache starts over) only about once per span of time, not per frame;
# Qt then caches only the viewport's part of an item this wide.
_BOUNDS_MARGIN = 2.0
# Qt keeps item caches in QPixmapCache, least recently used first out, 10 MB by default: a
# full-HD plot's curves and axes take about 14 MB, a 4K plot's curves alone about 30 MB, and
# a cache that does not fit is silently repainted in full every frame. The limit bounds the
# memory (hidden plots' pixels are the first to go).
PIXMAP_CACHE_KB = 64 * 1024


@dataclass(slots=True)
class _Curve:
    x: np.ndarray
    y: np.ndarray
    pen: QPen
    visible: bool = True


class CurveLayer(pg.GraphicsObject):
    """Curves keyed by any hashable; x sorted ascending, NaN in y breaks the line."""

    def __init__(self) -> None:
        super().__init__()
        self._curves: dict[Hashable, _Curve] = {}
        self._low = 0.0
        self._high = 1.0
        self._left = 0.0
        self._right = 1.0
        self._changed_from: float | None = None  # the oldest change not yet repainted
        self.painted_points = 0  # points handed to Qt by the last paint (tests, the bench)
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    # ---- content ----

    def keys(self) -> list[Hashable]:
        return list(self._curves)

    def curve(self, key: Hashable) -> tuple[np.ndarray, np.ndarray]:
        """The x, y arrays a curve draws (for tests and read-outs)."""
        curve = self._curves[key]
        return curve.x, curve.y

    def set_y_range(self, low: float, high: float) -> None:
        """The values the curves may take; a change repaints everything once."""
        if (low, high) == (self._low, self._high):
            return
        self.prepareGeometryChange()
        self._low, self._high = low, high
        self.update()

    def set_x_range(self, left: float, right: float) -> None:
        """The visible times: the bounds move only when this range leaves them or the zoom
        changes, so a following window keeps its cache."""
        span = right - left
        inside = self._left <= left and right <= self._right
        if inside and self._right - self._left <= (1 + 2 * _BOUNDS_MARGIN) * span * 1.01:
            return
        self.prepareGeometryChange()
        self._left = left - _BOUNDS_MARGIN * span
        self._right = right + _BOUNDS_MARGIN * span
        self.update()

    def set_curve(
        self,
        key: Hashable,
        x: np.ndarray,
        y: np.ndarray,
        pen: QPen,
        *,
        changed_from: float | None = None,
    ) -> None:
        """Show `x`, `y` for `key`. Only points at or after `changed_from` differ from what
        is drawn (None: the whole curve changed); call :meth:`commit` after a batch."""
        curve = self._curves.get(key)
        if curve is None or (curve.pen is not pen and curve.pen != pen):
            self._curves[key] = _Curve(x, y, pen, curve.visible if curve else True)
            self.update()
            return
        curve.x, curve.y = x, y
        if changed_from is None:
            self.update()
        elif self._changed_from is None or changed_from < self._changed_from:
            self._changed_from = changed_from

    def commit(self) -> None:
        """Repaint the strip the curves changed in since the last commit (one strip for
        all of them: one paint, not one per curve)."""
        if self._changed_from is not None:
            self._update_between(self._changed_from, self._right)
            self._changed_from = None

    def set_visible(self, key: Hashable, visible: bool) -> None:
        curve = self._curves.get(key)
        if curve is not None and curve.visible != visible:
            curve.visible = visible
            self.update()

    def remove(self, key: Hashable) -> None:
        if self._curves.pop(key, None) is not None:
            self.update()

    def clear(self) -> None:
        if self._curves:
            self._curves.clear()
            self.update()

    def _update_between(self, start: float, end: float) -> None:
        start = max(start, self._left)
        if end > start:
            self.update(QRectF(start, self._low, end - start, self._high - self._low))

    # ---- QGraphicsItem ----

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(self._left, self._low, self._right - self._left, self._high - self._low)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        exposed = option.exposedRect
        left, right = exposed.left(), exposed.right()
        painted = 0
        for curve in self._curves.values():
            x = curve.x
            if not curve.visible or len(x) < 2:
                continue
            # One point beyond each side, so segments crossing the edges are drawn.
            first = max(int(np.searchsorted(x, left, side="left")) - 1, 0)
            last = min(int(np.searchsorted(x, right, side="right")) + 1, len(x))
            if last - first < 2:
                continue
            painter.setPen(curve.pen)
            _draw(painter, x[first:last], curve.y[first:last])
            painted += last - first
        self.painted_points = painted


SMALL = 64  # up to this many points, a polyline built point by point beats a QPainterPath


def _draw(painter: QPainter, x: np.ndarray, y: np.ndarray) -> None:
    """Draw the line through x, y, broken at NaN values (a strip of a few points is the
    usual case: build it directly instead of through numpy buffers)."""
    if len(x) > SMALL:
        painter.drawPath(pg.arrayToQPath(x, y, "finite"))
        return
    run: list[QPointF] = []
    for px, py in zip(x.tolist(), y.tolist(), strict=True):
        if py != py:  # noqa: PLR0124 -- NaN: the line breaks here
            if len(run) > 1:
                painter.drawPolyline(run)
            run = []
        else:
            run.append(QPointF(px, py))
    if len(run) > 1:
        painter.drawPolyline(run)
