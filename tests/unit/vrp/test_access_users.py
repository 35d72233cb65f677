"""`display access-user ...` parsers against every published capture of those commands."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError, RouterCommandError
from app.domain.subscribers import AccessUserCounters, AccessUserList, AccessUserSlots
from app.vrp.access_users import (
    parse_access_user,
    parse_access_user_counters,
    parse_access_user_detail,
    parse_access_user_list,
    parse_access_user_slot,
)
from app.vrp.catalog import parse_output, resolve
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

# file -> (users, Total users, first user (id, name, interface, ipv4, mac, vlan, ipv6, type),
#          last user (id, ipv4, mac)), values read from the fixture text.
LISTS = {
    "display-access-user-domain__br-bng-bypass-tutorial__1.txt": (
        2,
        2,
        (
            20529,
            "algar@algar.com.br",
            "Eth-Trunk100.3150",
            "100.81.17.14",
            "789a-1823-0759",
            "3150/-",
            None,
            "PPPoE",
        ),
        (27698, "100.81.25.43", "f8b1-322f-80cb"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__1.txt": (
        2,
        2,
        (
            352,
            "BRAS-01008000100000...",
            "GE0/1/1.1",
            "172.16.1.2",
            "00-e0-fc-12-34-561",
            "1/-",
            None,
            "IPOE",
        ),
        (353, "172.16.1.3", "00-e0-fc-22-34-56"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__10.txt": (
        2,
        2,
        (20, "user1@isp1", "GE0/1/2.2", "10.82.0.5", "00e0-fc12-3456", None, None, None),
        (21, "10.82.0.6", "00e0-fc12-3457"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__11.txt": (
        1,
        1,
        (20, "00e0-fc12-3456@isp1", "GE0/2/0.1", "172.30.0.8", "00e0-fc12-3456", None, None, None),
        (20, "172.30.0.8", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__12.txt": (
        1,
        1,
        (
            208896,
            "HUAWEI@huawei",
            "GE0/1/2.1",
            "10.0.0.98",
            "00e0-fc12-3456",
            "300/100",
            None,
            "IPOE",
        ),
        (208896, "10.0.0.98", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__13.txt": (
        1,
        1,
        (
            208896,
            "HUAWEI@huawei",
            "GE0/1/1.1",
            "10.0.0.98",
            "00e0-fc12-3456",
            "700/500",
            None,
            "IPOE",
        ),
        (208896, "10.0.0.98", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__14.txt": (
        1,
        1,
        (
            508928,
            "Device1@huawei",
            "GE0/1/0.1",
            "10.0.0.98",
            "00-e0-fc-12-34-56",
            "300/100",
            "2001:DB8:1:2",
            "IPOE",
        ),
        (508928, "10.0.0.98", "00-e0-fc-12-34-56"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__16.txt": (
        1,
        None,
        (20, "user1@pre", "GE0/1/1.1", "10.10.10.200", "00e0-fc12-3456", "1/-", None, "IPOE"),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__17.txt": (
        1,
        None,
        (20, "user1@huawei", "GE0/1/1.1", "10.10.10.200", "00e0-fc12-3456", "1/-", None, "IPOE"),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__2.txt": (
        1,
        None,
        (
            20,
            "user1@web_before",
            "GE0/1/2.1",
            "10.10.10.200",
            "00e0-fc12-3456",
            "1/-",
            None,
            "IPOE",
        ),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__3.txt": (
        1,
        None,
        (20, "user1@isp1", "GE0/1/2.1", "10.10.10.200", "00e0-fc12-3456", "1/-", None, "IPOE"),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__4.txt": (
        1,
        1,
        (20, "172.30.0.8@printer", "GE0/1/2", "172.30.0.8", "00e0-fc12-3456", None, None, None),
        (20, "172.30.0.8", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__5.txt": (
        1,
        1,
        (20, "172.30.0.8@printer", "GE0/1/2.1", "172.30.0.8", "00e0-fc12-3456", None, None, None),
        (20, "172.30.0.8", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__6.txt": (
        1,
        None,
        (
            20,
            "user1@web_before",
            "GE0/1/2.1",
            "10.10.10.200",
            "00e0-fc12-3456",
            "1/-",
            None,
            "IPOE",
        ),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__8.txt": (
        1,
        None,
        (
            20,
            "user1@web_before",
            "GE0/1/2.1",
            "10.10.10.200",
            "00e0-fc12-3456",
            "1/-",
            None,
            "IPOE",
        ),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__9.txt": (
        1,
        None,
        (20, "user1@isp1", "GE0/1/2.1", "10.10.10.200", "00e0-fc12-3456", "1/-", None, "IPOE"),
        (20, "10.10.10.200", "00e0-fc12-3456"),
    ),
    "display-access-user__bng-runbook-id__1.txt": (
        1,
        1,
        (
            1,
            "48575443AXXXYYY",
            "Eth-Trunk3.2910",
            "10.10.10.10",
            "a1b2-c3d4-e5f6",
            "2910/-",
            None,
            "PPPoE",
        ),
        (1, "10.10.10.10", "a1b2-c3d4-e5f6"),
    ),
    "display-access-user__bng-runbook-id__2.txt": (
        1,
        1,
        (
            2,
            "trunk 0/2/1:4096.28...",
            "Eth-Trunk1.2801",
            "10.10.10.10",
            "a1b2-c3d4-e5f6",
            "2801/-",
            None,
            "IPOE",
        ),
        (2, "10.10.10.10", "a1b2-c3d4-e5f6"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__1.txt": (
        1,
        1,
        (1, "PC1@ipv4", "GE0/1/0", "10.0.0.1", "00-e0-fc-12-34-56", None, None, "IPOE"),
        (1, "10.0.0.1", "00-e0-fc-12-34-56"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__10.txt": (
        3,
        3,
        (
            100,
            "user1@dmtjs_xi",
            "Eth-Trunk3.501",
            "192.168.1.10",
            "00e0-fc12-3456",
            None,
            None,
            None,
        ),
        (102, "192.168.1.8", "00e0-fc12-3458"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__11.txt": (
        3,
        3,
        (
            100,
            "user1@dmtjs_xi",
            "Eth-Trunk3.5001",
            "192.168.1.10",
            "00e0-fc12-0101",
            None,
            None,
            None,
        ),
        (102, "192.168.1.8", "00e0-fc12-0103"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__12.txt": (
        10,
        10,
        (120, "user@lsh", "GE0/1/0.1", "10.1.2.10", "00e0-fc12-0101", "50/-", None, "IPoE"),
        (109, "10.1.2.1", "00e0-fc12-0110"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__2.txt": (
        1,
        1,
        (2, "PC2@ipv4", "GE0/1/0", "10.0.0.2", "00-e0-fc-22-34-56", None, None, "IPOE"),
        (2, "10.0.0.2", "00-e0-fc-22-34-56"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__3.txt": (
        1,
        1,
        (1, "PC1@ipv4", "GE0/1/0", "10.0.0.1", "00-e0-fc-22-34-56", None, None, "PPPoE"),
        (1, "10.0.0.1", "00-e0-fc-22-34-56"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__4.txt": (
        1,
        1,
        (2, "PC2@ipv4", "GE0/1/0", "10.0.0.2", "00-e0-fc-12-34-56", None, None, "PPPoE"),
        (2, "10.0.0.2", "00-e0-fc-12-34-56"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__5.txt": (
        1,
        1,
        (1, "PC1@ipv4", "GE0/1/0", "10.0.0.1", "00-e0-fc-12-34-56", None, None, "IPOE"),
        (1, "10.0.0.1", "00-e0-fc-12-34-56"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__6.txt": (
        1,
        1,
        (2, "PC2@ipv4", "GE0/1/0", "10.0.0.2", "00-e0-fc-22-34-56", None, None, "IPOE"),
        (2, "10.0.0.2", "00-e0-fc-22-34-56"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__7.txt": (
        10,
        10,
        (100, "user@lsh", "GE0/1/2.10", "192.168.0.10", "00e0-fc12-0101", None, None, None),
        (109, "192.168.0.11", "00e0-fc12-0110"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__8.txt": (
        10,
        10,
        (100, "user@lsh", "GE0/1/0.1", "2.2.2.10", "00e0-fc12-0101", None, None, None),
        (109, "2.2.2.11", "00e0-fc12-0110"),
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__9.txt": (
        10,
        10,
        (120, "user@lsh", "GE0/1/0.1", "2.2.2.10", "00e0-fc12-0101", "50/-", None, "IPoE"),
        (109, "2.2.2.11", "00e0-fc12-0110"),
    ),
}

# Files filed under these slugs that hold another command's output: the user table parser
# must refuse them rather than return an empty list.
NOT_A_USER_TABLE = {
    # `display access-user domain X verbose`: per-user key/value detail, no table.
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__18.txt": "Basic:",
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__19.txt": "Flow Statistic:",
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__20.txt": (
        "Active EDSG services by order:"
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__21.txt": "Flow Statistic:",
    # `display access-user ip-address X`: the verbose detail of one user.
    "display-access-user__huawei-doc-ne40e-v800r012c10__1.txt": (
        "User access index             : 32"
    ),
    # `display access-user domain X verbose` (read by the detail parser, below).
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10__1.txt": "Basic:",
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__7.txt": "Basic:",
    # Plain `display access-user` on VRP8: the summary (read by its own parser, below).
    "display-access-user__huawei-doc-ne40e-v800r012c10__2.txt": (
        "Total users                        : 9"
    ),
}

USER_TABLE_SLUGS = ("display-access-user-domain", "display-access-user")


def test_every_user_table_fixture_is_covered() -> None:
    files = {name for slug in USER_TABLE_SLUGS for name in fixtures_for(slug)}
    assert files == set(LISTS) | set(NOT_A_USER_TABLE)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_user_table_fixture(name: str) -> None:
    count, total, first, last = LISTS[name]
    result = parse_access_user_list(fixture_text(name))
    assert isinstance(result, AccessUserList)
    assert len(result.users) == count
    assert result.total_users == total
    user = result.users[0]
    assert (
        user.user_id,
        user.username,
        user.interface,
        user.ipv4,
        user.mac,
        user.vlan,
        user.ipv6,
        user.access_type,
    ) == first
    assert (result.users[-1].user_id, result.users[-1].ipv4, result.users[-1].mac) == last


@pytest.mark.parametrize("name", sorted(NOT_A_USER_TABLE))
def test_verbose_output_is_not_a_user_table(name: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_access_user_list(fixture_text(name))
    # Line 1 is the separator; the error names the first line with content.
    assert caught.value.line_number == 2
    assert (caught.value.line or "").strip() == NOT_A_USER_TABLE[name]


def test_footer_counters_and_derived_fields() -> None:
    result = parse_access_user_list(
        fixture_text("display-access-user__huawei-doc-ne40e-v800r012c10-cfg__12.txt")
    )
    assert result.counters == {"Normal users": 0, "RUI Local users": 10, "RUI Remote users": 0}
    user = result.users[0]
    assert user.interface_name == "GigabitEthernet0/1/0.1"
    assert (user.pe_vlan, user.ce_vlan) == (50, None)
    # The rows of this example carry a stray `-` (an IPv6 column the header lacks).
    assert [u.user_id for u in result.users] == [120, *range(101, 110)]


def test_qinq_vlan_and_trunk_interface() -> None:
    result = parse_access_user_list(
        fixture_text("display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__1.txt")
    )
    assert (result.users[1].vlan, result.users[1].pe_vlan, result.users[1].ce_vlan) == (
        "3/2",
        3,
        2,
    )
    trunk = parse_access_user_list(
        fixture_text("display-access-user-domain__br-bng-bypass-tutorial__1.txt")
    ).users[0]
    assert (trunk.interface_name, trunk.pe_vlan) == ("Eth-Trunk100.3150", 3150)


def test_username_with_spaces_is_kept_whole() -> None:
    text = fixture_text("display-access-user__bng-runbook-id__2.txt")
    assert parse_access_user_list(text).users[0].username == "trunk 0/2/1:4096.28..."


def test_empty_table_with_zero_total_is_an_empty_list() -> None:
    text = """<NE8000> display access-user domain empty
  ------------------------------------------------------------------------------
  UserID  Username                Interface      IP address       MAC
          Vlan          IPv6 address             Access type
  ------------------------------------------------------------------------------
  ------------------------------------------------------------------------------
  Normal users                       : 0
  RUI Local users                    : 0
  RUI Remote users                   : 0
  Total users                        : 0
