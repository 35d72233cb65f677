"""How a view shows that its data is not current: the words, the dimming, the router's text.

The engine decides what is stale (:mod:`app.engine.freshness`, one rule for every consumer);
this module only says it in the operator's language. A view holds a :class:`FreshnessBar`
for the sections it shows: hidden while they are all fresh and complete, else one line per
section ("IP pools: stale since 14:03:09 – the router did not answer in time, failed polls:
3", "Domains: no data yet"), plus **Show router output** when the router's own text of an
unreadable or partial answer is at hand. Views re-evaluate on a timer, so data turns stale
by the clock even when no event arrives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.engine.freshness import ErrorCode, Freshness, SectionError, SectionRecord
from app.ui import theme
from app.ui.formatting import format_local_time


def section_name(section: str) -> str:
    """The operator's name of an engine section (translated)."""
    # Literal translate calls: pyside6-lupdate only finds those.
    names = {
        "cpu": QCoreApplication.translate("Freshness", "CPU"),
        "memory": QCoreApplication.translate("Freshness", "Memory"),
        "health": QCoreApplication.translate("Freshness", "Boards"),
        "version": QCoreApplication.translate("Freshness", "Version"),
        "alarms": QCoreApplication.translate("Freshness", "Router alarms"),
        "interface_brief": QCoreApplication.translate("Freshness", "Interfaces"),
        "online_total": QCoreApplication.translate("Freshness", "Online subscribers"),
        "domains": QCoreApplication.translate("Freshness", "Domains"),
        "ip_pools": QCoreApplication.translate("Freshness", "IP pools"),
        "slots": QCoreApplication.translate("Freshness", "Slots"),
        "subscribers": QCoreApplication.translate("Freshness", "Subscriber summary"),
        "traffic": QCoreApplication.translate("Freshness", "Traffic"),
    }
    return names.get(section, section)


def error_reason(error: SectionError) -> str:
    """Why a poll failed, as a translated phrase (the English detail goes in tooltips)."""
    reasons = {
        ErrorCode.TIMEOUT: QCoreApplication.translate(
            "Freshness", "the router did not answer in time"
        ),
        ErrorCode.UNREACHABLE: QCoreApplication.translate("Freshness", "the router is unreachable"),
        ErrorCode.AUTH_FAILED: QCoreApplication.translate("Freshness", "the login failed"),
        ErrorCode.HOST_KEY_CHANGED: QCoreApplication.translate(
            "Freshness", "the router's host key changed"
        ),
        ErrorCode.KEY_EXCHANGE: QCoreApplication.translate(
            "Freshness", "no SSH algorithm in common"
        ),
        ErrorCode.NO_CREDENTIALS: QCoreApplication.translate("Freshness", "no password stored"),
        ErrorCode.VTY_FULL: QCoreApplication.translate(
            "Freshness", "every VTY line of the router is in use"
        ),
        ErrorCode.SESSION_LOST: QCoreApplication.translate("Freshness", "the connection dropped"),
        ErrorCode.REJECTED: QCoreApplication.translate(
            "Freshness", "the router rejected the command"
        ),
        ErrorCode.PARSE_ERROR: QCoreApplication.translate(
            "Freshness", "the router's answer could not be read"
        ),
        ErrorCode.UNSUPPORTED: QCoreApplication.translate(
            "Freshness", "this command is not supported"
        ),
        ErrorCode.RATE_LIMITED: QCoreApplication.translate(
            "Freshness", "too many commands: rate limited"
        ),
        ErrorCode.ROUTER_ERROR: QCoreApplication.translate("Freshness", "router error"),
        ErrorCode.INTERNAL: QCoreApplication.translate(
            "Freshness", "internal error (details in the log)"
        ),
        ErrorCode.COLLECTOR_UNREACHABLE: QCoreApplication.translate(
            "Freshness", "collector unreachable"
        ),
    }
    return reasons.get(error.code, error.code)


def failures_text(count: int) -> str:
    """`failed polls: 3` (pt_BR: numerus forms)."""
    return QCoreApplication.translate("Freshness", "failed polls: %n", "", count)


def state_line(record: SectionRecord, now: float) -> str | None:
    """What to say about one section now; None when it is fresh and complete."""
    state = record.state(now)
    error = record.error
    if state is Freshness.FRESH and not record.partial:
        return None
    if state is Freshness.FRESH:
        count = len(record.value.warnings) if record.value is not None else 0
        return QCoreApplication.translate(
            "Freshness", "read in part, lines not understood: %n", "", count
        )
    if state is Freshness.NEVER:
        text = QCoreApplication.translate("Freshness", "no data yet")
    else:
        since = format_local_time(record.collected_at)
        text = QCoreApplication.translate("Freshness", "stale since %1").replace("%1", since)
    if error is not None:
        text += " \u2013 " + error_reason(error) + ", " + failures_text(record.failures)
    elif state is Freshness.STALE:
        text += " \u2013 " + QCoreApplication.translate(
            "Freshness", "no new answer from the router"
        )
    return text


def caption(record: SectionRecord | None, now: float) -> str:
    """A short caption under a big value: `Stale since 14:03:09`, `No data yet`, or ""."""
    if record is None or record.state(now) is Freshness.NEVER:
        return QCoreApplication.translate("Freshness", "No data yet")
    if record.state(now) is Freshness.STALE:
        since = format_local_time(record.collected_at)
        return QCoreApplication.translate("Freshness", "Stale since %1").replace("%1", since)
    if record.partial:
        return QCoreApplication.translate("Freshness", "Read in part")
    return ""


