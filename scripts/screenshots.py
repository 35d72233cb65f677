"""Save screenshots of the main views for the README (docs/screenshot-*.png).

Starts the real application stack in demo mode (embedded simulated NE8000s, the real
engine polling them over loopback SSH) with an offscreen Qt platform (or run it under
`xvfb-run`), waits until the views have a couple of minutes' worth of samples, and grabs
the overview, subscribers, system, interfaces, traffic and alarms views (and the traffic
view once more in the dark palette). Then the same window at the sizes operators use,
to check the columns (``screenshot-{overview,interfaces,alarms}-{W}x{H}.png`` at 1280x720,
1920x1080 and 3840x2160, 4K at 100 % scale, the hardest case for stretching columns), and
the window in Brazilian Portuguese (``screenshot-pt_BR-*.png``). Then a scripted outage
(scripts/stale_routers.py: one router hangs two commands, one is powered off) for the
stale states: ``screenshot-stale-subscribers.png`` and ``screenshot-stale-overview.png``.
Last, a seat in collector mode over a `serve --demo` subprocess, live and after the
collector is stopped: ``screenshot-collector.png`` and
``screenshot-collector-unreachable.png``.

    python scripts/screenshots.py [--out docs] [--routers 3] [--seconds 60]
                                  [--only views|sizes|pt_BR|stale|collector]

Settings, history and QSettings go to a temporary directory: the user's are not touched.
Router passwords go to the OS keyring when there is one (the demo's are never stored; run
under `dbus-run-session` with gnome-keyring for pictures of a desktop that has one),
otherwise the status bar says they are kept for this session only, as the app would.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.bootstrap import AppPaths, start_collector_runtime, start_runtime
from app.engine.runtime import Runtime
from app.engine.seats import issue_seat
from app.engine.settings import FeedSettings, Settings, save_settings
from app.transport.credentials import MemorySecretStore
from app.ui import theme
from app.ui.application import GuiSession, prepare_application
from app.ui.formatting import DASH
from app.ui.i18n import install_translator
from scripts import stale_routers

SIZE = (1360, 860)
# Where the columns are checked: a laptop, a full-HD monitor, a 4K screen at 100 %.
SIZES = ((1280, 720), (1920, 1080), (3840, 2160))


async def _wait(condition: object, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError("the demo produced no data")
        await asyncio.sleep(0.2)


async def capture(
    out: Path, routers: int, seconds: float, work: Path, only: str | None
) -> list[Path]:
    runtime = await start_runtime(  # no `secrets`: the OS keyring when there is one
        paths=AppPaths(work / "config", work / "data"),
        demo=True,
        demo_routers=routers,
        poll_scale=0.05,
        history=True,
    )
    saved: list[Path] = []
    try:
        if only in (None, "views"):
            saved += await _main_views(runtime, out, seconds)
        if only in (None, "sizes"):
            saved += await _sizes(runtime, out)
        if only in (None, "pt_BR"):
            saved += await _portuguese(runtime, out)
    finally:
        await runtime.close()
    return saved


def _grab(window: object, path: Path, saved: list[Path]) -> None:
    window.grab().save(str(path))  # type: ignore[attr-defined]
    saved.append(path)


async def _main_views(runtime: Runtime, out: Path, seconds: float) -> list[Path]:
    session = GuiSession(runtime)
    window = session.window
    saved: list[Path] = []
    try:
        window.resize(*SIZE)
        window.show()
        await _wait(lambda: window.overview.total.text() != DASH)
        first = runtime.monitor.routers[0]
        window.routers.select(first)
        dashboard = window.dashboards[first]
        dashboard.traffic.window_box.setCurrentIndex(0)
        await asyncio.sleep(seconds)  # let the plots fill

        def grab(name: str) -> None:
            _grab(window, out / f"screenshot-{name}.png", saved)

        async def show(widget: object, name: str) -> None:
            dashboard.setCurrentWidget(widget)  # type: ignore[arg-type]
            await asyncio.sleep(2.5)  # timer-driven redraw + history query
            grab(name)

        await show(dashboard.subscribers, "subscribers")
        await show(dashboard.system, "system")
        await show(dashboard.interfaces, "interfaces")
        await show(dashboard.traffic, "traffic")
        await show(dashboard.alarms, "alarms")
        window.routers.select("")
        window.overview.load_trends()
        await asyncio.sleep(1.5)
        grab("overview")
        # The dark palette (what an OS in dark mode gets), on the traffic view.
        theme.apply_palette(QApplication.instance(), dark=True)  # type: ignore[arg-type]
        window.routers.select(first)
        await show(dashboard.traffic, "traffic-dark")
        theme.apply_palette(QApplication.instance(), dark=False)  # type: ignore[arg-type]
    finally:
        await session.close(runtime=False)
    return saved


async def _sizes(runtime: Runtime, out: Path) -> list[Path]:
    """The overview, a router's interfaces and its alarms at each screen size."""
    session = GuiSession(runtime)
    window = session.window
    saved: list[Path] = []
    try:
        window.show()
        await _wait(lambda: window.overview.total.text() != DASH)
        await asyncio.sleep(0.5)  # the saved selection is restored just after the start
        first = runtime.monitor.routers[0]
        for width, height in SIZES:
            window.resize(width, height)
            window.routers.select("")
            window.overview.load_trends()
            await asyncio.sleep(2.0)
            _grab(window, out / f"screenshot-overview-{width}x{height}.png", saved)
            window.routers.select(first)
            dashboard = window.dashboards[first]
            for widget, name in (
                (dashboard.interfaces, "interfaces"),
                (dashboard.alarms, "alarms"),
            ):
                dashboard.setCurrentWidget(widget)
                await asyncio.sleep(2.0)
                _grab(window, out / f"screenshot-{name}-{width}x{height}.png", saved)
    finally:
        await session.close(runtime=False)
    return saved


