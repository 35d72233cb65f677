"""Starting and stopping the desktop application.

`run` is what `ne8000monitor gui` calls: QApplication first, then
``asyncio.run(main(), loop_factory=qasync.QEventLoop)``, so the window, the SSH sessions, the
polling and the feed share one event loop and no QThread is needed. The runtime comes from
an async factory handed in by `app.commands.gui` (this package never imports the
composition root, the transport or the simulator). Closing the window sets an
asyncio.Event; `main` awaits it and then closes the runtime (sessions, history, feed).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import qasync
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import NE8000MonitorError
from app.engine.runtime import Runtime
from app.ui import theme
from app.ui.bridge import EngineBridge
from app.ui.context import UiContext
from app.ui.dialogs.preferences import UiPreferences
from app.ui.dialogs.tasks import dialog_result
from app.ui.i18n import install_translator
from app.ui.live import LiveState
from app.ui.main_window import MainWindow, app_icon, focus_window
from app.ui.messages import translate
from app.ui.single_instance import InstanceServer, instance_key, notify_running
from app.ui.uistate import APPLICATION, ORGANISATION, UiState

_log = logging.getLogger("ne8000monitor.ui")

RuntimeFactory = Callable[[], Awaitable[Runtime]]


@dataclass(frozen=True, slots=True)
class GuiOptions:
    """How the window starts (the runtime's own options live in the factory)."""

    language: str | None = None  # None: the saved preference, else the system locale
    single_instance: bool = True
    instance_scope: str = ""  # e.g. the settings directory: one instance per scope
    hidden: bool = False  # start in the tray (when there is one)
    quit_after: float | None = None  # close cleanly after this many seconds (smoke tests)


class GuiSession:
    """The window and its engine bridge over one runtime; `close` shuts it all down."""

    def __init__(self, runtime: Runtime, state: UiState | None = None) -> None:
        self.runtime = runtime
        # Freshness is judged against the engine's clock (a collector's, in collector mode).
        self.live = LiveState(clock=runtime.monitor.now)
        self.ctx = UiContext(runtime, self.live, state or UiState())
        self.bridge = EngineBridge(runtime.monitor, self.live)
        self.ctx.resync = self.bridge.resync
        self.closed = asyncio.Event()
        self.bridge.start()
        for router in runtime.monitor.routers:
            self._apply_monitored(router)
        self.window = MainWindow(self.ctx)
        self.window.closed.connect(self.closed.set)
        feed = runtime.feed
        if runtime.settings.feed.enabled and feed is not None and not feed.running:
            self.ctx.spawn(feed.start(), QCoreApplication.translate("Application", "Feed"))

    def _apply_monitored(self, router: str) -> None:
        # Routers from the settings file keep their choice in their profile; the others
        # (demo routers) in QSettings.
        names = self.ctx.state.monitored(router)
        if names is None or router in self.runtime.settings.routers:
            return
        if not self.runtime.manages_routers:  # collector mode: the collector's choice stands
            return
        try:
            self.runtime.monitor.set_monitored_interfaces(router, names)
        except (KeyError, ValueError) as error:
            self.ctx.report(f"{router}: {error}")

    async def wait_closed(self) -> None:
        await self.closed.wait()

    async def close(self, *, runtime: bool = True) -> None:
        """Close the window (if still open), stop the bridge and the views' tasks, and
        (by default) the runtime: sessions logged out, history flushed, feed stopped."""
        window = self.window
        if window.isVisible():
            window.quitting = True
            window.close()
        for dashboard in list(window.dashboards.values()):
            await dashboard.close_views()
        await self.ctx.cancel_all()
        await self.bridge.stop()
        window.tray.hide()
        window.deleteLater()
        if runtime:
            await self.runtime.close()


class StartupWindow(QWidget):
    """Shown while the runtime starts (simulator, history, first connections)."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen)
        self.setObjectName("startupWindow")
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("<b>NE8000 Monitor</b>"), self)
        layout.addWidget(title)
        self.message = QLabel(self.tr("Starting: loading settings and connecting…"), self)
        layout.addWidget(self.message)
        bar = QProgressBar(self)
        bar.setRange(0, 0)
        layout.addWidget(bar)
        self.resize(380, 110)


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setDesktopFileName("ne8000monitor")
    return QApplication(sys.argv[:1])


def prepare_application(language: str | None = None) -> QApplication:
    """QApplication with names, translation and the OS-following palette."""
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = _application()
    app.setQuitOnLastWindowClosed(False)  # `main` decides when to stop, after clean-up
    app.setWindowIcon(app_icon())
    chosen = language if language is not None else UiPreferences.load().language
    install_translator(app, chosen)
    theme.apply_palette(app)
    if not app.property("ne8000monitor_palette"):  # connect once per QApplication
        app.setProperty("ne8000monitor_palette", True)
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: theme.apply_palette(app))
    return app


async def _show_error(title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setObjectName("startupError")
    try:
        await dialog_result(box)
    finally:
        box.deleteLater()


async def main(factory: RuntimeFactory, options: GuiOptions, server: InstanceServer | None) -> int:
    """Start the runtime (with progress), run the window until it closes, shut down."""
    # Plain threads for asyncio.to_thread (audit log fsync): qasync's default QThread
    # executor could still own running QThreads when the process exits.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="ne8000monitor")
    )
    splash = StartupWindow()
    splash.show()
    try:
        runtime = await factory()
    except Exception as error:
        splash.close()
        splash.deleteLater()
        title = QCoreApplication.translate("Application", "NE8000 Monitor cannot start")
        if isinstance(error, NE8000MonitorError):
            # A problem the operator can fix (a bad settings file, a history database from a
            # newer release): one clear line, no traceback, nothing touched.
            _log.error("cannot start: %s", error)
            said = error.operator_message
            await _show_error(title, translate(said) if said is not None else str(error))
            return 2
        _log.exception("the application could not start")
        await _show_error(title, f"{type(error).__name__}: {error}")
        return 1
    splash.close()
    splash.deleteLater()
    try:
        session = GuiSession(runtime)
    except BaseException:
        await runtime.close()  # a window that cannot be built must not leave sessions open
        raise
    if server is not None:
        server.activation_requested.connect(lambda: focus_window(session.window))
    previous = {
        sig: signal.signal(sig, lambda *_: session.window.quit())
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    if options.quit_after is not None:
        QTimer.singleShot(round(options.quit_after * 1000), session.window.quit)
    # Python only runs signal handlers between bytecodes; wake it regularly.
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)
    try:
        if options.hidden and session.window.tray.available:
            session.window.hide()
        else:
            session.window.show()
        await session.wait_closed()
    finally:
        heartbeat.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        await session.close()
    return 0


def run(factory: RuntimeFactory, options: GuiOptions | None = None) -> int:
    """The GUI's entry point; returns the process exit status."""
    options = options or GuiOptions()
    app = prepare_application(options.language)
    server: InstanceServer | None = None
    if options.single_instance:
        key = instance_key(options.instance_scope)
        if notify_running(key):
            print("NE8000 Monitor is already running; brought it to the front.", file=sys.stderr)
            return 0
        server = InstanceServer(key)
        if not server.listen():
            _log.warning("single-instance lock unavailable: %s", server.server.errorString())
    try:
        return asyncio.run(main(factory, options, server), loop_factory=qasync.QEventLoop)
    finally:
        if server is not None:
            server.close()
        app.processEvents()
