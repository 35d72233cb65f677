"""settings.toml: schema errors name the key, secrets refused, round trip, atomic write, v0."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.router import RouterProfile, TransportKind
from app.engine import settings as settings_module
from app.engine.profiles import ProfileError, load_profiles
from app.engine.settings import (
    CacheTTLs,
    FeedSettings,
    Intervals,
    LoggingSettings,
    Settings,
    SettingsError,
    Thresholds,
    dump_settings,
    load_settings,
    locate_settings,
    parse_settings,
    save_settings,
)

POLL = "expected a number of seconds of at least 5 (polling faster loads the router)"
TTL = "expected a number of seconds of at least 5 (a shorter lifetime sends more commands)"

def test_defaults_are_the_earlier_service_values() -> None:
    s = Settings()
    assert (s.intervals.interfaces, s.intervals.pppoe, s.intervals.system) == (30.0, 15.0, 45.0)
    assert s.intervals.traffic == 20.0
    assert s.intervals.jitter == 0.1
    assert (s.cache_ttl.interfaces, s.cache_ttl.pppoe) == (45.0, 20.0)
    assert (s.cache_ttl.system, s.cache_ttl.traffic) == (60.0, 30.0)
    assert s.thresholds == Thresholds(10.0, 120.0, 85.0, 3, 90.0, 3, 90.0)
    assert (s.rate_limits.commands, s.rate_limits.data, s.rate_limits.diagnostics) == (10, 30, 5)
    assert s.feed == FeedSettings(False, "127.0.0.1", 8000, None, False, False, ())
    assert s.logging == LoggingSettings("INFO", False, True, None)
    assert s.routers == {}


def test_empty_document_with_version_is_the_defaults() -> None:
    assert parse_settings("version = 1\n") == Settings()


def test_a_full_file_is_read() -> None:
    text = """
