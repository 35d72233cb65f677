"""The feed serializer: big counters as strings, null for missing, UTC `Z` times."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.alerts import Alert, AlertKind, Severity
from app.feed.serialize import MAX_SAFE_INTEGER, dumps, iso_z, to_jsonable


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Counters:
    name: str
    input_bytes: int | None
    rate: float | None
    when: datetime | None
    colour: Colour
    tags: tuple[str, ...]


def test_integers_beyond_2_53_become_strings_and_smaller_stay_numbers() -> None:
    assert to_jsonable(MAX_SAFE_INTEGER) == 9007199254740991
    assert to_jsonable(MAX_SAFE_INTEGER + 1) == "9007199254740992"
    assert to_jsonable(-(MAX_SAFE_INTEGER + 1)) == "-9007199254740992"
    assert to_jsonable(2**64 - 1) == "18446744073709551615"
    assert to_jsonable(0) == 0
    assert to_jsonable(True) is True  # a bool is not a counter


def test_missing_values_stay_null_never_zero() -> None:
    text = dumps(Counters("GE0/1/0", None, None, None, Colour.RED, ()))
    assert json.loads(text) == {
        "name": "GE0/1/0",
        "input_bytes": None,
        "rate": None,
        "when": None,
        "colour": "red",
        "tags": [],
    }


def test_nested_dataclasses_mappings_and_non_finite_floats() -> None:
    value = {
        "a": Counters(
            "x", 2**60, 1.5, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), Colour.RED, ("u",)
        ),
        7: [float("nan"), float("inf"), 2.25],
    }
    assert json.loads(dumps(value)) == {
        "a": {
            "name": "x",
            "input_bytes": str(2**60),
            "rate": 1.5,
            "when": "2026-01-02T03:04:05.000Z",
            "colour": "red",
            "tags": ["u"],
        },
        "7": [None, None, 2.25],
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
    assert to_jsonable(alert) == {
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


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        dumps(object())


@settings(max_examples=150, deadline=None)
@given(st.integers())
def test_every_integer_survives_a_javascript_client(value: int) -> None:
    sent = json.loads(dumps({"v": value}))["v"]
    if isinstance(sent, str):
        assert abs(value) > MAX_SAFE_INTEGER
        assert int(sent) == value
    else:
        assert float(sent) == value  # exact as a double
