"""GUI benchmark: plot frame times and the memory of the running window (offscreen Qt).

Run from the repository root:

    .venv/bin/python bench/gui_bench.py [--frames N] [--minutes M] [--skip-rss] [--smoke]

1. Frame time of the traffic view with 16 interfaces (32 series: in and out) holding 24 h
   at 5-second resolution (17,280 samples each), the 24 h window shown, a new sample of
   every interface arriving before each frame (the worst case: every curve changes). The
   view reads the day from the engine's history ring (`History`, as `Monitor.history_query`
   does when the ring covers the window) and then takes the live samples from `LiveState`,
   as in the app; the view's clock follows the samples. A frame is what the 1-second redraw
   timer costs: take in the new samples, then paint the plot synchronously (`grab`, a full
   paint of the plot widget). Synthetic rates (a daily sine with noise and a few gaps) stand
   in for real traffic: the figure depends on the sample count, not on the values.
2. The same data through pyqtgraph's plain path, in the same run: one PlotDataItem per
   curve with peak downsampling and clip-to-view, the whole arrays set again with the new
   sample each frame and the x range following now; the ratio of the two is printed.
3. The subscribers plot with 7 days at 15-second resolution (40,320 samples), set again and
   painted each frame a second apart (as the subscribers view does with a query's answer).
4. RSS of the GUI in demo mode with 10 simulated routers (embedded simulators, real SSH,
   the real engine) polling every data set every second, every router's dashboard built,
   over M minutes (default 10). Growth is measured from the end of a 1-minute warm-up.

Targets: p95 frame under 16 ms; RSS growth under 30 MB. Exit status 1 when one is missed.
`--smoke` (for CI, so the benchmark cannot rot) runs a few frames and a few seconds of RSS
with two routers, and never fails on a figure: a busy CI machine's timings mean nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QPen  # noqa: E402

from app.bootstrap import AppPaths, start_runtime  # noqa: E402
from app.engine.history import History  # noqa: E402
from app.engine.monitor import HistoryResult  # noqa: E402
from app.engine.settings import Intervals, Settings  # noqa: E402
from app.transport.credentials import MemorySecretStore  # noqa: E402
from app.ui import theme  # noqa: E402
from app.ui.application import GuiSession, prepare_application  # noqa: E402
from app.ui.live import LiveState  # noqa: E402
from app.ui.plots import follow_now, set_curve, time_plot  # noqa: E402
from app.ui.views.traffic import TrafficView  # noqa: E402

FRAME_TARGET_MS = 16.0
RSS_TARGET_MB = 30.0
SERIES = 16
DAY = 86_400
TRAFFIC_STEP = 5.0
SUBSCRIBER_STEP = 15.0
ROUTERS = 10
WARMUP_SECONDS = 60.0
SMOKE_FRAMES = 12
SMOKE_MINUTES = 0.1
SMOKE_WARMUP_SECONDS = 5.0
SMOKE_ROUTERS = 2

Frames = tuple[list[float], list[float]]  # wall and CPU milliseconds per frame


def rss_mb() -> float:
    """Resident set size of this process now (Linux /proc; else the peak from rusage)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def _time_frames(frame: Callable[[], None], frames: int) -> Frames:
    """Wall-clock and CPU milliseconds per frame (CPU time is what the frame itself cost,
    without the time a busy machine made the process wait)."""
    wall, cpu = [], []
    gc.disable()
    try:
        for _ in range(frames):
            started, used = time.perf_counter(), time.thread_time()
            frame()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - used) * 1000)
    finally:
        gc.enable()
    return wall, cpu


class TrafficDay:
    """24 h at 5 s of 16 interfaces (in and out): the benchmark's data, and its clock."""

    def __init__(self) -> None:
        self.now = time.time()
        self.t = np.arange(self.now - DAY, self.now, TRAFFIC_STEP)
        rng = np.random.default_rng(1)
        self.rates: dict[tuple[str, str], np.ndarray] = {}
        for index in range(SERIES):
            base = 2e9 + 4e8 * index
            rx = base * (1 + 0.5 * np.sin(2 * math.pi * (self.t - self.now) / DAY))
            rx *= rng.uniform(0.95, 1.05, len(self.t))
            rx[rng.integers(0, len(self.t), 5)] = np.nan  # a few failed polls
            self.rates[(self.name(index), "in")] = rx
            self.rates[(self.name(index), "out")] = rx * 0.12
        self.clock = float(self.t[-1])

    @staticmethod
    def name(index: int) -> str:
        return f"100GE0/1/{index}"

    def history(self, frames: int) -> History:
        """The engine's ring holding the day (as `Monitor.history_query` reads it)."""
        history = History(capacity=len(self.t) + frames + 16, max_series=2 * SERIES)
        for (name, direction), values in self.rates.items():
            metric = f"if.{name}.{direction}_bps"
            for sample_t, value in zip(self.t.tolist(), values.tolist(), strict=True):
                history.record("bench", metric, sample_t, None if math.isnan(value) else value)
        return history

    def tick(self) -> list[tuple[str, float, float]]:
        """The next poll of every interface: (name, in, out)."""
        self.clock += TRAFFIC_STEP
        return [(self.name(index), 2.5e9, 3e8) for index in range(SERIES)]


