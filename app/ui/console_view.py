"""The router console: type a command, read the router's answer in a monospace view.

Commands go through the engine's :class:`~app.engine.console.Console`, which owns the policy:
displays on the read-only list run freely, bounded `ping`/`tracert` within a smaller budget;
the configuration displays (secrets), other displays and anything else only in operator
mode and only after the operator confirmed that exact line, warned of what it shows or may
change (then it is audited).
Outside operator mode the engine's refusal is shown as is, so the operator learns why. The
command runs as a task on the qasync loop; the window stays responsive and the command can
be stopped.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import NE8000MonitorError, ValidationError
from app.engine.console import ConsoleResult
from app.engine.runtime import Runtime
from app.ui.dialogs.tasks import TaskSet, dialog_result
from app.ui.messages import translate_error
from app.vrp.console_policy import CommandClass

HISTORY_LIMIT = 200
OUTPUT_BLOCK_LIMIT = 50_000  # lines kept in the view; older output scrolls away
_ERROR_COLOUR = QColor("#d32f2f")
_COMMAND_COLOUR = QColor("#1565c0")


class CommandHistory:
    """Lines run so far, walked with Up/Down like a shell; the unsent draft is kept."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.lines: list[str] = []
        self._limit = limit
        self._index = 0
        self._draft = ""

    def add(self, line: str) -> None:
        if line and (not self.lines or self.lines[-1] != line):
            self.lines.append(line)
            del self.lines[: -self._limit]
        self._index = len(self.lines)
        self._draft = ""

    def older(self, current: str) -> str | None:
        if self._index == 0:
            return None
        if self._index == len(self.lines):
            self._draft = current
        self._index -= 1
        return self.lines[self._index]

    def newer(self) -> str | None:
        if self._index >= len(self.lines):
            return None
        self._index += 1
        return self._draft if self._index == len(self.lines) else self.lines[self._index]


