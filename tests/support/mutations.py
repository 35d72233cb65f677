"""Hypothesis strategies that damage real router output the way transport faults do."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

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
