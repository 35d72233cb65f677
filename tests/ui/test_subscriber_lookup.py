"""Subscriber lookup in the Actions tab by IP and MAC address, against the simulator.

Looking an online subscriber up by IP used to say "not online" (the address went into
`display access-user username`); now an address asks `ip-address X`, a MAC `mac-address
X`, and the session's details are shown (interface, VLAN, MAC, IP, domain, online time,
access type). A cut after such a lookup disconnects the account it found.
"""

from __future__ import annotations

import time
from ipaddress import IPv4Address
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.engine.subscriber_lookup import LookupKind, LookupResult
from app.ui.actions import ActionsView
from app.ui.formatting import DASH
from tests.ui.support_g2 import ROUTER, bench, run, until


def _row(view: ActionsView, row: int = 0) -> dict[str, str]:
    table = view.users_table
    titles = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    return {title: table.item(row, i).text() for i, title in enumerate(titles)}


def test_lookup_by_ip_and_by_mac_shows_the_session(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    frozen = time.time()

    async def body() -> None:
        async with bench(tmp_path, device_options={"clock": lambda: frozen}) as setup:
            device = setup.device
            session = device.state.subscribers.ordered()[0]
            address = str(IPv4Address(session.ipv4))
            view = ActionsView(setup.runtime, ROUTER)
            qtbot.addWidget(view)
            finished: list[object] = []
            view.lookup_finished.connect(finished.append)

            view.username_edit.setText(address)
            view.lookup_button.click()
            await until(lambda: finished, "the IP lookup")
            (result,) = finished
            assert isinstance(result, LookupResult)
            assert result.query.kind is LookupKind.IP
            assert view.status_label.text() == f"{address}: 1 session(s) online."
            row = _row(view)
            assert row["Username"] == session.username
            assert row["Domain"] == session.domain
            assert row["IPv4 address"] == address
            assert row["MAC"] == session.mac
            assert row["VLAN"].startswith(str(session.pe_vlan))
            assert row["Interface"] not in ("", DASH)
            assert row["Online for"] not in ("", DASH)
            assert row["Access type"] == "PPPoE"
            assert view.cut_target() == session.username
            assert view.cut_button.isEnabled()

            finished.clear()
            view.username_edit.setText(_colons(session.mac))
            view.lookup_button.click()
            await until(lambda: finished, "the MAC lookup")
            assert _row(view)["Username"] == session.username
            assert view.status_label.text().endswith("1 session(s) online.")

            finished.clear()
            view.username_edit.setText("192.0.2.250")  # nobody holds it
            view.lookup_button.click()
            await until(lambda: finished, "the empty lookup")
            assert view.status_label.text() == "192.0.2.250 is not online."
            assert view.users_table.rowCount() == 0
            assert not view.cut_button.isEnabled()

    run(qapp, body())


def _colons(mac: str) -> str:
    """`00e0-fc12-3456` as an operator may paste it: `00:E0:FC:12:34:56`."""
    digits = mac.replace("-", "").upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
