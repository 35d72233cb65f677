"""Alarms and alerts: the app's alerts (raised by the engine's rules, acknowledgeable) and
the router's own active alarm list, each coloured by severity.

With `router=None` it lists the alerts of every router (the overview's list).
"""

from __future__ import annotations

import getpass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.alarms import Alarm, AlarmList
from app.domain.alerts import Alert, AlertKind
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import DASH, format_count, format_datetime
from app.ui.freshness import FreshnessBar, is_current
from app.ui.models import ROW_ROLE, Column, RowsModel
from app.ui.views.common import heading, make_table
from app.ui.views.state_names import alert_text, alert_tooltip, kind_text, severity_text

SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "warning": 3}


def _tinted(colour: QColor) -> QColor:
    tint = QColor(colour)
    tint.setAlpha(60)
    return tint


def alarm_severity(alarm: Alarm) -> str:
    return (alarm.severity or "").lower()


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something
        return "operator"


class AlarmsView(QWidget):
    """Alerts (and, for one router, its active alarms)."""

    def __init__(
        self, ctx: UiContext, router: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("alarmsView")
        self.ctx = ctx
        self.router = router
        columns = [
            Column(self.tr("Severity"), lambda a: severity_text(a.severity),
                   sort=lambda a: SEVERITY_ORDER.get(str(a.severity), 9),
                   background=lambda a: _tinted(theme.severity_colour(a.severity)),
                   widest=lambda: [severity_text(s) for s in SEVERITY_ORDER]),
            Column(self.tr("Raised"), lambda a: format_datetime(a.raised_at),
                   sort=lambda a: a.raised_at.timestamp()),
            Column(self.tr("Router"), lambda a: a.router),
            Column(self.tr("Kind"), lambda a: kind_text(a.kind),
                   widest=lambda: [kind_text(kind) for kind in AlertKind]),
            Column(self.tr("Message"), alert_text, tooltip=alert_tooltip),
            Column(self.tr("Cleared"), lambda a: format_datetime(a.cleared_at),
                   sort=lambda a: a.cleared_at.timestamp() if a.cleared_at else 0.0),
            Column(self.tr("Acknowledged"),
                   lambda a: a.acknowledged_by or DASH if a.acknowledged else DASH,
                   tooltip=lambda a: format_datetime(a.acknowledged_at) if a.acknowledged
                   else None),
        ]
        self.alerts = RowsModel(columns, key=lambda a: (a.id, a.raised_at), parent=self)
        self.alert_table: QTableView = make_table(
            self.alerts, self, name="alertTable" if router else "allAlertTable", stretch=4
        )
        self.alert_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        if router is not None:
            self.alert_table.hideColumn(2)
        self.alert_table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.ack_button = QPushButton(self.tr("Acknowledge"), self)
        self.ack_button.setObjectName("acknowledgeAlert")
        self.ack_button.setToolTip(self.tr("Acknowledge the selected alerts (Ctrl+K)"))
        self.ack_button.setEnabled(False)
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.show_cleared = QCheckBox(self.tr("Show cleared"), self)
        self.show_cleared.toggled.connect(self.refresh)
        self.summary = QLabel("", self)
        self.summary.setObjectName("alertSummary")

        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Alerts"), self))
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.show_cleared)
        top.addWidget(self.ack_button)
        alerts_box = QWidget(self)
        alerts_layout = QVBoxLayout(alerts_box)
        alerts_layout.setContentsMargins(0, 0, 0, 0)
        alerts_layout.addLayout(top)
        alerts_layout.addWidget(self.alert_table)

        layout = QVBoxLayout(self)
        if router is None:
            layout.addWidget(alerts_box)
            self.alarms = None
        else:
            self.alarms = RowsModel(
                [
                    Column(self.tr("Severity"),
                           lambda a: severity_text(a.severity) if a.severity else DASH,
                           sort=lambda a: SEVERITY_ORDER.get(alarm_severity(a), 9),
                           background=lambda a: _tinted(theme.severity_colour(alarm_severity(a))),
                           widest=lambda: [severity_text(s) for s in SEVERITY_ORDER]),
                    Column(self.tr("Time (router)"), lambda a: a.raised_at or DASH),
                    Column(self.tr("Alarm ID"), lambda a: a.alarm_id or DASH),
                    Column(self.tr("Description"), lambda a: a.description,
                           tooltip=lambda a: a.description),
                ],
                key=lambda a: (a.sequence, a.alarm_id),
                parent=self,
            )
            self.alarm_table = make_table(self.alarms, self, name="routerAlarmTable", stretch=3)
            alarms_box = QWidget(self)
            alarms_layout = QVBoxLayout(alarms_box)
            alarms_layout.setContentsMargins(0, 0, 0, 0)
            self.alarm_heading = heading(self.tr("Active alarms on the router"), alarms_box)
            self.freshness = FreshnessBar(("alarms",), alarms_box)
            alarms_layout.addWidget(self.alarm_heading)
            alarms_layout.addWidget(self.freshness)
            alarms_layout.addWidget(self.alarm_table)
            self.splitter = QSplitter(Qt.Orientation.Vertical, self)
            self.splitter.setObjectName("alarmSplitter")
            self.splitter.addWidget(alerts_box)
            self.splitter.addWidget(alarms_box)
            layout.addWidget(self.splitter)
            ctx.live.section_changed.connect(self._section_changed)
            ctx.live.section_failed.connect(self._section_failed)
            self.timer = QTimer(self)
            self.timer.setInterval(1000)
            self.timer.timeout.connect(self.show_freshness)  # alarms turn stale by the clock
            self.timer.start()
        ctx.live.alerts_changed.connect(self.refresh)
        self.refresh()
        self.show_alarms()

    def _section_changed(self, router: str, section: str) -> None:
        if router == self.router and section == "alarms":
            self.show_alarms()

    def _section_failed(self, router: str, section: str, _message: str) -> None:
        if router == self.router and section == "alarms":
            self.show_freshness()

    def visible_alerts(self) -> list[Alert]:
        alerts = self.ctx.live.active_alerts(self.router)
        if self.show_cleared.isChecked():
            alerts += [a for a in self.ctx.live.cleared
                       if self.router is None or a.router == self.router]
        return alerts

    def refresh(self) -> None:
        alerts = self.visible_alerts()
        self.alerts.set_rows(alerts)
        active = [a for a in alerts if a.active]
        unacked = sum(1 for a in active if not a.acknowledged)
        self.summary.setText(
            self.tr("%n active", "", len(active)) + ", "
            + self.tr("%n not acknowledged", "", unacked)
        )
        self._selection_changed()

    def show_alarms(self) -> None:
        if self.alarms is None or self.router is None:
            return
        alarms = self.ctx.live.router(self.router).data("alarms")
        if isinstance(alarms, AlarmList):
            self.alarms.set_rows(list(alarms.alarms))
            self.alarm_heading.setText(
                self.tr("Active alarms on the router (%1)").replace(
                    "%1", format_count(len(alarms.alarms))
                )
            )
        self.show_freshness()

    def show_freshness(self) -> None:
        """Grey the router's alarm list when it is not current, and say why."""
        if self.alarms is None or self.router is None:
            return
        record = self.ctx.live.router(self.router).record("alarms")
        now = self.ctx.live.clock()
        self.alarms.set_dimmed(not is_current(record, now))
        self.freshness.update_records([record], now)

    def selected_alerts(self) -> list[Alert]:
        rows = self.alert_table.selectionModel().selectedRows()
        alerts = [index.data(ROW_ROLE) for index in rows]
        return [a for a in alerts if isinstance(a, Alert)]

    def _selection_changed(self, *_args: object) -> None:
        self.ack_button.setEnabled(
            any(a.active and not a.acknowledged for a in self.selected_alerts())
        )

    def acknowledge_selected(self) -> int:
        """Acknowledge the selected active alerts; returns how many were acknowledged."""
        user = operator_name()
        done = 0
        for alert in self.selected_alerts():
            acknowledgeable = alert.active and not alert.acknowledged
            if acknowledgeable and self.ctx.monitor.acknowledge_alert(alert.id, user):
                done += 1
        if done:
            self.ctx.live.notice.emit(self.tr("%n alert(s) acknowledged", "", done))
        return done
