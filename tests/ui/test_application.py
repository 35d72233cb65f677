"""Start-up and shut-down: the real `run` entry point (QApplication + qasync), a runtime
factory that fails, the single-instance hand-over, the traffic exports, and the CLI."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QMessageBox

from app.__main__ import build_parser
from app.__main__ import main as cli_main
from app.bootstrap import AppPaths, start_runtime
from app.commands import gui
from app.domain.router import RouterProfile
from app.engine.runtime import Runtime
from app.engine.settings import Settings
from app.transport.credentials import MemorySecretStore
from app.ui.application import GuiOptions
from app.ui.application import run as run_gui
from app.ui.formatting import DASH
from app.ui.main_window import MainWindow
from app.ui.single_instance import InstanceServer, instance_key, notify_running
from tests.support.files import listing, mode_of, usual_umask
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import demo_session


def _window() -> MainWindow | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)


def test_run_starts_shows_data_and_closes_cleanly(qapp: QApplication, tmp_path: Path) -> None:
    started: list[Runtime] = []
    seen: list[str] = []

    async def operator() -> None:
        window = await wait_for(lambda: (w := _window()) is not None and w.isVisible() and w)
        await wait_for(lambda: window.overview.total.text() != DASH, what="subscriber total")
        seen.append(window.overview.total.text())
        window.close()  # the operator closes the window: `run` shuts everything down

    async def factory() -> Runtime:
        runtime = await start_runtime(
            paths=AppPaths(tmp_path / "config", tmp_path / "data"),
            demo=True,
            secrets=MemorySecretStore(),
            poll_scale=0.05,
            history=True,
        )
        started.append(runtime)
        task = asyncio.get_running_loop().create_task(operator())
        runtime.on_close(lambda: task)  # keeps the task referenced until shutdown
        return runtime

    status = run_gui(factory, GuiOptions(language="en", single_instance=False))
    asyncio.set_event_loop(None)
    assert status == 0
    assert seen
    assert seen[0] != DASH
    [runtime] = started
    assert runtime.monitor.running is False  # sessions closed, pollers stopped
    assert (tmp_path / "data" / "demo" / "history.sqlite3").exists()  # history flushed
    assert _window() is None


def test_run_reports_a_failed_start(qapp: QApplication) -> None:
    shown: list[str] = []

    async def dismiss() -> None:
        box = await wait_for(
            lambda: next(
                (w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.objectName() == "startupError"
                 and w.isVisible()),
                None,
            )
        )
        shown.append(box.text())
        box.accept()

    async def factory() -> Runtime:
        asyncio.get_running_loop().create_task(dismiss())
        await asyncio.sleep(0)
        raise OSError("settings folder is read-only")

    status = run_gui(factory, GuiOptions(language="en", single_instance=False))
    asyncio.set_event_loop(None)
    assert status == 1
    assert shown == ["OSError: settings folder is read-only"]


def test_a_history_database_from_a_newer_version_is_a_clear_dialog(
    qapp: QApplication, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "history.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = listing(data)
    shown: list[str] = []

    async def dismiss() -> None:
        box = await wait_for(
            lambda: next(
                (w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.objectName() == "startupError"
                 and w.isVisible()),
                None,
            )
        )
        shown.append(box.text())
        box.accept()

    async def factory() -> Runtime:
        asyncio.get_running_loop().create_task(dismiss())
        profile = RouterProfile(name="bras-1", host="192.0.2.1")
        return await start_runtime(
            paths=AppPaths(tmp_path / "config", data),
            settings=Settings().with_router(profile),
            secrets=MemorySecretStore(),
        )

    status = run_gui(factory, GuiOptions(language="en", single_instance=False))
    asyncio.set_event_loop(None)
    assert status == 2
    [text] = shown
    assert "was written by a newer version of NE8000 Monitor" in text
    assert "NewerHistoryDatabase" not in text  # the message, not a class name
    assert listing(data) == before


def test_second_start_focuses_the_first(run: Runner, tmp_path: Path) -> None:
    key = instance_key(str(tmp_path))
    assert key != instance_key(str(tmp_path / "other"))

    async def body() -> int:
        server = InstanceServer(key)
        assert server.listen()
        requests: list[bool] = []
        server.activation_requested.connect(lambda: requests.append(True))
        try:
            assert notify_running(key)
            await wait_for(lambda: requests, what="the activation request")
            return len(requests)
        finally:
            server.close()
            server.deleteLater()

    assert run(body()) == 1
    assert not notify_running(key)  # nobody listens any more


def test_traffic_exports_csv_and_png(run: Runner, tmp_path: Path) -> None:
    async def body() -> tuple[list[str], bytes]:
        with usual_umask():
            return await exports()

    async def exports() -> tuple[list[str], bytes]:
        async with demo_session(tmp_path) as session:
            window = session.window
            window.routers.select("demo")
            dashboard = window.dashboards["demo"]
            view = dashboard.traffic
            dashboard.setCurrentWidget(view)
            await wait_for(lambda: len(view.shown_series()) >= 2, what="traffic samples")
            # Hovering over a sample reads out every visible series at that time.
            times, rx, _ = session.live.router("demo").traffic["Eth-Trunk1"].arrays()
            viewbox = view.plot.getPlotItem().vb
            await asyncio.sleep(0.2)
            view._hover(viewbox.mapViewToScene(QPointF(times[-1], rx[-1])))
            readout = view.readout.text()
            assert "Eth-Trunk1 ↓" in readout
            assert "100GE0/1/2 ↑" in readout
            assert "bps" in readout
            assert view.cursor.isVisible()
            view.set_paused(True)
            assert view.pause_button.text() == "Resume"
            rows = view.export_csv(tmp_path / "traffic.csv")
            assert rows >= 2
            view.export_png(tmp_path / "traffic.png")
            view.set_paused(False)
            assert view.pause_button.text() == "Pause"
            lines = (tmp_path / "traffic.csv").read_text(encoding="utf-8").splitlines()
            return lines, (tmp_path / "traffic.png").read_bytes()[:8]

    lines, png = run(body())
    assert lines[0] == "timestamp,local_time,interface,direction,bps,resolution"
    directions = {line.split(",")[3] for line in lines[1:]}
    assert directions == {"in", "out"}
    interfaces = {line.split(",")[2] for line in lines[1:]}
    assert interfaces == {"Eth-Trunk1", "100GE0/1/2"}
    assert all(line.split(",")[4] == "" or int(line.split(",")[4]) >= 0 for line in lines[1:])
    assert {line.split(",")[5] for line in lines[1:]} == {"poll"}  # 15 min: every poll
    assert png == b"\x89PNG\r\n\x1a\n"
    # Exports are as private as everything else the app writes.
    assert mode_of(tmp_path / "traffic.csv") == 0o600
    assert mode_of(tmp_path / "traffic.png") == 0o600


def test_gui_subcommand_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser().parse_args(["gui", "--demo", "--demo-routers", "3", "--lang", "pt_BR"])
    assert args.handler is gui.run
    assert (args.demo, args.demo_routers, args.lang) == (True, 3, "pt_BR")
    calls: list[object] = []
    monkeypatch.setattr(gui, "run", lambda parsed: calls.append(parsed) or 7)
    assert cli_main([]) == 7  # no subcommand: the desktop application
    assert len(calls) == 1


def test_window_options_work_without_the_gui_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ne8000monitor --lang pt_BR --demo-routers 3`: the GUI is the default command."""
    calls: list[object] = []
    monkeypatch.setattr(gui, "run", lambda parsed: calls.append(parsed) or 0)
    assert cli_main(["--lang", "pt_BR", "--demo-routers", "3", "--demo"]) == 0
    (args,) = calls
    assert (args.lang, args.demo_routers, args.demo) == ("pt_BR", 3, True)
    with pytest.raises(SystemExit):  # a mistyped option still fails, as `gui`'s would
        cli_main(["--no-such-option"])


def test_gui_rejects_bad_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert gui.run(build_parser().parse_args(["gui", "--demo-routers", "0"])) == 2
    assert gui.run(build_parser().parse_args(["gui", "--poll-scale", "-1"])) == 2
    err = capsys.readouterr().err
    assert "--demo-routers must be at least 1" in err
    assert "--poll-scale must be positive" in err
