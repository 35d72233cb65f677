"""Parser for `display pppoe statistics [slot N]`: PPPoE discovery and session counters.

The router prints two columns of `NAME : value` pairs and a second block of
`Invalid ... : value` lines; every pair (read by the shared key/value reader) becomes one
counter under its printed name. Several `Slot: N` blocks are kept per slot and summed.
A counter with a damaged name or value, or a line that is neither a counter nor a block
title, is left out with a warning.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.subscribers import PppoeStatistics
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import split_pairs
from app.vrp.table import is_rule
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import BadValue, integer

_SLOT = re.compile(r"^\s*Slot\s*:\s*(\S+)\s*$", re.IGNORECASE)
# `Info: ...` / `Warning: ...` notes the router may print before the counters.
_NOTE = re.compile(r"^\s*(?:Info|Warning|Note)\s*:", re.IGNORECASE)
# Block titles carry no colon: `PPPoE Statistic Information`, `Invalid PAD Packets`.
_TITLE = re.compile(r"^\s*[A-Za-z][A-Za-z ]*$")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ ()/.-]*", re.ASCII)
_SLOT_NAME = re.compile(r"\d{1,3}(?:/\d{1,3})?|all", re.ASCII)


def parse_pppoe_statistics(text: str) -> PppoeStatistics:
    """Every `NAME : value` counter, keyed by the printed name (spaces collapsed)."""
    lines = clean_lines(text)
    blocks: dict[str | None, dict[str, int]] = {}
    warnings: list[ParseWarning] = []
    slot: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or is_rule(line) or _NOTE.match(line):
            continue
        slot_match = _SLOT.match(line)
        if slot_match:
            slot = slot_match.group(1)
            if _SLOT_NAME.fullmatch(slot) is None:
                raise ParseError(f"not a slot: {slot!r}", line=line, line_number=number)
            if slot == "all":
                slot = None
            continue
        pairs = split_pairs(line)
        if not pairs:
            if _TITLE.match(line):
                continue  # a block title: `PPPoE Statistic Information`, `Invalid PAD Packets`
            warnings.append(ParseWarning("expected `NAME : value` counters", line, number))
            continue
        counters = blocks.setdefault(slot, {})
        for label, value in pairs:
            name = " ".join(label.split())
            try:
                if _NAME.fullmatch(name) is None:
                    raise BadValue(f"damaged counter name {name!r}")
                counters[name] = integer(value)
            except BadValue as problem:
                warnings.append(ParseWarning(f"{problem} ({name!r})", line, number))
    blocks = {key: value for key, value in blocks.items() if value}
    if not blocks:
        if warnings:
            first = warnings[0]
            raise ParseError(first.message, line=first.line, line_number=first.line_number)
        raise unexpected_output("expected PPPoE statistics counters", lines)
    if len(blocks) == 1:
        ((only_slot, counters),) = blocks.items()
        per_slot = {only_slot: counters} if only_slot is not None else {}
        return PppoeStatistics(
            counters=counters, slot=only_slot, per_slot=per_slot, warnings=tuple(warnings)
        )
    total: dict[str, int] = {}
    for counters in blocks.values():
        for name, value in counters.items():
            total[name] = total.get(name, 0) + value
    per_slot = {key: value for key, value in blocks.items() if key is not None}
    return PppoeStatistics(counters=total, slot=None, per_slot=per_slot, warnings=tuple(warnings))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display pppoe statistics [slot <slot>]",
        parse_pppoe_statistics,
        "PPPoE discovery and session counters",
    ),
)
