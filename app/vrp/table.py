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

Damage: a word of damage alone in the padding (`¤`, `&`) is not a column and cannot be a
cell (:class:`BadRow`). :meth:`Table.locate` also reports a header that damage spoilt (a
column name lost, a stray mark) or hid (a line that would be the header but for a damaged
character); under a damaged header only rows with one cell per column are read, since a
placement by position could shift a neighbour's value. :func:`mark_in_padding` tells a
state mark (`*down`) from a damaged space in front of its column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from app.domain.parsing import ParseWarning
from app.vrp.values import BadValue, has_junk, is_stray, strip_junk

_WORD = re.compile(r"\S+")
# Rule lines between header and rows: `-----`, `=====`, `- - - - -` (damage inside allowed).
_RULE_CHARS = frozenset("-= ")


def _damaged(text: str) -> bool:
    """Damage in header text; `(%)` is a unit some headers print (`Usage(%)`)."""
    return has_junk(text.replace("(%)", ""))


def _could_be(word: str, names: frozenset[str]) -> bool:
    """`word` is one of `names` with some characters replaced by damage (`¤rocessname`),
    or with damage glued to it where a space was (`æonline-user`)."""
    if strip_junk(word) in names:
        return True
    return any(
        len(name) == len(word)
        and all(a == b or has_junk(a) for a, b in zip(word, name, strict=True))
        for name in names
    )


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
    spaces: bool = False  # its cells may hold spaces (`IP STACK`): it takes the extra words

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
    group: int = -1  # unknown words printed one space apart share a group
    spaces: bool = False


def is_rule(line: str) -> bool:
    """`-----`, `=====`, `- - - -`: a rule line, even with a few damaged characters."""
    stripped = line.strip()
    if len(stripped) < 5:
        return False
    dashes = stripped.count("-") + stripped.count("=")
    return dashes >= 5 and dashes >= 0.8 * len(stripped.replace(" ", ""))


