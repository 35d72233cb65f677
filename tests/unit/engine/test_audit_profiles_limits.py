"""Audit log, routers.toml profiles, backoff and rate limits."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.domain.router import TransportKind
from app.engine.audit import AuditClient, AuditLog, acting_for
from app.engine.backoff import Backoff
from app.engine.profiles import ProfileError, load_profiles, parse_profiles
from app.engine.ratelimit import LimitKind, RateLimiter, RateLimitExceeded

# ----- audit ------------------------------------------------------------------------------


async def test_audit_entries_are_json_lines_with_offset_and_user(tmp_path: Path) -> None:
    tz = timezone(timedelta(hours=-3))
    path = tmp_path / "sub" / "audit.jsonl"
    log = AuditLog(path, user="noc", clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz))
    await log.record("r1", ["system-view", "aaa"], "committed", "out " * 10)
    log.append(log.entry("r2", ["display x"], "aborted", detail="Error: bad"))
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first == {
        "time": "2026-01-02T03:04:05-03:00",
        "user": "noc",
        "client": None,  # the local operator, not a remote client
        "router": "r1",
        "commands": ["system-view", "aaa"],
        "outcome": "committed",
        "output": "out " * 10,
    }
    assert second["detail"] == "Error: bad"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_a_remote_client_is_recorded_beside_the_os_user(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", user="svc-monitor")
    client = AuditClient(address="192.0.2.7", via="feed", protocol="websocket", auth="token")
    with acting_for(client):
        await log.record("r1", ["display version"], "sent")  # written on a worker thread
    await log.record("r1", ["display clock"], "sent")  # outside: the local operator
    remote, local = log.read()
    assert remote["user"] == "svc-monitor"
    assert remote["client"] == {
        "address": "192.0.2.7",
        "via": "feed",
        "protocol": "websocket",
        "auth": "token",
        "seat": None,  # the shared token: no seat
    }
    assert local["client"] is None


def test_audit_is_append_only_and_scrubs_secrets(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text('{"old": true}\n')
    log = AuditLog(path, user="noc", secrets=lambda: ["Hunter2!"])
    log.append(log.entry("r1", ["x Hunter2!"], "sent", "echo Hunter2!" + "z" * 3000))
    lines = path.read_text().splitlines()
    assert lines[0] == '{"old": true}'
    entry = json.loads(lines[1])
    assert "Hunter2!" not in lines[1]
    assert entry["commands"] == ["x ********"]
    assert entry["output"].endswith("...[truncated]")
    assert len(entry["output"]) == 2000 + len("...[truncated]")


# ----- profiles ---------------------------------------------------------------------------

GOOD = """
[routers.bras-1]
host = "10.0.0.1"
port = 2222
username = "noc"
transport = "telnet"
pool_size = 3
vty_budget = 4
command_timeout = 45

[routers."lab.r2"]
host = "r2.example.net"
"""


def test_profiles_parse_with_defaults() -> None:
    profiles = parse_profiles(GOOD)
    bras = profiles["bras-1"]
    assert (bras.host, bras.port, bras.username, bras.transport) == (
        "10.0.0.1",
        2222,
        "noc",
        TransportKind.TELNET,
    )
    assert (bras.pool_size, bras.vty_budget, bras.command_timeout) == (3, 4, 45.0)
    lab = profiles["lab.r2"]
    assert (lab.port, lab.username, lab.transport, lab.pool_size) == (
        22,
        "admin",
        TransportKind.SSH,
        2,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[routers.a]\nhost = "h"\npassword = "x"', r"routers\.a\.password: secrets do not belong"),
        ('[routers.a]\nhost = "h"\nprot = 22', r"routers\.a\.prot: unknown setting"),
        ('[routers.a]\nhost = "h"\nport = "22"', r"routers\.a\.port: expected int"),
        ('[routers.a]\nhost = "h"\nport = true', r"routers\.a\.port: expected int"),
        ("[routers.a]\nport = 22", r"routers\.a\.host: missing"),
        ('[routers.a]\nhost = "h"\ntransport = "rsh"', r"routers\.a\.transport: 'rsh'"),
        ('[routers.a]\nhost = "h"\npool_size = 5', r"routers\.a: .*pool_size 5"),
        ('[routers.a]\nhost = "h"\nport = 70000', r"routers\.a: .*port 70000"),
        ('[router.a]\nhost = "h"', r"unknown top-level key 'router'"),
        ("[routers.a\nhost", "not valid TOML"),
    ],
)
def test_bad_profiles_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_profiles(text)


def test_load_profiles_missing_file_is_empty_and_errors_name_the_file(tmp_path: Path) -> None:
    assert load_profiles(tmp_path / "routers.toml") == {}
    path = tmp_path / "routers.toml"
    path.write_text('[routers.a]\nhost = "h"\nsecret = "x"\n')
    with pytest.raises(ProfileError, match=str(path)):
        load_profiles(path)


# ----- backoff ----------------------------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    backoff = Backoff(initial=1.0, maximum=30.0, factor=2.0, jitter=0.5)
    assert [backoff.ceiling(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.ceiling(10_000) == 30.0
    rng = random.Random(7)
    delays = [backoff.delay(4, rng) for _ in range(200)]
    assert all(4.0 <= d <= 8.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 150  # really jittered
    with pytest.raises(ValueError, match="jitter"):
        Backoff(jitter=2)


# ----- rate limits ------------------------------------------------------------------------


def test_rate_limits_default_per_router_and_kind() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    for _ in range(10):
        limiter.acquire("r1", LimitKind.COMMAND)
    with pytest.raises(RateLimitExceeded) as caught:
        limiter.acquire("r1", LimitKind.COMMAND)
    assert caught.value.retry_after == 60.0
    limiter.acquire("r2", LimitKind.COMMAND)  # another router has its own budget
    assert limiter.remaining("r1", LimitKind.DATA) == 30
    assert limiter.remaining("r1", LimitKind.DIAGNOSTIC) == 5
    now[0] = 59.5
    with pytest.raises(RateLimitExceeded) as caught:
        limiter.acquire("r1", LimitKind.COMMAND)
    assert caught.value.retry_after == pytest.approx(0.5)
    now[0] = 60.0
    limiter.acquire("r1", LimitKind.COMMAND)  # the window slid past the first burst


def test_rate_limit_sliding_window_and_per_router_override() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0], per_router={"big": {LimitKind.DIAGNOSTIC: 7}})
    for t in (0.0, 10.0, 20.0, 30.0, 40.0):
        now[0] = t
        limiter.acquire("r1", LimitKind.DIAGNOSTIC)
    with pytest.raises(RateLimitExceeded, match="5 diagnostic requests per 60 s"):
        limiter.acquire("r1", LimitKind.DIAGNOSTIC)
    now[0] = 60.0
    limiter.acquire("r1", LimitKind.DIAGNOSTIC)  # the event at t=0 left the window
    with pytest.raises(RateLimitExceeded) as caught:
        limiter.acquire("r1", LimitKind.DIAGNOSTIC)
    assert caught.value.retry_after == pytest.approx(10.0)
    assert limiter.limit("big", LimitKind.DIAGNOSTIC) == 7
