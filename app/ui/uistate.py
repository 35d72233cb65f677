"""What the window remembers between runs (QSettings): layout, choices, monitored ports.

Monitored interfaces live here rather than in the settings file because they are a view
choice an operator flips many times a day; they are re-applied to the engine at start so
the alert rules and the traffic view follow them after a restart. The default QSettings
(organisation and application names set at start) is shared with the dialogs' preferences;
tests point QSettings at a temporary directory so they never touch the user's settings.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "ne8000monitor"
APPLICATION = "ne8000monitor"


class UiState:
    """Typed access to the GUI's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings()

    @property
    def qsettings(self) -> QSettings:
        return self._settings

    def sync(self) -> None:
        self._settings.sync()

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
