"""Environment overrides with the earlier service's names, and .env parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.router import RouterProfile, TransportKind
from app.engine.settings import Settings, save_settings
from app.engine.settings_env import EnvError, apply_environment, effective_settings, parse_dotenv

POLL = "expected a number of seconds of at least 5 (polling faster loads the router)"
TTL = "expected a number of seconds of at least 5 (a shorter lifetime sends more commands)"

def test_no_variables_change_nothing() -> None:
    result = apply_environment(Settings(), {"PATH": "/usr/bin", "HOME": "/root"})
    assert result.settings == Settings()
    assert (result.router_name, result.router_password) == (None, None)
    assert (result.applied, result.notes) == ((), ())


def test_feed_bind_from_host_and_port() -> None:
    result = apply_environment(Settings(), {"HOST": "0.0.0.0", "PORT": "9001"})
    assert (result.settings.feed.host, result.settings.feed.port) == ("0.0.0.0", 9001)
    assert result.applied == (
        ("HOST", "feed.host = '0.0.0.0'"),
        ("PORT", "feed.port = 9001"),
    )


def test_logging_family() -> None:
    s = apply_environment(Settings(), {"LOG_LEVEL": "warn"}).settings
    assert s.logging.level == "WARNING"
    assert apply_environment(Settings(), {"DEBUG": "true"}).settings.logging.level == "DEBUG"
    assert apply_environment(Settings(), {"DEBUG": "0"}).settings.logging.level == "INFO"
    both = apply_environment(Settings(), {"DEBUG": "yes", "LOG_LEVEL": "ERROR"}).settings
    assert both.logging.level == "ERROR"  # an explicit level wins over DEBUG
    path = apply_environment(Settings(), {"LOG_FILE": "/var/log/ne.log"}).settings.logging
    assert (path.file, path.file_path) == (True, "/var/log/ne.log")
    off = apply_environment(Settings(), {"LOG_FILE": "off"}).settings.logging
    assert (off.file, off.file_path) == (False, None)


def test_cache_ttl_interval_and_rate_limit_families() -> None:
    env = {
        "CACHE_TTL_INTERFACES": "50",
        "CACHE_TTL_PPPOE": "25.5",
        "CACHE_TTL_SYSTEM": "70",
        "CACHE_TTL_TRAFFIC": "35",
        "BG_UPDATE_INTERVAL_INTERFACES": "31",
        "BG_UPDATE_INTERVAL_PPPOE": "16",
        "BG_UPDATE_INTERVAL_SYSTEM": "46",
        "BG_UPDATE_INTERVAL_TRAFFIC": "21",
        "BG_UPDATE_INTERVAL_TRAFFIC_OTHERS": "84",
        "RATE_LIMIT_COMMANDS": "12",
        "RATE_LIMIT_DATA_PER_MINUTE": "40",
        "RATE_LIMIT_DIAGNOSTICS": "3",
    }
    s = apply_environment(Settings(), env).settings
    assert (s.cache_ttl.interfaces, s.cache_ttl.pppoe) == (50.0, 25.5)
    assert (s.cache_ttl.system, s.cache_ttl.traffic) == (70.0, 35.0)
    assert (s.intervals.interfaces, s.intervals.pppoe) == (31.0, 16.0)
    assert (s.intervals.system, s.intervals.traffic, s.intervals.jitter) == (46.0, 21.0, 0.1)
    assert s.intervals.traffic_others == 84.0
    # The cache lifetimes have no such member: named as unknown, not applied.
    notes = apply_environment(Settings(), {"CACHE_TTL_TRAFFIC_OTHERS": "9"}).notes
    assert notes == (
        "CACHE_TTL_TRAFFIC_OTHERS is ignored: not a known setting (known: CACHE_TTL_INTERFACES, "
        "CACHE_TTL_PPPOE, CACHE_TTL_SYSTEM, CACHE_TTL_TRAFFIC)",
    )
    assert (s.rate_limits.commands, s.rate_limits.data, s.rate_limits.diagnostics) == (12, 40, 3)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "eighty"}, "PORT: expected a port number 1-65535, got 'eighty'"),
        ({"PORT": "0"}, "PORT: expected a port number 1-65535, got 0"),
        ({"DEBUG": "maybe"}, "DEBUG: expected true or false, got 'maybe'"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL: expected one of DEBUG, INFO"),
        ({"CACHE_TTL_PPPOE": "abc"}, f"CACHE_TTL_PPPOE: {TTL}, got 'abc'"),
        ({"CACHE_TTL_SYSTEM": "-1"}, f"CACHE_TTL_SYSTEM: {TTL}, got -1.0"),
        # The earlier service accepted these and polled the router ~100 times a second.
        ({"CACHE_TTL_TRAFFIC": "0.001"}, f"CACHE_TTL_TRAFFIC: {TTL}, got 0.001"),
        ({"BG_UPDATE_INTERVAL_PPPOE": "0.001"}, f"BG_UPDATE_INTERVAL_PPPOE: {POLL}, got 0.001"),
        ({"BG_UPDATE_INTERVAL_SYSTEM": "4"}, f"BG_UPDATE_INTERVAL_SYSTEM: {POLL}, got 4.0"),
        ({"BG_UPDATE_INTERVAL_TRAFFIC": "inf"}, "BG_UPDATE_INTERVAL_TRAFFIC: expected a number"),
        ({"RATE_LIMIT_COMMANDS": "2.5"}, "RATE_LIMIT_COMMANDS: expected a positive whole number"),
        ({"ROUTER_HOST": "h", "ROUTER_PORT": "22x"}, "ROUTER_PORT: expected a port number"),
        ({"ROUTER_HOST": "h", "ROUTER_PORT": "65536"}, "ROUTER_PORT: expected a port number"),
        ({"ROUTER_HOST": "h", "ROUTER_PROTOCOL": "rsh"}, "ROUTER_PROTOCOL: 'rsh' is not 'ssh'"),
        ({"ROUTER_HOST": "a b"}, "ROUTER_HOST: not a host name or address: 'a b'"),
        ({"ROUTER_HOST": "h", "ROUTER_USERNAME": "a b"}, "ROUTER_USERNAME: must not contain"),
        ({"ROUTER_HOST": "h", "ROUTER_NAME": "no/slash"}, "ROUTER_NAME: 'no/slash' is not a"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(EnvError) as caught:
        apply_environment(Settings(), env)
    assert str(caught.value).startswith(message)


def test_router_host_defines_a_router_profile_and_the_password_stays_out() -> None:
    env = {
        "ROUTER_HOST": "10.1.1.1",
        "ROUTER_PORT": "2222",
        "ROUTER_USERNAME": "noc",
        "ROUTER_PROTOCOL": "SSH",
        "ROUTER_PASSWORD": "S3cret!",
    }
    result = apply_environment(Settings(), env)
    # Named after its address, so two boxes never share a name (nor history, nor alerts).
    name = "10.1.1.1:2222"
    assert result.settings.routers == {
        name: RouterProfile(name=name, host="10.1.1.1", port=2222, username="noc")
    }
    assert (result.router_name, result.router_password) == (name, "S3cret!")
    assert "S3cret!" not in repr(result.settings) + repr(result.applied) + repr(result.notes)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"ROUTER_HOST": "10.0.0.1"}, "10.0.0.1"),
        ({"ROUTER_HOST": "10.0.0.1", "ROUTER_PORT": "22"}, "10.0.0.1"),
        ({"ROUTER_HOST": "10.0.0.2", "ROUTER_PORT": "830"}, "10.0.0.2:830"),
        ({"ROUTER_HOST": "bras1.example.net"}, "bras1.example.net"),
        ({"ROUTER_HOST": "2001:db8::1", "ROUTER_PORT": "2222"}, "[2001:db8::1]:2222"),
        ({"ROUTER_HOST": "2001:db8::1"}, "2001:db8::1"),
        ({"ROUTER_HOST": "10.0.0.3", "ROUTER_PROTOCOL": "telnet"}, "10.0.0.3:23"),
    ],
)
def test_a_router_without_a_name_is_named_after_its_address(
    env: dict[str, str], name: str
) -> None:
    result = apply_environment(Settings(), env)
    assert list(result.settings.routers) == [name]
    assert result.settings.routers[name].host == env["ROUTER_HOST"]


def test_two_boxes_configured_by_variables_get_two_names() -> None:
    first = apply_environment(Settings(), {"ROUTER_HOST": "10.0.0.1"}).router_name
    second = apply_environment(Settings(), {"ROUTER_HOST": "10.0.0.9"}).router_name
    assert first != second
    assert "router" not in (first, second)


def test_router_name_and_telnet_default_port() -> None:
    env = {"ROUTER_HOST": "r.example", "ROUTER_NAME": "edge", "ROUTER_PROTOCOL": "telnet"}
    profile = apply_environment(Settings(), env).settings.routers["edge"]
    assert (profile.host, profile.port, profile.transport) == (
        "r.example",
        23,
        TransportKind.TELNET,
    )
    named = apply_environment(Settings(), env, router_name="cli-name").settings
    assert list(named.routers) == ["cli-name"]


def test_router_variables_override_an_existing_profile() -> None:
    base = Settings().with_router(
        RouterProfile(name="router", host="old", pool_size=3, vty_budget=5, username="u")
    )
    result = apply_environment(
        base, {"ROUTER_NAME": "router", "ROUTER_HOST": "new", "ROUTER_PORT": "830"}
    )
    assert result.settings.routers["router"] == RouterProfile(
        name="router", host="new", port=830, pool_size=3, vty_budget=5, username="u"
    )
    # Without ROUTER_HOST (nothing to name a box after) a profile `router` is the target.
    only_user = apply_environment(base, {"ROUTER_USERNAME": "ops"}).settings.routers["router"]
    assert (only_user.host, only_user.username) == ("old", "ops")


def test_router_fields_without_a_host_are_noted_not_invented() -> None:
    result = apply_environment(Settings(), {"ROUTER_PORT": "22", "ROUTER_PASSWORD": "pw"})
    assert result.settings.routers == {}
    assert result.notes == (
        "ROUTER_PORT is ignored: ROUTER_HOST is not set and there is no router 'router'",
    )
    assert (result.router_name, result.router_password) == ("router", "pw")


def test_redis_and_unknown_family_members_are_ignored_with_a_note() -> None:
    env = {
        "REDIS_HOST": "localhost",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "",
        "CACHE_TTL_ROUTES": "5",
    }
    result = apply_environment(Settings(), env)
    assert result.settings == Settings()
    assert result.notes == (
        "CACHE_TTL_ROUTES is ignored: not a known setting (known: CACHE_TTL_INTERFACES, "
        "CACHE_TTL_PPPOE, CACHE_TTL_SYSTEM, CACHE_TTL_TRAFFIC)",
        "REDIS_HOST is ignored: this app keeps its cache in memory (no Redis)",
        "REDIS_PORT is ignored: this app keeps its cache in memory (no Redis)",
    )


def test_empty_values_count_as_unset() -> None:
    assert apply_environment(Settings(), {"PORT": "", "ROUTER_HOST": "  "}).settings == Settings()


DOTENV = """\
# The old service's configuration
export ROUTER_HOST=10.0.0.1
ROUTER_PORT = 22   # ssh
ROUTER_USERNAME='noc user'
ROUTER_PASSWORD="p#ss \\"quoted\\"\\n"
SINGLE='a\\nb # not a comment'
EMPTY=
HASH=abc#def

