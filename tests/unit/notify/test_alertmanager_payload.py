"""What Alertmanager receives for an alert: labels that identify it, Prometheus-style times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.alerts import Alert, AlertKind, Severity, alert_id
from app.notify.alertmanager import alert_labels, alert_name, alert_payload, rfc3339

RAISED = datetime(2025, 6, 1, 9, 0, 5, 123456, tzinfo=timezone(timedelta(hours=-3)))
NOW = datetime(2025, 6, 1, 12, 30, tzinfo=UTC)


def make(kind: AlertKind, subject: str, severity: Severity = Severity.MAJOR) -> Alert:
    return Alert(
        id=alert_id("bras-sp1", kind, subject),
        router="bras-sp1",
        severity=severity,
        kind=kind,
        subject=subject,
        message=f"{kind} {subject}",
        raised_at=RAISED,
    )


@pytest.mark.parametrize(
    ("kind", "subject", "extra"),
    [
        (AlertKind.INTERFACE_DOWN, "100GE0/1/2", {"interface": "100GE0/1/2"}),
        (AlertKind.POOL_HIGH, "pool-sp", {"pool": "pool-sp"}),
        (AlertKind.ROUTER_ALARM, "12:0x08520003", {"alarm": "12:0x08520003"}),
        (AlertKind.CPU_HIGH, "cpu", {}),
        (AlertKind.SUBSCRIBER_DROP, "", {}),
        (AlertKind.ROUTER_UNREACHABLE, "", {}),
    ],
)
def test_labels(kind: AlertKind, subject: str, extra: dict[str, str]) -> None:
    assert alert_labels(make(kind, subject)) == {
        "alertname": alert_name(kind),
        "router": "bras-sp1",
        "severity": "major",
        **extra,
    }


def test_two_boxes_that_share_a_name_stay_apart() -> None:
    """`instance` is the router's address (a port other than 22 included)."""
    from dataclasses import replace

    base = make(AlertKind.SUBSCRIBER_DROP, "")
    one = alert_labels(replace(base, host="10.0.0.1", port=22))
    other = alert_labels(replace(base, host="10.0.0.2", port=2222))
    assert one["instance"] == "10.0.0.1"
    assert other["instance"] == "10.0.0.2:2222"
    assert one != other


def test_alert_names_are_camel_case() -> None:
    assert alert_name(AlertKind.SUBSCRIBER_DROP) == "SubscriberDrop"
    assert alert_name(AlertKind.ROUTER_UNREACHABLE) == "RouterUnreachable"
    assert alert_name(AlertKind.INTERFACE_DOWN) == "InterfaceDown"


def test_two_alerts_of_one_kind_never_share_a_label_set() -> None:
    first = make(AlertKind.INTERFACE_DOWN, "GE0/1/1")
    second = make(AlertKind.INTERFACE_DOWN, "GE0/1/2")
    assert alert_labels(first) != alert_labels(second)


def test_an_active_alert_ends_four_resends_ahead_and_a_cleared_one_when_it_cleared() -> None:
    active = make(AlertKind.INTERFACE_DOWN, "GE0/1/1", Severity.CRITICAL)
    payload = alert_payload(active, now=NOW, valid_for=timedelta(minutes=4))
    assert payload["startsAt"] == "2025-06-01T12:00:05.123Z"  # UTC, milliseconds
    assert payload["endsAt"] == "2025-06-01T12:34:00.000Z"
    assert payload["annotations"]["summary"] == active.message
    assert "bras-sp1" in payload["annotations"]["description"]
    cleared = active.cleared(datetime(2025, 6, 1, 12, 10, tzinfo=UTC))
    payload = alert_payload(cleared, now=NOW, valid_for=timedelta(minutes=4))
    assert payload["endsAt"] == "2025-06-01T12:10:00.000Z"
    acknowledged = active.acknowledge("noc-1", NOW)
    payload = alert_payload(acknowledged, now=NOW, valid_for=timedelta(minutes=4))
    assert payload["annotations"]["acknowledged_by"] == "noc-1"


def test_rfc3339() -> None:
    assert rfc3339(RAISED) == "2025-06-01T12:00:05.123Z"