def _bench_context(live: LiveState, history: History) -> SimpleNamespace:
    """What the view needs of the UI context: the live state, the monitor's history query
    (its memory path) and a task runner (run to completion: the bench has no loop)."""

    async def history_query(
        router: str, metric: str, start: float, end: float | None = None, **_: Any
    ) -> HistoryResult:
        return HistoryResult("memory", history.between(router, metric, start, end))

    def spawn(coro: Any, _what: str, done: Callable[[Any], None] | None = None) -> None:
        loop = asyncio.new_event_loop()
        try:
            result = loop.run_until_complete(coro)
        finally:
            loop.close()
        if done is not None:
            done(result)

    monitor = SimpleNamespace(monitored_interfaces=lambda _r: (), history_query=history_query)
    return SimpleNamespace(live=live, monitor=monitor, report=print, spawn=spawn)


def traffic_frames(day: TrafficDay, frames: int) -> Frames:
    live = LiveState(clock=lambda: day.clock)
    live.set_routers(["bench"])
    for index in range(SERIES):  # the interfaces the first polls named
        live.add_traffic("bench", day.name(index), day.clock, None, None)
    view = TrafficView(_bench_context(live, day.history(frames)), "bench")  # type: ignore[arg-type]
    view.resize(1280, 720)
    view.window_box.setCurrentIndex(view.window_box.count() - 2)  # 24 h
    view.show()
    for row in range(view.ports.rowCount()):  # every interface drawn, as an operator may
        view.ports.setData(view.ports.index(row, 0), Qt.CheckState.Checked,
                           Qt.ItemDataRole.CheckStateRole)
    view._tick()  # reads the day from history, as the timer would
    assert len(view.visible_interfaces()) == SERIES
    assert len(view.shown_series()) == 2 * SERIES

    def frame() -> None:
        # A new poll of every interface arrives, then the timer redraws and Qt paints.
        for name, received, sent in day.tick():
            live.add_traffic("bench", name, day.clock, received, sent)
        view.redraw()
        view.plot.grab()  # forces a full paint, offscreen or not

    frame()
    result = _time_frames(frame, frames)
    assert len(view.series(day.name(0), "in").points) >= len(day.t)  # type: ignore[union-attr]
    view.close()
    view.deleteLater()
    return result


