"""`display device`: board inventory in every published column layout."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.system import Board
from app.vrp.catalog import parse_output
from app.vrp.device import parse_device
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

DOC_X16 = "display-device__huawei-doc-ne40e-v800r012c10__1.txt"
DOC_CGN_1 = "display-device__huawei-doc-ne40e-v800r012c10-cfg__1.txt"
DOC_CGN_2 = "display-device__huawei-doc-ne40e-v800r012c10-cfg__2.txt"
ME60 = "display-device__me60-x8-ru-notes__1.txt"
CE12808 = "display-device__ntc-templates__1.txt"
CE_STACK = "display-device__ntc-templates__2.txt"
CE_CARDS = "display-device__ntc-templates__3.txt"
# `display device pic-status` lists sub-cards (`Pic#  Status  Type  Port_count ...`):
# another command, not in the catalog; a ParseError by design.
PIC_STATUS = "display-device__huawei-doc-ne40e-v800r012c10__2.txt"


def test_ne40e_x16_layout_with_role_column() -> None:
    device = parse_device(fixture_text(DOC_X16))
    assert device.chassis == "NE40E-X16"
    assert len(device.boards) == 17
    assert device.boards[0] == Board(
        slot="1",
        type="LPU",
        online="Present",
        status="Normal",
        role="LC",
        primary="NA",
        register="Registered",
    )
    mpu = device.boards[3]
    assert (mpu.slot, mpu.type, mpu.register, mpu.status, mpu.role, mpu.primary) == (
        "18",
        "MPU",
        "Unregistered",
        "Abnormal",
        "MMB",
        "Slave",
    )
    assert device.boards[-1] == Board(
        "34", "PMU", "Present", "Normal", "OTHER", "Master", "Registered"
    )


@pytest.mark.parametrize("name", [DOC_CGN_1, DOC_CGN_2])
def test_ne40e_layout_without_role_column(name: str) -> None:
    device = parse_device(fixture_text(name))
    assert device.chassis == "NE40E"
    assert len(device.boards) == 14
    assert device.boards[2] == Board("17", "MPU", "Present", "Normal", None, "Master", "NA")
    assert device.boards[-1] == Board("30", "FAN", "Present", "Normal", None, "NA", "Registered")
    assert {board.role for board in device.boards} == {None}


def test_me60_collapsed_whitespace() -> None:
    device = parse_device(fixture_text(ME60))
    assert device.chassis == "MultiserviceEngine 60-X8"
    assert [board.slot for board in device.boards] == [str(n) for n in (1, 2, 3, 4, *range(9, 20))]
    assert device.boards[4] == Board("9", "MPU", "Present", "Normal", None, "Master", "NA")
    assert device.boards[-1].type == "FAN"


def test_cloudengine_chassis_with_spaced_card_type() -> None:
    device = parse_device(fixture_text(CE12808))
    assert device.chassis == "CE12808S"
    assert len(device.boards) == 23
    assert device.boards[11] == Board(
        slot="15",
        type="CMU(MPU 9)",
        online="Present",
        status="Normal",
        role=None,
        primary="Master",
        register="Registered",
        power="On",
    )
    assert (device.boards[-1].slot, device.boards[-1].type) == ("FAN6", "FAN-600A-B")


def test_cloudengine_stack_sub_rows_and_unactivated_member() -> None:
    device = parse_device(fixture_text(CE_STACK))
    assert device.chassis is None
    assert [(board.slot, board.card) for board in device.boards] == [
        ("1", None),
        ("1", "FAN1"),
        ("1", "FAN2"),
        ("1", "PWR2"),
        ("2", None),
    ]
    assert device.boards[1].type == "FAN-40SA-B"
    offline = device.boards[-1]
    assert (offline.type, offline.configured_only, offline.online) == (
        "CE6850-48S4Q-EI",
        True,
        "Offline",
    )
    assert (offline.power, offline.status, offline.register) == (None, None, "Unregistered")


def test_cloudengine_card_listing() -> None:
    device = parse_device(fixture_text(CE_CARDS))
    assert device.boards == (
        Board("1/3", "CE88-D16Q", "Present", "Normal", None, None, "Registered", power="On"),
        Board("1/4", "CE88-D24S2CQ", "Present", "Normal", None, None, "Registered", power="On"),
    )


def test_pic_status_is_another_command() -> None:
    with pytest.raises(ParseError, match="Slot #") as caught:
        parse_device(fixture_text(PIC_STATUS))
    assert caught.value.line == "Pic-status information :"


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-device")) == {
        DOC_X16,
        DOC_CGN_1,
        DOC_CGN_2,
        ME60,
        CE12808,
        CE_STACK,
        CE_CARDS,
        PIC_STATUS,
    }


@pytest.mark.parametrize(
    ("command", "name", "count"), [("dis dev", DOC_X16, 17), ("display device", ME60, 15)]
)
def test_through_the_catalog(command: str, name: str, count: int) -> None:
    assert len(parse_output(command, fixture_text(name)).boards) == count


HEADER = (
    "Slot #   Type Online     Register     Status     Role   LsId   Primary\n" + "-" * 60 + "\n"
)


def test_row_with_wrong_column_count_is_an_error() -> None:
    # The header names Primary: a row without it was cut, not a release without it.
    text = HEADER + "  1      LPU  Present    Registered   Normal     LC     0\n"
    with pytest.raises(ParseError, match="8 columns") as caught:
        parse_device(text)
    assert caught.value.line_number == 3


def test_row_that_does_not_read_is_a_warning() -> None:
    text = HEADER + "  1      LPU  Present    Registered   Normal     LC     0      NA\n"
    text += "  2      LPU  Pres#ent   Registered   Normal     LC     0      NA\n"
    device = parse_device(text)
    assert [board.slot for board in device.boards] == ["1"]
    (warning,) = device.warnings
    assert warning.line_number == 4


def test_indented_short_row_is_not_a_sub_row_without_a_card_column() -> None:
    # Only CloudEngine layouts (with a `Card` column) have slot-less sub-rows; elsewhere a
    # missing cell must not shift the row into the slot above: the row is left out.
    text = HEADER + "  1      LPU  Present    Registered   Normal     LC     0      NA\n"
    text += "  2      LPU  Present    Registered   Normal     LC     0\n"
    device = parse_device(text)
    assert [(board.slot, board.primary) for board in device.boards] == [("1", "NA")]
    (warning,) = device.warnings
    assert warning.line_number == 4
    assert "8 columns" in warning.message


def test_header_without_rows_is_an_error() -> None:
    with pytest.raises(ParseError, match="at least one board"):
        parse_device(HEADER + "-" * 60 + "\n")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "NE40E's Device status:",
        "\n".join(fixture_text(DOC_X16).splitlines()[:5]),  # cut right after the header
        fixture_text("display-health__me60-x8-ru-notes__1.txt"),
    ],
)
def test_truncated_or_foreign_text_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_device(text)


def _echoed_command(name: str) -> str | None:
    """The command as typed in the fixture's echo line (`<HUAWEI> display ...`), if any."""
    match = re.match(
        r"^(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


PARSED = [DOC_X16, DOC_CGN_1, DOC_CGN_2, ME60, CE12808, CE_STACK, CE_CARDS]


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_device(text)


_SAMPLES = [fixture_text(name) for name in (DOC_X16, DOC_CGN_1, ME60, CE_STACK, CE12808)]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_text_gives_a_model_or_parse_error(text: str) -> None:
    try:
        device = parse_device(text)
    except ParseError:
        return
    assert device.boards
