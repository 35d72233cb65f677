"""Desktop-only preferences (language, close to tray, alert sound), kept in QSettings.

They mean nothing to `serve` or the feed, so they stay out of the engine's settings file;
QSettings is where the window already keeps its geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

LANGUAGE_KEY = "ui/language"
CLOSE_TO_TRAY_KEY = "ui/close_to_tray"
ALERT_SOUND_KEY = "ui/alert_sound"
# "" follows the system locale; otherwise a Qt locale name with a shipped translation.
LANGUAGES = ("", "en", "pt_BR")


def _flag(value: object) -> bool:
    # INI-backed QSettings hand booleans back as the strings "true"/"false".
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True, slots=True)
class UiPreferences:
    """What the settings dialog edits beyond the engine's Settings."""

    language: str = ""
    close_to_tray: bool = False
    alert_sound: bool = False

    @classmethod
    def load(cls, store: QSettings | None = None) -> UiPreferences:
        store = store if store is not None else QSettings()
        language = str(store.value(LANGUAGE_KEY, "") or "")
        return cls(
            language=language if language in LANGUAGES else "",
            close_to_tray=_flag(store.value(CLOSE_TO_TRAY_KEY, False)),
            alert_sound=_flag(store.value(ALERT_SOUND_KEY, False)),
        )

    def save(self, store: QSettings | None = None) -> None:
        store = store if store is not None else QSettings()
        store.setValue(LANGUAGE_KEY, self.language)
        store.setValue(CLOSE_TO_TRAY_KEY, self.close_to_tray)
        store.setValue(ALERT_SOUND_KEY, self.alert_sound)
        store.sync()