def plain_frames(day: TrafficDay, frames: int) -> Frames:
    """pyqtgraph's plain path on the same data: PlotDataItem per curve, peak downsampling,
    clip-to-view, whole arrays set again each frame, the x range following now."""
    axis = pg.DateAxisItem(orientation="bottom")
    plot = pg.PlotWidget(axisItems={"bottom": axis})
    item = plot.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    item.vb.disableAutoRange()
    plot.resize(1050, 560)  # about the traffic view's plot area at 1280 x 720
    plot.show()
    data = {key: (day.t.copy(), values.copy()) for key, values in day.rates.items()}
    curves = {}
    for index, (name, direction) in enumerate(data):
        pen = QPen(QColor(theme.SERIES[(index // 2) % len(theme.SERIES)]))
        pen.setCosmetic(True)
        if direction == "out":
            pen.setStyle(Qt.PenStyle.DashLine)
        curves[(name, direction)] = plot.plot(pen=pen)
    top = 1.05 * max(float(np.nanmax(v)) for _, v in data.values())
    plot.setYRange(0.0, top, padding=0)

    def frame() -> None:
        for name, received, sent in day.tick():
            for direction, value in (("in", received), ("out", sent)):
                times, values = data[(name, direction)]
                times = np.append(times[1:], day.clock)
                values = np.append(values[1:], value)
                data[(name, direction)] = (times, values)
                curves[(name, direction)].setData(times, values, connect="finite")
        plot.setXRange(day.clock - DAY, day.clock, padding=0.02)
        plot.grab()

    frame()
    result = _time_frames(frame, frames)
    plot.close()
    plot.deleteLater()
    return result


def subscriber_frames(frames: int) -> Frames:
    now = time.time()
    t = np.arange(now - 7 * DAY, now, SUBSCRIBER_STEP)
    values = 25_000 + 6_000 * np.sin(2 * math.pi * (t - now) / DAY)
    plot = time_plot()
    curve = plot.plot(pen="#1e88e5")
    plot.resize(1280, 420)
    plot.show()

    clock = [now]

    def frame() -> None:
        clock[0] += 1.0  # the view's 1-second timer: the answer again, the axis following now
        set_curve(curve, t, values)
        follow_now(plot, 7 * DAY, float(t[0]), clock[0])
        plot.grab()

    frame()
    result = _time_frames(frame, frames)
    plot.close()
    plot.deleteLater()
    return result


async def rss_run(
    minutes: float, warmup: float, routers: int, work: Path
) -> tuple[float, float, float, int]:
    one_second = Intervals(interfaces=1.0, pppoe=1.0, system=1.0, traffic=1.0)
    runtime = await start_runtime(
        paths=AppPaths(work / "config", work / "data"),
        settings=Settings(intervals=one_second),
        demo=True,
        demo_routers=routers,
        secrets=MemorySecretStore(),
        poll_scale=1.0,
        history=True,
    )
    session = GuiSession(runtime)
    window = session.window
    try:
        window.resize(1360, 860)
        window.show()
        for name in runtime.monitor.routers:  # build every dashboard, as an operator would
            window.routers.select(name)
            dashboard = window.dashboards[name]
            for index in range(dashboard.count()):
                dashboard.setCurrentIndex(index)
                await asyncio.sleep(0.2)
        window.routers.select(runtime.monitor.routers[0])
        first = window.dashboards[runtime.monitor.routers[0]]
        first.setCurrentWidget(first.traffic)
        await asyncio.sleep(warmup)
        gc.collect()
        start = rss_mb()
        peak = start
        end_at = time.monotonic() + minutes * 60
        while time.monotonic() < end_at:
            await asyncio.sleep(min(10.0, minutes * 60))
            peak = max(peak, rss_mb())
        gc.collect()
        end = rss_mb()
        polls = sum(s.polling.polls for s in runtime.monitor.router_status())
    finally:
        await session.close()
    return start, end, peak, polls


def _report(name: str, frames: Frames) -> float:
    """Print one scenario's figures; returns its wall-clock p95."""
    wall, cpu = frames
    worst = p95(wall)
    print(
        f"{name}: frame median {statistics.median(wall):.1f} ms, "
        f"p95 {worst:.1f} ms (target < {FRAME_TARGET_MS:.0f} ms); CPU per frame "
        f"median {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms"
    )
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a short run that never fails on"
                        " a figure (CI)")
    args = parser.parse_args()
    frames = SMOKE_FRAMES if args.smoke else args.frames
    minutes = SMOKE_MINUTES if args.smoke else args.minutes
    warmup = SMOKE_WARMUP_SECONDS if args.smoke else WARMUP_SECONDS
    routers = SMOKE_ROUTERS if args.smoke else ROUTERS
    ok = True
    with tempfile.TemporaryDirectory(prefix="ne8000-gui-bench-") as work:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(work) / "qs")
        )
        prepare_application("en")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        scenario = f"{SERIES} interfaces x 24 h @ 5 s"
        view = traffic_frames(TrafficDay(), frames)
        plain = plain_frames(TrafficDay(), frames)
        worst = _report(f"traffic view, {scenario}", view)
        ok &= worst < FRAME_TARGET_MS
        plain_worst = _report(f"pyqtgraph plain path, same data ({scenario})", plain)
        print(
            f"traffic view vs plain path: {plain_worst / worst:.1f}x faster at p95 wall, "
            f"{statistics.median(plain[1]) / statistics.median(view[1]):.1f}x less CPU "
            "per frame (median)"
        )
        ok &= _report("subscribers plot, 7 d @ 15 s", subscriber_frames(frames)) < FRAME_TARGET_MS
        print(f"load average {os.getloadavg()[0]:.1f} after the frame runs")
        if not args.skip_rss:
            start, end, peak, polls = asyncio.run(
                rss_run(minutes, warmup, routers, Path(work)), loop_factory=qasync.QEventLoop
            )
            growth = end - start
            ok &= growth < RSS_TARGET_MB
            print(
                f"GUI demo, {routers} routers @ 1 s for {minutes:g} min ({polls} polls): "
                f"RSS {start:.0f} MB after warm-up -> {end:.0f} MB (peak {peak:.0f} MB), "
                f"growth {growth:+.1f} MB (target < {RSS_TARGET_MB:.0f} MB)"
            )
    return 0 if ok or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