<NE8000>"""
    result = parse_access_user_list(text)
    assert result.users == ()
    assert result.total_users == 0


def test_table_without_rows_or_footer_is_an_error() -> None:
    text = """  ----------------------------------------------------------
  UserID  Username                Interface      IP address       MAC
          Vlan          IPv6 address             Access type
  ----------------------------------------------------------"""
    with pytest.raises(ParseError, match="rows or a `Total users` footer"):
        parse_access_user_list(text)


def test_row_missing_its_second_line_is_a_warning() -> None:
    text = """  UserID  Username                Interface      IP address       MAC
          Vlan          IPv6 address             Access type
  ------------------------------------------------------------------------------
  20      user1@isp1              GE0/1/2.1      10.10.10.200     00e0-fc12-3456
  21      user2@isp1              GE0/1/2.1      10.10.10.201     00e0-fc12-3457
          1/-           -                        IPOE
"""
    result = parse_access_user_list(text)
    # User 20 lost its second line: it is left out, and user 21 keeps its own fields.
    assert [(user.user_id, user.vlan, user.access_type) for user in result.users] == [
        (21, "1/-", "IPOE")
    ]
    (warning,) = result.warnings
    assert warning.line_number == 4
    assert "user1@isp1" in warning.line


def test_router_error_is_reported() -> None:
    text = """<NE8000> display access-user domain nosuch
                                              ^
