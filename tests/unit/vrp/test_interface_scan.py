"""The scanner of clean `display interface` output agrees with the line reader of record.

`parse_interface_detail` reads text that passes its junk screen with one pattern per
block (`_scan_clean`) and falls back to the line reader (`_read_lines`) on anything the
scanner does not take as read. The scanner is only allowed because it never changes a
result: for every text it accepts, the values, warnings and errors must be exactly the
line reader's. These tests run both over every `display interface` fixture, the
simulator's output damaged by the garble fault (with the full garbage set and with only
the characters the screen lets through, so the scanner itself sees the damage), and
hypothesis-mangled fixtures (lines dropped, duplicated, shuffled, characters replaced).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from app.simulator.faults import GARBAGE, garble
from app.vrp import interface_detail
from app.vrp.interface_detail import parse_interface_detail
from bench.garble_bench import simulated_state
from bench.garble_bench import simulator_outputs as render_outputs
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import digits_varied, garble_with, mangled

FIXTURES = fixtures_for("display-interface")


def _capture(name: str) -> str:
    """A fixture without its `# source:` provenance line (whose `#` the screen rejects)."""
    return fixture_text(name).split("\n", 1)[1]


# Characters of the garble set that the junk screen lets through (`%` and `~` appear in
# utilisation and transceiver lines), plus ordinary ones: damage only the scanner sees.
_PASSING = "".join(char for char in GARBAGE if not char.translate(interface_detail._NOT_JUNK))
_PLAIN_DAMAGE = _PASSING + "0123456789abcXYZ:,.-/ ()"


def _outcome(read: Any, text: str) -> Any:
    """The result, or the error with everything it says (type, message, line, number)."""
    try:
        return read(text)
    except Exception as error:  # the error is the outcome compared
        return (type(error), str(error), vars(error))


def _line_reader(text: str) -> Any:
    return interface_detail._read_lines(text, interface_detail._suspects(text))


def _assert_same(text: str) -> bool:
    """Both readers agree on `text`; True when the scanner itself took it."""
    public = _outcome(parse_interface_detail, text)
    assert public == _outcome(_line_reader, text)
    if text.translate(interface_detail._NOT_JUNK):
        return False  # screened out: the scanner never sees it
    scanned = _outcome(interface_detail._scan_clean, text)
    if scanned is None:
        return False
    assert scanned == _outcome(_line_reader, text)
    return True


@cache
def _simulated() -> str:
    return render_outputs(simulated_state(subscribers=8, interfaces=16))["display interface"]


def test_varied_values_are_read_alike() -> None:
    texts = [_simulated()] + [_capture(name) for name in FIXTURES]
    taken = sum(_assert_same(digits_varied(text, seed)) for seed in range(40) for text in texts)
    assert taken > 0  # the scanner took most of them


def test_every_interface_fixture_is_read_alike() -> None:
    assert len(FIXTURES) >= 20
    for name in FIXTURES:
        _assert_same(fixture_text(name))
    scanned = sum(_assert_same(_capture(name)) for name in FIXTURES)
    assert scanned >= len(FIXTURES) // 2  # the scanner really reads the collection


@pytest.mark.parametrize("rate", [0.0002, 0.001, 0.005, 0.02])
def test_garbled_simulator_output_is_read_alike(rate: float) -> None:
    text = _simulated()
    assert _assert_same(text)
    scanned = 0
    for seed in range(150):
        _assert_same(garble(text, rate, seed))
        scanned += _assert_same(garble_with(text, rate, seed, _PLAIN_DAMAGE))
        scanned += _assert_same(garble_with(text, rate, seed, _PASSING))
    if rate < 0.001:  # a few damaged characters: some fall where no value is read
        assert scanned > 0  # damage the screen lets through reached the scanner


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mangled([_capture(name) for name in FIXTURES] + [_simulated()]))
def test_mangled_output_is_read_alike(text: str) -> None:
    _assert_same(text)