@dataclass
class Header:
    """The columns of one header line, known and unknown, in printed order.

    An unknown word is its own column, but unknown words one space apart may also be one
    column (`DataPlane CPU Usage`); a row is taken in order under whichever reading gives
    it exactly one cell per column.
    """

    columns: tuple[HeaderColumn, ...]
    line: str
    indent: int
    _needed: frozenset[str] = frozenset()  # keys of columns every row must fill
    _cell: re.Pattern[str] | None = None  # one cell, when cells may hold spaces
    damaged: bool = False  # damage in the line: a stray mark, or a column name it spoiled
    cell_count: int = field(init=False)
    _orders: tuple[tuple[str | None, ...], ...] = field(init=False, repr=False)
    _rest: bool = field(init=False, repr=False)
    _spaces: int | None = field(init=False, repr=False)
    _blank: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_word: list[str | None] = []
        grouped: list[str | None] = []
        last_group = -2
        for column in self.columns:
            keys: tuple[str | None, ...] = column.keys or (None,)
            by_word.extend(keys)
            if column.keys or column.group != last_group:
                grouped.extend(keys if column.keys else ("?" + column.label,))
            last_group = column.group if not column.keys else -2
        self._orders = (tuple(by_word),) if grouped == by_word else (tuple(by_word), tuple(grouped))
        self.cell_count = len(by_word)
        self._rest = bool(self.columns) and self.columns[-1].rest
        self._blank = frozenset(
            key for column in self.columns if column.blank for key in column.keys
        )
        spaced = [
            position
            for position, key in enumerate(by_word)
            if key and any(key in column.keys and column.spaces for column in self.columns)
        ]
        self._spaces = spaced[0] if len(spaced) == 1 else None

    def has(self, key: str) -> bool:
        """True when the header names the column holding `key`."""
        return key in self._orders[0]

    def position(self, key: str) -> int | None:
        """Index of `key`'s cell in a row taken in order (the fast path of hot parsers)."""
        try:
            return self._orders[0].index(key)
        except ValueError:
            return None

    def split(self, line: str) -> list[str] | None:
        """The row's cells when there is exactly one per column (word by word), else None."""
        if self._rest:
            cells = line.split(None, self.cell_count - 1)
            if len(cells) == self.cell_count:
                return cells
            if len(cells) == self.cell_count - 1 and self.columns[-1].blank:
                return [*cells, ""]
            return None
        cells = line.split() if self._cell is None else self._cell.findall(line)
        return cells if len(cells) == self.cell_count else None

    def cells(self, line: str, *, unknown: bool = False) -> dict[str, str]:
        """Each known key's cell; BadRow when the row does not fit the header.

        With ``unknown``, one-cell columns the parser does not know are included too,
        under their printed label.
        """
        if self._rest:
            ordered = self.split(line)
            orders = self._orders[:1] if ordered is not None else ()
        else:
            ordered = line.split() if self._cell is None else self._cell.findall(line)
            orders = tuple(order for order in self._orders if len(order) == len(ordered))
            if not orders and len(ordered) > self.cell_count and self._spaces is not None:
                # A column whose cells hold spaces takes the extra words.
                extra = len(ordered) - self.cell_count
                at = self._spaces
                ordered = [
                    *ordered[:at],
                    " ".join(ordered[at : at + extra + 1]),
                    *ordered[at + extra + 1 :],
                ]
                orders = self._orders[:1]
            if not orders and len(ordered) < self.cell_count and self._may_lack_tail(len(ordered)):
                # Missing trailing cells (a column the release no longer fills): the cells
                # present are taken in order; the parser's checks catch a shifted value.
                orders = (self._orders[0][: len(ordered)],)
        if self.damaged and not (
            ordered is not None and orders and len(ordered) == self.cell_count
        ):
            # Only a row with one cell per column can be read under a damaged header: a
            # placement by position or a shortened row could shift a neighbour's value.
            raise BadRow("the row does not fit a damaged header")
        if ordered is not None and orders:
            order = orders[0]
            if unknown:
                return {
                    (key[1:] if key[0] == "?" else key) if key else label: cell
                    for key, label, cell in zip(order, self._labels(order), ordered, strict=True)
                }
            return {
                key: cell for key, cell in zip(order, ordered, strict=True) if key and key[0] != "?"
            }
        return self._by_position(line, unknown)

    def labelled(self, line: str) -> dict[str, str]:
        """Every one-cell column's cell under its printed label (known and unknown)."""
        cells = self.cells(line, unknown=True)
        labels = {key: column.label for column in self.columns for key in column.keys}
        return {labels.get(key, key): cell for key, cell in cells.items()}

    def _may_lack_tail(self, count: int) -> bool:
        """True when only unknown columns follow cell `count`.

        A column the parser knows and the header names must be filled by every row (a row
        without it was cut); a column only the header of some release adds may be empty.
        """
        return all(key is None or key in self._blank for key in self._orders[0][count:])

    def _labels(self, order: tuple[str | None, ...]) -> list[str]:
        """Printed labels matching `order` (word by word, a prefix of it, or grouped)."""
        if order[: len(self._orders[0])] == self._orders[0][: len(order)] and (
            len(self._orders) == 1 or order is not self._orders[1]
        ):
            labels: list[str] = []
            for column in self.columns:
                labels.extend([column.label] * max(1, len(column.keys)))
            return labels[: len(order)]
        return [key or "" for key in order]

    def _by_position(self, line: str, unknown: bool) -> dict[str, str]:
        columns = self.columns
        assigned: list[list[str]] = [[] for _ in columns]
        for match in (self._cell or _WORD).finditer(line):
            begin, finish = match.span()
            # The column whose header is nearest (0 when they overlap), then the one it
            # overlaps most: numbers are right-aligned under their header, text left.
            best, best_score = 0, (1 << 30, 0)
            for number, column in enumerate(columns):
                gap = max(0, column.start - finish, begin - column.end)
                score = (gap, -(min(finish, column.end) - max(begin, column.start)))
                if score < best_score:
                    best, best_score = number, score
            column = columns[best]
            if column.rest:
                assigned[best].append(line[begin:].rstrip())
                break
            if is_stray(match.group()):  # damage in the padding: it cannot be placed
                raise BadRow(f"damage in the row: {match.group()!r}")
            assigned[best].append(match.group())
        cells: dict[str, str] = {}
        for column, found in zip(columns, assigned, strict=True):
            if not column.keys:
                if unknown and len(found) > 1:
                    raise BadRow(f"{len(found)} values under {column.label!r}")
                if unknown and found:
                    cells[column.label] = found[0]
                continue
            if not found:
                if column.blank:
                    cells.update(dict.fromkeys(column.keys, ""))
                    continue
                raise BadRow(
                    f"nothing under {column.label!r} (the header has {self.cell_count} columns)"
                )
            if len(found) != len(column.keys):
                raise BadRow(
                    f"{len(found)} values under {column.label!r}, expected {len(column.keys)} "
                    f"(the header has {self.cell_count} columns)"
                )
            cells.update(zip(column.keys, found, strict=True))
        return cells