Error: Wrong parameter found at '^' position.
<NE8000>"""
    with pytest.raises(RouterCommandError):
        parse_access_user_list(text)


def test_garbage_is_an_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse_access_user_list("hello world\nsecond line")
    assert (caught.value.line, caught.value.line_number) == ("hello world", 1)


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (
            "display access-user domain temporario-usuarios-repetidos",
            "display-access-user-domain__br-bng-bypass-tutorial__1.txt",
        ),
        (
            "display access-user username 48575443AXXXYYY",
            "display-access-user__bng-runbook-id__1.txt",
        ),
        (
            "display access-user username | include 48575443AXXXYYY",
            "display-access-user__bng-runbook-id__2.txt",
        ),
        (
            "display access-user interface GigabitEthernet 0/1/0.1",
            "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__12.txt",
        ),
        (
            "d access-user int Eth-Trunk3.501",
            "display-access-user__huawei-doc-ne40e-v800r012c10-cfg__10.txt",
        ),
    ],
)
def test_user_table_through_the_catalog(command: str, name: str) -> None:
    count, total, _, _ = LISTS[name]
    result = parse_output(command, fixture_text(name))
    assert (len(result.users), result.total_users) == (count, total)


# ------------------------------------------------------------------ online-total / summary

ONLINE_TOTAL = """<NE8000> display access-user online-total
  ------------------------------------------------------------
  Total users                        : 1534
  IPv4 users                         : 1530
  IPv6 users                         : 12
  Dual-stack users                   : 8
  ------------------------------------------------------------