class ConsoleView(QWidget):
    """Command line with history, output view with find, busy indicator and Stop."""

    command_finished = Signal(str, bool)  # the line, whether the router answered it

    def __init__(self, runtime: Runtime, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.router = router
        self.history = CommandHistory()
        self.tasks = TaskSet(self._unexpected_error)
        self._current: asyncio.Task[None] | None = None
        self.setObjectName("consoleView")
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.output = QPlainTextEdit()
        self.output.setObjectName("consoleOutput")
        self.output.setReadOnly(True)
        self.output.setFont(fixed)
        self.output.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.output.setMaximumBlockCount(OUTPUT_BLOCK_LIMIT)
        self.output.setUndoRedoEnabled(False)

        self.find_bar = QWidget()
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("consoleFind")
        self.find_edit.setPlaceholderText(self.tr("Find in output"))
        self.find_previous = QPushButton(self.tr("Previous"))
        self.find_next = QPushButton(self.tr("Next"))
        self.find_close = QPushButton(self.tr("Close"))
        self.find_status = QLabel()
        find_row = QHBoxLayout(self.find_bar)
        find_row.setContentsMargins(0, 0, 0, 0)
        find_row.addWidget(QLabel(self.tr("Find:")))
        find_row.addWidget(self.find_edit, 1)
        find_row.addWidget(self.find_previous)
        find_row.addWidget(self.find_next)
        find_row.addWidget(self.find_status)
        find_row.addWidget(self.find_close)
        self.find_bar.hide()

        self.prompt_label = QLabel(f"<{router}>")
        self.prompt_label.setFont(fixed)
        self.command_edit = QLineEdit()
        self.command_edit.setObjectName("consoleCommand")
        self.command_edit.setFont(fixed)
        self.command_edit.setPlaceholderText(self.tr("display version"))
        self.command_edit.installEventFilter(self)
        self.run_button = QPushButton(self.tr("Run"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setEnabled(False)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        input_row = QHBoxLayout()
        input_row.addWidget(self.prompt_label)
        input_row.addWidget(self.command_edit, 1)
        input_row.addWidget(self.run_button)
        input_row.addWidget(self.stop_button)
        input_row.addWidget(self.clear_button)
        input_row.addWidget(self.busy)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("consoleMode")
        self.status_label = QLabel()
        self.status_label.setObjectName("consoleStatus")
        self.status_label.setWordWrap(True)
        status_row = QHBoxLayout()
        status_row.addWidget(self.mode_label)
        status_row.addWidget(self.status_label, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.output, 1)
        layout.addWidget(self.find_bar)
        layout.addLayout(input_row)
        layout.addLayout(status_row)

        self.command_edit.returnPressed.connect(self.submit)
        self.run_button.clicked.connect(self.submit)
        self.stop_button.clicked.connect(self.stop)
        self.clear_button.clicked.connect(self.output.clear)
        self.find_edit.returnPressed.connect(self.find_forward)
        self.find_edit.textChanged.connect(lambda _text: self.find_status.clear())
        self.find_next.clicked.connect(self.find_forward)
        self.find_previous.clicked.connect(self.find_backward)
        self.find_close.clicked.connect(self.hide_find)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self.show_find),
            (QKeySequence.StandardKey.FindNext, self.find_forward),
            (QKeySequence.StandardKey.FindPrevious, self.find_backward),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
        escape_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.find_bar)
        escape_key.setContext(context)
        escape_key.activated.connect(self.hide_find)
        self.update_mode()

    # ---- mode ----

    @property
    def operator_mode(self) -> bool:
        return self.runtime.settings.feed.operator_mode

    def update_mode(self) -> None:
        """Show which policy applies (call after the settings changed)."""
        if self.operator_mode:
            self.mode_label.setText(self.tr("Operator mode"))
            self.mode_label.setStyleSheet("QLabel { color: #b00020; font-weight: bold; }")
        else:
            self.mode_label.setText(self.tr("Read-only"))
            self.mode_label.setStyleSheet("")

    # ---- history keys ----

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.command_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Up:
                line = self.history.older(self.command_edit.text())
            elif event.key() == Qt.Key.Key_Down:
                line = self.history.newer()
            else:
                return super().eventFilter(watched, event)
            if line is not None:
                self.command_edit.setText(line)
            return True
        return super().eventFilter(watched, event)

    # ---- running ----

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    def submit(self) -> None:
        """Run the typed line (Enter or Run)."""
        line = self.command_edit.text().strip()
        if not line or self.running:
            return
        self.history.add(line)
        self.command_edit.clear()
        self.run_line(line)

    def run_line(self, line: str) -> asyncio.Task[None]:
        self._current = self.tasks.spawn(self._run(line))
        return self._current

    def stop(self) -> None:
        if self._current is not None:
            self._current.cancel()

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.stop_button.setEnabled(busy)
        self.run_button.setEnabled(not busy)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        self.update_mode()  # operator mode may have been switched in the settings meanwhile
        self.command_edit.setFocus()
        super().showEvent(event)

    async def _run(self, line: str) -> None:
        self._append(f"<{self.router}> {line}\n", _COMMAND_COLOUR)
        self.update_mode()
        operator = self.operator_mode
        confirmed: str | None = None
        try:
            kind = self.runtime.console.classify(line)
        except ValidationError as error:
            self._refused(translate_error(error))
            self.command_finished.emit(line, False)
            return
        if kind.needs_operator_mode and operator:
            if not await self._confirm(line, kind):
                self._refused(self.tr("Not sent: the command was not confirmed."))
                self.command_finished.emit(line, False)
                return
            confirmed = line
        self._set_busy(True)
        self.status_label.setText(self.tr("Running {line}…").format(line=line))
        ok = False
        try:
            result = await self.runtime.console.run(
                self.router, line, operator_mode=operator, confirmed_line=confirmed
            )
        except asyncio.CancelledError:
            self._refused(self.tr("Stopped."))
            self.command_finished.emit(line, False)
            raise
        except NE8000MonitorError as error:
            # The reason in the interface language, then the technical text as reported.
            reason = translate_error(error)
            detail = str(error)
            self._refused(reason if detail in reason else f"{reason}\n{detail}")
        else:
            ok = True
            self._show(result)
        finally:
            self._set_busy(False)
        self.command_finished.emit(line, ok)

    def _show(self, result: ConsoleResult) -> None:
        text = result.result.output
        self._append(text if text.endswith("\n") or not text else text + "\n")
        if result.cleanup:
            self._append(
                self.tr("(then sent to leave the session clean: {lines})").format(
                    lines=", ".join(result.cleanup)
                )
                + "\n",
                _COMMAND_COLOUR,
            )
        self.status_label.setText(
            self.tr("Done: {lines} lines.").format(lines=len(text.splitlines()))
        )

    def _refused(self, message: str) -> None:
        self._append(message + "\n", _ERROR_COLOUR)
        self.status_label.setText(message)

    def _unexpected_error(self, error: BaseException) -> None:
        self._set_busy(False)
        self._refused(self.tr("Unexpected error: {error}").format(error=error))

    async def _confirm(self, line: str, kind: CommandClass) -> bool:
        if kind is CommandClass.PRIVILEGED_DISPLAY:
            title = self.tr("Show sensitive output")
            text = self.tr(
                "The answer of this command on {router} can hold secrets: the configuration "
                "shows password hashes, keys and SNMP communities, and displays outside the "
                "read-only list may too. Anyone who sees the screen sees them. The command "
                "is written to the audit log. Run it?"
            ).format(router=self.router)
        else:
            title = self.tr("Send a configuration command")
            text = self.tr(
                "Send this command to {router}? It may change the router and is written to "
                "the audit log."
            ).format(router=self.router)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("consoleConfirm")
        box.setInformativeText(line)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        try:
            return await dialog_result(box) == QMessageBox.StandardButton.Yes
        finally:
            box.deleteLater()

    def _append(self, text: str, colour: QColor | None = None) -> None:
        cursor = self.output.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        char_format = QTextCharFormat()
        if colour is not None:
            char_format.setForeground(colour)
        cursor.insertText(text, char_format)
        self.output.setTextCursor(cursor)
        self.output.ensureCursorVisible()

    # ---- find ----

    def show_find(self) -> None:
        self.find_bar.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def hide_find(self) -> None:
        self.find_bar.hide()
        self.command_edit.setFocus()

    def find_forward(self) -> bool:
        return self._find(backward=False)

    def find_backward(self) -> bool:
        return self._find(backward=True)

    def _find(self, *, backward: bool) -> bool:
        text = self.find_edit.text()
        if not text:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if self.output.find(text, flags):
            self.find_status.clear()
            return True
        # Wrap around, like every editor's find.
        cursor = self.output.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        self.output.setTextCursor(cursor)
        if self.output.find(text, flags):
            self.find_status.setText(self.tr("Wrapped"))
            return True
        self.find_status.setText(self.tr("Not found"))
        return False
