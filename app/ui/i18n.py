"""Loading the app's translation (and Qt's own) for the chosen or the system language.

English is the source language, so it needs no file. Brazilian Portuguese ships as
``resources/translations/ne8000monitor_pt_BR.qm``; Qt's own ``qtbase_pt_BR.qm`` (standard
buttons such as Cancel, context menus) is loaded from Qt's translations folder when present.
Calling again replaces the previously installed translators.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.domain.paths import resources_dir
from app.ui.formatting import NumberStyle, use_number_style

_log = logging.getLogger("ne8000monitor.ui.i18n")

APP_CATALOG = "ne8000monitor"
ENGLISH = "en"
PORTUGUESE_BR = "pt_BR"
SUPPORTED = (ENGLISH, PORTUGUESE_BR)

# Installed translators, kept alive here (Qt does not own them) and removed on re-install.
_installed: list[QTranslator] = []


def translations_dir() -> Path:
    return resources_dir() / "translations"


def resolve_language(language: str | None, system: QLocale | None = None) -> str:
    """The language to use: an explicit supported setting, else the system locale's."""
    if language:
        normalised = language.replace("-", "_")
        if normalised in SUPPORTED:
            return normalised
        if normalised.lower().startswith("pt"):
            return PORTUGUESE_BR
        return ENGLISH
    locale = system if system is not None else QLocale.system()
    # Any Portuguese locale gets the Brazilian translation: closer than English for pt_PT.
    if locale.language() == QLocale.Language.Portuguese:
        return PORTUGUESE_BR
    return ENGLISH


def _load(app: QCoreApplication, name: str, directory: Path) -> bool:
    translator = QTranslator(app)
    if not translator.load(name, str(directory)):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True


def install_translator(app: QCoreApplication, language: str | None = None) -> str:
    """Install the translation for `language` ("" or None: the system's); returns the code used.

    Returns "en" when English is chosen or when the translation file is missing (logged).
    """
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    chosen = resolve_language(language)
    use_number_style(NumberStyle.for_language(chosen))
    if chosen == ENGLISH:
        if language:  # an explicit choice also sets number and date formats
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return ENGLISH
    if not _load(app, f"{APP_CATALOG}_{chosen}", translations_dir()):
        _log.warning("no %s translation in %s; using English", chosen, translations_dir())
        use_number_style(NumberStyle())
        return ENGLISH
    qt_translations = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if not _load(app, f"qtbase_{chosen}", qt_translations):
        _log.info("Qt's own %s translation not found in %s", chosen, qt_translations)
    if language:
        QLocale.setDefault(QLocale(chosen))
    return chosen