REDIS_URL=redis://localhost:6379/0
"""


def test_parse_dotenv() -> None:
    assert parse_dotenv(DOTENV) == {
        "ROUTER_HOST": "10.0.0.1",
        "ROUTER_PORT": "22",
        "ROUTER_USERNAME": "noc user",
        "ROUTER_PASSWORD": 'p#ss "quoted"\n',
        "SINGLE": "a\\nb # not a comment",
        "EMPTY": "",
        "HASH": "abc#def",
        "REDIS_URL": "redis://localhost:6379/0",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A=1\nthis is not an assignment\n", "old.env, line 2: expected KEY=VALUE"),
        ("A=1\n\nB='open\n", "old.env, line 3 (B): unterminated single quote"),
        ('PASSWORD="secret\n', "old.env, line 1 (PASSWORD): unterminated double quote"),
        ("X='a' b\n", "old.env, line 1 (X): unexpected text after the closing quote"),
        ("1X=2\n", "old.env, line 1: expected KEY=VALUE"),
    ],
)
def test_dotenv_errors_name_file_and_line_but_not_the_value(text: str, message: str) -> None:
    with pytest.raises(EnvError) as caught:
        parse_dotenv(text, source="old.env")
    assert str(caught.value) == message


def test_effective_settings_put_the_environment_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings().with_router(RouterProfile(name="r1", host="10.0.0.1")), path)
    before = path.read_text()
    result = effective_settings(path, {"CACHE_TTL_SYSTEM": "99", "ROUTER_PASSWORD": "pw"})
    assert result.settings.cache_ttl.system == 99.0
    assert list(result.settings.routers) == ["r1"]
    assert result.router_password == "pw"
    assert path.read_text() == before  # the environment is never written back