async def _portuguese(runtime: Runtime, out: Path) -> list[Path]:
    """The window in Brazilian Portuguese: overview, subscribers, interfaces, alarms."""
    app = QApplication.instance()
    install_translator(app, "pt_BR")  # type: ignore[arg-type]
    session = GuiSession(runtime)  # built after: every label in Portuguese
    window = session.window
    saved: list[Path] = []
    try:
        window.resize(*SIZE)
        window.show()
        await _wait(lambda: window.overview.total.text() != DASH)
        await asyncio.sleep(0.5)  # the saved selection is restored just after the start
        window.routers.select("")
        window.overview.load_trends()
        await asyncio.sleep(2.5)
        _grab(window, out / "screenshot-pt_BR-overview.png", saved)
        first = runtime.monitor.routers[0]
        window.routers.select(first)
        dashboard = window.dashboards[first]
        for widget, name in (
            (dashboard.subscribers, "subscribers"),
            (dashboard.interfaces, "interfaces"),
            (dashboard.alarms, "alarms"),
        ):
            dashboard.setCurrentWidget(widget)
            await asyncio.sleep(2.5)
            _grab(window, out / f"screenshot-pt_BR-{name}.png", saved)
    finally:
        await session.close(runtime=False)
        install_translator(app, "en")  # type: ignore[arg-type]
    return saved


