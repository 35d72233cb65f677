"""`[collector]` in the settings file: an address and an optional pinned certificate; the
token never (it lives in the OS keyring)."""

from __future__ import annotations

import pytest

from app.engine.settings import (
    CollectorSettings,
    Settings,
    SettingsError,
    dump_settings,
    parse_settings,
)

PIN = ":".join(["0F"] * 32)


def test_the_address_and_the_pin_are_read_and_normalised() -> None:
    settings = parse_settings(
        'version = 1\n[collector]\nurl = "https://collector.noc:8000/"\n'
        f'fingerprint = "sha256:{"0f" * 32}"\n'
    )
    assert settings.collector == CollectorSettings("https://collector.noc:8000", PIN)
    assert parse_settings(dump_settings(settings)) == settings


def test_no_collector_means_local_mode() -> None:
    assert parse_settings("version = 1\n").collector == CollectorSettings(None, None)
    assert Settings().collector.url is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('url = "collector:8000"', "collector.url: expected an http:// or https:// URL"),
        ('fingerprint = "12:34"', "collector.fingerprint: expected a SHA-256 certificate"),
        ('token = "abc"', "collector.token: unknown setting"),
        ('password = "abc"', "password"),
    ],
)
def test_a_wrong_or_secret_key_is_refused_naming_it(line: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_settings(f"version = 1\n[collector]\n{line}\n")
