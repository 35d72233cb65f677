"""`display interface brief`: every published capture, the variant that is not it, fuzzing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError, RouterCommandError, UnknownCommandError
from app.domain.interfaces import BriefInterface
from app.vrp.catalog import parse_output, resolve
from app.vrp.interface_brief import parse_interface_brief
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

DOC_UCMP = "display-interface-brief__huawei-doc-ne40e-v800r012c10-cfg__1.txt"
DOC_ONE_PORT = "display-interface-brief__huawei-doc-ne40e-v800r012c10-cfg__2.txt"
DOC_REFERENCE = "display-interface-brief__huawei-doc-ne40e-v800r012c10__1.txt"
# `display interface ethernet brief main` is another command: its columns are
# `Interface PHY Auto-Neg Duplex Bandwidth InUti OutUti Trunk` (no protocol, no errors).
DOC_ETHERNET_BRIEF = "display-interface-brief__huawei-doc-ne40e-v800r012c10__3.txt"
IT_BRAS = "display-interface-brief__it-bras-notes__1.txt"
ME60_DOCSTRING = "display-interface-brief__me60-ring-parsers-docstring__1.txt"
NTC_TRUNKS = "display-interface-brief__ntc-templates__1.txt"
NTC_ROUTER = "display-interface-brief__ntc-templates__2.txt"
PARSED = [DOC_UCMP, DOC_ONE_PORT, DOC_REFERENCE, IT_BRAS, ME60_DOCSTRING, NTC_TRUNKS, NTC_ROUTER]


def by_name(name: str) -> dict[str, BriefInterface]:
    return {row.name: row for row in parse_interface_brief(fixture_text(name)).interfaces}


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-interface-brief")) == {*PARSED, DOC_ETHERNET_BRIEF}


def test_real_bras_capture_with_trunks_and_squeezed_names() -> None:
    rows = parse_interface_brief(fixture_text(IT_BRAS)).interfaces
    assert len(rows) == 15
    assert rows[0] == BriefInterface(
        name="100GE0/3/0",
        phy="*down",
        phy_up=False,
        admin_down=True,
        standby=False,
        protocol="down",
        protocol_up=False,
        in_util_percent=0.0,
        out_util_percent=0.0,
        in_errors=0,
        out_errors=0,
        trunk=None,
        bandwidth="100M",
    )
    trunk = rows[4]
    assert (trunk.name, trunk.in_util_percent, trunk.out_util_percent) == (
        "Eth-Trunk20",
        1.94,
        14.44,
    )
    assert (trunk.in_errors, trunk.trunk, trunk.phy_up, trunk.protocol_up) == (
        1596,
        None,
        True,
        True,
    )
    assert [(r.name, r.trunk) for r in rows[5:10]] == [
        ("GigabitEthernet0/3/6", "Eth-Trunk20"),
        ("GigabitEthernet0/3/7", "Eth-Trunk20"),
        ("Eth-Trunk99", None),
        ("GigabitEthernet0/3/12", "Eth-Trunk99"),  # `(10G) up`: one space only
        ("GigabitEthernet0/3/13", "Eth-Trunk99"),
    ]
    assert rows[8].bandwidth == "10G"
    assert (rows[8].in_util_percent, rows[8].out_util_percent) == (13.96, 1.65)
    assert rows[6].in_errors == 1596
    assert rows[10].trunk is None  # GigabitEthernet0/0/0 follows the members, unindented
    assert rows[-1].name == "GigabitEthernet0/3/9"
    assert rows[-1].admin_down


def test_doc_example_with_trunk_loopback_and_null() -> None:
    rows = parse_interface_brief(fixture_text(DOC_UCMP)).interfaces
    assert len(rows) == 14
    assert [r.name for r in rows[:3]] == [
        "Eth-Trunk1",
        "GigabitEthernet0/3/0",
        "GigabitEthernet0/3/1",
    ]
    assert [r.trunk for r in rows[:4]] == [None, "Eth-Trunk1", "Eth-Trunk1", None]
    assert rows[4].name == "GigabitEthernet0/2/0"
    assert rows[4].out_util_percent == 6.67
    loopback = rows[12]
    assert (loopback.name, loopback.phy, loopback.protocol) == ("LoopBack0", "down", "up(s)")
    assert (loopback.phy_up, loopback.protocol_up) == (False, True)
    assert rows[-1].name == "NULL0"


def test_single_port_doc_example() -> None:
    (row,) = parse_interface_brief(fixture_text(DOC_ONE_PORT)).interfaces
    assert (row.name, row.phy_up, row.protocol_up) == ("GigabitEthernet0/1/1", True, True)
    assert (row.in_util_percent, row.out_util_percent, row.in_errors) == (0.0, 0.0, 0)


def test_reference_example_markers_and_suffixes() -> None:
    rows = by_name(DOC_REFERENCE)
    assert len(rows) == 22
    assert rows["Eth-Trunk0"].in_errors == 12
    assert (rows["Eth-Trunk0"].in_util_percent, rows["Eth-Trunk0"].out_util_percent) == (3.0, 7.0)
    shut = rows["GigabitEthernet1/0/3"]
    assert (shut.phy, shut.admin_down, shut.phy_up, shut.in_util_percent) == (
        "*down",
        True,
        False,
        50.0,
    )
    assert rows["GigabitEthernet1/0/4.1"].bandwidth == "10G"
    looped = rows["GigabitEthernet2/0/0"]
    assert (looped.phy, looped.phy_up) == ("up(l)", True)
    # The doc page has a typo'd name; it is still one row with its values.
    assert rows["GigabitEthernetGigabitEthernet0/0/0"].in_util_percent == 0.01
    assert rows["GigabitEthernet5/0/1:9"].bandwidth == "10G"  # trailing spaces after row
    assert "NULL0" in rows


def test_me60_docstring_indented_as_a_whole() -> None:
    rows = parse_interface_brief(fixture_text(ME60_DOCSTRING)).interfaces
    assert [(r.name, r.trunk) for r in rows] == [
        ("Eth-Trunk1", None),
        ("GigabitEthernet1/0/2", "Eth-Trunk1"),
        ("Vlanif1000", None),
    ]
    assert (rows[0].in_util_percent, rows[0].out_util_percent, rows[0].in_errors) == (
        25.88,
        8.27,
        169,
    )
    assert rows[1].out_util_percent == 8.3
    assert (rows[2].in_util_percent, rows[2].out_util_percent) == (None, None)


def test_ntc_trunks_and_trunk_subinterfaces() -> None:
    rows = parse_interface_brief(fixture_text(NTC_TRUNKS)).interfaces
    assert len(rows) == 18
    assert rows[0].name == "Aux0/0/1"
    members = [r.name for r in rows if r.trunk == "Eth-Trunk2"]
    assert members == [f"GigabitEthernet8/1/{port}" for port in range(16, 21)]
    trunk4 = next(r for r in rows if r.name == "Eth-Trunk4")
    assert (trunk4.phy_up, trunk4.protocol_up, trunk4.in_errors) == (True, False, 4625)
    assert next(r for r in rows if r.name == "GigabitEthernet16/0/1").trunk == "Eth-Trunk4"
    assert next(r for r in rows if r.name == "Eth-Trunk4.10").trunk is None
    assert rows[-1].name == "Eth-Trunk5.100"


def test_ntc_router_standby_virtual_port_and_no_utilisation() -> None:
    rows = by_name(NTC_ROUTER)
    assert len(rows) == 17
    standby = rows["GigabitEthernet0/0/1"]
    assert (standby.phy, standby.standby, standby.admin_down, standby.phy_up) == (
        "^down",
        True,
        False,
        False,
    )
    assert rows["GigabitEthernet0/0/5"].bandwidth is None  # `(v)` is a marker, not a speed
    assert rows["Dialer1"].protocol == "up(s)"
    assert rows["Vlanif100"].in_util_percent is None
    assert rows["GigabitEthernet0/0/4"].out_util_percent == 0.01


def test_ethernet_brief_has_other_columns() -> None:
    with pytest.raises(ParseError) as caught:
        parse_interface_brief(fixture_text(DOC_ETHERNET_BRIEF))
    assert caught.value.line_number == 9
    assert caught.value.line is not None
    assert "Auto-Neg" in caught.value.line
    with pytest.raises(UnknownCommandError):
        resolve("display interface ethernet brief main")


def _echoed_command(name: str) -> str | None:
    match = re.match(
        r"^\s*(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_interface_brief(text)


@pytest.mark.parametrize(
    "command", ["dis int br", "d int bri", "display interface brief", "dis int brief main"]
)
def test_abbreviations_resolve(command: str) -> None:
    rows = parse_output(command, fixture_text(IT_BRAS)).interfaces
    assert rows[4].name == "Eth-Trunk20"


def test_catalog_error_names_the_command() -> None:
    with pytest.raises(ParseError) as caught:
        parse_output("dis int br", "System cpu use rate is : 7%\n")
    assert caught.value.command == "display interface brief"


HEADER = "Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors"


def test_bad_row_is_a_warning_and_the_other_rows_are_kept() -> None:
    text = (
        f"{HEADER}\n"
        "NULL0                       up    up           0%     0%          0          0\n"
        "GigabitEthernet0/1/0        up    sideways     0%     0%          0          0\n"
        "GigabitEthernet0/1/1        up    up           3%     4%          0          0\n"
    )
    result = parse_interface_brief(text)
    assert [row.name for row in result.interfaces] == ["NULL0", "GigabitEthernet0/1/1"]
    (warning,) = result.warnings
    assert warning.line_number == 3
    assert "sideways" in warning.line


def test_only_bad_rows_is_an_error_naming_the_first() -> None:
    row = "GigabitEthernet0/1/0        up    sideways     0%     0%          0          0"
    text = f"{HEADER}\n{row}\n"
    with pytest.raises(ParseError) as caught:
        parse_interface_brief(text)
    assert caught.value.line_number == 2
    assert "sideways" in (caught.value.line or "")


def test_member_without_trunk_is_an_error() -> None:
    text = f"{HEADER}\n  GigabitEthernet0/1/0      up    up        0%    0%       0        0\n"
    with pytest.raises(ParseError, match="trunk"):
        parse_interface_brief(text)


def test_header_without_rows_is_truncated_output() -> None:
    with pytest.raises(ParseError, match="truncated"):
        parse_interface_brief(f"PHY: Physical\n{HEADER}\n")


def test_big_error_counters_stay_exact() -> None:
    big = 2**63 + 12345
    text = f"{HEADER}\nEth-Trunk1                  up    up        0.01%  6.66% {big} {big + 1}\n"
    (row,) = parse_interface_brief(text).interfaces
    assert (row.in_errors, row.out_errors) == (big, big + 1)


@pytest.mark.parametrize("text", ["", "\n\n", "<NE8000>", "PHY: Physical\n", "hello world"])
def test_no_table_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_interface_brief(text)


def test_router_error_is_not_output() -> None:
    text = (
        "<NE8000>display interface brif\n   ^\nError: Unrecognized command found at '^' position.\n"
    )
    with pytest.raises(RouterCommandError):
        parse_interface_brief(text)


_SAMPLES = [fixture_text(name) for name in PARSED]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_input_gives_a_model_or_parse_error(text: str) -> None:
    try:
        result = parse_interface_brief(text)
    except ParseError:
        return
    assert result.interfaces
    for row in result.interfaces:
        assert row.name
        # None only where the header does not name the column (a mangled `inErrors`).
        assert isinstance(row.in_errors, int) or row.in_errors is None