<NE8000>"""


def test_online_total() -> None:
    result = parse_access_user_counters(ONLINE_TOTAL)
    assert result == AccessUserCounters(
        total_users=1534,
        counters={"IPv4 users": 1530, "IPv6 users": 12, "Dual-stack users": 8},
    )


def test_counters_two_columns_and_no_total() -> None:
    text = "  PPPoE users : 10        IPoE users : 3\n  L2TP users  : 0\n"
    result = parse_access_user_counters(text)
    assert result.total_users is None
    assert result.counters == {"PPPoE users": 10, "IPoE users": 3, "L2TP users": 0}


def test_counters_read_a_user_table_footer() -> None:
    result = parse_access_user_counters(
        fixture_text("display-access-user-domain__br-bng-bypass-tutorial__1.txt")
    )
    assert result.total_users == 2
    assert result.counters["Normal users"] == 2


def test_counters_keep_values_beyond_2_to_53() -> None:
    result = parse_access_user_counters("Total users : 18446744073709551615\n")
    assert result.total_users == 18446744073709551615


@pytest.mark.parametrize(
    "text", ["", "no numbers here\njust words", "-----------\nTotal users : many"]
)
def test_counters_without_any_number_are_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_access_user_counters(text)


def test_online_total_number_pevlan_brief_is_another_shape() -> None:
    # `display access-user online-total-number pevlan 1 brief` prints a VLAN/interface table
    # without any `name : number` pair; it is not the counter output.
    name = "display-access-user-online-total-number__huawei-doc-ne40e-v800r012c10__1.txt"
    assert fixtures_for("display-access-user-online-total-number") == [name]
    with pytest.raises(ParseError) as caught:
        parse_access_user_counters(fixture_text(name))
    assert caught.value.line_number == 2
    assert (caught.value.line or "").split() == ["Vlan", "Interface", "access-number"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("display access-user online-total", "display access-user online-total"),
        ("dis access-user online-total-number", "display access-user online-total-number"),
        (
            "dis access-user online-total-number domain teletu_direct_data",
            "display access-user online-total-number domain teletu_direct_data",
        ),
        ("display access-user summary", "display access-user summary"),
    ],
)
def test_counter_commands_resolve(command: str, expected: str) -> None:
    assert resolve(command).canonical == expected
    assert parse_output(command, ONLINE_TOTAL).total_users == 1534


# ------------------------------------------------------------------------------ per slot


def test_access_user_slot_fixture() -> None:
    (name,) = fixtures_for("display-access-user-slot")
    result = parse_access_user_slot(fixture_text(name))
    assert isinstance(result, AccessUserSlots)
    assert len(result.slots) == 1
    slot = result.slots[0]
    assert (slot.slot, slot.total_users) == ("1", 1)
    assert slot.counters["PPP authentication"] == 1
    assert slot.counters["No authentication"] == 0
    assert slot.counters["MIP authentication"] == 0
    assert slot.counters["802.1x authentication"] == 0
    assert "x authentication" not in slot.counters
    assert len(slot.counters) == 10
    assert parse_output("display access-user slot", fixture_text(name)) == result


def test_access_user_slot_several_slots() -> None:
    text = """<NE8000> display access-user slot
