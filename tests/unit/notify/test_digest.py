"""Direct notifications' rules, exactly: severity filter, grouping window, rate limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from app.domain.alerts import Alert, AlertKind, Severity
from app.engine.settings import NotifySettings
from app.notify.digest import MAX_LINES, Change, Digest, compose

RAISED_AT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


def alert(number: int, severity: Severity = Severity.MAJOR, router: str = "bras-sp1") -> Alert:
    return Alert(
        id=f"{number:016x}",
        router=router,
        severity=severity,
        kind=AlertKind.POOL_HIGH,
        subject=f"pool-{number}",
        message=f"IP pool pool-{number} at 95%",
        raised_at=RAISED_AT,
    )


def digest(**settings: object) -> Digest:
    return Digest(NotifySettings(urls=("json://x",), **settings))  # type: ignore[arg-type]


def test_below_min_severity_nothing_is_queued() -> None:
    d = digest(min_severity="major")
    assert d.add(alert(1, Severity.MINOR), 0.0) is False
    assert d.add(alert(2, Severity.WARNING), 0.0) is False
    assert d.add(alert(3, Severity.MAJOR), 0.0) is True
    assert d.add(alert(4, Severity.CRITICAL), 0.0) is True
    assert d.pending == 2
    critical_only = digest(min_severity="critical")
    assert critical_only.add(alert(5, Severity.MAJOR), 0.0) is False


def test_an_acknowledgement_is_not_news_but_a_clear_is() -> None:
    d = digest()
    first = alert(1)
    assert d.add(first, 0.0)
    assert not d.add(first.acknowledge("noc-1", RAISED_AT), 0.1)
    assert d.add(first.cleared(RAISED_AT), 0.2)
    assert [c.raised for c in d.flush().changes] == [True, False]  # type: ignore[union-attr]
    again = replace(first, raised_at=datetime(2025, 6, 1, 13, 0, tzinfo=UTC))
    assert d.add(again, 1.0)  # the same condition back later: a new occurrence


def test_clears_can_be_left_out() -> None:
    d = digest(send_cleared=False)
    first = alert(1)
    d.add(first, 0.0)
    assert not d.add(first.cleared(RAISED_AT), 0.1)


def test_alerts_restored_at_start_are_not_notified_again() -> None:
    d = digest()
    restored = alert(1)
    d.seed([restored])
    assert not d.add(restored, 0.0)
    assert d.add(restored.cleared(RAISED_AT), 0.0)  # its clear is news


def test_changes_within_the_window_go_out_as_one_message() -> None:
    d = digest(group_seconds=10.0)
    d.add(alert(1), 100.0)
    assert d.due_in(100.0) == 10.0
    d.add(alert(2, Severity.CRITICAL, router="bras-rj1"), 105.0)
    assert d.take(109.9) is None
    message = d.take(110.0)
    assert message is not None
    assert message.title == "NE8000 Monitor: 2 alerts raised (bras-sp1, bras-rj1)"
    assert message.kind == "failure"
    assert len(message.body.splitlines()) == 2
    assert d.pending == 0
    assert d.due_in(110.0) is None


def test_the_rate_limit_holds_back_and_merges_nothing_is_lost() -> None:
    d = digest(group_seconds=1.0, max_per_hour=2)
    d.add(alert(1), 0.0)
    assert d.take(1.0) is not None
    d.add(alert(2), 10.0)
    assert d.take(11.0) is not None
    for number in (3, 4, 5):
        d.add(alert(number), 20.0 + number)
    assert d.due_in(30.0) == 3600.0 + 1.0 - 30.0  # until the first message leaves the hour
    assert d.take(3000.0) is None
    message = d.take(3601.0)
    assert message is not None
    assert [c.alert.subject for c in message.changes] == ["pool-3", "pool-4", "pool-5"]
    assert "waited for the notification limit of 2 messages per hour" in message.body


def test_single_messages_and_long_ones() -> None:
    single = compose([Change(alert(1, Severity.CRITICAL), raised=True)])
    assert single.title == "[CRITICAL] bras-sp1: IP pool pool-1 at 95%"
    cleared = compose([Change(alert(1).cleared(RAISED_AT), raised=False)])
    assert cleared.title == "[CLEARED] bras-sp1: IP pool pool-1 at 95%"
    assert cleared.kind == "success"
    minor = compose([Change(alert(1, Severity.MINOR), raised=True)])
    assert minor.kind == "warning"
    many = compose([Change(alert(n), raised=True) for n in range(MAX_LINES + 5)])
    lines = many.body.splitlines()
    assert len(lines) == MAX_LINES + 1
    assert lines[-1] == "... and 5 more changes"
    assert lines[0].startswith("RAISED MAJOR bras-sp1: IP pool pool-0 at 95% (at ")
