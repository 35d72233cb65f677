"""`display version`: model, VRP and product version, uptime."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.system import Version
from app.vrp.catalog import parse_output
from app.vrp.version import parse_version, parse_version_slot, uptime_seconds
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 604800

EXPECTED = {
    # A CX600 BRAS on VRP5 (V600R009), captured live: patch line, `HUAWEI` brand word.
    "display-version__net-operations-cx600__1.txt": Version(
        model="CX600-X3",
        vrp_version="5.170",
        product_version="V600R009C20",
        uptime_seconds=2033 * DAY + 2 * HOUR + 9 * MINUTE,
        software_version="CX600 V600R009C20SPC600",
        product_name="CX600",
        service_pack="SPC600",
        patch_version="V600R009SPH033",
    ),
    "display-version__huawei-doc-ne40e-v800r012c10__2.txt": Version(
        model="NE40E-X16",
        vrp_version="8.200",
        product_version="V800R012C10",
        uptime_seconds=7 * DAY + 1 * HOUR + 18 * MINUTE,
        software_version="NE40E V800R012C10",
        product_name="NE40E",
    ),
    # A Quidway S7706 (VRP5 switch): the brand word and a description around the model,
    # weeks in the uptime and `0 hour`.
    "display-version__ntc-templates__6.txt": Version(
        model="S7706",
        vrp_version="5.170",
        product_version="V200R010C00",
        uptime_seconds=85 * WEEK + 4 * DAY + 10 * MINUTE,
        software_version="S7700 V200R010C00SPC600",
        product_name="S7700",
        service_pack="SPC600",
    ),
    "display-version__huawei-doc-ne40e-v800r012c10-cfg__1.txt": Version(
        model="NE40E",
        vrp_version="8.230",
        product_version="V800R023C00",
        uptime_seconds=3 * HOUR + 37 * MINUTE,
        software_version="NE40EV800R023C00SPC500",
        product_name="NE40E",
        service_pack="SPC500",
    ),
    "display-version__napalm-huawei-vrp__1.txt": Version(
        model="NE40E-X8A",
        vrp_version="8.211",
        product_version="V800R021C10",
        uptime_seconds=405 * DAY + 12 * HOUR + 9 * MINUTE,
        software_version="NE40E V800R021C10SPC600",
        product_name="NE40E",
        service_pack="SPC600",
        patch_version="V800R021SPH016",
    ),
    "display-version__ntc-templates__1.txt": Version(
        model="NE40E-X2-M8A",
        vrp_version="8.180",
        product_version="V800R011C00",
        uptime_seconds=161 * DAY + 20 * MINUTE,
        software_version="NE40E V800R011C00SPC200",
        product_name="NE40E",
        service_pack="SPC200",
    ),
    "display-version__ntc-templates__2.txt": Version(
        model="CX600-M2E",
        vrp_version="8.100",
        product_version="V800R007C10",
        uptime_seconds=266 * DAY + 8 * HOUR + 59 * MINUTE,
        software_version="CX600 V800R007C10SPC100",
        product_name="CX600",
        service_pack="SPC100",
        patch_version="V800R007SPH019",
    ),
    "display-version__ntc-templates__3.txt": Version(
        model="ATN 910C-B",
        vrp_version="8.180",
        product_version="V300R003C10",
        uptime_seconds=358 * DAY + 16 * HOUR + 59 * MINUTE,
        software_version="ATN 910C-B V300R003C10SPC500",
        product_name="ATN 910C-B",
        service_pack="SPC500",
    ),
    "display-version__ntc-templates__4.txt": Version(
        model="AR6280",
        vrp_version="5.170",
        product_version="V300R019C10",
        uptime_seconds=60 * WEEK + 4 * DAY + 11 * HOUR + 20 * MINUTE,
        software_version="AR6280 V300R019C10SPC300",
        product_name="AR6280",
        service_pack="SPC300",
    ),
    "display-version__ntc-templates__5.txt": Version(
        model="AR617VW-LTE4EA",
        vrp_version="5.170",
        product_version="V300R019C13",
        uptime_seconds=15 * HOUR + 16 * MINUTE,
        software_version="AR610 V300R019C13SPC200",
        product_name="AR610",
        service_pack="SPC200",
    ),
    "display-version__ntc-templates__7.txt": Version(
        model="AR617VW-LTE4EA",
        vrp_version="5.170",
        product_version="V300R022C00",
        uptime_seconds=3 * MINUTE,
        software_version="AR610 V300R022C00SPC100",
        product_name="AR610",
        service_pack="SPC100",
    ),
}
# `display version slot 1` prints one board's hardware versions: no software line, no
# chassis uptime. Another command (not in the catalog), so a ParseError by design.
SLOT_VARIANT = "display-version__huawei-doc-ne40e-v800r012c10__1.txt"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    assert parse_version(fixture_text(name)) == EXPECTED[name]


def test_slot_variant_is_another_command() -> None:
    with pytest.raises(ParseError, match="VRP \\(R\\) software") as caught:
        parse_version(fixture_text(SLOT_VARIANT))
    # The `- - -` rule before it is passed over: the error names the first real line.
    assert caught.value.line_number == 2
    assert caught.value.line == "LPU version information:"


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-version")) == {*EXPECTED, SLOT_VARIANT}
    assert fixtures_for("display-version-slot") == [CX600_SLOT]


CX600_SLOT = "display-version-slot__net-operations-cx600__1.txt"


def test_board_of_a_live_cx600() -> None:
    board = parse_version_slot(fixture_text(CX600_SLOT))
    assert (board.slot, board.board, board.role) == ("3", "VSU", None)
    assert board.uptime_seconds == 2009 * DAY + 20 * HOUR + 56 * MINUTE
    assert board.startup_time == "2017/12/12 15:20:51"
    assert (board.memory_bytes, board.flash_bytes) == (4096 * 2**20, 128 * 2**20)
    assert (board.board_type, board.pcb_version) == ("CR5DVSUF8010", "CR57VSUF80 REV B")
    assert board.versions["FSURTP Version"] == "Version 2.1 RELEASE 0372"
    # The monitor bus and the licence list after the board are not the board's.
    assert "Software Version" not in board.versions
    assert board.warnings == ()


def test_board_of_the_documentation_example() -> None:
    board = parse_output("display version slot 1", fixture_text(SLOT_VARIANT))
    assert (board.slot, board.board, board.uptime_seconds) == ("1", "LPU", 5 * HOUR + 9 * MINUTE)
    assert board.memory_bytes == 16384 * 2**20
    assert board.pcb_version == "xxxx REV A"
    # The NSE and PIC sub-cards that follow print their own PCB and FPGA versions.
    assert board.versions == {
        "PCB Version": "xxxx REV A",
        "EPLD Version": "101",
        "FPGA Version": "100",
        "NP Version": "100",
        "TM Version": "TM400 REV A",
        "BootROM Version": "03.42",
        "BootLoad Version": "03.42",
    }


def test_board_line_missing_is_an_error() -> None:
    with pytest.raises(ParseError, match="uptime"):
        parse_version_slot("  PCB Version : xxxx REV A\n  EPLD Version : 101\n")


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("display version", "display-version__huawei-doc-ne40e-v800r012c10-cfg__1.txt"),
        ("dis ver", "display-version__napalm-huawei-vrp__1.txt"),
    ],
)
def test_through_the_catalog(command: str, name: str) -> None:
    assert parse_output(command, fixture_text(name)) == EXPECTED[name]


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("0 day, 0 hour, 0 minute", 0),
        ("1 week, 1 day, 1 hour, 1 minute", WEEK + DAY + HOUR + MINUTE),
        ("2 weeks, 3 days, 4 hours, 5 minutes", 2 * WEEK + 3 * DAY + 4 * HOUR + 5 * MINUTE),
        ("10 minutes, 7 seconds", 607),
        ("3 fortnights", None),
        ("", None),
    ],
)
def test_uptime_units(duration: str, seconds: int | None) -> None:
    assert uptime_seconds(duration) == seconds


NE8000 = """\
<NE8000>display version
Huawei Versatile Routing Platform Software
VRP (R) software, Version 8.211 (NE8000 V800R021C10SPC600)
Copyright (C) 2012-2022 Huawei Technologies Co., Ltd.
HUAWEI NE8000 M14 uptime is 12 days, 1 hour, 0 minute
Patch Version: V800R021SPH017
<NE8000>"""


def test_ne8000_with_space_in_model() -> None:
    version = parse_version(NE8000)
    assert version.model == "NE8000 M14"
    assert version.product_name == "NE8000"
    assert version.uptime_seconds == 12 * DAY + HOUR
    assert version.patch_version == "V800R021SPH017"


def test_missing_uptime_is_an_error() -> None:
    text = NE8000.replace("HUAWEI NE8000 M14 uptime is 12 days, 1 hour, 0 minute\n", "")
    with pytest.raises(ParseError, match="uptime is") as caught:
        parse_version(text)
    assert caught.value.line_number == 2


def test_unreadable_uptime_is_an_error() -> None:
    text = NE8000.replace("12 days, 1 hour, 0 minute", "a long time")
    with pytest.raises(ParseError, match="uptime like") as caught:
        parse_version(text)
    assert caught.value.line == "HUAWEI NE8000 M14 uptime is a long time"


def test_software_line_without_product_string() -> None:
    text = "VRP (R) software, Version 8.180\nHUAWEI NE40E uptime is 1 day, 0 hour, 0 minute\n"
    version = parse_version(text)
    assert (version.vrp_version, version.software_version, version.product_version) == (
        "8.180",
        None,
        None,
    )


def _echoed_command(name: str) -> str | None:
    """The command as typed in the fixture's echo line (`<HUAWEI> display ...`), if any."""
    match = re.match(
        r"^(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


PARSED = sorted(EXPECTED)


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_version(text)


_SAMPLES = [fixture_text(name) for name in sorted(EXPECTED)[:4]] + [NE8000]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_text_gives_a_model_or_parse_error(text: str) -> None:
    try:
        version = parse_version(text)
    except ParseError:
        return
    assert version.uptime_seconds >= 0


YUNSHAN = """<HUAWEI>display version
Huawei YunShan OS
Version 1.22.0.1 (S5735 V600R022C00SPC500)
Copyright (C) 2021-2022 Huawei Technologies Co., Ltd.
HUAWEI S5735-S48T4X uptime is 0 day, 2 hours, 10 minutes
<HUAWEI>"""


def test_yunshan_os_release_header() -> None:  # issue 10 item 6: another release header
    version = parse_version(YUNSHAN)
    assert version.os_name == "YunShan OS"
    assert (version.vrp_version, version.product_name, version.product_version) == (
        "1.22.0.1",
        "S5735",
        "V600R022C00",
    )
    assert version.service_pack == "SPC500"
    assert (version.model, version.uptime_seconds) == ("S5735-S48T4X", 2 * HOUR + 10 * 60)


def test_a_bare_version_line_without_the_os_header_is_no_release() -> None:
    with pytest.raises(ParseError, match="VRP"):
        parse_version(YUNSHAN.replace("Huawei YunShan OS\n", ""))