-----------------------------------------------------------------------------
Slot                     : 1      Total  user : 120
No authentication      : 0
PPP authentication     : 120
-----------------------------------------------------------------------------
Slot                     : 3      Total  user : 7
No authentication      : 2
PPP authentication     : 5
-----------------------------------------------------------------------------"""
    result = parse_access_user_slot(text)
    assert [(s.slot, s.total_users) for s in result.slots] == [("1", 120), ("3", 7)]
    assert result.slots[1].counters == {"No authentication": 2, "PPP authentication": 5}


def test_access_user_slot_counts_before_a_slot_line_are_an_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse_access_user_slot("PPP authentication     : 1\n")
    assert caught.value.line_number == 1


# --------------------------------------------------------------------------- robustness

_SAMPLES = [fixture_text(name) for name in (*sorted(LISTS)[:6], *sorted(NOT_A_USER_TABLE)[:1])]
_SAMPLES.append(fixture_text(fixtures_for("display-access-user-slot")[0]))
_SAMPLES.append(ONLINE_TOTAL)


PARSERS = (parse_access_user_list, parse_access_user_counters, parse_access_user_slot)


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_parsers_return_a_model_or_raise_parse_error(text: str) -> None:
    for parser in PARSERS:
        try:
            result = parser(text)
        except ParseError:
            continue
        assert isinstance(result, AccessUserList | AccessUserCounters | AccessUserSlots)


def test_high_speed_port_and_ipv6_column_in_the_row() -> None:
    text = """<NE8000> display access-user interface 100GE0/1/0.20
  -------------------------------------------------------------------------------------------
  UserID  Username               Interface        IP address      MAC              IPv6 address
  -------------------------------------------------------------------------------------------
  77      cliente@fibra          100GE0/1/0.20    -               00e0-fc12-0001   2001:db8::5
  78      -                      100GE0/1/0.20    10.9.0.7        -                -
  -------------------------------------------------------------------------------------------
  Total users                        : 2