class Table:
    """A table a parser reads: its known columns, in the order the router prints them."""

    def __init__(self, *columns: Column, any_of: tuple[str, ...] = (), cells: str = "") -> None:
        """`any_of`: keys of optional columns of which the header must name at least one.

        `cells`: a pattern for one cell where cells are not simply whitespace-separated
        (`MPU(System master)` keeps its space).
        """
        self.columns = columns
        self._cell = re.compile(cells) if cells else None
        self._required = {column.keys for column in columns if column.required}
        self._needed = frozenset(
            key for column in columns if column.required and not column.blank for key in column.keys
        )
        self._any_of = frozenset(any_of)
        names: list[tuple[tuple[str, ...], Column]] = []
        for column in columns:
            names.extend((tuple(name.split()), column) for name in column.names)
        # Longest names first, so `cpu usage` wins over `cpu`.
        self._names = sorted(names, key=lambda item: -len(item[0]))
        self._words = frozenset(word for name, _ in self._names for word in name)
        # The first words a required column's names start with: a line lacking all of
        # one column's is not the header (a cheap test before the full reading).
        self._first_words = tuple(
            frozenset(name.split()[0] for name in column.names)
            for column in columns
            if column.required
        )

    def header(self, line: str) -> Header | None:
        """The header this line is, or None when it lacks a required column."""
        present = set(line.lower().split())
        if any(present.isdisjoint(first) for first in self._first_words):
            return None
        words = [(match.group(), match.start(), match.end()) for match in _WORD.finditer(line)]
        if not words:
            return None
        lowered = [word.lower() for word, _, _ in words]
        found: list[HeaderColumn] = []
        used: set[tuple[str, ...]] = set()
        index = 0
        group = 0
        damaged = False
        last_unknown_end: int | None = None
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
                word, start, end = words[index]
                # Damage in the padding is not a column (`Slot #` is matched as a name).
                if is_stray(word):
                    damaged = True
                    index += 1
                    continue
                if last_unknown_end is None or start - last_unknown_end > 1:
                    group += 1
                found.append(HeaderColumn(word, (), start, end, group=group))
                last_unknown_end = end
                index += 1
                continue
            last_unknown_end = None
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
                    spaces=column.spaces,
                )
            )
            index += len(name)
        if not self._required <= used:
            return None
        if self._any_of and not any(key in self._any_of for keys in used for key in keys):
            return None
        return Header(
            tuple(found),
            line,
            len(line) - len(line.lstrip()),
            self._needed,
            self._cell,
            damaged=damaged or any(not column.keys and _damaged(column.label) for column in found),
        )

    def find_header(
        self, lines: list[str], start: int = 0, stop: int | None = None
    ) -> tuple[int, Header] | None:
        """The first header line in `lines[start:stop]` with its index, or None."""
        for index in range(start, len(lines) if stop is None else stop):
            header = self.header(lines[index])
            if header is not None:
                return index, header
        return None

    def locate(
        self,
        lines: list[str],
        warnings: list[ParseWarning],
        start: int = 0,
        stop: int | None = None,
    ) -> tuple[int, Header] | None:
        """The header in `lines[start:stop]`, noting in `warnings` when damage may have
        hidden it or one of its column names (rows under a damaged name go missing)."""
        found = self.find_header(lines, start, stop)
        if found is not None:
            index, header = found
            if header.damaged:
                warnings.append(
                    ParseWarning(
                        "damaged table header: a column may be lost", header.line, index + 1
                    )
                )
            return found
        damaged = self.damaged_header(lines, start, stop)
        if damaged is not None:
            warnings.append(
                ParseWarning(
                    "damaged table header: the table is left out", damaged[1], damaged[0] + 1
                )
            )
        return None

    def damaged_header(
        self, lines: list[str], start: int = 0, stop: int | None = None
    ) -> tuple[int, str] | None:
        """A line that looks like this table's header but holds damage, or None.

        A header with a character VRP never prints in one is not trusted (a column name
        may be lost), and neither is a line that would be the header but for such a
        character: the table's rows would otherwise go missing without a word.
        """
        for index in range(start, len(lines) if stop is None else stop):
            if self.looks_damaged(lines[index]):
                return index, lines[index]
        return None

    def looks_damaged(self, line: str) -> bool:
        """True when `line` holds damage and most of its words are (or could have been)
        this table's column names."""
        if not _damaged(line):
            return False
        names = self._words
        words = [word.lower() for word in line.split() if not is_stray(word)]
        known = sum(word in names or (has_junk(word) and _could_be(word, names)) for word in words)
        return bool(words) and known >= max(1, len(self._required) // 2) and known >= len(words) / 2


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


def mark_in_padding(header: Header, line: str, key: str) -> bool:
    """True when the cell under `key` starts one character before its column in a row
    otherwise laid out exactly as the router lays rows out.

    The router starts a marked state (`*down`) at its column; every later cell starts or
    ends where its header word does. A mark in the padding in front of the column, in
    such a row, is a damaged space (`  down` -> ` ^down`), not a marker. Documentation
    copies edited by hand shift cells; there a mark is taken as printed.
    """
    columns = header.columns
    if any(len(column.keys) > 1 for column in columns):
        return False
    words = [(match.start(), match.end()) for match in _WORD.finditer(line)]
    last = columns[-1]
    if len(words) != len(columns) and not (
        (last.rest and len(words) > len(columns)) or (last.blank and len(words) == len(columns) - 1)
    ):
        return False
    at = next((i for i, column in enumerate(columns) if key in column.keys), None)
    if at is None or words[at][0] != columns[at].start - 1:
        return False
    return all(
        start == column.start or end == column.end
        for column, (start, end) in zip(columns[at + 1 :], words[at + 1 :], strict=False)
    )


def iter_words(line: str) -> Iterator[tuple[str, int]]:
    """Each whitespace-separated word with the column it starts at."""
    for match in _WORD.finditer(line):
        yield match.group(), match.start()