async def capture_stale(out: Path, seconds: float, work: Path) -> list[Path]:
    """A router going stale: its subscriber view (hung commands) and the overview."""
    outage = await stale_routers.start(work)
    session = GuiSession(outage.runtime)
    window = session.window
    saved: list[Path] = []
    try:
        window.resize(*SIZE)
        window.show()
        await stale_routers.all_reporting(outage)
        window.routers.select(stale_routers.HUNG_ROUTER)
        dashboard = window.dashboards[stale_routers.HUNG_ROUTER]
        dashboard.setCurrentWidget(dashboard.subscribers)
        await asyncio.sleep(seconds)  # some history in the plot before the outage
        await stale_routers.break_routers(outage)
        await asyncio.sleep(2.5)  # the views' timers re-evaluate freshness
        for name, select in (
            ("stale-subscribers", stale_routers.HUNG_ROUTER),
            ("stale-overview", ""),
        ):
            window.routers.select(select)
            await asyncio.sleep(2.0)
            path = out / f"screenshot-{name}.png"
            window.grab().save(str(path))
            saved.append(path)
    finally:
        await session.close(runtime=False)
        await outage.close()
    return saved


async def _start_collector(work: Path, routers: int) -> tuple[asyncio.subprocess.Process, str]:
    """`serve --demo` in its own folders with one seat token: (process, URL, token)."""
    seat, token = issue_seat("noc-1")
    settings_file = work / "collector.toml"
    save_settings(
        Settings(feed=FeedSettings(remote_commands=True), seats={"noc-1": seat}), settings_file
    )
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_STATE_HOME": str(work / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "serve",
        "--demo",
        "--demo-routers",
        str(routers),
        "--settings",
        str(settings_file),
        "--port",
        "0",
        "--poll-scale",
        "0.1",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert process.stderr is not None
    while line := (await process.stderr.readline()).decode():
        if "feed listening on " in line:
            url = line.split("feed listening on ", 1)[1].split()[0]
            # Keep reading its log, or the pipe fills and the collector stalls.
            asyncio.get_running_loop().create_task(_drain(process.stderr))
            return process, url + "|" + token
    raise RuntimeError("the collector did not start")


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def capture_collector(out: Path, routers: int, seconds: float, work: Path) -> list[Path]:
    """A seat in collector mode: live, then with its collector stopped."""
    process, address = await _start_collector(work / "collector", routers)
    url, token = address.split("|")
    runtime = await start_collector_runtime(
        url=url,
        token=token,
        paths=AppPaths(work / "config", work / "data"),
        secrets=MemorySecretStore(),
    )
    session = GuiSession(runtime)
    window = session.window
    saved: list[Path] = []
    try:
        window.resize(*SIZE)
        window.show()
        await _wait(lambda: window.overview.total.text() != DASH)
        first = runtime.monitor.routers[0]
        window.routers.select(first)
        await asyncio.sleep(seconds)  # a little history in the plot

        def grab(name: str) -> None:
            path = out / f"screenshot-{name}.png"
            window.grab().save(str(path))
            saved.append(path)

        grab("collector")
        process.terminate()  # the collector goes away: every section turns stale
        await process.wait()
        await asyncio.sleep(4.0)  # the link notices, the views' timers re-evaluate
        grab("collector-unreachable")
    finally:
        await session.close()
        if process.returncode is None:
            process.terminate()
            await process.wait()
    return saved


async def capture_all(
    out: Path, routers: int, seconds: float, work: Path, only: str | None
) -> list[Path]:
    """The main views (demo), the outage, collector mode; one event loop for all."""
    saved: list[Path] = []
    for name in ("views", "stale", "collector"):
        (work / name).mkdir()
    if only not in ("stale", "collector"):
        saved += await capture(out, routers, seconds, work / "views", only)
    if only in (None, "stale"):
        saved += await capture_stale(out, min(seconds, 20.0), work / "stale")
    if only in (None, "collector"):
        saved += await capture_collector(out, routers, min(seconds, 20.0), work / "collector")
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--routers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--only",
        choices=("views", "sizes", "pt_BR", "stale", "collector"),
        help="only the main views, the screen sizes, the Portuguese window, the outage, "
        "or collector mode",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ne8000-shots-") as work:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(work) / "qsettings")
        )
        prepare_application("en")
        saved = asyncio.run(
            capture_all(args.out, args.routers, args.seconds, Path(work), args.only),
            loop_factory=qasync.QEventLoop,
        )
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
