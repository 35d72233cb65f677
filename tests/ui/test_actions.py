"""Interface shutdown / undo shutdown and subscriber lookup + cut, end to end over SSH.

Each change shows the exact lines, needs a confirmation (the typed interface name for a
monitored uplink), runs through the engine's change workflow on the simulated NE8000, and
shows the router's answer and the audit-log entry it produced.
"""

from __future__ import annotations

import time
from ipaddress import IPv4Address
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.alerts import AlertKind
from app.engine.changes import ChangeResult
from app.engine.runtime import Runtime
from app.ui.actions import ActionsView, ChangeConfirmDialog
from tests.ui.support_g2 import ROUTER, bench, interfaces_known, run, until, wait_widget

UPLINK = "GigabitEthernet0/5/0"  # exists in the simulator (GigabitEthernet0/1/0 does not)


def _admin_down(runtime: Runtime, name: str) -> bool | None:
    brief = runtime.monitor.snapshot(ROUTER).data("interface_brief")
    for row in getattr(brief, "interfaces", ()):
        if row.name == name:
            return row.admin_down
    return None


async def _confirm_dialog() -> ChangeConfirmDialog:
    dialog = await wait_widget("changeConfirmDialog")
    assert isinstance(dialog, ChangeConfirmDialog)
    return dialog


def test_shutdown_of_a_monitored_uplink_then_undo(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, monitored=(UPLINK,)) as setup:
            runtime = setup.runtime
            await interfaces_known(runtime)
            view = ActionsView(runtime, ROUTER)
            qtbot.addWidget(view)
            view.refresh_interfaces()
            items = [view.interface_combo.itemText(i) for i in range(view.interface_combo.count())]
            assert UPLINK in items
            assert "GigabitEthernet0/1/0" not in items
            applied: list[ChangeResult] = []
            view.change_applied.connect(applied.append)

            view.interface_combo.setCurrentText(UPLINK)
            view.shutdown_button.click()
            dialog = await _confirm_dialog()
            assert dialog.preview.toPlainText() == (
                f"system-view\ninterface {UPLINK}\nshutdown\ncommit\nreturn"
            )
            assert dialog.cancel_button.isDefault()
            assert dialog.confirm_edit is not None  # a monitored uplink: type its name
            assert not dialog.confirm_button.isEnabled()
            dialog.confirm_edit.setText("GigabitEthernet0/5/1")
            assert not dialog.confirm_button.isEnabled()
            dialog.confirm_edit.setText(UPLINK)
            assert dialog.confirm_button.isEnabled()
            dialog.confirm_button.click()
            await until(lambda: applied, "the shutdown to be committed")
            assert applied[0].outcome == "committed"
            assert view.status_label.text() == f"{UPLINK} shut down and committed."
            shown = view.result_view.toPlainText()
            # The transcript as the router printed it: each command at its own prompt
            # (`commit` typed at `[*...]`, where the change was pending).
            printed = shown.split("Audit log entry:")[0]
            lines = [line for line in printed.splitlines() if line.startswith(("<", "["))]
            assert lines == [
                "<NE8000>system-view",
                f"[~NE8000]interface {UPLINK}",
                f"[~NE8000-{UPLINK}]shutdown",
                f"[*NE8000-{UPLINK}]commit",
                f"[~NE8000-{UPLINK}]return",
                "<NE8000>",
            ]
            assert "Audit log entry:" in shown
            assert "outcome:  committed" in shown
            assert f"  interface {UPLINK}" in shown
            assert view.last_audit is not None
            assert view.last_audit["commands"] == [
                "system-view",
                f"interface {UPLINK}",
                "shutdown",
                "commit",
                "return",
            ]
            assert view.last_audit["outcome"] == "committed"
            assert runtime.audit.read()[-1] == view.last_audit
            # The router now reports it administratively down, and the uplink alert fires.
            await until(lambda: _admin_down(runtime, UPLINK) is True, "the interface down")
            await until(
                lambda: any(
                    alert.kind is AlertKind.INTERFACE_DOWN
                    for alert in runtime.monitor.active_alerts(ROUTER)
                ),
                "the uplink-down alert",
                timeout=30,
            )

            view.undo_button.click()
            dialog = await _confirm_dialog()
            assert dialog.preview.toPlainText() == (
                f"system-view\ninterface {UPLINK}\nundo shutdown\ncommit\nreturn"
            )
            assert dialog.confirm_edit is None  # bringing a port back needs no typing
            dialog.confirm_button.click()
            await until(lambda: len(applied) == 2, "the undo shutdown")
            assert view.status_label.text() == (
                f"{UPLINK} brought back up (undo shutdown committed)."
            )
            assert view.last_audit is not None
            assert view.last_audit["commands"][2] == "undo shutdown"
            await until(lambda: _admin_down(runtime, UPLINK) is False, "the interface up")
            assert [entry["outcome"] for entry in runtime.audit.read()] == [
                "committed",
                "committed",
            ]

    run(qapp, body())


