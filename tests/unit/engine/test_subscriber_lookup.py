"""Subscriber lookup: what was typed picks the command, every value is checked, and the
router's per-user detail becomes the session the window shows.
"""

from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.domain.messages import MessageId
from app.engine.subscriber_lookup import (
    LookupKind,
    LookupQuery,
    SubscriberSession,
    parse_query,
    sessions_of,
    vrp_mac,
)
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text, fixtures_for


def _output(name: str) -> str:
    """A capture without its provenance line and the echoed command."""
    lines = fixture_text(name).splitlines()[1:]
    return "\n".join(line for line in lines if not line.startswith("<"))


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("10.1.2.3", LookupKind.IP, "10.1.2.3"),
        (" 172.16.28.143 ", LookupKind.IP, "172.16.28.143"),
        ("00e0-fc12-3456", LookupKind.MAC, "00e0-fc12-3456"),
        ("00:E0:FC:12:34:56", LookupKind.MAC, "00e0-fc12-3456"),
        ("00-e0-fc-12-34-56", LookupKind.MAC, "00e0-fc12-3456"),
        ("00e0.fc12.3456", LookupKind.MAC, "00e0-fc12-3456"),
        ("00E0FC123456", LookupKind.MAC, "00e0-fc12-3456"),
        ("cliente123@isp", LookupKind.USERNAME, "cliente123@isp"),
        ("w0099930@realm.biz", LookupKind.USERNAME, "w0099930@realm.biz"),
        ("10.1.2", LookupKind.USERNAME, "10.1.2"),  # not an address: a name
    ],
)
def test_what_was_typed_says_what_to_ask(typed: str, kind: LookupKind, value: str) -> None:
    assert parse_query(typed) == LookupQuery(kind, value)


def test_each_kind_asks_its_own_question() -> None:
    assert LookupQuery(LookupKind.IP, "10.1.2.3").command == (
        "display access-user ip-address 10.1.2.3"
    )
    assert LookupQuery(LookupKind.MAC, "00e0-fc12-3456").command == (
        "display access-user mac-address 00e0-fc12-3456"
    )
    by_name = LookupQuery(LookupKind.USERNAME, "u@isp").command
    assert by_name == "display access-user username u@isp verbose"


@pytest.mark.parametrize(
    ("typed", "message_id"),
    [("", MessageId.LOOKUP_EMPTY), ("2001:db8::1", MessageId.LOOKUP_IPV6)],
)
def test_what_cannot_be_looked_up_is_refused_in_translatable_words(
    typed: str, message_id: MessageId
) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_query(typed)
    assert refused.value.operator_message is not None
    assert refused.value.operator_message.id is message_id


@pytest.mark.parametrize("typed", ["bad;name", "user\ndisplay current-configuration", "a|b"])
def test_nothing_that_could_chain_a_command_is_sent(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_query(typed)


def test_vrp_mac() -> None:
    assert vrp_mac("74:AC:B9:74:B9:11") == "74ac-b974-b911"


def test_the_user_table_gives_what_it_prints() -> None:
    name = fixtures_for("display-access-user-domain")[0]
    parsed = parse_output("display access-user domain isp", _output(name))
    sessions = sessions_of(parsed)
    assert sessions
    first = sessions[0]
    assert isinstance(first, SubscriberSession)
    assert first.username
    assert first.interface
    assert first.online_seconds is None  # the table does not print it: missing, not zero
    assert first.domain is None


def test_an_ip_lookup_gives_the_session_details() -> None:
    output = _output("display-access-user-ip-address__it-bras-notes__1.txt")
    (session,) = sessions_of(parse_output("display access-user ip-address 172.16.28.143", output))
    assert session.username == "w0099930@realm.biz"
    assert session.domain == "realm.biz"
    assert session.interface == "Virtual-Ethernet0/3/1.10"
    assert session.vlan == "190/-"
    assert session.mac == "74ac-b974-b911"
    assert session.ipv4 == "172.16.28.143"
    # This capture stops before the access type and online time: missing, never invented.
    assert session.access_type is None
    assert session.online_seconds is None


def test_a_mac_lookup_gives_the_session_details() -> None:
    output = _output("display-access-user-mac-address__bng-runbook-id__1.txt")
    sessions = sessions_of(parse_output("display access-user mac-address 0000-0000-0000", output))
    assert sessions
    assert all(session.mac for session in sessions)
