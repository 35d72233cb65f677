"""The wire types and the feed's one encoder: big counters as strings, null for missing,
UTC `Z` times, and client messages decoded (or refused) by their types."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.alerts import Alert, AlertKind, Severity
from app.domain.system import CpuCore, CpuUsage
from app.feed.messages import alert_body
from app.feed.wire.base import MAX_SAFE_INTEGER, encode, finite, iso_z, safe_int
from app.feed.wire.messages import (
    CLIENT_DECODER,
    CommandMessage,
    PingMessage,
    SubscribeMessage,
)
from app.feed.wire.sections import TrafficRow


def row(**values: object) -> TrafficRow:
    fields = dict.fromkeys(TrafficRow.__struct_fields__)
    fields.update(name="GE0/1/0", monitored=False, description="", phy_up=True, stale=False)
    fields.update(values)
    return TrafficRow(**fields)  # type: ignore[arg-type]


def test_integers_beyond_2_53_become_strings_and_smaller_stay_numbers() -> None:
    assert safe_int(MAX_SAFE_INTEGER) == 9007199254740991
    assert safe_int(MAX_SAFE_INTEGER + 1) == "9007199254740992"
    assert safe_int(-(MAX_SAFE_INTEGER + 1)) == "-9007199254740992"
    assert safe_int(2**64 - 1) == "18446744073709551615"
    assert safe_int(0) == 0
    assert safe_int(None) is None
    sent = json.loads(encode(row(input_bytes=safe_int(2**60), output_bytes=safe_int(5))))
    assert (sent["input_bytes"], sent["output_bytes"]) == (str(2**60), 5)


def test_missing_values_stay_null_never_zero_and_nan_is_null() -> None:
    sent = json.loads(encode(row(in_bps=float("nan"), out_bps=finite(float("inf")))))
    assert sent["in_bps"] is None
    assert sent["out_bps"] is None
    assert sent["input_bytes"] is None
    assert sent["sampled_at"] is None
    assert finite(2.25) == 2.25


def test_domain_dataclasses_are_encoded_as_their_fields() -> None:
    cpu = CpuUsage(37, 30, None, None, 90, cores=(CpuCore("cpu0", 40),))
    assert json.loads(encode(cpu)) == {
        "cpu_percent": 37,
        "five_seconds": 30,
        "one_minute": None,
        "five_minutes": None,
        "max_percent": 90,
        "cores": [
            {
                "name": "cpu0",
                "current": 40,
                "five_seconds": None,
                "one_minute": None,
                "five_minutes": None,
                "max_percent": None,
                "max_at": None,
            }
        ],
        "services": [],
        "measured_at": None,
        "warnings": [],  # what the parser skipped (a partial read), here nothing
        "max_at": None,
    }


def test_times_are_utc_with_z() -> None:
    plus_three = timezone(timedelta(hours=3))
    assert iso_z(datetime(2026, 5, 1, 15, 0, tzinfo=plus_three)) == "2026-05-01T12:00:00.000Z"
    assert iso_z(0.25) == "1970-01-01T00:00:00.250Z"
    assert iso_z(datetime(2026, 5, 1, 12, 0)) == "2026-05-01T12:00:00.000Z"  # naive: UTC


def test_an_alert_is_the_feed_alert_object() -> None:
    raised = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=-3)))
    alert = Alert(
        id="abc",
        router="r1",
        severity=Severity.MAJOR,
        kind=AlertKind.INTERFACE_DOWN,
        subject="GigabitEthernet0/1/0",
        message="GigabitEthernet0/1/0 is down",
        raised_at=raised,
    )
    assert json.loads(encode(alert_body(alert))) == {
        "id": "abc",
        "router": "r1",
        "severity": "major",
        "kind": "interface_down",
        "subject": "GigabitEthernet0/1/0",
        "message": "GigabitEthernet0/1/0 is down",
        "raised_at": "2026-03-01T13:00:00.000Z",
        "cleared_at": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
    }


@settings(max_examples=150, deadline=None)
@given(st.integers())
def test_every_integer_survives_a_javascript_client(value: int) -> None:
    sent = json.loads(encode(row(input_bytes=safe_int(value))))["input_bytes"]
    if isinstance(sent, str):
        assert abs(value) > MAX_SAFE_INTEGER
        assert int(sent) == value
    else:
        assert float(sent) == value  # exact as a double


def test_client_messages_are_decoded_by_their_tag() -> None:
    assert CLIENT_DECODER.decode(b'{"type": "ping"}') == PingMessage()
    assert CLIENT_DECODER.decode('{"type": "subscribe", "routers": ["a"]}') == SubscribeMessage(
        routers=["a"]
    )
    assert CLIENT_DECODER.decode('{"type": "subscribe"}') == SubscribeMessage(routers=None)
    command = CLIENT_DECODER.decode('{"type": "command", "id": 7, "command": "display version"}')
    assert command == CommandMessage(id=7, command="display version")
    # Fields a client adds beyond the protocol are ignored, as the FastAPI service did.
    assert CLIENT_DECODER.decode('{"type": "ping", "token": "x"}') == PingMessage()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[" * 3000, "Expected `object`, got `array`"),
        ('{"type": "subscribe", "routers": ' + "[" * 3000, "Expected `str`, got `array`"),
        ('{"type": "command", "id": ' + "[" * 3000, "got `array` - at `$.id`"),
        ('{"type": "subscribe", "routers": "east"}', "Expected `array | null`, got `str`"),
        ('{"type": "dance"}', "Invalid value 'dance' - at `$.type`"),
        ('{"type": "command", "action": "reboot"}', "at `$.action`"),
        ('{"type": "command", "command": "' + "x" * 600 + '"}', "length <= 512"),
    ],
)
def test_bad_client_messages_are_refused_with_where_and_why(text: str, error: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=re.escape(error)):
        CLIENT_DECODER.decode(text)


def test_an_unknown_field_nested_too_deep_is_a_recursion_error_not_a_crash() -> None:
    """msgspec's own depth limit: the endpoint turns it into a `bad_json` answer."""
    text = '{"type": "ping", "x": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}"
    with pytest.raises(RecursionError):
        CLIENT_DECODER.decode(text)
