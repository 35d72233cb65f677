"""The About dialog: version, and where the app keeps its files (what support asks first)."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.engine.runtime import Runtime


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AboutDialog(QDialog):
    """Name, version, runtime versions and the settings/data/log locations."""

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About NE8000 Monitor"))
        title = QLabel(self.tr("NE8000 Monitor {version}").format(version=runtime.version))
        title.setStyleSheet("QLabel { font-size: 16pt; font-weight: bold; }")
        summary = QLabel(
            self.tr(
                "Monitoring for Huawei NE8000 BRAS routers: subscribers, interfaces, traffic, "
                "system health and alarms, with audited, confirmed changes."
            )
        )
        summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Version:"), _selectable(runtime.version))
        form.addRow(self.tr("Qt / PySide6:"), _selectable(f"{qVersion()} / {PySide6.__version__}"))
        form.addRow(self.tr("Python:"), _selectable(platform.python_version()))
        form.addRow(self.tr("Settings file:"), _selectable(str(runtime.settings_path)))
        form.addRow(self.tr("Data folder:"), _selectable(str(runtime.data_dir)))
        form.addRow(self.tr("Log folder:"), _selectable(str(runtime.log_dir)))
        form.addRow(self.tr("Passwords:"), _selectable(self._secrets_text(runtime)))
        if runtime.demo is not None:
            form.addRow(
                self.tr("Demo:"),
                _selectable(
                    "\n".join(
                        self.tr("{router}: simulated NE8000 at {address}").format(
                            router=name, address=address
                        )
                        for name, address in runtime.demo.addresses()
                    )
                ),
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _secrets_text(self, runtime: Runtime) -> str:
        if not runtime.passwords.persistent:
            return self.tr("kept in memory for this session only")
        return runtime.passwords.where
