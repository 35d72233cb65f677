"""What the views say about a section's freshness (English; pt_BR is checked in test_i18n)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.domain.parsing import ParseWarning
from app.engine.events import PollFailed, RouterDataUpdated
from app.engine.freshness import ErrorCode, SectionError, SectionRecord, failed, succeeded
from app.ui.bridge import apply_event
from app.ui.formatting import format_local_time
from app.ui.freshness import caption, describe, state_line
from app.ui.live import LiveState

T0 = 1_700_000_000.0


def test_each_state_has_its_words(qapp: QApplication) -> None:
    never = SectionRecord("ip_pools", 40.0)
    assert state_line(never, T0) == "no data yet"
    assert caption(never, T0) == "No data yet"
    fresh = succeeded(never, "pools", T0, T0)
    assert state_line(fresh, T0 + 1) is None
    assert caption(fresh, T0 + 1) == ""
    since = format_local_time(T0)
    assert state_line(fresh, T0 + 41) == (
        f"stale since {since} \u2013 no new answer from the router"
    )
    assert caption(fresh, T0 + 41) == f"Stale since {since}"
    error = SectionError(ErrorCode.TIMEOUT, "timed out after 10 s", T0 + 20, "display ip pool")
    failing = failed(failed(fresh, error), error)
    assert state_line(failing, T0 + 21) == (
        f"stale since {since} \u2013 the router did not answer in time, failed polls: 2"
    )
    warning = ParseWarning("bad row", "x", 3)
    partial = succeeded(never, "pools", T0, T0, raw="x", warnings=[warning, warning])
    assert state_line(partial, T0) == "read in part, lines not understood: 2"
    assert caption(partial, T0) == "Read in part"
    assert describe([fresh, failing, never], T0 + 21) == [
        f"IP pools: stale since {since} \u2013 the router did not answer in time, failed polls: 2",
        "IP pools: no data yet",
    ]


def test_the_bridge_keeps_each_section_record(qapp: QApplication) -> None:
    live = LiveState(clock=lambda: T0 + 1)
    live.set_routers(["r1"])
    record = succeeded(SectionRecord("cpu", 60.0), 17, T0, T0)
    apply_event(live, RouterDataUpdated("r1", "cpu", 17, T0, record))
    assert live.router("r1").is_fresh("cpu", live.clock())
    assert live.router("r1").last_update == T0
    error = SectionError(ErrorCode.UNREACHABLE, "refused", T0 + 1)
    apply_event(live, PollFailed("r1", "cpu", "refused", T0 + 1, failed(record, error)))
    assert not live.router("r1").is_fresh("cpu", live.clock())
    assert live.router("r1").last_update == T0  # a failure is not data
    assert live.router("r1").record("never-seen").state(T0).value == "never"
