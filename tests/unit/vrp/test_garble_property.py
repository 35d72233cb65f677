"""Garbled router output never parses to a wrong value (issue 10, "strict about damage").

Every command the simulator answers is rendered once from a small simulated BRAS, then
damaged in-process with the simulator's own garble fault (:func:`app.simulator.faults.garble`,
the function behind `FaultPlan.garble_rate`) at 0.1 % and 0.5 % of characters, 500 draws
each. Each draw must be rejected (ParseError), partial (warnings, every value it holds
equal to the clean parse), right, or differ only in free text or by an alias (a
character turned into another one valid in the same place, see bench/garble_bench.py);
never WRONG: a value for a name that differs from the clean parse, or a value silently
lost. The same counts, for a larger router, are printed by `bench/garble_bench.py`.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import replace
from functools import cache

import pytest

from app.domain.parsing import ParseWarning
from app.vrp.catalog import parse_output
from bench.garble_bench import DRAWS, RATES, classify, flatten, run, simulated_state
from bench.garble_bench import simulator_outputs as render_outputs


@cache
def outputs() -> dict[str, str]:
    """The simulator's clean output of every parsed command (rendered once)."""
    return render_outputs(simulated_state(subscribers=8, interfaces=4))


def _short(command: str) -> str:
    return command if len(command) < 48 else command[:45] + "..."


@pytest.mark.parametrize("command", list(outputs()), ids=_short)
def test_garbled_output_is_rejected_partial_or_right(command: str) -> None:
    examples: dict[str, str] = {}
    seed = zlib.crc32(command.encode())  # reproducible, different for every command
    counts = run({command: outputs()[command]}, draws=DRAWS, seed=seed, examples=examples)
    for rate in RATES:
        tally: Counter[str] = counts[(command, rate)]
        assert tally.total() == DRAWS >= 500
        assert tally["WRONG"] == 0, (
            f"{tally['WRONG']} of {DRAWS} draws at {rate:.1%} parsed to a wrong value; "
            f"the first:\n{examples.get(command, '')}"
        )
    # The damage reaches the parser (a draw whose damage fell on text the parser does not
    # read is rightly `right`, so only some draws must show it).
    damaged = counts[(command, RATES[-1])]
    assert damaged["rejected"] + damaged["partial"] > 0


def test_classify_calls_a_changed_value_wrong() -> None:
    """The property can fail: a pool whose figure changed, or a value silently lost."""
    command = "display ip pool"
    clean_result = parse_output(command, outputs()[command])
    clean = dict(flatten(clean_result))
    first = clean_result.pools[0]
    assert first.used is not None
    changed = replace(
        clean_result, pools=(replace(first, used=first.used + 1), *clean_result.pools[1:])
    )
    lost = replace(clean_result, pools=clean_result.pools[1:])
    assert classify(clean, clean_result) == "right"
    assert classify(clean, changed) == "WRONG"
    assert classify(clean, lost) == "WRONG"
    warned = replace(lost, warnings=(ParseWarning("damaged line", "Pool-Name : ?", 1),))
    assert classify(clean, warned) == "partial"  # a pool left out with a word is partial


def test_classify_tells_an_alias_from_a_wrong_state() -> None:
    command = "display interface brief"
    clean_result = parse_output(command, outputs()[command])
    clean = dict(flatten(clean_result))
    rows = list(clean_result.interfaces)
    shut = next(index for index, row in enumerate(rows) if row.phy == "*down")
    rows[shut] = replace(rows[shut], phy="^down", admin_down=False, standby=True)
    assert classify(clean, replace(clean_result, interfaces=tuple(rows))) == "alias"
    rows[shut] = replace(rows[shut], phy="up", phy_up=True, admin_down=False, standby=False)
    assert classify(clean, replace(clean_result, interfaces=tuple(rows))) == "WRONG"
