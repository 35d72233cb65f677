"""Parser for `display pppoe statistics [slot N]`: PPPoE discovery and session counters.

The router prints two columns of `NAME : value` pairs and a second block of
`Invalid ... : value` lines; every pair becomes one counter under its printed name.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.subscribers import PppoeStatistics
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

# `RECV_PADI_PKT       : 6` or `Invalid PAD Code            : 0`; up to two per line.
_PAIR = re.compile(r"([A-Za-z][A-Za-z0-9_ ]*?)\s*:\s*(\S+)")
_NUMBER = re.compile(r"^\d{1,20}$")
_SEPARATOR = re.compile(r"^\s*[-=]{5,}\s*$")
_SLOT = re.compile(r"^\s*Slot\s*:\s*(\S+)\s*$", re.IGNORECASE)
# `Info: ...` / `Warning: ...` notes the router may print before the counters.
_NOTE = re.compile(r"^\s*(?:Info|Warning|Note)\s*:", re.IGNORECASE)
# Block titles carry no colon: `PPPoE Statistic Information`, `Invalid PAD Packets`.
_TITLE = re.compile(r"^\s*[A-Za-z][A-Za-z ]*$")


def parse_pppoe_statistics(text: str) -> PppoeStatistics:
    """Every `NAME : value` counter, keyed by the printed name (spaces collapsed)."""
    lines = clean_lines(text)
    blocks: dict[str | None, dict[str, int]] = {}
    slot: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or _SEPARATOR.match(line):
            continue
        slot_match = _SLOT.match(line)
        if slot_match:
            slot = slot_match.group(1)
            continue
        if _NOTE.match(line):
            continue
        pairs = _PAIR.findall(stripped)
        if not pairs:
            if _TITLE.match(line):
                continue  # a block title: `PPPoE Statistic Information`, `Invalid PAD Packets`
            raise ParseError("expected `NAME : value` counters", line=line, line_number=number)
        counters = blocks.setdefault(slot, {})
        for name, value in pairs:
            if not _NUMBER.match(value):
                raise ParseError(
                    f"expected a number for {name.strip()!r}", line=line, line_number=number
                )
            counters[" ".join(name.split())] = int(value)
    if not blocks:
        raise unexpected_output("expected PPPoE statistics counters", lines)
    if len(blocks) == 1:
        ((only_slot, counters),) = blocks.items()
        per_slot = {only_slot: counters} if only_slot is not None else {}
        return PppoeStatistics(counters=counters, slot=only_slot, per_slot=per_slot)
    total: dict[str, int] = {}
    for counters in blocks.values():
        for name, value in counters.items():
            total[name] = total.get(name, 0) + value
    per_slot = {key: value for key, value in blocks.items() if key is not None}
    return PppoeStatistics(counters=total, slot=None, per_slot=per_slot)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display pppoe statistics [slot <slot>]",
        parse_pppoe_statistics,
        "PPPoE discovery and session counters",
    ),
)
