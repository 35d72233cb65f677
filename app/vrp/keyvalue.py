"""The one reader of VRP's `Key : value` lines, used by every parser family.

VRP prints most figures as labelled values, in every spacing there is:

    System Total Memory Is: 15766020 Kbytes        (VRP8; `Is` is optional)
    CPU Usage: 4.7% Max: 46.7%                     (two pairs, single space, decimals)
    Used        :0          Free      :0           (two columns)
    Used :0 Free :0                                (two pairs, single space)
    Slot : 1   Total  user : 1                     (runs of spaces inside a label)
    Timeout Count  :0               Sub Option Count:0
    Online time (h:min:sec)       : 01:54:07       (colons inside a label and a value)
    CPU utilization for five seconds: 15%: one minute: 15%: five minutes: 14%

:func:`split_pairs` turns one line into ``(label, value)`` pairs; :func:`normalise_key`
gives the label a spelling every parser can look up (lower case, single spaces, no
trailing `is`). A colon separates a pair unless it sits inside parentheses, between
digits (times, IPv6 addresses, `UTC+08:00`) or in a URL. Between two separators, a run
of two or more spaces (or else the first space) divides the first pair's value from the
next pair's label. A value followed by `:` (`15%:`) is a value in a list, not a label.

:class:`PairBlock` collects the pairs of one record and notices a label printed twice,
which is how a block that lost its first line (and so ran into its neighbour) shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.parsing import ParseWarning
from app.vrp.values import LABEL_CHARS, damaged_mention, fuzzy_contains, has_damage, has_junk

_VALUE_END = " ,;"


@dataclass(frozen=True, slots=True)
class Pair:
    """One `label : value` as printed, with the line it came from."""

    label: str  # as printed, runs of spaces collapsed: `Total users`
    key: str  # normalised for look-up: `total users`
    value: str  # stripped; "" when the router printed nothing after the colon
    index: int  # 0-based index of the line in the cleaned output
    line: str


def normalise_key(label: str) -> str:
    """`System Total Memory Is` -> `system total memory`; `Total  user` -> `total user`."""
    words = label.lower().split()
    if len(words) > 1 and words[-1] == "is":
        words.pop()
    return " ".join(words)


def _is_value_like(text: str) -> bool:
    """`15%`, `3`, `0.5`: what a `15%:` list item looks like (not a label)."""
    body = text.rstrip("%")
    return bool(body) and body.replace(".", "", 1).isdigit()


def _separators(line: str) -> list[tuple[int, bool]]:
    """Positions of the colons that end a label, each with "is a list delimiter"."""
    found: list[tuple[int, bool]] = []
    depth = 0
    length = len(line)
    for index, char in enumerate(line):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == ":" and depth == 0:
            before = line[index - 1] if index else " "
            after = line[index + 1] if index + 1 < length else " "
            if before.isdigit() and (after.isalnum() or after == ":"):
                continue  # 18:41:38, UTC+08:00, 2001:db8
            if before == ":" or after == ":":
                continue  # 2001:db8::1
            if _in_address(line, index):
                continue  # 2804:3d8:b12f:f3b4::1, 8c:00:00:32:d8:d0
            if after == "/" and line.startswith("//", index + 1):
                continue  # http://...
            # `15%:` or `54%:`: the colon closes a value in a list.
            start = line.rfind(" ", 0, index) + 1
            found.append((index, _is_value_like(line[start:index])))
    return found


_ADDRESS = re.compile(r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:/\d{1,3})?")


def _in_address(line: str, index: int) -> bool:
    """True when the colon at `index` is inside an IPv6 or colon-separated MAC address."""
    start = line.rfind(" ", 0, index) + 1
    end = line.find(" ", index)
    token = line[start : end if end >= 0 else len(line)].rstrip(",;")
    return _ADDRESS.fullmatch(token) is not None


def _split_middle(text: str) -> tuple[str, str]:
    """Text between two separators -> (value of the first pair, label of the next)."""
    text = text.strip()
    gap = text.find("  ")
    if gap >= 0:
        return text[:gap], text[gap:].strip()
    space = text.find(" ")
    if space < 0:
        return "", text
    return text[:space], text[space + 1 :]


def _clean_value(value: str) -> str:
    value = value.strip().rstrip(_VALUE_END)
    if value.endswith(".") and len(value) > 1 and (value[-2].isdigit() or value[-2] == "%"):
        value = value[:-1]
    return value


def split_pairs(line: str) -> list[tuple[str, str]]:
    """Every `(label, value)` pair of one line; [] when the line holds none."""
    if ":" not in line:
        return []
    text = line.strip()
    separators = _separators(text)
    if not separators:
        return []
    pairs: list[tuple[str, str]] = []
    label = text[: separators[0][0]].strip()
    for number, (position, delimiter) in enumerate(separators):
        end = separators[number + 1][0] if number + 1 < len(separators) else len(text)
        middle = text[position + 1 : end]
        if delimiter:  # after `15%:` comes the next label only
            label = middle.strip()
            continue
        if number + 1 < len(separators):
            if separators[number + 1][1]:  # `15%:` ends this value; no label follows
                value, next_label = middle, ""
            else:
                value, next_label = _split_middle(middle)
        else:
            value, next_label = middle, ""
        if label:
            pairs.append((" ".join(label.split()), _clean_value(value)))
        elif pairs and not pairs[-1][1]:  # `Address Statistic: Total :253` -> label only
            pass
        label = next_label
    return pairs


def pairs_of(lines: Iterable[str], first_index: int = 0) -> list[Pair]:
    """The pairs of many lines, in order, each knowing its line."""
    found: list[Pair] = []
    for index, line in enumerate(lines, start=first_index):
        for label, value in split_pairs(line):
            found.append(Pair(label, normalise_key(label), value, index, line))
    return found


def is_damaged_label(label: str) -> bool:
    """A label with a character VRP never uses in labels: the line was damaged."""
    return has_damage(label, LABEL_CHARS)


def mentions(line: str, labels: Iterable[str]) -> str | None:
    """The first of `labels` the (possibly damaged) `line` could have carried, or None."""
    for label in labels:
        if fuzzy_contains(line, label):
            return label
    return None


@dataclass
class PairBlock:
    """The pairs of one record (a pool, a user, a whole output), looked up by key.

    The first occurrence of a key wins; a key seen again is kept in ``repeated`` so the
    caller can tell a record that ran into its neighbour.
    """

    pairs: dict[str, Pair] = field(default_factory=dict)
    repeated: list[Pair] = field(default_factory=list)

    def add(self, pair: Pair) -> None:
        if pair.key in self.pairs:
            self.repeated.append(pair)
        else:
            self.pairs[pair.key] = pair

    def get(self, *keys: str) -> Pair | None:
        """The first of `keys` (normalised spellings) that the block holds."""
        for key in keys:
            found = self.pairs.get(key)
            if found is not None:
                return found
        return None

    def value(self, *keys: str) -> str | None:
        found = self.get(*keys)
        return None if found is None else found.value

    def __contains__(self, key: object) -> bool:
        return key in self.pairs

    def __len__(self) -> int:
        return len(self.pairs)


@dataclass
class Record:
    """The pairs of an output that describes one thing (a CPU, a version, a user).

    ``suspects`` are lines with damage that may have carried one of the watched labels:
    a value the record lacks may have been lost there, so the parser reports it (an error
    for a value it cannot do without, a warning otherwise) instead of returning None.
    """

    block: PairBlock
    suspects: list[tuple[str, int, str]]  # (watched label, line index, line)

    def lost(self, *labels: str) -> tuple[int, str] | None:
        """Where a damaged line may have held one of `labels` (index, line), or None."""
        wanted = {label.lower() for label in labels}
        for label, index, line in self.suspects:
            if label.lower() in wanted:
                return index, line
        return None


def read_record(
    lines: list[str], watched: Iterable[str], skip: frozenset[int] | set[int] = frozenset()
) -> Record:
    """Every clean pair of `lines` (but those in `skip`), and the lines that may have lost
    a watched label to damage (a character replaced where the label was)."""
    watched = tuple(watched)
    block = PairBlock()
    suspects: list[tuple[str, int, str]] = []
    for index, line in enumerate(lines):
        if index in skip:
            continue
        for label, value in split_pairs(line):
            if not is_damaged_label(label):
                block.add(Pair(" ".join(label.split()), normalise_key(label), value, index, line))
                continue
            # `Max CPU@Usage Stat. Time : ...`: every watched label it may have been.
            suspects.extend((name, index, line) for name in watched if fuzzy_contains(label, name))
        if has_junk(line):
            suspects.extend(
                (label, index, line) for label in watched if damaged_mention(line, label)
            )
    return Record(block, suspects)


@dataclass
class Block:
    """One record of a multi-record output (a domain, a user), with any damage seen in it."""

    pairs: PairBlock
    start: int  # index of the line holding the record's first key
    damage: ParseWarning | None = None


# Section titles of per-user and per-domain detail (`Basic:`, `ACL&QoS:`, `VPN&Policy:`):
# at the start of the line, a colon and nothing after it.
SECTION_TITLE = re.compile(r"^[A-Za-z][A-Za-z0-9 ()/-]*(?:&[A-Za-z0-9 ()/-]+)*:\s*$")


def read_blocks(
    lines: list[str], start_keys: Iterable[str], watched: Iterable[str]
) -> tuple[list[Block], list[ParseWarning]]:
    """Records that each begin at a pair whose key is one of `start_keys`.

    A pair with a damaged label, or a line that may have lost a watched label, marks the
    record it falls in as damaged (the parser leaves it out). Damage before the first
    record is returned on its own.
    """
    starts = frozenset(start_keys)
    watched = tuple(watched)
    blocks: list[Block] = []
    loose: list[ParseWarning] = []
    for index, line in enumerate(lines):
        if SECTION_TITLE.match(line):
            continue
        damage: str | None = None
        for label, value in split_pairs(line):
            if is_damaged_label(label):
                damage = f"damaged label {label!r}"
                continue
            key = normalise_key(label)
            if key in starts:
                blocks.append(Block(PairBlock(), index))
            if blocks:
                blocks[-1].pairs.add(Pair(" ".join(label.split()), key, value, index, line))
        if damage is None and has_junk(line):
            lost = next((label for label in watched if damaged_mention(line, label)), None)
            if lost is not None:
                damage = f"damaged line (may have held {lost!r})"
        if damage is not None:
            warning = ParseWarning(damage, line, index + 1)
            if blocks and blocks[-1].damage is None:
                blocks[-1].damage = warning
            elif not blocks:
                loose.append(warning)
    return blocks, loose
