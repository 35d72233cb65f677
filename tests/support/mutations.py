"""Damage to real router output: Hypothesis strategies the way transport faults do it, and
seeded variations for tests that compare two readers of the same text."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from hypothesis import strategies as st

from app.simulator.faults import garble

_DIGIT = re.compile(r"\d")

ACTIONS = ("truncate", "drop", "duplicate", "shuffle", "substitute")


@st.composite
def _mangled(draw: st.DrawFn, samples: Sequence[str]) -> str:
    lines = draw(st.sampled_from(samples)).splitlines()
    text = "\n".join(lines)
    action = draw(st.sampled_from(ACTIONS))
    if action == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if action == "shuffle":
        return "\n".join(draw(st.permutations(lines)))
    if not lines:
        return text
    index = draw(st.integers(0, len(lines) - 1))
    if action == "drop":
        return "\n".join(lines[:index] + lines[index + 1 :])
    if action == "duplicate":
        return "\n".join(lines[: index + 1] + lines[index:])
    chars = list(text)
    for _ in range(draw(st.integers(1, 8))):
        if chars:
            chars[draw(st.integers(0, len(chars) - 1))] = draw(st.characters())
    return "".join(chars)


def mangled(samples: Sequence[str]) -> st.SearchStrategy[str]:
    """A sample cut short, with a line dropped, duplicated or shuffled, or chars replaced."""
    return _mangled(samples)


def mangled_or_random(samples: Sequence[str]) -> st.SearchStrategy[str]:
    """Damaged samples mixed with arbitrary text: what a parser must survive."""
    return st.one_of(mangled(samples), st.text(max_size=300))


def garble_with(text: str, rate: float, seed: int, characters: str) -> str:
    """The garble fault's damage, drawn from `characters` instead of its garbage set."""
    marked = garble(text, rate, seed)
    rng = random.Random(seed)
    return "".join(
        rng.choice(characters) if new != old else new for new, old in zip(marked, text, strict=True)
    )


def digits_varied(text: str, seed: int) -> str:
    """Every digit replaced by a random one with probability 0.3: the layout stays, the
    values (counters, rates, times, names) change, so every value form is compared."""
    rng = random.Random(seed)
    return _DIGIT.sub(
        lambda digit: rng.choice("0123456789") if rng.random() < 0.3 else digit[0], text
    )
