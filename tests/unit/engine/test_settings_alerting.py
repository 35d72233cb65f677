"""The settings of issue 12: seat tokens, feed TLS, [alertmanager] and [notify]."""

from __future__ import annotations

import pytest

from app.engine.seats import issue_seat
from app.engine.settings import (
    AlertmanagerSettings,
    NotifySettings,
    Settings,
    SettingsError,
    dump_settings,
    parse_settings,
)

SEAT, _TOKEN = issue_seat("noc-1")
OTHER, _ = issue_seat("wall-tv", taken_ids={SEAT.id})


def seat_table(name: str = "noc-1", **overrides: object) -> str:
    values = {"id": SEAT.id, "hash": SEAT.hash, "created": SEAT.created, **overrides}
    lines = [f"[seats.{name}]"]
    lines += [f'{key} = "{value}"' for key, value in values.items() if value is not None]
    return "version = 1\n" + "\n".join(lines) + "\n"


def test_defaults_are_off() -> None:
    settings = Settings()
    assert settings.alertmanager == AlertmanagerSettings(None, 60.0, 10.0)
    assert settings.notify == NotifySettings((), "major", 10.0, 20, True)
    assert settings.feed.tls_cert is None
    assert settings.feed.tls_key is None
    assert not settings.feed.tls
    assert settings.seats == {}


def test_the_new_sections_are_read_and_survive_the_writer() -> None:
    text = """
version = 1
[feed]
tls_cert = "/etc/ne8000monitor/feed.crt"
tls_key = "/etc/ne8000monitor/feed.key"
[alertmanager]
url = "http://am.noc.example:9093/"
resend_interval = 30
[notify]
urls = ["tgram://123:abc/456", "json://127.0.0.1:9000/hook"]
min_severity = "Critical"
group_seconds = 5
max_per_hour = 6
send_cleared = false
"""
    settings = parse_settings(text)
    assert settings.feed.tls
    assert settings.feed.tls_cert == "/etc/ne8000monitor/feed.crt"
    assert settings.alertmanager == AlertmanagerSettings("http://am.noc.example:9093", 30.0, 10.0)
    assert settings.notify == NotifySettings(
        ("tgram://123:abc/456", "json://127.0.0.1:9000/hook"), "critical", 5.0, 6, False
    )
    assert parse_settings(dump_settings(settings)) == settings


def test_seats_are_read_and_survive_the_writer() -> None:
    settings = parse_settings(seat_table())
    assert settings.seats == {"noc-1": SEAT}
    both = Settings(seats={"noc-1": SEAT, "wall-tv": OTHER})
    again = parse_settings(dump_settings(both))
    assert again.seats == both.seats
    assert list(again.seats) == ["noc-1", "wall-tv"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (seat_table(hash="abc"), r"seats\.noc-1\.hash: expected a scrypt\$N\$r\$p\$salt\$digest"),
        (seat_table(id="XYZ"), r"seats\.noc-1\.id: expected 8 lowercase hexadecimal digits"),
        (seat_table(created="yesterday"), r"seats\.noc-1\.created: expected an ISO 8601 time"),
        (seat_table(created="2025-06-01T12:00:00"), r"seats\.noc-1\.created: expected"),
        (seat_table(hash=None), r"seats\.noc-1\.hash: missing"),
        (seat_table(token="x"), r"seats\.noc-1\.token: unknown setting \(known: id, hash"),
        (seat_table(name='"has space"'), r"seats\.has space: 'has space' is not a seat name"),
        ("version = 1\nseats = 3\n", r"seats must be a table of \[seats\.NAME\] tables"),
        ("version = 1\n[seats]\nnoc = 3\n", r"seats\.noc: must be a table"),
        ('version = 1\n[alertmanager]\nurl = "am:9093"\n', r"alertmanager\.url: expected an"),
        ('version = 1\n[alertmanager]\nurl = "ftp://am"\n', r"alertmanager\.url: expected an"),
        ("version = 1\n[alertmanager]\nurl = \"http://am:port\"\n", r"alertmanager\.url"),
        ("version = 1\n[alertmanager]\nresend_interval = 0\n", r"alertmanager\.resend_interval"),
        ("version = 1\n[notify]\nurls = \"json://x\"\n", r"notify\.urls: expected a list of"),
        ("version = 1\n[notify]\nurls = [\"no-scheme\"]\n", r"notify\.urls: expected a list"),
        ("version = 1\n[notify]\nmin_severity = \"info\"\n", r"notify\.min_severity: expected one"),
        ("version = 1\n[notify]\nmax_per_hour = 0\n", r"notify\.max_per_hour: expected a pos"),
        ("version = 1\n[notify]\nsound = true\n", r"notify\.sound: unknown setting"),
        ("version = 1\n[feed]\ntls_cert = \"\"\n", r"feed\.tls_cert: expected a non-empty"),
    ],
)
def test_errors_name_the_key(text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_settings(text)


def test_two_seats_with_one_id_are_refused() -> None:
    text = seat_table("a") + seat_table("b").removeprefix("version = 1\n")
    message = r"seats\.b\.id: '[0-9a-f]{8}' is already the id of seats\.a"
    with pytest.raises(SettingsError, match=message):
        parse_settings(text)