version = 1
[intervals]
pppoe = 10
traffic_others = 90
jitter = 0.25
[cache_ttl]
system = 90.5
[thresholds]
mass_drop_percent = 20
cpu_polls = 5
[feed]
enabled = true
host = "0.0.0.0"
port = 9000
token = "t0k"
cors_origins = ["http://noc.local"]
[logging]
level = "warning"
json_lines = true
file_path = "/var/log/ne8000.log"
[routers.bras-1]
host = "10.0.0.1"
transport = "TELNET"
connect_timeout = 5
"""
    s = parse_settings(text)
    assert s.intervals == Intervals(
        interfaces=30.0, pppoe=10.0, system=45.0, traffic=20.0, traffic_others=90.0, jitter=0.25
    )
    assert isinstance(s.intervals.pppoe, float)
    assert s.cache_ttl == CacheTTLs(45.0, 20.0, 90.5, 30.0)
    assert (s.thresholds.mass_drop_percent, s.thresholds.cpu_polls) == (20.0, 5)
    assert s.feed == FeedSettings(True, "0.0.0.0", 9000, "t0k", False, False, ("http://noc.local",))
    assert s.logging == LoggingSettings("WARNING", True, True, "/var/log/ne8000.log")
    assert s.routers == {
        "bras-1": RouterProfile(
            name="bras-1", host="10.0.0.1", transport=TransportKind.TELNET, connect_timeout=5.0
        )
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[intervals]\npppoe = "abc"', f'intervals.pppoe: {POLL}, got "abc"'),
        ("[intervals]\npppoe = 0", f"intervals.pppoe: {POLL}, got 0"),
        ("[intervals]\npppoe = 0.001", f"intervals.pppoe: {POLL}, got 0.001"),
        ("[intervals]\nsystem = -4.5", f"intervals.system: {POLL}, got -4.5"),
        ("[intervals]\njitter = 1.0", "intervals.jitter: expected a fraction"),
        ("[intervals]\ntraffic = true", f"intervals.traffic: {POLL}, got true"),
        ("[intervals]\ntraffic = nan", f"intervals.traffic: {POLL}, got nan"),
        ("[intervals]\ntraffic = 4.99", f"intervals.traffic: {POLL}, got 4.99"),
        ("[intervals]\npoll = 3", "intervals.poll: unknown setting (known: interfaces, pppoe"),
        ("[cache_ttl]\npppoe = [1]", f"cache_ttl.pppoe: {TTL}, got [1]"),
        ("[cache_ttl]\nsystem = 0.001", f"cache_ttl.system: {TTL}, got 0.001"),
        (
            'version = 1\n[routers.a]\nhost = "h"\nconnect_timeout = 0.5',
            "routers.a.connect_timeout: expected a number of seconds of at least 2 (",
        ),
        (
            'version = 1\n[routers.a]\nhost = "h"\ncommand_timeout = 1',
            "routers.a.command_timeout: expected a number of seconds of at least 5 (",
        ),
        (
            'version = 1\n[routers.a]\nhost = "h"\nkeepalive_interval = 0.01',
            "routers.a.keepalive_interval: expected a number of seconds of at least 10 (",
        ),
        ("[thresholds]\ncpu_percent = 101", "thresholds.cpu_percent: expected a percentage"),
        ("[thresholds]\ncpu_polls = 2.5", "thresholds.cpu_polls: expected a positive whole"),
        ("[rate_limits]\ncommands = 0", "rate_limits.commands: expected a positive whole"),
        ("[feed]\nport = 70000", "feed.port: expected a port number 1-65535, got 70000"),
        ('[feed]\nenabled = "yes"', 'feed.enabled: expected true or false, got "yes"'),
        ('[feed]\ntoken = ""', 'feed.token: expected a non-empty string, got ""'),
        ("[feed]\ncors_origins = [1]", "feed.cors_origins: expected a list of strings"),
        ('[logging]\nlevel = "loud"', "logging.level: expected one of DEBUG, INFO, WARNING"),
        ("intervals = 5", "intervals: must be a table"),
        ("[polling]\nx = 1", "unknown top-level key 'polling'"),
        ('version = "1"', 'version: expected a whole number, got "1"'),
        ("version = 7", "version: the file is version 7, written by a newer release"),
        ('version = 1\n[routers.a]\nhost = "h"\nport = "22"', r"routers.a.port: expected int"),
        ("version = 1\n[routers.a]\nport = 22", "routers.a.host: missing"),
        ('version = 1\n[routers."bad name"]\nhost = "h"', "routers.bad name: router name"),
    ],
)
def test_errors_name_the_key(text: str, message: str) -> None:  # issue 14 items 5 and 8
    with pytest.raises(SettingsError) as caught:
        parse_settings(text if text.startswith("version") else "version = 1\n" + text)
    assert str(caught.value).startswith("settings.toml: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[routers.a]\nhost = "h"\npassword = "x"', "routers.a.password"),
        ('[routers.a]\nhost = "h"\nROUTER_PASSWORD = "x"', "routers.a.ROUTER_PASSWORD"),
        ('[feed]\nsecret = "x"', "feed.secret"),
        ('[logging]\nsmtp_passwd = "x"', "logging.smtp_passwd"),
        ('password = "x"', "password"),
        ('[routers.a]\nhost = "h"\nprivate_key = "x"', "routers.a.private_key"),
    ],
)
def test_secret_keys_are_refused_anywhere(text: str, key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings("version = 1\n" + text)
    assert f"settings.toml: {key}: secrets do not belong in the settings file" in str(caught.value)
    assert '"x"' not in str(caught.value)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    original = "version = 1\n[intervals]\npppoe = = 3\n"
    path.write_text(original)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}, line 3, column 9: not valid TOML: ")
    assert "(`pppoe = = 3`)" in str(caught.value)
    assert "Hint: " in str(caught.value)
    assert path.read_text() == original  # never reset or rewritten


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"version = 1\n# \xff\xfe\n")
    with pytest.raises(SettingsError, match=f"^{path}: cannot read"):
        load_settings(path)


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nothing.toml") == Settings()


def _sample() -> Settings:
    base = Settings(
        intervals=Intervals(pppoe=12.5, jitter=0.0),
        feed=FeedSettings(
            enabled=True, token='to"k\\en\n\t\x01', cors_origins=("http://a", "https://b:8443")
        ),
        logging=LoggingSettings(level="DEBUG", json_lines=True, file=False, file_path="C:\\logs"),
    )
    base = base.with_router(RouterProfile(name="bras-1", host="10.0.0.1", port=2222))
    return base.with_router(
        RouterProfile(
            name="lab.r2",
            host="fe80::1%eth0",
            username="nöc",
            transport=TransportKind.TELNET,
            legacy_algorithms=True,
            pool_size=3,
            vty_budget=4,
        )
    )


def test_round_trip_is_exact_and_valid_toml() -> None:
    sample = _sample()
    text = dump_settings(sample)
    assert parse_settings(text) == sample
    document = tomllib.loads(text)
    assert document["version"] == 1
    assert document["feed"]["token"] == 'to"k\\en\n\t\x01'
    assert list(document["routers"]) == ["bras-1", "lab.r2"]
    assert '[routers."lab.r2"]' in text
    assert "token" not in dump_settings(Settings())  # None is left out, not written as ""


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_string_survives_the_writer(value: str) -> None:
    sample = Settings(feed=FeedSettings(token=value)) if value.strip() else Settings()
    assert parse_settings(dump_settings(sample)) == sample


def test_save_is_atomic_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.toml"
    assert save_settings(_sample(), path) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(path) == _sample()
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]


def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings(), path)
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        save_settings(_sample(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.toml"]  # temp file removed


def test_failed_replace_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("# the user's own file\nversion = 1\n")

    def broken_replace(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PermissionError):
        save_settings(_sample(), path)
    assert path.read_text() == "# the user's own file\nversion = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.toml"]


def test_a_value_toml_cannot_hold_is_refused_before_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("version = 1\n")
    bad = Settings(intervals=replace(Intervals(), pppoe=float("inf")))
    with pytest.raises(ValueError, match="cannot hold inf"):
        save_settings(bad, path)
    assert path.read_text() == "version = 1\n"


LEGACY = '[routers.bras-1]\nhost = "10.0.0.1"\nport = 2222\n\n[routers.r2]\nhost = "r2"\n'


def test_v0_routers_toml_migrates_to_v1(tmp_path: Path) -> None:
    config = tmp_path / "ne8000monitor"
    config.mkdir()
    (config / "routers.toml").write_text(LEGACY)
    assert locate_settings(config) == config / "routers.toml"
    migrated = load_settings(config / "routers.toml")
    assert migrated == Settings(
        routers={
            "bras-1": RouterProfile(name="bras-1", host="10.0.0.1", port=2222),
            "r2": RouterProfile(name="r2", host="r2"),
        }
    )
    # Saving writes settings.toml (version 1) and from then on that file is the one read.
    save_settings(migrated, config / "settings.toml")
    assert locate_settings(config) == config / "settings.toml"
    assert tomllib.loads((config / "settings.toml").read_text())["version"] == 1
    assert load_settings(config / "settings.toml") == migrated
    assert (config / "routers.toml").read_text() == LEGACY  # the old file is left alone


def test_v0_layout_allows_only_routers() -> None:
    with pytest.raises(SettingsError, match=r"unknown top-level key 'feeds' \(expected \[routers"):
        parse_settings("[feeds]\nport = 1\n")


def test_load_profiles_prefers_settings_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    config = tmp_path / "ne8000monitor"
    assert load_profiles() == {}
    config.mkdir()
    (config / "routers.toml").write_text(LEGACY)
    assert sorted(load_profiles()) == ["bras-1", "r2"]
    save_settings(
        Settings().with_router(RouterProfile(name="new", host="n")), config / "settings.toml"
    )
    assert list(load_profiles()) == ["new"]
    (config / "settings.toml").write_text("version = 1\n[routers.x]\nhost = 5\n")
    with pytest.raises(ProfileError, match=r"settings\.toml: routers\.x\.host: expected str"):
        load_profiles()


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().intervals.pppoe = 3.0  # type: ignore[misc]
    assert os.fspath(settings_module.default_settings_path()).endswith("settings.toml")


def test_a_settings_file_without_version_gets_a_hint() -> None:
    with pytest.raises(SettingsError, match=r"'intervals' \(a settings file needs `version = 1`"):
        parse_settings("[intervals]\npppoe = 3\n")


def test_save_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "settings.toml"
    real.parent.mkdir()
    real.write_text("version = 1\n")
    link = tmp_path / "settings.toml"
    link.symlink_to(real)
    assert save_settings(_sample(), link) == real
    assert link.is_symlink()
    assert load_settings(link) == _sample()


@settings(max_examples=150, deadline=None)
@given(
    st.floats(min_value=5.0, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.floats(min_value=0.0, max_value=0.999999, allow_nan=False),
    st.integers(min_value=1, max_value=10**9),
)
def test_numbers_survive_the_writer(seconds: float, jitter: float, polls: int) -> None:
    sample = Settings(
        intervals=Intervals(traffic=seconds, jitter=jitter),
        thresholds=Thresholds(cpu_polls=polls),
    )
    assert parse_settings(dump_settings(sample)) == sample


# ----- a byte-order mark, syntax hints, and saving that keeps the operator's file ----------

BOM = "\ufeff"


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:  # issue 14 item 8
    # Windows Notepad starts a UTF-8 file with a byte-order mark.
    path = tmp_path / "settings.toml"
    path.write_text(BOM + 'version = 1\n[routers.bras-1]\nhost = "10.0.0.1"\n', "utf-8")
    assert load_settings(path).routers["bras-1"].host == "10.0.0.1"
    legacy = tmp_path / "legacy" / "routers.toml"
    legacy.parent.mkdir()
    legacy.write_bytes((BOM + '[routers.r1]\nhost = "10.0.0.2"\n').encode())
    assert load_profiles(legacy)["r1"].host == "10.0.0.2"
    assert parse_settings(BOM + "version = 1\n") == Settings()
    # Saving keeps working on such a file (the mark itself is not written back).
    save_settings(load_settings(path).with_router(RouterProfile(name="r2", host="h2")), path)
    assert not path.read_bytes().startswith(BOM.encode())
    assert set(load_settings(path).routers) == {"bras-1", "r2"}


@pytest.mark.parametrize(
    ("text", "where", "shown", "hint"),
    [
        ("[routers.a]\nhost = 10.0.0.1\n", "line 3, column 12", "host = 10.0.0.1", "quotes"),
        ('[routers.a]\nhost: "h"\n', "line 3, column 5", 'host: "h"', "with '='"),
        ("[feed]\nport = 1\n[feed]\n", "line 4, column 6", "[feed]", "appears twice"),
        ("[feed]\nport = 1\nport = 2\n", "line 4, column 9", "port = 2", "set twice"),
        ('[feed]\nhost = "127.0.0.1\n', "line 3, column 18", None, "close the quote"),
        ("[logging]\nlevel = INFO\n", "line 3, column 9", "level = INFO", "quotes"),
        ('[feed]\nhost = "h" port = 1\n', "line 3, column 12", None, "one `key = value` per"),
        ("[routers.bras sp1]\n", "line 2, column 15", "[routers.bras sp1]", "need quotes"),
        ("[feed]\nport = 80\nhost = yes\n", "line 4, column 8", "host = yes", "quotes"),
    ],
)
def test_every_syntax_error_gives_the_line_and_a_hint(
    text: str, where: str, shown: str | None, hint: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings("version = 1\n" + text)
    message = str(caught.value)
    assert message.startswith(f"settings.toml, {where}: not valid TOML: ")
    assert "Hint: " in message
    assert hint in message.split("Hint: ", 1)[1]
    if shown is not None:
        assert f"(`{shown}`)" in message
    assert "\n" not in message


def test_a_syntax_error_never_echoes_a_secret() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings('version = 1\n[feed]\ntoken = "s3cr3t-t0ken\n')
    assert "s3cr3t" not in str(caught.value)
    assert "(`token = …`)" in str(caught.value)


HAND_EDITED = """\
# Our NOC's monitor. Ask Ana before changing the intervals.
version = 1

