"""What the window remembers between runs (QSettings): layout, choices, monitored ports.

Monitored interfaces live here rather than in the settings file because they are a view
choice an operator flips many times a day; they are re-applied to the engine at start so
the alert rules and the traffic view follow them after a restart. The default QSettings
(organisation and application names set at start) is shared with the dialogs' preferences;
tests point QSettings at a temporary directory so they never touch the user's settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.platform.files import narrow, private_dir

HEADER_KEY = "columns"
ORGANISATION = "ne8000monitor"
APPLICATION = "ne8000monitor"


class UiState:
    """Typed access to the GUI's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings()
        where = self._file()
        if where is not None:
            narrow(where)  # one an earlier release left readable to others

    @property
    def qsettings(self) -> QSettings:
        return self._settings

    def sync(self) -> None:
        """Write to disk, owner-only: the file names the routers and their ports."""
        where = self._file()
        if where is not None:
            private_dir(where.parent)
        self._settings.sync()
        if where is not None:
            narrow(where)

    def _file(self) -> Path | None:
        """The settings file; None where Windows keeps them in the registry (private to
        the user already)."""
        in_a_file = os.name != "nt" or self._settings.format() != QSettings.Format.NativeFormat
        return Path(self._settings.fileName()) if in_a_file else None

    # ---- monitored interfaces ----

    def monitored(self, router: str) -> list[str] | None:
        """The saved choice, or None when the operator never chose (engine default)."""
        key = f"monitored/{_key(router)}"
        if not self._settings.contains(key):
            return None
        value = self._settings.value(key, [], list)
        return [str(name) for name in value or []]

    def set_monitored(self, router: str, names: list[str]) -> None:
        self._settings.setValue(f"monitored/{_key(router)}", list(names))

    # ---- layout ----

    def bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(f"layout/{key}", value)

    def header(self, table: str, columns: int) -> QByteArray | None:
        """A table's saved column layout, only when it was saved for as many columns as
        the table has now: one from a release with other columns would restore phantom
        columns or give widths to the wrong ones."""
        saved = self.bytes(f"{HEADER_KEY}/{table}")
        taken_for = self._settings.value(f"layout/{HEADER_KEY}/{table}.columns")
        return saved if saved is not None and str(taken_for) == str(columns) else None

    def set_header(self, table: str, columns: int, layout: QByteArray) -> None:
        """Keep `layout` (empty: none) with the number of columns it was taken for."""
        self.set_bytes(f"{HEADER_KEY}/{table}", layout)
        self._settings.setValue(f"layout/{HEADER_KEY}/{table}.columns", columns)

    def text(self, key: str, default: str = "") -> str:
        return str(self._settings.value(key, default) or default)

    def set_text(self, key: str, value: str) -> None:
        self._settings.setValue(key, value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._settings.value(key, default)
        if isinstance(value, str):
            return value.lower() in {"1", "true", "yes"}
        return bool(value)

    def set_flag(self, key: str, value: bool) -> None:
        self._settings.setValue(key, value)


def _key(router: str) -> str:
    # QSettings treats '/' as a group separator; profile names cannot hold one, but be safe.
    return router.replace("/", "_")
