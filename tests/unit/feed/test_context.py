"""The token rule's pieces: loopback detection, where a token is read from, the bind check."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import make_mocked_request

from app.engine.settings import FeedSettings
from app.feed.context import FeedContext, is_loopback_host, request_token
from app.feed.errors import FeedConfigError
from app.feed.server import check_bind


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("localhost.evil.example", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_the_token_is_read_from_query_bearer_or_header() -> None:
    assert request_token(make_mocked_request("GET", "/x?token=q1")) == "q1"
    bearer = make_mocked_request("GET", "/x", headers={"Authorization": "Bearer  b2 "})
    assert request_token(bearer) == "b2"
    header = make_mocked_request("GET", "/x", headers={"X-API-Token": "h3"})
    assert request_token(header) == "h3"
    basic = make_mocked_request("GET", "/x", headers={"Authorization": "Basic Zm9v"})
    assert request_token(basic) is None
    assert request_token(make_mocked_request("GET", "/x?token=")) is None


def context(options: FeedSettings) -> FeedContext:
    return FeedContext(monitor=None, options=options, console=None, version="t")  # type: ignore[arg-type]


def test_authorized_follows_the_token_rule() -> None:
    anonymous = make_mocked_request("GET", "/x")
    assert context(FeedSettings()).authorized(anonymous) is True
    with_token = context(FeedSettings(token="abc"))
    assert with_token.authorized(anonymous) is False
    assert with_token.authorized(make_mocked_request("GET", "/x?token=abc")) is True
    assert with_token.authorized(make_mocked_request("GET", "/x?token=abd")) is False
    # Never started like this (check_bind refuses), but never authorized either.
    assert context(FeedSettings(host="0.0.0.0")).authorized(anonymous) is False


def test_check_bind() -> None:
    check_bind(FeedSettings())
    check_bind(FeedSettings(host="0.0.0.0", token="t"))
    with pytest.raises(FeedConfigError, match=r"'0\.0\.0\.0'.*\[feed\] token"):
        check_bind(FeedSettings(host="0.0.0.0"))
    with pytest.raises(FeedConfigError, match="empty"):
        check_bind(replace(FeedSettings(), token=""))


def test_the_open_file_limit_is_raised_for_a_thousand_clients() -> None:
    """A desktop session starts programs with 1024 open files; the feed asks for more (in a
    child process, so this one keeps its limits)."""
    import resource
    import subprocess
    import sys

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    code = (
        "import resource\n"
        "from app.feed.server import raise_open_file_limit\n"
        "hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
        "print(raise_open_file_limit(4096), resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
        "print(raise_open_file_limit(300), resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    expected = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    raised, never_lowered = done.stdout.split("\n")[:2]
    assert raised == f"{expected} {expected}"
    assert never_lowered == f"{expected} {expected}"  # asking for less never lowers it