def test_cancelling_or_an_unknown_interface_sends_nothing(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, monitored=(UPLINK,)) as setup:
            runtime = setup.runtime
            await interfaces_known(runtime)
            view = ActionsView(runtime, ROUTER)
            qtbot.addWidget(view)

            task = view.shutdown("GigabitEthernet0/1/0")
            await task
            assert view.status_label.text() == (
                "Not sent: GigabitEthernet0/1/0 is not in the interface list of sim; refresh "
                "the list and pick one of its interfaces"
            )
            assert "does not exist on this router" in view.status_label.toolTip()

            view.shutdown("100GE0/1/1")  # exists, not monitored: a click confirms
            dialog = await _confirm_dialog()
            assert dialog.confirm_edit is None
            assert "interface 100GE0/1/1" in dialog.preview.toPlainText()
            dialog.cancel_button.click()
            await until(
                lambda: view.status_label.text() == "Cancelled; nothing was sent.", "cancel"
            )
            assert runtime.audit.read() == []
            assert _admin_down(runtime, "100GE0/1/1") is False

    run(qapp, body())


def test_subscriber_lookup_then_cut(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    frozen = time.time()

    async def body() -> None:
        # A simulator clock that stands still: no churn moves the subscriber meanwhile.
        async with bench(tmp_path, device_options={"clock": lambda: frozen}) as setup:
            runtime, device = setup.runtime, setup.device
            session = device.state.subscribers.ordered()[0]
            username = session.username
            online = len(device.state.subscribers.by_username(username))
            view = ActionsView(runtime, ROUTER)
            qtbot.addWidget(view)
            finished: list[object] = []
            view.lookup_finished.connect(finished.append)

            view.username_edit.setText("bad;name")
            view.lookup_button.click()
            await until(lambda: finished, "the refused lookup")
            assert view.status_label.text() == (
                "the value was refused: a user name must not contain ';'"
            )
            assert not view.cut_button.isEnabled()

            finished.clear()
            view.username_edit.setText(username)
            view.lookup_button.click()
            await until(lambda: finished, "the lookup")
            assert view.users_table.rowCount() == online
            assert view.users_table.item(0, 0).text() == username
            assert view.users_table.item(0, 5).text() == str(IPv4Address(session.ipv4))
            assert view.status_label.text() == f"{username}: {online} session(s) online."
            assert view.cut_button.isEnabled()

            applied: list[ChangeResult] = []
            view.change_applied.connect(applied.append)
            view.cut_button.click()
            dialog = await _confirm_dialog()
            assert dialog.preview.toPlainText() == (
                f"system-view\naaa\ncut access-user username {username} all\nreturn"
            )
            assert f"({online} found by the last lookup)" in dialog.summary_label.text()
            dialog.confirm_button.click()
            await until(lambda: applied, "the cut")
            assert applied[0].users_cut == online
            assert view.status_label.text() == f"{username}: {online} session(s) disconnected."
            assert view.last_audit is not None
            assert view.last_audit["outcome"] == "applied"
            assert view.last_audit["commands"][2] == f"cut access-user username {username} all"
            assert device.state.subscribers.by_username(username) == []
            assert view.users_table.rowCount() == 0

            finished.clear()
            view.lookup_button.click()
            await until(lambda: finished, "the second lookup")
            assert view.status_label.text() == f"{username} is not online."

    run(qapp, body())


def test_a_commit_without_answer_is_reported_with_its_audit_entry(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, command_timeout=1.0) as setup:
            runtime = setup.runtime
            await interfaces_known(runtime)
            setup.device.faults.hang_commands.add("commit")
            view = ActionsView(runtime, ROUTER)
            qtbot.addWidget(view)
            view.shutdown("100GE0/1/1")
            dialog = await _confirm_dialog()
            dialog.confirm_button.click()
            await until(lambda: view.last_audit is not None, "the audit entry", timeout=30)
            assert view.status_label.text().startswith(
                "no answer to 'commit': the change may or may not have taken effect; "
                "check the router"
            )
            # What the router printed up to there, each line at its own prompt.
            assert "[*NE8000-100GE0/1/1]commit" in view.result_view.toPlainText()
            assert view.last_audit is not None
            assert view.last_audit["outcome"] == "unknown"
            assert view.last_audit["commands"][:4] == [
                "system-view",
                "interface 100GE0/1/1",
                "shutdown",
                "commit",
            ]
            shown = view.result_view.toPlainText()
            assert "outcome:  unknown" in shown
            assert view.shutdown_button.isEnabled()  # ready for the operator's next step

    run(qapp, body())
