"""The fast read of a clean `display interface brief` agrees with the reader of record.

`parse_interface_brief` first tries `_read_clean_table`: the output is not split into
lines below the header, and the table is checked and read as one string
(`_Reader.whole`, also the first step of `_read_table`). Both must give up on anything
they would not read exactly as the row-by-row reader (the cleaned lines, the header,
every row placed by it) does: for every text they accept, values, warnings and errors
must be the same. Both run over every `display interface brief` fixture, the
simulator's output damaged by the garble fault (with the full garbage set and with
characters a row may hold, so the fast read itself sees the damage) and
hypothesis-mangled fixtures.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from app.simulator.faults import GARBAGE, garble
from app.vrp import interface_brief
from app.vrp.interface_brief import parse_interface_brief
from bench.garble_bench import simulated_state
from bench.garble_bench import simulator_outputs as render_outputs
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import digits_varied, garble_with, mangled

FIXTURES = fixtures_for("display-interface-brief")
# Characters that fit the row pattern (a digit for a digit, `*` or `^` for a space...).
_ROW_DAMAGE = "0123456789abcdXYZ%*^#|()./:- \n"


def _capture(name: str) -> str:
    """A fixture without its `# source:` provenance line."""
    return fixture_text(name).split("\n", 1)[1]


def _outcome(read: Any, text: str) -> Any:
    """The result, or the error with everything it says (type, message, line, number)."""
    try:
        return read(text)
    except Exception as error:  # the error is the outcome compared
        return (type(error), str(error), vars(error))


def _row_by_row(text: str) -> Any:
    """`_read_table` without its whole-table step: every row read on its own."""
    whole = interface_brief._Reader.whole
    interface_brief._Reader.whole = lambda self, body: False  # type: ignore[method-assign]
    try:
        return _outcome(interface_brief._read_table, text)
    finally:
        interface_brief._Reader.whole = whole  # type: ignore[method-assign]


def _assert_same(text: str) -> bool:
    """All readers agree on `text`; True when the fast read itself took it."""
    record = _row_by_row(text)
    assert _outcome(interface_brief._read_table, text) == record
    assert _outcome(parse_interface_brief, text) == record
    fast = _outcome(interface_brief._read_clean_table, text)
    if fast is None:
        return False
    assert fast == record
    return True


@cache
def _simulated() -> str:
    return render_outputs(simulated_state(subscribers=8, interfaces=40))["display interface brief"]


def test_varied_values_are_read_alike() -> None:
    texts = [_simulated()] + [_capture(name) for name in FIXTURES]
    taken = sum(_assert_same(digits_varied(text, seed)) for seed in range(40) for text in texts)
    assert taken > 0  # the fast read took most of them


def test_every_brief_fixture_is_read_alike() -> None:
    assert len(FIXTURES) >= 5
    for name in FIXTURES:
        _assert_same(fixture_text(name))
    scanned = sum(_assert_same(_capture(name)) for name in FIXTURES)
    assert scanned > 0  # the fast read really reads some of the collection


@pytest.mark.parametrize("rate", [0.0005, 0.002, 0.01])
def test_garbled_simulator_output_is_read_alike(rate: float) -> None:
    text = _simulated()
    assert _assert_same(text)
    scanned = 0
    for seed in range(150):
        _assert_same(garble(text, rate, seed))
        _assert_same(garble_with(text, rate, seed, GARBAGE + _ROW_DAMAGE))
        scanned += _assert_same(garble_with(text, rate, seed, _ROW_DAMAGE))
    if rate < 0.001:  # a few damaged characters: some leave every row well formed
        assert scanned > 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mangled([_capture(name) for name in FIXTURES] + [_simulated()]))
def test_mangled_output_is_read_alike(text: str) -> None:
    _assert_same(text)
