"""The console view against a simulated NE8000: read-only by default, operator mode audited."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.engine.runtime import Runtime
from app.ui.console_view import CommandHistory, ConsoleView
from tests.ui.support_g2 import (
    ROUTER,
    bench,
    run,
    until,
    wait_widget,
)


def recording_console(
    runtime: Runtime, qtbot: QtBot
) -> tuple[ConsoleView, list[tuple[str, bool]]]:
    """A console on the test router, and the (line, ok) of every command it finishes."""
    view = ConsoleView(runtime, ROUTER)
    qtbot.addWidget(view)
    finished: list[tuple[str, bool]] = []
    view.command_finished.connect(lambda line, ok: finished.append((line, ok)))
    return view, finished


def _output(view: ConsoleView) -> str:
    return view.output.toPlainText()


def test_display_version_shows_the_routers_output(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            view, finished = recording_console(setup.runtime, qtbot)
            view.show()
            assert view.mode_label.text() == "Read-only"
            view.command_edit.setText("display version")
            view.submit()
            await asyncio.sleep(0)  # the task starts and sends the line
            assert view.busy.isVisible()  # busy while the router answers
            assert view.stop_button.isEnabled()
            assert not view.run_button.isEnabled()
            await until(lambda: finished, "the command to finish")
            assert finished == [("display version", True)]
            text = _output(view)
            assert "<sim> display version" in text
            assert "Huawei Versatile Routing Platform Software" in text
            assert f"VRP (R) software, Version {setup.device.state.vrp_version}" in text
            assert not view.busy.isVisible()
            assert view.run_button.isEnabled()
            assert view.history.lines == ["display version"]

    run(qapp, body())


def test_a_configuration_command_is_refused_outside_operator_mode(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            view, finished = recording_console(setup.runtime, qtbot)
            view.command_edit.setText("system-view")
            view.submit()
            await until(lambda: finished, "the refusal")
            assert finished == [("system-view", False)]
            refusal = "'system-view' is not a read-only command; switch to operator mode"
            assert refusal in _output(view)
            assert refusal in view.status_label.text()
            # Refused before anything reached the router: nothing to audit.
            assert setup.runtime.audit.read() == []

    run(qapp, body())


def test_operator_mode_asks_for_confirmation_and_audits_the_line(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            runtime.save_settings(
                replace(runtime.settings, feed=replace(runtime.settings.feed, operator_mode=True))
            )
            view, finished = recording_console(runtime, qtbot)
            assert view.mode_label.text() == "Operator mode"

            # Declined: nothing is sent.
            view.run_line("system-view")
            box = await wait_widget("consoleConfirm")
            assert isinstance(box, QMessageBox)
            assert box.informativeText() == "system-view"
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Cancel).click()
            await until(lambda: finished, "the cancelled command")
            assert finished.pop() == ("system-view", False)
            assert "Not sent: the command was not confirmed." in _output(view)
            assert runtime.audit.read() == []

            # Confirmed: sent, the session is brought back to user view, the audit log has it.
            view.run_line("system-view")
            box = await wait_widget("consoleConfirm")
            box.button(QMessageBox.StandardButton.Yes).click()
            await until(lambda: finished, "the confirmed command")
            assert finished.pop() == ("system-view", True)
            assert "(then sent to leave the session clean: return)" in _output(view)
            entries = runtime.audit.read()
            assert [(e["router"], e["commands"], e["outcome"]) for e in entries] == [
                (ROUTER, ["system-view", "return"], "sent")
            ]

    run(qapp, body())


def test_history_walks_with_up_and_down_and_keeps_the_draft(qtbot: QtBot) -> None:
    history = CommandHistory(limit=3)
    for line in ("display version", "display clock", "display clock", "dis int br"):
        history.add(line)
    assert history.lines == ["display version", "display clock", "dis int br"]
    assert history.older("dis cpu") == "dis int br"
    assert history.older("") == "display clock"
    assert history.older("") == "display version"
    assert history.older("") is None
    assert history.newer() == "display clock"
    assert history.newer() == "dis int br"
    assert history.newer() == "dis cpu"  # back to the unsent draft
    assert history.newer() is None
    history.add("display a")
    assert history.lines == ["display clock", "dis int br", "display a"]  # limit 3


def test_up_and_down_keys_recall_commands_in_the_line_edit(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            view = ConsoleView(setup.runtime, ROUTER)
            qtbot.addWidget(view)
            view.history.add("display version")
            view.history.add("display device")
            view.command_edit.setText("disp")
            qtbot.keyClick(view.command_edit, Qt.Key.Key_Up)
            assert view.command_edit.text() == "display device"
            qtbot.keyClick(view.command_edit, Qt.Key.Key_Up)
            assert view.command_edit.text() == "display version"
            qtbot.keyClick(view.command_edit, Qt.Key.Key_Down)
            qtbot.keyClick(view.command_edit, Qt.Key.Key_Down)
            assert view.command_edit.text() == "disp"

    run(qapp, body())


def test_find_moves_between_matches_and_wraps(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            view = ConsoleView(setup.runtime, ROUTER)
            qtbot.addWidget(view)
            view.show()
            view._append("alpha line\nbeta line\nalpha again\n")
            view.show_find()
            assert view.find_bar.isVisible()
            view.find_edit.setText("alpha")
            view.output.moveCursor(view.output.textCursor().MoveOperation.Start)
            assert view.find_forward()
            first = view.output.textCursor().selectionStart()
            assert view.find_forward()
            second = view.output.textCursor().selectionStart()
            assert (first, second) == (0, len("alpha line\nbeta line\n"))
            assert view.find_forward()  # wraps back to the first match
            assert view.output.textCursor().selectionStart() == 0
            assert view.find_status.text() == "Wrapped"
            view.find_edit.setText("gamma")
            assert not view.find_forward()
            assert view.find_status.text() == "Not found"
            view.hide_find()
            assert not view.find_bar.isVisible()

    run(qapp, body())


def test_a_line_with_a_chaining_character_never_reaches_the_router(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            view, finished = recording_console(setup.runtime, qtbot)
            view.run_line("display version; reboot")
            await until(lambda: finished, "the refusal")
            assert finished == [("display version; reboot", False)]
            assert view.status_label.text() == (
                "the value was refused: a console command must not contain ';'"
            )

    run(qapp, body())


def test_stop_cancels_a_command_that_hangs_and_the_window_keeps_working(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            setup.device.faults.hang_commands.add("display device")
            view, finished = recording_console(setup.runtime, qtbot)
            view.show()
            task = view.run_line("display device")
            await until(view.busy.isVisible, "the busy indicator")
            # The loop keeps turning while the router says nothing: the UI is not blocked.
            ticks = 0
            for _ in range(5):
                await asyncio.sleep(0.01)
                ticks += 1
            assert ticks == 5
            assert view.running
            view.stop_button.click()
            await until(task.done, "the stop")
            assert task.cancelled()
            assert finished == [("display device", False)]
            assert view.status_label.text() == "Stopped."
            assert not view.busy.isVisible()
            assert view.run_button.isEnabled()

            # The console still works afterwards.
            setup.device.faults.hang_commands.clear()
            view.run_line("display version")
            await until(lambda: len(finished) == 2, "the next command")
            assert finished[1] == ("display version", True)

    run(qapp, body())


def test_configuration_displays_need_operator_mode_and_a_warning(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:  # issue 14 item 6
    line = "display current-configuration interface GigabitEthernet0/5/0"

    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            view, finished = recording_console(runtime, qtbot)
            # Read-only mode: refused, with the reason, before anything is sent.
            view.run_line(line)
            await until(lambda: finished, "the refusal")
            assert finished.pop() == (line, False)
            assert "password hashes, keys and SNMP communities" in _output(view)
            assert "switch to operator mode" in _output(view)
            assert runtime.audit.read() == []

            runtime.save_settings(
                replace(runtime.settings, feed=replace(runtime.settings.feed, operator_mode=True))
            )
            view.run_line(line)
            box = await wait_widget("consoleConfirm")
            assert isinstance(box, QMessageBox)
            assert box.windowTitle() == "Show sensitive output"
            assert "password hashes" in box.text()
            assert box.informativeText() == line
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Yes).click()
            await until(lambda: finished, "the confirmed display")
            assert finished.pop() == (line, True)
            assert "interface GigabitEthernet0/5/0" in _output(view)
            [entry] = runtime.audit.read()  # a privileged display is always audited
            assert (entry["commands"], entry["outcome"]) == ([line], "sent")

    run(qapp, body())
