"""RateTracker: rates from counter deltas, resets start new series, failures leave gaps."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.interfaces import InterfaceDetail
from app.engine.rates import GapReason, RateTracker, TrafficGap, TrafficSample
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text

# A real parsed block (GigabitEthernet0/2/5, counters beyond 2**53); tests vary its counters.
TEMPLATE = parse_output(
    "display interface", fixture_text("display-interface__vrp8-router-textfsm-test__1.txt")
).interfaces[0]
BIG = 2**60


def reading(
    name: str,
    in_bytes: int | None,
    out_bytes: int | None = 0,
    in_packets: int | None = 0,
    out_packets: int | None = 0,
) -> InterfaceDetail:
    return replace(
        TEMPLATE,
        name=name,
        input_bytes=in_bytes,
        output_bytes=out_bytes,
        input_packets=in_packets,
        output_packets=out_packets,
    )


def test_template_is_the_real_parsed_counter_block() -> None:
    assert TEMPLATE.name == "GigabitEthernet0/2/5"
    assert TEMPLATE.output_bytes == 671608254191369


def test_rates_from_deltas_over_the_observed_poll_interval() -> None:
    tracker = RateTracker()
    assert tracker.update("r1", 100.0, [reading("GE0/1/0", BIG, BIG + 7, 10, 20)]) == []
    points = tracker.update(
        "r1", 112.5, [reading("GE0/1/0", BIG + 1_250_000_000, BIG + 7 + 125, 10 + 25_000, 20)]
    )
    assert points == [
        TrafficSample(
            "r1", "GE0/1/0", 112.5, in_bps=800_000_000.0, out_bps=80.0, in_pps=2000.0, out_pps=0.0
        )
    ]


def test_exact_deltas_above_two_to_the_53() -> None:
    tracker = RateTracker()
    start = 2**63 - 1000
    tracker.update("r1", 0.0, [reading("x", start, start)])
    [point] = tracker.update("r1", 1.0, [reading("x", start + 1, start + 999)])
    assert isinstance(point, TrafficSample)
    assert (point.in_bps, point.out_bps) == (8.0, 999 * 8.0)  # a float sum would lose these


def test_counter_going_backwards_starts_a_new_series() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("x", 5_000_000)])
    assert tracker.update("r1", 10.0, [reading("x", 1_000)]) == [
        TrafficGap("r1", "x", 10.0, GapReason.COUNTER_RESET)
    ]
    [point] = tracker.update("r1", 20.0, [reading("x", 11_000)])
    assert isinstance(point, TrafficSample)
    assert point.in_bps == 8000.0  # measured from the post-reset reading


def test_reset_of_any_counter_breaks_the_whole_interface() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("x", 100, 100, 100, 100)])
    [point] = tracker.update("r1", 1.0, [reading("x", 200, 200, 200, 50)])
    assert point == TrafficGap("r1", "x", 1.0, GapReason.COUNTER_RESET)


def test_failed_poll_leaves_gaps_and_the_next_poll_restarts_the_series() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("a", 0), reading("b", 0)])
    assert tracker.poll_failed("r1", 10.0) == [
        TrafficGap("r1", "a", 10.0, GapReason.POLL_FAILED),
        TrafficGap("r1", "b", 10.0, GapReason.POLL_FAILED),
    ]
    assert tracker.update("r1", 20.0, [reading("a", 2000), reading("b", 2000)]) == []
    points = tracker.update("r1", 30.0, [reading("a", 3000), reading("b", 2000)])
    assert [(p.interface, p.in_bps) for p in points if isinstance(p, TrafficSample)] == [
        ("a", 800.0),
        ("b", 0.0),  # a real zero: counters did not move
    ]


def test_one_interface_command_failing_gaps_only_that_interface() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("a", 0), reading("b", 0)])
    points = tracker.update("r1", 5.0, [reading("a", 500)], failed=["b"])
    assert points == [
        TrafficGap("r1", "b", 5.0, GapReason.POLL_FAILED),
        TrafficSample("r1", "a", 5.0, 800.0, 0.0, 0.0, 0.0),
    ]
    assert tracker.interfaces("r1") == {"a", "b"}
    assert tracker.update("r1", 10.0, [reading("a", 1000), reading("b", 100)])[1:] == []


def test_missing_counter_gives_none_for_that_rate_only() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("x", 0, None, 0, None)])
    [point] = tracker.update("r1", 2.0, [reading("x", 100, 100, 10, 10)])
    assert point == TrafficSample(
        "r1", "x", 2.0, in_bps=400.0, out_bps=None, in_pps=5.0, out_pps=None
    )


def test_time_not_advancing_is_a_gap_not_a_division_by_zero() -> None:
    tracker = RateTracker()
    tracker.update("r1", 5.0, [reading("x", 0)])
    assert tracker.update("r1", 5.0, [reading("x", 10)]) == [
        TrafficGap("r1", "x", 5.0, GapReason.CLOCK)
    ]


def test_vanished_interfaces_are_dropped_and_routers_are_independent() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("a", 0), reading("b", 0)])
    tracker.update("r2", 0.0, [reading("a", 0)])
    tracker.update("r1", 1.0, [reading("a", 1)])
    assert tracker.interfaces("r1") == {"a"}
    assert tracker.update("r1", 2.0, [reading("a", 2), reading("b", 50)]) == [
        TrafficSample("r1", "a", 2.0, 8.0, 0.0, 0.0, 0.0)  # b restarts: no rate yet
    ]
    assert tracker.poll_failed("r2", 3.0) == [TrafficGap("r2", "a", 3.0, GapReason.POLL_FAILED)]
    tracker.forget("r2")
    assert tracker.interfaces("r2") == frozenset()
    assert tracker.poll_failed("r2", 4.0) == []


def test_an_interface_kept_from_an_earlier_poll_gets_its_rate_from_its_own_two_readings() -> None:
    """Polls that read only some ports (the others' turn comes later) keep the others'
    last readings; their next rate spans their own readings, not the poll in between."""
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("up", 0), reading("other", 0)])
    # A poll of the uplink alone: the other port is kept, not forgotten.
    assert tracker.update("r1", 20.0, [reading("up", 2000)], keep=["other"]) == [
        TrafficSample("r1", "up", 20.0, 800.0, 0.0, 0.0, 0.0)
    ]
    assert tracker.interfaces("r1") == {"up", "other"}
    points = tracker.update("r1", 60.0, [reading("up", 6000), reading("other", 600)])
    assert points == [
        TrafficSample("r1", "up", 60.0, 800.0, 0.0, 0.0, 0.0),
        TrafficSample("r1", "other", 60.0, 80.0, 0.0, 0.0, 0.0),  # 600 B over 60 s
    ]
    # Without `keep`, a port absent from a poll is forgotten as before.
    tracker.update("r1", 80.0, [reading("up", 8000)])
    assert tracker.interfaces("r1") == {"up"}


# One poll: None = the poll failed; else the counter advanced by `step` or was reset to `step`.
polls = st.lists(
    st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(["advance", "reset"]), st.integers(0, 2**40), st.floats(0.5, 600.0)
        ),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(start=st.integers(0, 2**64 - 2**42), sequence=polls)
def test_random_counter_sequences_never_give_a_negative_rate_and_gaps_stay_gaps(
    start: int, sequence: list[tuple[str, int, float] | None]
) -> None:
    tracker = RateTracker()
    t, counter = 0.0, start
    tracker.update("r", t, [reading("x", counter, counter, counter, counter)])
    previous_failed = False
    previous_counter = counter
    for poll in sequence:
        if poll is None:
            t += 10.0
            points = tracker.poll_failed("r", t)
            assert points == [TrafficGap("r", "x", t, GapReason.POLL_FAILED)]
            previous_failed = True
            continue
        kind, step, elapsed = poll
        t += elapsed
        counter = counter + step if kind == "advance" else step
        points = tracker.update("r", t, [reading("x", counter, counter, counter, counter)])
        if previous_failed:
            assert points == []  # the first poll after a gap only starts a new series
        elif counter < previous_counter:
            assert points == [TrafficGap("r", "x", t, GapReason.COUNTER_RESET)]
        else:
            [sample] = points
            assert isinstance(sample, TrafficSample)
            delta = counter - previous_counter
            assert sample.in_bps == pytest.approx(delta * 8 / elapsed)
            assert sample.in_pps == pytest.approx(delta / elapsed)
            for rate in (sample.in_bps, sample.out_bps, sample.in_pps, sample.out_pps):
                assert rate is not None
                assert rate >= 0
        previous_failed = False
        previous_counter = counter


def test_an_interface_printed_twice_in_one_poll_counts_once() -> None:
    tracker = RateTracker()
    tracker.update("r1", 0.0, [reading("x", 0)])
    points = tracker.update("r1", 1.0, [reading("x", 100), reading("x", 5)])
    assert points == [TrafficSample("r1", "x", 1.0, 800.0, 0.0, 0.0, 0.0)]


def test_each_interface_rate_uses_its_own_answer_times() -> None:
    """Interfaces read at different moments of one poll: each rate is its own delta over
    its own time apart, not over the poll's common time."""
    tracker = RateTracker()
    first = {"GE0/1/0": 100.0, "GE0/1/1": 104.0}
    tracker.update("r1", 104.0, [reading("GE0/1/0", 0), reading("GE0/1/1", 0)], taken=first)
    later = {"GE0/1/0": 110.0, "GE0/1/1": 124.0}
    points = tracker.update(
        "r1", 124.0, [reading("GE0/1/0", 1000), reading("GE0/1/1", 1000)], taken=later
    )
    rates = {p.interface: p for p in points if isinstance(p, TrafficSample)}
    assert rates["GE0/1/0"].in_bps == pytest.approx(1000 * 8 / 10)
    assert rates["GE0/1/1"].in_bps == pytest.approx(1000 * 8 / 20)
    assert (rates["GE0/1/0"].t, rates["GE0/1/1"].t) == (110.0, 124.0)
