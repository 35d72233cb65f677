"""The one reader of VRP's column tables, used by every parser family that reads tables.

VRP tables are a header line naming the columns, usually framed by rule lines, then one
row per item. Releases add, drop and rename columns (a `display health` with a
`DataPlane CPU Usage` column, a `display domain` without `CAR`), widths change with the
data, a long name squeezes the next column to one space, and published copies collapse
the padding. So a table is read by its header:

1. :meth:`Table.header` recognises a header line by the names of the columns a parser
   knows (several spellings each, multi-word names allowed) and keeps every other word as
   an unknown column, with the position where each column starts.
2. :meth:`Header.cells` splits a row on whitespace. When the row has exactly as many
   cells as the header has columns, the cells are taken in order (widths and spacing do
   not matter). Otherwise each cell goes to the column under which it is printed, so a
   missing or extra cell never shifts a neighbour's value into the wrong column.
3. A row that still does not fit (two cells under one column, a required cell missing)
   raises :class:`BadRow`; :func:`read_rows` turns that, and any :class:`BadValue` from
   the parser's own cell checks, into a :class:`~app.domain.parsing.ParseWarning` and
   keeps every other row.

A column may span several cells (`Slot` heads both `17` and `MPU(Master)` in `display
health`) or take the rest of the line as free text (`Description`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from app.domain.parsing import ParseWarning
from app.vrp.values import BadValue

_WORD = re.compile(r"\S+")
# Rule lines between header and rows: `-----`, `=====`, `- - - - -` (damage inside allowed).
_RULE_CHARS = frozenset("-= ")


class BadRow(ValueError):
    """A row that does not fit its header; the message says how."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column a parser knows: the keys of its cells and the names its header may carry."""

    keys: tuple[str, ...]  # one key per cell printed under this header
    names: tuple[str, ...]  # header spellings, lower case, words separated by one space
    required: bool = True  # a header without this column is not this table
    rest: bool = False  # free text to the end of the line (the last column only)
    blank: bool = False  # a row may print nothing under it

    @classmethod
    def of(cls, key: str, *names: str, **options: bool) -> Column:
        """A one-cell column; names default to the key."""
        return cls((key,), tuple(names) or (key,), **options)


@dataclass(frozen=True, slots=True)
class HeaderColumn:
    """A column as found in one header line."""

    label: str  # as printed
    keys: tuple[str, ...]  # empty for a column the parser does not know
    start: int
    end: int
    rest: bool = False
    blank: bool = False


def is_rule(line: str) -> bool:
    """`-----`, `=====`, `- - - -`: a rule line, even with a few damaged characters."""
    stripped = line.strip()
    if len(stripped) < 5:
        return False
    dashes = stripped.count("-") + stripped.count("=")
    return dashes >= 5 and dashes >= 0.8 * len(stripped.replace(" ", ""))


@dataclass
class Header:
    """The columns of one header line, known and unknown, in printed order."""

    columns: tuple[HeaderColumn, ...]
    line: str
    indent: int
    cell_count: int = field(init=False)
    _order: tuple[str | None, ...] = field(init=False, repr=False)
    _rest: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        order: list[str | None] = []
        for column in self.columns:
            order.extend(column.keys or (None,))
        self._order = tuple(order)
        self.cell_count = len(order)
        self._rest = bool(self.columns) and self.columns[-1].rest

    def has(self, key: str) -> bool:
        """True when the header names the column holding `key`."""
        return key in self._order

    def position(self, key: str) -> int | None:
        """Index of `key`'s cell in a row taken in order (the fast path of hot parsers)."""
        try:
            return self._order.index(key)
        except ValueError:
            return None

    def split(self, line: str) -> list[str] | None:
        """The row's cells when there is exactly one per column, else None."""
        if self._rest:
            cells = line.split(None, self.cell_count - 1)
            if len(cells) == self.cell_count:
                return cells
            if len(cells) == self.cell_count - 1 and self.columns[-1].blank:
                return [*cells, ""]
            return None
        cells = line.split()
        return cells if len(cells) == self.cell_count else None

    def cells(self, line: str) -> dict[str, str]:
        """Each known key's cell; BadRow when the row does not fit the header."""
        ordered = self.split(line)
        if ordered is not None:
            return {key: cell for key, cell in zip(self._order, ordered, strict=True) if key}
        return self._by_position(line)

    def _by_position(self, line: str) -> dict[str, str]:
        columns = self.columns
        starts = [column.start for column in columns]
        limits = [*starts[1:], 1 << 30]
        assigned: list[list[str]] = [[] for _ in columns]
        for match in _WORD.finditer(line):
            begin, finish = match.span()
            best, best_overlap = 0, -1
            for number, (start, high) in enumerate(zip(starts, limits, strict=True)):
                low = start if number else -(1 << 30)
                overlap = min(finish, high) - max(begin, low)
                if overlap > best_overlap:
                    best, best_overlap = number, overlap
            column = columns[best]
            if column.rest:
                assigned[best].append(line[begin:].rstrip())
                break
            assigned[best].append(match.group())
        cells: dict[str, str] = {}
        for column, found in zip(columns, assigned, strict=True):
            if not column.keys:
                continue
            if not found:
                if column.blank:
                    cells.update(dict.fromkeys(column.keys, ""))
                    continue
                raise BadRow(f"nothing under {column.label!r}")
            if len(found) != len(column.keys):
                raise BadRow(
                    f"{len(found)} values under {column.label!r}, expected {len(column.keys)}"
                )
            cells.update(zip(column.keys, found, strict=True))
        return cells