<NE8000>"""
    first, second = parse_access_user_list(text).users
    assert (first.interface, first.interface_name) == ("100GE0/1/0.20", "100GE0/1/0.20")
    assert (first.ipv4, first.mac, first.ipv6) == (None, "00e0-fc12-0001", "2001:db8::5")
    assert (second.username, second.ipv4, second.mac, second.ipv6) == (
        None,
        "10.9.0.7",
        None,
        None,
    )


# ------------------------------------------------------------- plain `display access-user`

DOC_SUMMARY = "display-access-user__huawei-doc-ne40e-v800r012c10__2.txt"


def test_plain_command_prints_the_vrp8_summary() -> None:
    result = parse_output("display access-user", fixture_text(DOC_SUMMARY))
    assert isinstance(result, AccessUserCounters)
    assert result.total_users == 9
    assert result.counters["IPv4 users"] == 9
    assert result.counters["Authentication success"] == 9
    assert result.counters["Wait accounting-stop"] == 0
    assert result.domains == {
        "default0": 0,
        "default1": 0,
        "default_admin": 0,
        "wq": 0,
        "chen": 0,
        "isp7": 0,
        "gaoli": 0,
        "ly": 0,
        "test": 0,
        "lsh": 9,
    }
    assert result.warnings == ()


def test_plain_summary_domains_must_add_up_to_the_total() -> None:
    text = fixture_text(DOC_SUMMARY).replace("lsh                                : 9", "lsh : 8")
    with pytest.raises(ParseError, match="add up to 8") as caught:
        parse_access_user(text)
    assert "Total users" in (caught.value.line or "")


def test_plain_summary_damaged_domain_row_is_a_warning() -> None:
    text = fixture_text(DOC_SUMMARY).replace("lsh                                : 9", "lsh : 9x")
    result = parse_access_user(text)
    assert "lsh" not in result.domains
    assert result.total_users == 9
    assert [warning.line.strip() for warning in result.warnings] == ["lsh : 9x"]


def test_plain_command_on_an_older_release_prints_the_user_table() -> None:
    name = "display-access-user-domain__br-bng-bypass-tutorial__1.txt"
    result = parse_access_user(fixture_text(name))
    assert result.total_users == 2


# ------------------------------------------------------------------ summaries by kind

CX600_IPV4 = "display-access-user-ip-type-summary__net-operations-cx600__1.txt"
CX600_IPV6 = "display-access-user-ip-type-summary__net-operations-cx600__2.txt"
CX600_DOMAIN = "display-access-user-domain-summary__net-operations-cx600__1.txt"


def test_summary_fixtures_are_covered() -> None:
    assert fixtures_for("display-access-user-ip-type-summary") == [CX600_IPV4, CX600_IPV6]
    assert fixtures_for("display-access-user-domain-summary") == [CX600_DOMAIN]


def test_live_cx600_ipv4_summary() -> None:
    result = parse_output("display access-user ip-type ipv4 summary", fixture_text(CX600_IPV4))
    assert result.total_users == 8084
    assert (
        result.counters["Normal users"],
        result.counters["RUI Local users"],
        result.counters["RUI Remote users"],
    ) == (4, 4245, 3835)
    assert result.counters["No authentication"] == 345


def test_live_cx600_summary_without_users_is_zero() -> None:
    # `Info: No online user!` is a positive answer: zero, not missing.
    result = parse_output("display access-user ip-type ipv6 summary", fixture_text(CX600_IPV6))
    assert (result.total_users, result.counters) == (0, {})


def test_live_cx600_domain_summary() -> None:
    result = parse_output(
        "display access-user domain dom_ipoe_main summary", fixture_text(CX600_DOMAIN)
    )
    assert result.total_users == 7859
    assert result.counters["Radius authentication"] == 7859


def test_summary_whose_parts_do_not_add_up_is_an_error() -> None:
    text = fixture_text(CX600_DOMAIN).replace(": 3855", ": 3856")
    with pytest.raises(ParseError, match="add up to 7860"):
        parse_access_user_counters(text)


# ------------------------------------------------------------------- per-user detail

# file -> (user id, name, domain, interface, physical interface, vlan, slot, mac, ipv4,
#          ipv6, ipv6 prefix, access type, authentication, state, online s, access start)
DETAILS = {
    "display-access-user-user-id-verbose__huawei-doc-ne40e-v800r012c10__1.txt": (
        100,
        "R8-0201023000000000@lcw",
        "lcw",
        "GigabitEthernet 1/0/1",
        None,
        None,
        "1",
        "0400-0657-98cb",
        "10.0.100.155",
        None,
        None,
        "IPOE",
        "Bind authentication",
        "Used/Active",
        12 * 3600 + 52 * 60 + 5,
        "2001-05-29 22:29:24",
    ),
    "display-access-user-verbose__bng-runbook-id__1.txt": (
        1,
        "48575443AXXXYYY",
        "2910-zimbabwe",
        "Eth-Trunk3.2910",
        "100GE0/3/1",
        "2910/-",
        "0",
        "a1b2-c3d4-e5f6",
        "10.10.10.10",
        None,
        None,
        None,
        None,
        "Used",
        None,
        None,
    ),
    "display-access-user-mac-address__bng-runbook-id__1.txt": (
        2,
        "trunk 0/2/1:4096.2801 RC-OLT-01/48575443AXXXYYY@ret10m",
        "ret10m",
        "Eth-Trunk1.2801",
        "GigabitEthernet0/1/1",
        "2801/-",
        "0",
        "a1b2-c3d4-e5f6",
        "10.10.10.10",
        None,
        None,
        None,
        None,
        "Used",
        None,
        None,
    ),
    # An IPoE dual-stack user: no IPv4, an IPv6 address and a delegated prefix; its
    # circuit id holds a backquote (free text written by the access node).
    "display-access-user-mac-address__huawei-doc-ne40e-v800r012c10__1.txt": (
        161513473,
        "99992550173@zjl_173",
        "zjl_173",
        "Eth-Trunk1100/2.3",
        "GigabitEthernet1100/2/0/1",
        "173/-",
        "1100/7",
        "00a0-fc12-3456",
        None,
        "2001:db8:1::1/128",
        "2001:db8:2::1/64",
        "IPOE",
        "No authentication",
        "Used",
        55,
        "2020-06-29 14:56:54",
    ),
    "display-access-user-mac-address__huawei-doc-ne40e-v800r012c10__2.txt": (
        153,
        "123",
        "god",
        "GigabitEthernet1/0/1.5",
        None,
        "500/-",
        None,
        "00e0-fc12-3456",
        "192.168.1.71",
        None,
        None,
        "PPPOE",
        "PPP authentication",
        "Used",
        23 * 3600 + 44 * 60 + 34,
        "2012-05-25 16:23:00",
    ),
    "display-access-user-ip-address__it-bras-notes__1.txt": (
        20299,
        "w0099930@realm.biz",
        "realm.biz",
        "Virtual-Ethernet0/3/1.10",
        None,
        "190/-",
        "0",
        "74ac-b974-b911",
        "172.16.28.143",
        None,
        None,
        None,
        None,
        "Used",
        None,
        None,
    ),
    "display-access-user__huawei-doc-ne40e-v800r012c10__1.txt": (
        32,
        "R6-02224001200000@sd2",
        "sd2",
        "Eth-Trunk22.12",
        None,
        "12/-",
        "1",
        "00e0-fc12-3451",
        "192.168.255.229",
        None,
        None,
        "IPOE",
        "No authentication",
        "Used",
        1 * 3600 + 54 * 60 + 7,
        "2011-12-20 16:47:31",
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__18.txt": (
        8192,
        "ceshi9",
        "isp1",
        "GigabitEthernet0/1/2.1",
        None,
        "2004/-",
        "0",
        "00e0-fc12-3456",
        "10.82.0.166",
        None,
        None,
        "PPPoE",
        "PPP authentication",
        "Used",
        2,
        "2018-01-10 11:24:52",
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10-cfg__7.txt": (
        128000,
        "user1",
        "domain1",
        "GigabitEthernet0/1/2.1",
        None,
        "100/100",
        "5",
        "00e0-fc12-3456",
        "172.31.24.253",
        None,
        None,
        "PPPoE",
        "PPP authentication",
        "Used",
        7 * 60 + 45,
        "2013-10-17 10:42:15",
    ),
    "display-access-user-domain__huawei-doc-ne40e-v800r012c10__1.txt": (
        0,
        "R5-01222001200000@sd2",
        "sd2",
        "Eth-Trunk22.12",
        None,
        "12/-",
        "1",
        "00e0-fc12-3452",
        "192.168.1.100",
        None,
        None,
        "IPOE",
        "Bind authentication",
        "Used",
        32 * 60 + 41,
        "2012-01-22 17:49:46",
    ),
}
# Documentation excerpts cut before `User access index`: nothing can be said of a user.
DETAIL_EXCERPTS = [
    f"display-access-user-user-id-verbose__huawei-doc-ne40e-v800r012c10__{number}.txt"
    for number in (2, 3, 4, 5)
]


def test_every_detail_fixture_is_covered() -> None:
    detail_slugs = (
        "display-access-user-user-id-verbose",
        "display-access-user-verbose",
        "display-access-user-mac-address",
        "display-access-user-ip-address",
    )
    files = {name for slug in detail_slugs for name in fixtures_for(slug)}
    in_those_slugs = {name for name in DETAILS if name.split("__")[0] in detail_slugs}
    assert files == in_those_slugs | set(DETAIL_EXCERPTS)


@pytest.mark.parametrize("name", sorted(DETAILS))
def test_detail_fixture(name: str) -> None:
    result = parse_access_user_detail(fixture_text(name))
    (user,) = result.users
    assert (
        user.user_id,
        user.username,
        user.domain,
        user.interface,
        user.physical_interface,
        user.vlan,
        user.slot,
        user.mac,
        user.ipv4,
        user.ipv6,
        user.ipv6_prefix,
        user.access_type,
        user.authentication,
        user.state,
        user.online_seconds,
        user.access_start,
    ) == DETAILS[name]
    assert result.warnings == ()


@pytest.mark.parametrize("name", DETAIL_EXCERPTS)
def test_detail_excerpt_without_a_user_is_an_error(name: str) -> None:
    with pytest.raises(ParseError, match="User access index"):
        parse_access_user_detail(fixture_text(name))


def test_detail_keeps_every_printed_field() -> None:
    name = "display-access-user-mac-address__huawei-doc-ne40e-v800r012c10__1.txt"
    (user,) = parse_access_user_detail(fixture_text(name)).users
    assert user.fields["Agent-Circuit-Id"] == "VWXY`ab"
    assert user.fields["IPv6 DUID"] == "0003000100A0FC123456"
    assert user.interface_name == "Eth-Trunk1100/2.3"
    assert (user.pe_vlan, user.ce_vlan) == (173, None)


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (
            "display access-user domain sd2 verbose",
            "display-access-user-domain__huawei-doc-ne40e-v800r012c10__1.txt",
        ),
        (
            "display access-user mac-address 00a0-fc12-3456",
            "display-access-user-mac-address__huawei-doc-ne40e-v800r012c10__1.txt",
        ),
        (
            "display access-user mac-address 00e0-fc12-3456 interface GigabitEthernet 1/0/1.5 "
            "pevlan 100 cevlan 200",
            "display-access-user-mac-address__huawei-doc-ne40e-v800r012c10__2.txt",
        ),
        (
            "display access-user ip-address 172.16.28.143",
            "display-access-user-ip-address__it-bras-notes__1.txt",
        ),
        (
            "display access-user username 48575443AXXXYYY verbose",
            "display-access-user-verbose__bng-runbook-id__1.txt",
        ),
        (
            "display access-user user-id 100 verbose",
            "display-access-user-user-id-verbose__huawei-doc-ne40e-v800r012c10__1.txt",
        ),
    ],
)
def test_detail_through_the_catalog(command: str, name: str) -> None:
    assert parse_output(command, fixture_text(name)) == parse_access_user_detail(fixture_text(name))


DETAIL_BLOCK = fixture_text("display-access-user-domain__huawei-doc-ne40e-v800r012c10__1.txt")


def test_two_users_each_keep_their_own_values() -> None:
    # Without the provenance and echo lines, and the pager question at the end.
    lines = [line for line in DETAIL_BLOCK.split("\n")[2:] if "Are you sure" not in line]
    second = (
        "\n".join(lines).replace(": 0   ", ": 7   ", 1).replace("00e0-fc12-3452", "00e0-fc12-9999")
    )
    result = parse_access_user_detail("\n".join(lines) + "\n" + second)
    assert [(user.user_id, user.mac) for user in result.users] == [
        (0, "00e0-fc12-3452"),
        (7, "00e0-fc12-9999"),
    ]


def test_damaged_user_is_left_out_with_a_warning() -> None:
    damaged = DETAIL_BLOCK.replace("192.168.1.100", "192.168.1.1\u00a700")
    with pytest.raises(ParseError, match="no user could be read"):
        parse_access_user_detail(damaged)


def test_no_such_user_is_an_empty_result() -> None:
    assert parse_access_user_detail("Info: No online user!").users == ()
