"""Brazilian Portuguese: the shipped catalogue is complete, compiled, and loads on request."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from app.ui.dialogs.hostkey import HostKeyDialog
from app.ui.i18n import install_translator, resolve_language, translations_dir
from scripts.update_translations import lupdate, untranslated

TS_FILE = translations_dir() / "ne8000monitor_pt_BR.ts"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\d")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str | None
    translation: str
    plurals: tuple[str, ...] = ()  # numerus forms (pt_BR: singular, plural)


def _messages(ts_file: Path = TS_FILE) -> list[Message]:
    found = []
    for context in ET.parse(ts_file).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            element = message.find("translation")
            plurals = tuple(
                form.text or "" for form in ([] if element is None else element.iter("numerusform"))
            )
            found.append(
                Message(
                    name,
                    message.findtext("source", ""),
                    message.findtext("comment"),
                    plurals[-1] if plurals else message.findtext("translation", ""),
                    plurals,
                )
            )
    return found


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[str]:
    """pt_BR installed for the test; English again afterwards, whatever happens."""
    try:
        yield install_translator(qapp, "pt_BR")
    finally:
        install_translator(qapp, "en")
        QLocale.setDefault(QLocale.system())


def test_every_string_is_translated() -> None:
    assert TS_FILE.exists()
    assert untranslated(TS_FILE) == []
    messages = _messages()
    assert len(messages) > 100
    assert all(message.translation.strip() for message in messages)


def test_the_catalogue_holds_every_string_of_the_code(tmp_path: Path) -> None:
    """A string added to app/ui without a translation fails here, not in front of a user."""
    fresh = tmp_path / TS_FILE.name
    shutil.copy(TS_FILE, fresh)
    lupdate(fresh, "pt_BR")
    assert untranslated(fresh) == []
    assert len(_messages(fresh)) == len(_messages())  # nothing vanished from the code either


def test_translations_keep_placeholders_and_shortcut_markers() -> None:
    for message in _messages():
        for translation in message.plurals or (message.translation,):
            assert sorted(_PLACEHOLDER.findall(translation)) == sorted(
                _PLACEHOLDER.findall(message.source)
            ), message
        # A menu entry keeps exactly one keyboard accelerator when the source has one.
        assert message.translation.replace("&&", "").count("&") == message.source.replace(
            "&&", ""
        ).count("&"), message


def test_the_compiled_catalogue_matches_the_sources(portuguese: str) -> None:
    assert portuguese == "pt_BR"
    for message in _messages():
        if message.plurals:  # pt_BR: one form for 0 and 1, the other from 2 on
            singular, plural = message.plurals
            for count, form in ((1, singular), (2, plural), (17, plural)):
                assert QCoreApplication.translate(
                    message.context, message.source, message.comment or "", count
                ) == form.replace("%n", str(count)), message
            continue
        assert (
            QCoreApplication.translate(message.context, message.source, message.comment)
            == message.translation
        ), message


def test_plurals_use_numerus_forms(portuguese: str) -> None:
    plurals = [m for m in _messages() if m.plurals]
    assert plurals  # e.g. "failed polls: %n"
    for message in plurals:
        assert len(message.plurals) == 2, message
        assert all("%n" in form for form in message.plurals), message
    one = QCoreApplication.translate("Freshness", "failed polls: %n", "", 1)
    many = QCoreApplication.translate("Freshness", "failed polls: %n", "", 3)
    assert (one, many) == ("1 consulta falhou", "3 consultas falharam")


def test_known_strings_load_in_portuguese(portuguese: str, qapp: QApplication) -> None:
    assert QCoreApplication.translate("RouterDialog", "Add router") == "Adicionar roteador"
    dialog = HostKeyDialog("bras-sp1", "10.0.0.1", 22, "SHA256:abc", pinned="SHA256:old")
    try:
        assert dialog.reject_button.text() == "Rejeitar"
        assert dialog.accept_button.text() == "Aceitar nova chave"
        assert dialog.windowTitle() == "ATENÇÃO: a chave de host de bras-sp1 mudou"
    finally:
        dialog.deleteLater()
    # Qt's own strings (standard buttons) come from qtbase_pt_BR.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"


def test_english_is_the_default_and_restores(qapp: QApplication) -> None:
    try:
        install_translator(qapp, "pt_BR")
        assert install_translator(qapp, "en") == "en"
        assert QCoreApplication.translate("RouterDialog", "Add router") == "Add router"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    finally:
        install_translator(qapp, "en")
        QLocale.setDefault(QLocale.system())


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        (None, "pt_BR", "pt_BR"),
        ("", "pt_PT", "pt_BR"),  # closer than English for any Portuguese reader
        (None, "en_US", "en"),
        (None, "de_DE", "en"),  # no German catalogue: the English source text
        ("pt_BR", "en_US", "pt_BR"),  # the explicit setting wins over the system
        ("pt-BR", "en_US", "pt_BR"),
        ("en", "pt_BR", "en"),
        ("fr", "pt_BR", "en"),
    ],
)
def test_language_choice(setting: str | None, system: str, expected: str) -> None:
    assert resolve_language(setting, QLocale(system)) == expected