class Table:
    """A table a parser reads: its known columns, in the order the router prints them."""

    def __init__(self, *columns: Column, any_of: tuple[str, ...] = ()) -> None:
        """`any_of`: keys of optional columns of which the header must name at least one."""
        self.columns = columns
        self._required = {column.keys for column in columns if column.required}
        self._any_of = frozenset(any_of)
        names: list[tuple[tuple[str, ...], Column]] = []
        for column in columns:
            names.extend((tuple(name.split()), column) for name in column.names)
        # Longest names first, so `cpu usage` wins over `cpu`.
        self._names = sorted(names, key=lambda item: -len(item[0]))

    def header(self, line: str) -> Header | None:
        """The header this line is, or None when it lacks a required column."""
        words = [(match.group(), match.start(), match.end()) for match in _WORD.finditer(line)]
        if not words:
            return None
        lowered = [word.lower() for word, _, _ in words]
        found: list[HeaderColumn] = []
        used: set[tuple[str, ...]] = set()
        index = 0
        unknown: list[tuple[str, int, int]] = []

        def flush_unknown() -> None:
            if unknown:
                label = line[unknown[0][1] : unknown[-1][2]]
                found.append(HeaderColumn(label, (), unknown[0][1], unknown[-1][2]))
                unknown.clear()

        while index < len(words):
            match = next(
                (
                    (name, column)
                    for name, column in self._names
                    if column.keys not in used and tuple(lowered[index : index + len(name)]) == name
                ),
                None,
            )
            if match is None:
                word = words[index]
                if unknown and word[1] - unknown[-1][2] > 1:
                    flush_unknown()
                unknown.append(word)
                index += 1
                continue
            flush_unknown()
            name, column = match
            last = words[index + len(name) - 1]
            used.add(column.keys)
            found.append(
                HeaderColumn(
                    line[words[index][1] : last[2]],
                    column.keys,
                    words[index][1],
                    last[2],
                    column.rest,
                    column.blank,
                )
            )
            index += len(name)
        flush_unknown()
        if not self._required <= used:
            return None
        if self._any_of and not any(key in self._any_of for keys in used for key in keys):
            return None
        return Header(tuple(found), line, len(line) - len(line.lstrip()))

    def find_header(
        self, lines: list[str], start: int = 0, stop: int | None = None
    ) -> tuple[int, Header] | None:
        """The first header line in `lines[start:stop]` with its index, or None."""
        for index in range(start, len(lines) if stop is None else stop):
            header = self.header(lines[index])
            if header is not None:
                return index, header
        return None


@dataclass
class Rows[T]:
    """What :func:`read_rows` read: the good rows, the skipped ones, where it stopped."""

    items: list[T]
    warnings: list[ParseWarning]
    end: int  # index of the first line after the table (its closing rule included)
    closed: bool  # a closing rule ended the table (not the end of the output)


def read_rows[T](
    lines: list[str],
    header_index: int,
    header: Header,
    convert: Callable[[dict[str, str], int], T],
    *,
    stop: Callable[[str], bool] | None = None,
    skip: Callable[[str], bool] | None = None,
    close_on_rule: bool = True,
) -> Rows[T]:
    """Read the rows under a header until a closing rule, `stop(line)` or the end.

    ``convert(cells, index)`` builds the item and raises BadValue for a damaged cell; a
    row that does not fit or does not convert becomes a warning and is skipped. A rule
    right under the header opens the table and is not a closing rule.
    """
    items: list[T] = []
    warnings: list[ParseWarning] = []
    index = header_index + 1
    if index < len(lines) and is_rule(lines[index]):
        index += 1
    closed = False
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if stop is not None and stop(line):
            break
        if close_on_rule and is_rule(line):
            closed = True
            index += 1
            break
        if skip is not None and skip(line):
            index += 1
            continue
        try:
            items.append(convert(header.cells(line), index))
        except (BadRow, BadValue) as problem:
            warnings.append(ParseWarning(str(problem), line, index + 1))
        index += 1
    return Rows(items, warnings, index, closed)


def iter_words(line: str) -> Iterator[tuple[str, int]]:
    """Each whitespace-separated word with the column it starts at."""
    for match in _WORD.finditer(line):
        yield match.group(), match.start()
