"""`display interface description`: every published capture, wrapped rows, fuzzing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError, RouterCommandError, UnknownCommandError
from app.domain.interfaces import DescribedInterface
from app.vrp.catalog import parse_output, resolve
from app.vrp.interface_description import parse_interface_description
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

DOC_ALL = "display-interface-description__huawei-doc-ne40e-v800r012c10__1.txt"
DOC_ONE = "display-interface-description__huawei-doc-ne40e-v800r012c10__2.txt"
DOC_TYPE = "display-interface-description__huawei-doc-ne40e-v800r012c10__3.txt"
NTC = "display-interface-description__ntc-templates__1.txt"
PARSED = [DOC_ALL, DOC_ONE, DOC_TYPE, NTC]


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-interface-description")) == set(PARSED)


def test_doc_example_with_bandwidth_markers_and_empty_description() -> None:
    rows = parse_interface_description(fixture_text(DOC_ALL)).interfaces
    assert rows == (
        DescribedInterface(
            "GE1/0/0", "GigabitEthernet1/0/0", "up", "down", "Connecting to Beijing"
        ),
        DescribedInterface(
            "GE1/0/1", "GigabitEthernet1/0/1", "up", "down", "GigabitEthernet1/0/1 Interface"
        ),
        DescribedInterface("GE1/0/1.1", "GigabitEthernet1/0/1.1", "up", "down", ""),
        DescribedInterface("NULL0", "NULL0", "up", "up", "NULL0 Interface"),
    )


def test_single_interface_and_single_type() -> None:
    (row,) = parse_interface_description(fixture_text(DOC_ONE)).interfaces
    assert (row.name, row.description) == ("GE1/0/0", "Connecting to Beijing")
    rows = parse_interface_description(fixture_text(DOC_TYPE)).interfaces
    assert [(r.name, r.description) for r in rows] == [
        ("GE1/0/0", "Connecting to Beijing"),
        ("GE1/0/1", "GigabitEthernet1/0/1 Interface"),
    ]


def test_ntc_switch_with_admin_down_and_spoofing() -> None:
    rows = parse_interface_description(fixture_text(NTC)).interfaces
    assert len(rows) == 30
    assert rows[0] == DescribedInterface(
        "GE0/0/1", "GigabitEthernet0/0/1", "up", "up", "<C4> work - station 1"
    )
    assert (rows[15].name, rows[15].phy, rows[15].protocol) == ("GE0/0/16", "down", "down")
    assert (rows[24].name, rows[24].phy, rows[24].description) == ("GE0/0/25", "*down", "")
    assert rows[27].description == "spine Uplink 2"
    assert (rows[28].name, rows[28].protocol, rows[28].description) == ("NULL0", "up(s)", "")
    assert rows[-1] == DescribedInterface("Vlanif1", "Vlanif1", "up", "up", "")


def _echoed_command(name: str) -> str:
    match = re.match(r"^<[^<>]+>\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1])
    assert match is not None
    return match[1]


@pytest.mark.parametrize("name", [DOC_ALL, DOC_ONE, DOC_TYPE])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    text = fixture_text(name)
    assert parse_output(_echoed_command(name), text) == parse_interface_description(text)


@pytest.mark.parametrize(
    ("command", "canonical"),
    [
        ("dis int desc", "display interface description"),
        (
            "display interface description gigabitethernet",
            "display interface description gigabitethernet",
        ),
        ("d int desc GE 1/0/0", "display interface description GigabitEthernet1/0/0"),
        ("dis int desc eth-trunk", "display interface description eth-trunk"),
    ],
)
def test_command_variants_resolve(command: str, canonical: str) -> None:
    assert resolve(command).canonical == canonical


def test_a_bare_word_is_not_an_interface_type() -> None:
    with pytest.raises(UnknownCommandError):
        resolve("display interface description bogus")


HEADER = "Interface                     PHY     Protocol Description"


def test_wrapped_description_is_joined() -> None:
    text = (
        f"{HEADER}\n"
        "GE0/1/0                       up      up       To-CORE-ROUTER-01-GigabitEthernet0/3/\n"
        "                                               0-10G-primary\n"
        "GE0/1/1                       down    down\n"
    )
    rows = parse_interface_description(text).interfaces
    assert rows[0].description == "To-CORE-ROUTER-01-GigabitEthernet0/3/0-10G-primary"
    assert (rows[1].name, rows[1].description) == ("GE0/1/1", "")


def test_bad_row_is_a_warning_with_its_line() -> None:
    text = f"{HEADER}\nGE0/1/0                       up      up       x\nGE0/1/1 sideways\n"
    result = parse_interface_description(text)
    assert [row.name for row in result.interfaces] == ["GE0/1/0"]
    (warning,) = result.warnings
    assert (warning.line, warning.line_number) == ("GE0/1/1 sideways", 3)


def test_brief_output_is_not_description_output() -> None:
    brief = fixture_text("display-interface-brief__it-bras-notes__1.txt")
    with pytest.raises(ParseError) as caught:
        parse_output("dis int desc", brief)
    assert caught.value.command == "display interface description"
    assert caught.value.line is not None
    assert caught.value.line.startswith("Interface                   PHY   Protocol  InUti")


def test_header_without_rows_is_truncated_output() -> None:
    with pytest.raises(ParseError, match="truncated"):
        parse_interface_description(f"PHY: Physical\n{HEADER}\n")


@pytest.mark.parametrize("text", ["", "<NE8000>", "PHY: Physical\n", "GE0/1/0 up up x"])
def test_no_table_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_interface_description(text)


def test_router_error_is_not_output() -> None:
    text = "<NE8000>display interface description ge9/9/9\nError: Wrong parameter found.\n"
    with pytest.raises(RouterCommandError):
        parse_interface_description(text)


_SAMPLES = [fixture_text(name) for name in PARSED]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_input_gives_a_model_or_parse_error(text: str) -> None:
    try:
        result = parse_interface_description(text)
    except ParseError:
        return
    assert result.interfaces
    assert all(row.name and isinstance(row.description, str) for row in result.interfaces)
