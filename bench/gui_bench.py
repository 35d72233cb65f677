"""GUI benchmark: plot frame times and the memory of the running window (offscreen Qt).

Run from the repository root:

    /work/venv/bin/python bench/gui_bench.py [--frames N] [--minutes M] [--skip-rss]

1. Frame time of the traffic view with 16 interfaces (32 series: in and out) holding 24 h
   at 5-second resolution (17,280 samples each), the 24 h window shown, a new sample of
   every interface arriving before each frame (the worst case: every curve changes); and of the
   subscribers plot with 7 days at 15-second resolution (40,320 samples). A frame is what
   the 1-second redraw timer costs: rebuild the curves from the rings, then paint the plot
   synchronously. Synthetic rates (a daily sine with noise and a few gaps) stand in for
   real traffic: the figure depends on the sample count, not on the values.
2. RSS of the GUI in demo mode with 10 simulated routers (embedded simulators, real SSH,
   the real engine) polling every data set every second, every router's dashboard built,
   over M minutes (default 10). Growth is measured from the end of a 1-minute warm-up.

Targets: p95 frame under 16 ms; RSS growth under 30 MB. Exit status 1 when one is missed.
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
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from app.bootstrap import AppPaths, start_runtime  # noqa: E402
from app.engine.settings import Intervals, Settings  # noqa: E402
from app.transport.credentials import MemorySecretStore  # noqa: E402
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


def _time_frames(frame: object, frames: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per frame (CPU time is what the frame itself cost,
    without the time a busy machine made the process wait)."""
    wall, cpu = [], []
    gc.disable()
    try:
        for _ in range(frames):
            started, used = time.perf_counter(), time.thread_time()
            frame()  # type: ignore[operator]
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - used) * 1000)
    finally:
        gc.enable()
    return wall, cpu


def traffic_frames(frames: int) -> tuple[list[float], list[float]]:
    live = LiveState()
    live.set_routers(["bench"])
    now = time.time()
    t = np.arange(now - DAY, now, TRAFFIC_STEP)
    rng = np.random.default_rng(1)
    for index in range(SERIES):
        base = 2e9 + 4e8 * index
        rx = base * (1 + 0.5 * np.sin(2 * math.pi * (t - now) / DAY)) * rng.uniform(
            0.95, 1.05, len(t)
        )
        tx = rx * 0.12
        rx[rng.integers(0, len(t), 5)] = np.nan  # a few failed polls
        for sample_t, i, o in zip(t, rx, tx, strict=True):
            live.add_traffic("bench", f"100GE0/1/{index}", float(sample_t),
                             None if math.isnan(i) else float(i), float(o))
    ctx = SimpleNamespace(
        live=live,
        monitor=SimpleNamespace(monitored_interfaces=lambda _router: ()),
        report=print,
    )
    view = TrafficView(ctx, "bench")  # type: ignore[arg-type]
    view.resize(1280, 720)
    view.show()
    view.series.blockSignals(True)
    view.redraw()  # builds the series list
    for row in range(view.series.count()):
        view.series.item(row).setCheckState(view.series.item(0).checkState().Checked)
    view.series.blockSignals(False)
    view.window_box.setCurrentIndex(view.window_box.count() - 1)  # 24 h
    assert len(view.visible_interfaces()) == SERIES

    clock = [float(t[-1])]

    def frame() -> None:
        # A new poll of every interface arrives, then the timer redraws and Qt paints.
        clock[0] += TRAFFIC_STEP
        for index in range(SERIES):
            live.add_traffic("bench", f"100GE0/1/{index}", clock[0], 2.5e9, 3e8)
        view.redraw()
        view.plot.grab()  # forces a full paint, offscreen or not

    frame()
    result = _time_frames(frame, frames)
    assert len(view._curves) == 2 * SERIES
    view.close()
    view.deleteLater()
    return result


def subscriber_frames(frames: int) -> tuple[list[float], list[float]]:
    now = time.time()
    t = np.arange(now - 7 * DAY, now, SUBSCRIBER_STEP)
    values = 25_000 + 6_000 * np.sin(2 * math.pi * (t - now) / DAY)
    plot = time_plot()
    curve = plot.plot(pen="#1e88e5")
    plot.resize(1280, 420)
    plot.show()

    def frame() -> None:
        set_curve(curve, t, values)
        follow_now(plot, 7 * DAY, float(t[0]), now)
        plot.grab()

    frame()
    result = _time_frames(frame, frames)
    plot.close()
    plot.deleteLater()
    return result


async def rss_run(minutes: float, work: Path) -> tuple[float, float, float, int]:
    one_second = Intervals(interfaces=1.0, pppoe=1.0, system=1.0, traffic=1.0)
    runtime = await start_runtime(
        paths=AppPaths(work / "config", work / "data"),
        settings=Settings(intervals=one_second),
        demo=True,
        demo_routers=ROUTERS,
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
        window.dashboards[runtime.monitor.routers[0]].setCurrentIndex(3)  # traffic
        await asyncio.sleep(WARMUP_SECONDS)
        gc.collect()
        start = rss_mb()
        peak = start
        end_at = time.monotonic() + minutes * 60
        while time.monotonic() < end_at:
            await asyncio.sleep(10)
            peak = max(peak, rss_mb())
        gc.collect()
        end = rss_mb()
        polls = sum(s.polling.polls for s in runtime.monitor.router_status())
    finally:
        await session.close()
    return start, end, peak, polls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="ne8000-gui-bench-") as work:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(work) / "qs")
        )
        prepare_application("en")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for name, (wall, cpu) in (
            (f"traffic view, {SERIES} interfaces x 24 h @ 5 s", traffic_frames(args.frames)),
            ("subscribers plot, 7 d @ 15 s", subscriber_frames(args.frames)),
        ):
            worst = p95(wall)
            ok &= worst < FRAME_TARGET_MS
            print(
                f"{name}: frame median {statistics.median(wall):.1f} ms, "
                f"p95 {worst:.1f} ms (target < {FRAME_TARGET_MS:.0f} ms); CPU per frame "
                f"median {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms"
            )
        if not args.skip_rss:
            start, end, peak, polls = asyncio.run(
                rss_run(args.minutes, Path(work)), loop_factory=qasync.QEventLoop
            )
            growth = end - start
            ok &= growth < RSS_TARGET_MB
            print(
                f"GUI demo, {ROUTERS} routers @ 1 s for {args.minutes:g} min ({polls} polls): "
                f"RSS {start:.0f} MB after warm-up -> {end:.0f} MB (peak {peak:.0f} MB), "
                f"growth {growth:+.1f} MB (target < {RSS_TARGET_MB:.0f} MB)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