[intervals]
pppoe = 20.0      # the BRAS in Campinas is slow to answer
interfaces = 60   # plenty for the wall

# --- routers, south first ---
[routers.bras-sul]
host = "10.10.0.1"   # behind the jump host
username = "noc"
monitored = ["Eth-Trunk1"]  # IX uplink

[routers.bras-norte]
host = "10.20.0.1"
"""


def test_saving_keeps_the_operators_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HAND_EDITED)
    loaded = load_settings(path)
    # Edit a router in code (what the router dialog does), add one, change a setting.
    sul = replace(loaded.routers["bras-sul"], port=2222, monitored=("Eth-Trunk1", "100GE0/1/2"))
    changed = replace(
        loaded.with_router(sul).with_router(RouterProfile(name="bras-leste", host="10.30.0.1")),
        intervals=replace(loaded.intervals, system=90.0),
    )
    save_settings(changed, path)
    text = path.read_text()
    assert load_settings(path) == changed
    for comment in (
        "# Our NOC's monitor. Ask Ana before changing the intervals.",
        "pppoe = 20.0      # the BRAS in Campinas is slow to answer",
        "interfaces = 60   # plenty for the wall",
        "# --- routers, south first ---",
        'host = "10.10.0.1"   # behind the jump host',
    ):
        assert comment in text
    order = [text.index(part) for part in (
        "[intervals]", "[routers.bras-sul]", "[routers.bras-norte]", "[routers.bras-leste]"
    )]
    assert order == sorted(order)
    assert "port = 2222" in text
    assert 'monitored = ["Eth-Trunk1", "100GE0/1/2"]' in text
    assert "system = 90.0" in text
    # Only what changed was written: no defaults spelled out for the untouched router.
    norte = text[text.index("[routers.bras-norte]") : text.index("[routers.bras-leste]")]
    assert norte.strip() == '[routers.bras-norte]\nhost = "10.20.0.1"'
    assert "[thresholds]" not in text


def test_removing_a_router_removes_only_its_table(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HAND_EDITED)
    loaded = load_settings(path)
    routers = {name: p for name, p in loaded.routers.items() if name != "bras-norte"}
    save_settings(replace(loaded, routers=routers), path)
    text = path.read_text()
    assert "bras-norte" not in text
    assert "# --- routers, south first ---" in text
    assert load_settings(path) == replace(loaded, routers=routers)


def test_a_file_broken_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HAND_EDITED)
    loaded = load_settings(path)
    broken = HAND_EDITED.replace('username = "noc"', "username = noc")  # edited meanwhile
    path.write_text(broken)
    with pytest.raises(SettingsError, match="cannot save: the file on disk no longer reads"):
        save_settings(loaded.with_router(RouterProfile(name="x", host="h")), path)
    assert path.read_text() == broken