def describe(records: Iterable[SectionRecord], now: float) -> list[str]:
    """One line per section that is not fresh and complete: `Name: what is wrong`."""
    lines = []
    for record in records:
        line = state_line(record, now)
        if line is not None:
            lines.append(f"{section_name(record.section)}: {line}")
    return lines


def tooltip(records: Iterable[SectionRecord]) -> str:
    """The English technical detail (errors, the first line not understood) for tooltips."""
    parts = []
    for record in records:
        error = record.error
        if error is not None:
            where = ""
            if error.line is not None:
                label = QCoreApplication.translate("Freshness", "First line not understood:")
                where = f"\n  {label} {error.line.strip()[:160]}"
            parts.append(f"{section_name(record.section)}: {error.detail}{where}")
        elif record.value is not None:
            parts.extend(
                f"{section_name(record.section)}: {warning}" for warning in record.value.warnings
            )
    return "\n".join(parts)


def is_current(record: SectionRecord | None, now: float) -> bool:
    """True while the section may be shown as current (fresh)."""
    return record is not None and record.state(now) is Freshness.FRESH


def stale_colour() -> QColor:
    return QColor(theme.STALE)


def dim_label(label: QLabel, dimmed: bool, colour: QColor | None = None) -> None:
    """Grey a value label while its data is not current; else its own `colour` (or none)."""
    if dimmed:
        label.setStyleSheet(f"color: {theme.STALE};")
    else:
        label.setStyleSheet("" if colour is None else f"color: {colour.name()};")
    label.setProperty("stale", dimmed)


class FreshnessBar(QFrame):
    """A line per section that is stale, missing or partial, and "Show router output"."""

    def __init__(self, sections: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("freshnessBar")
        self.sections = tuple(sections)
        self.setStyleSheet(
            f"#freshnessBar {{ border: 1px solid {theme.WARN}; border-radius: 4px; }}"
        )
        self.text = QLabel(self)
        self.text.setObjectName("freshnessText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.raw_button = QPushButton(self.tr("Show router output…"), self)
        self.raw_button.setObjectName("showRouterOutput")
        self.raw_button.clicked.connect(self.show_router_output)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 4, 3)
        icon = QLabel("\u26a0", self)
        icon.setStyleSheet(f"color: {theme.WARN};")
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        row.addWidget(self.raw_button, 0, Qt.AlignmentFlag.AlignTop)
        self._records: list[SectionRecord] = []
        self.dialog: RouterOutputDialog | None = None
        self.hide()

    def update_records(self, records: Iterable[SectionRecord], now: float) -> None:
        """Show what is wrong with these sections now (hidden when nothing is)."""
        self._records = [r for r in records if r.section in self.sections]
        lines = describe(self._records, now)
        self.text.setText("\n".join(lines))
        self.setToolTip(tooltip(self._records))
        self.raw_button.setVisible(bool(self.with_raw()))
        self.setVisible(bool(lines))

    def with_raw(self) -> list[SectionRecord]:
        """Sections whose router text of an unreadable or partial answer is kept."""
        return [r for r in self._records if r.raw]

    def show_router_output(self) -> None:
        records = self.with_raw()
        if not records:
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = RouterOutputDialog(records, self.window())
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(self._forget_dialog)
        self.dialog.open()

    def _forget_dialog(self) -> None:
        self.dialog = None


class RouterOutputDialog(QDialog):
    """The exact text the router printed for each unreadable or partial section."""

    def __init__(self, records: Sequence[SectionRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routerOutputDialog")
        self.setWindowTitle(self.tr("Router output"))
        self.resize(820, 520)
        self.tabs = QTabWidget(self)
        self.texts: dict[str, QPlainTextEdit] = {}
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for record in records:
            page = QWidget(self.tabs)
            layout = QVBoxLayout(page)
            summary = QLabel(self._summary(record), page)
            summary.setObjectName("routerOutputSummary")
            summary.setWordWrap(True)
            summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text = QPlainTextEdit(page)
            text.setObjectName("routerOutputText")
            text.setReadOnly(True)
            text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            text.setFont(QFont(fixed))
            text.setPlainText(record.raw or "")
            layout.addWidget(summary)
            layout.addWidget(text, 1)
            self.texts[record.section] = text
            self.tabs.addTab(page, section_name(record.section))
        copy = QPushButton(self.tr("Copy"), self)
        copy.setObjectName("copyRouterOutput")
        copy.clicked.connect(self.copy_current)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        hint = QLabel(
            self.tr(
                "This is what the router printed. To help support this router, save a "
                "sample with: ne8000monitor capture ROUTER"
            ),
            self,
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def _summary(self, record: SectionRecord) -> str:
        lines = []
        error = record.error or record.last_error
        command = error.command if error is not None else None
        if command:
            lines.append(self.tr("Command: %1").replace("%1", command))
        if record.error is not None:
            lines.append(error_reason(record.error) + f" ({record.error.detail})")
            if record.error.line is not None:
                number = record.error.line_number
                lines.append(
                    self.tr("First line not understood (line %1): %2")
                    .replace("%1", "?" if number is None else str(number))
                    .replace("%2", record.error.line.strip())
                )
        elif record.value is not None:
            lines.extend(str(warning) for warning in record.value.warnings)
        return "\n".join(lines)

    def copy_current(self) -> None:
        page = self.tabs.currentIndex()
        if page < 0:
            return
        text = list(self.texts.values())[page].toPlainText()
        QGuiApplication.clipboard().setText(text)
