"""The shared readers every parser family uses: key/value pairs, tables, values."""

from __future__ import annotations

import pytest

from app.vrp.keyvalue import normalise_key, read_record, split_pairs
from app.vrp.table import BadRow, Column, Table, mark_in_padding
from app.vrp.values import BadValue, has_junk, percent, size_bytes, username


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        # Decimals, and two pairs on one line separated by a single space.
        ("CPU Usage: 4.7% Max: 46.7%", [("CPU Usage", "4.7%"), ("Max", "46.7%")]),
        # An optional `Is` before the colon, a unit after the value.
        (
            "  System Total Memory Is: 15766020 Kbytes",
            [("System Total Memory Is", "15766020 Kbytes")],
        ),
        # Any spacing around the colon.
        ("Total :253 Used :1", [("Total", "253"), ("Used", "1")]),
        (
            "  Timeout Count  : 0      Sub Option Count : 0",
            [("Timeout Count", "0"), ("Sub Option Count", "0")],
        ),
        # A value followed by a colon is a list item (VRP5 averages).
        (
            "CPU utilization for five seconds: 15%: one minute: 15%: five minutes: 14%",
            [
                ("CPU utilization for five seconds", "15%"),
                ("one minute", "15%"),
                ("five minutes", "14%"),
            ],
        ),
        # Colons inside a label, a time, a URL or an IPv6 address do not split.
        ("Online time (h:min:sec)       : 01:54:07", [("Online time (h:min:sec)", "01:54:07")]),
        ("Web-URL : http://192.0.2.254/", [("Web-URL", "http://192.0.2.254/")]),
        ("User IPv6 address : 2001:db8::1/128", [("User IPv6 address", "2001:db8::1/128")]),
    ],
)
def test_split_pairs(line: str, pairs: list[tuple[str, str]]) -> None:
    assert split_pairs(line) == pairs


def test_keys_are_looked_up_without_is_and_case() -> None:
    assert normalise_key("System Total Memory Is") == "system total memory"
    assert normalise_key("Memory  Using Percentage") == "memory using percentage"


def test_record_notices_a_line_that_lost_a_watched_label() -> None:
    record = read_record(
        ["System Total Memory Is: 100 Kbytes", "Memory Usi¤g Percentage Is: 5%"],
        ["Memory Using Percentage"],
    )
    assert record.block.value("system total memory") == "100 Kbytes"
    assert record.block.get("memory using percentage") is None
    assert record.lost("Memory Using Percentage") == (1, "Memory Usi¤g Percentage Is: 5%")


TABLE = Table(Column.of("slot"), Column.of("cpu", "cpu usage"), Column.of("memory", "memory usage"))


def test_table_reads_its_header_with_unknown_columns() -> None:
    header = TABLE.header("Slot  CPU Usage  Extra  Memory Usage")
    assert header is not None
    assert [(column.label, column.keys) for column in header.columns] == [
        ("Slot", ("slot",)),
        ("CPU Usage", ("cpu",)),
        ("Extra", ()),
        ("Memory Usage", ("memory",)),
    ]
    assert header.cells("1     5%         x      10%") == {
        "slot": "1",
        "cpu": "5%",
        "memory": "10%",
    }
    # A row without the unknown column's cell: each cell goes to the column it is under.
    assert header.cells("1     5%                10%") == {
        "slot": "1",
        "cpu": "5%",
        "memory": "10%",
    }


def test_damage_alone_in_the_padding_cannot_be_placed() -> None:
    header = TABLE.header("Slot  CPU Usage  Extra  Memory Usage")
    assert header is not None
    with pytest.raises(BadRow, match="damage in the row"):
        header.cells("1     5%    ¤    x      10%")


def test_locate_reports_a_damaged_or_hidden_header() -> None:
    warnings: list = []
    assert TABLE.locate(["Slot  CPU Usag¤  Memory Usage", "1 2% 3%"], warnings) is None
    assert [warning.message for warning in warnings] == [
        "damaged table header: the table is left out"
    ]
    warnings = []
    found = TABLE.locate(["Slot  CPU Usage ¤ Memory Usage", "1 2% 3%"], warnings)
    assert found is not None
    assert found[1].damaged
    assert [warning.line_number for warning in warnings] == [1]
    # Under a damaged header only a row with one cell per column is read.
    assert found[1].cells("1 2% 3%") == {"slot": "1", "cpu": "2%", "memory": "3%"}
    with pytest.raises(BadRow, match="damaged header"):
        found[1].cells("1 2%")


def test_a_mark_in_the_padding_of_an_aligned_row_is_a_damaged_space() -> None:
    brief = Table(Column.of("interface"), Column.of("phy"), Column.of("protocol"))
    header = brief.header("Interface          PHY   Protocol")
    assert header is not None
    assert mark_in_padding(header, "GE0/1/0           ^down  down", "phy")  # `  down`
    assert not mark_in_padding(header, "GE0/1/0            *down down", "phy")  # at the column
    # A hand-edited copy whose other cells are shifted keeps its mark.
    assert not mark_in_padding(header, "GE0/1/0           *down    down", "phy")


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("fernanda@fibra", True),
        ("HWTC45402168", True),
        ("@fibra", False),
        ("user@", False),
        ("a@b@c", False),
    ],
)
def test_user_names(text: str, ok: bool) -> None:
    if ok:
        assert username(text) == text
    else:
        with pytest.raises(BadValue):
            username(text)


def test_values() -> None:
    assert percent("46.7%") == 46.7
    with pytest.raises(BadValue):
        percent("101%")
    assert size_bytes("15766020 Kbytes") == 15766020 * 1024
    assert size_bytes("4096M  bytes") == 4096 * 2**20
    assert has_junk("10.0.0.1¤")
    assert has_junk("Re|ister")
    assert not has_junk("Eth-Trunk1.100 up")
