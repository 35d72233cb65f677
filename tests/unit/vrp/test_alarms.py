"""`display alarm active [verbose]` and `display alarm all` in every published layout."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.alarms import Alarm
from app.domain.errors import ParseError
from app.vrp.alarms import parse_alarm_active
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

ISP_NE9K = "display-alarm-active__ne40e-isp-check-scripts__1.txt"
ISP_VRP5 = "display-alarm-active__ne40e-isp-check-scripts__2.txt"
DOC_TABLE = "display-alarm-active__huawei-doc-ne40e-v800r012c10__1.txt"
DOC_CERT = "display-alarm-active__huawei-doc-ne40e-v800r012c10-cfg__1.txt"
DOC_VERBOSE_1 = "display-alarm-active__huawei-doc-ne40e-v800r012c10-cfg__2.txt"
DOC_VERBOSE_2 = "display-alarm-active__huawei-doc-ne40e-v800r012c10-cfg__3.txt"
ALL_ISP = "display-alarm-all__ne40e-isp-check-scripts__1.txt"
ALL_NONE = "display-alarm-all__ne40e-isp-check-scripts__2.txt"
HARDWARE_DOCS = [
    "display-alarm__huawei-doc-ne40e-v800r012c10__1.txt",  # display alarm hardware history all
    "display-alarm__huawei-doc-ne40e-v800r012c10__2.txt",  # display alarm hardware
    "display-alarm__huawei-doc-ne40e-v800r012c10__3.txt",  # display alarm all
]


def test_ne9000_capture_rejoins_wrapped_time_offset_and_text() -> None:
    alarms = parse_alarm_active(fixture_text(ISP_NE9K)).alarms
    assert [alarm.sequence for alarm in alarms] == [
        965368,
        965367,
        965366,
        965365,
        965360,
        965358,
        965356,
    ]
    assert alarms[0] == Alarm(
        sequence=965368,
        alarm_id="0xF101BB",
        severity="Major",
        raised_at="2023-12-03 12:25:17+05:30",
        description=(
            "Traffic switched from the primary LSP to the hot-standby LSP."
            "(SessionTunnelId=1055, LocalLspId=0, IngressLsrId=182.19.99.98, "
            "EgressLsrId=182.19.96.227, TunnelName=Tunnel1055, "
            "SignalledTunnelName=HYDUPLIAG03_VRNCNTIAG02)"
        ),
        level=2,
    )
    assert alarms[-1].description.endswith(
        "TunnelName=Tunnel1037, SignalledTunnelName=HYDUPLIAG03_AGRFRDIAG02)"
    )


def test_doc_certificate_alarm_with_time_on_the_second_line() -> None:
    (alarm,) = parse_alarm_active(fixture_text(DOC_CERT)).alarms
    assert (alarm.sequence, alarm.alarm_id, alarm.severity, alarm.level) == (
        1393,
        "0xF10091",
        "Critical",
        1,
    )
    assert alarm.raised_at == "2024-01-02 20:53:26"
    assert alarm.description == (
        "The CA certificate is invalid. (CACertStartTime=2022-02-14 06:48:00, "
        "CACertFinishTime=2023-02-14 06:48:00, CACertIssuer=CN=11,OU=11,O=11,C=11,E=11, "
        "CACertSubject=CN=11,O=11,C=11, FileName=huawei1.cer, InvalidReason=The current "
        "time is not within the validity period of the certificate)"
    )


def test_doc_table_without_times() -> None:
    # The reference page replaced the time and interface name (`xxxx`): the date is all
    # there is, and the redacted name breaks the fixed-width wrap, hence `ifName= xxxx`.
    alarms = parse_alarm_active(fixture_text(DOC_TABLE)).alarms
    assert [(alarm.sequence, alarm.raised_at) for alarm in alarms] == [
        (24, "2020-01-18"),
        (23, "2020-01-18"),
    ]
    assert alarms[0].alarm_id == "0x8520003"
    assert alarms[0].severity == "Major"
    assert alarms[1].description == (
        "The interface status changes. (ifName= xxxx, AdminStatus=DOWN, OperStatus= DOWN, "
        "Reason=The interface is shut down.)"
    )


@pytest.mark.parametrize(
    ("name", "raised_at"),
    [(DOC_VERBOSE_1, "2018-03-26 02:42:23"), (DOC_VERBOSE_2, "2020-11-26 02:42:23")],
)
def test_verbose_blocks(name: str, raised_at: str) -> None:
    (alarm,) = parse_alarm_active(fixture_text(name)).alarms
    assert alarm == Alarm(
        sequence=46,
        alarm_id="0xD4D0001",
        severity="Major",
        raised_at=raised_at,
        description=(
            "The status of the VPLS VC turned DOWN. (VsiName=e1, PwId=3, RemoteIp=3.3.3.3, "
            "PwType=1, HWL2VpnStateChangeReason=98, SysUpTime=23691243, TunnelPolicyName=-)"
        ),
        level=2,
        name="hwVplsVcDown",
        state="active",
        root_kind="Independent",
    )


def test_vrp5_slash_layout() -> None:
    alarms = parse_alarm_active(fixture_text(ISP_VRP5)).alarms
    assert len(alarms) == 12
    assert alarms[0] == Alarm(
        sequence=1,
        alarm_id="0x418c2002",
        severity="Major",
        raised_at="2018-10-11 00:39:21+05:30",
        description=(
            "OID 1.3.6.1.4.1.2011.5.25.142.2.1 Current license value is default, "
            "the reason is No license available."
        ),
        level=2,
        name="hwGtlDefaultValue",
        state="Start",
        root_kind="Independent",
    )
    last = alarms[-1]
    assert (last.sequence, last.alarm_id, last.severity, last.name) == (
        4631,
        "0x502001",
        "Critical",
        "linkDown",
    )
    assert last.description.endswith("InterfaceName=Vlanif645)")


def test_alarm_all_with_two_sections() -> None:
    alarms = parse_alarm_active(fixture_text(ALL_ISP)).alarms
    assert [(alarm.sequence, alarm.raised_at) for alarm in alarms] == [
        (1, "2023-06-29 13:33:42+05:30"),
        (2, "2021-04-06 15:28:45+05:30"),
        (1, "2023-08-31 12:09:06+05:30"),
        (2, "2018-05-04 17:01:39+05:30"),
        (3, "2018-01-25 17:29:25+05:30"),
    ]
    assert {alarm.alarm_id for alarm in alarms} == {None}
    assert {(alarm.severity, alarm.level) for alarm in alarms} == {("Critical", 1)}
    assert alarms[0].description == (
        "GigabitEthernet3/0/23 is failed, the optical module's state on card is "
        "changed[OID:1.3.6.1.4.1.2011.5.25.129.2.1.1,BasCode:65541]"
    )
    assert alarms[-1].description == (
        "The air filter inside the chassis was not cleaned."
        "[OID:1.3.6.1.4.1.2011.5.25.219.2.1.3,EntCode:131328]"
    )


def test_no_alarm_is_an_empty_list() -> None:
    assert parse_alarm_active(fixture_text(ALL_NONE)).alarms == ()


@pytest.mark.parametrize("name", HARDWARE_DOCS)
def test_hardware_alarm_doc_pages(name: str) -> None:
    (alarm,) = parse_alarm_active(fixture_text(name)).alarms
    assert alarm == Alarm(
        sequence=1,
        alarm_id=None,
        severity="Critical",
        raised_at="2020-03-23 20:56:54",
        description=(
            "Current license value is default, the reason is License is expired.(ChassisID=1)"
        ),
        level=1,
    )


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-alarm-active")) == {
        ISP_NE9K,
        ISP_VRP5,
        DOC_TABLE,
        DOC_CERT,
        DOC_VERBOSE_1,
        DOC_VERBOSE_2,
    }
    assert set(fixtures_for("display-alarm-all")) == {ALL_ISP, ALL_NONE}
    assert fixtures_for("display-alarm") == HARDWARE_DOCS


@pytest.mark.parametrize(
    ("command", "name", "count"),
    [
        ("dis alarm act", ISP_NE9K, 7),
        ("display alarm active root verbose", DOC_VERBOSE_1, 1),
        ("display alarm all", ALL_NONE, 0),
        ("display alarm hardware history all", HARDWARE_DOCS[0], 1),
        ("d alarm hardware", HARDWARE_DOCS[1], 1),
    ],
)
def test_through_the_catalog(command: str, name: str, count: int) -> None:
    assert len(parse_output(command, fixture_text(name)).alarms) == count


LEGEND = "1:Critical  2:Major  3:Minor  4:Warning\n"
RULE = "-" * 80 + "\n"
HEADER = (
    LEGEND
    + RULE
    + "Sequence   AlarmId    Level Date Time  Description                              \n"
    + RULE
)


def test_closed_empty_table_is_an_empty_list() -> None:
    assert parse_alarm_active(HEADER + RULE).alarms == ()


def test_header_cut_before_any_row_is_an_error() -> None:
    with pytest.raises(ParseError, match="alarm rows"):
        parse_alarm_active(HEADER)


def test_word_wrapped_text_and_leading_blank_keep_their_spaces() -> None:
    # A renderer that wraps at word boundaries (lines shorter than the column) and one
    # whose cut fell just before a blank (next piece starts right of the column).
    text = (
        HEADER
        + "7          0x8520003  3     2026-11-28 The interface status changes. (ifName=\n"
        + "                             00:01:02  GigabitEthernet0/3/0, AdminStatus=DOWN,\n"
        + "                                       OperStatus=DOWN)\n"
        + "8          0x8520003  4     2026-11-28 1234567890123456789012345678901234567890A\n"
        + "                             00:01:03   next word\n"
        + RULE
    )
    first, second = parse_alarm_active(text).alarms
    assert first.raised_at == "2026-11-28 00:01:02"
    assert first.severity == "Minor"
    assert first.description == (
        "The interface status changes. (ifName= GigabitEthernet0/3/0, AdminStatus=DOWN, "
        "OperStatus=DOWN)"
    )
    assert second.severity == "Warning"
    assert second.description == "1234567890123456789012345678901234567890A next word"


def test_level_printed_as_a_name_with_time_on_the_first_line() -> None:
    text = (
        RULE
        + "Sequence   AlarmId    Severity Date Time  Description\n"
        + RULE
        + "12         0x8520003  Minor 2026-11-28 10:00:00+08:00 Link down.\n"
        + RULE
    )
    (alarm,) = parse_alarm_active(text).alarms
    assert (alarm.severity, alarm.level, alarm.raised_at, alarm.description) == (
        "Minor",
        3,
        "2026-11-28 10:00:00+08:00",
        "Link down.",
    )


def test_continuation_before_any_row_is_an_error() -> None:
    with pytest.raises(ParseError, match="continuation") as caught:
        parse_alarm_active(HEADER + "                  stray text\n")
    assert caught.value.line == "                  stray text"
    assert caught.value.line_number == 5


def test_unknown_row_inside_table_is_an_error() -> None:
    with pytest.raises(ParseError, match="alarm row"):
        parse_alarm_active(HEADER + "Total 3\n")


def test_verbose_block_without_description_is_an_error() -> None:
    text = "Sequence    : 46\nAlarmId     : 0xD4D0001\nSeverity  : Major\n"
    with pytest.raises(ParseError, match="Description"):
        parse_alarm_active(text)


def test_verbose_multi_line_description_and_two_blocks() -> None:
    text = (
        "Sequence    : 1\n"
        "AlarmId     : 0x1             AlarmName : a\n"
        "Severity  : Minor            State : active\n"
        "StartTime   : 2026-11-28 00:00:01+00:00\n"
        "Description : first part\n"
        "              second part\n"
        "-----------------------------\n"
        "Sequence    : 2\n"
        "AlarmId     : 0x2             AlarmName : b\n"
        "Severity  : Warning            State : active\n"
        "Description : only\n"
    )
    first, second = parse_alarm_active(text).alarms
    assert first.description == "first part second part"
    assert (first.severity, first.level, first.raised_at) == (
        "Minor",
        3,
        "2026-11-28 00:00:01+00:00",
    )
    assert (second.sequence, second.name, second.level, second.raised_at) == (2, "b", 4, None)


@pytest.mark.parametrize(
    "text",
    ["", LEGEND, fixture_text("display-device__me60-x8-ru-notes__1.txt"), "Sequence : x\n"],
)
def test_other_text_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_alarm_active(text)


def _echoed_command(name: str) -> str | None:
    """The command as typed in the fixture's echo line (`<HUAWEI> display ...`), if any."""
    match = re.match(
        r"^(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


PARSED = [
    ISP_NE9K,
    ISP_VRP5,
    DOC_TABLE,
    DOC_CERT,
    DOC_VERBOSE_1,
    DOC_VERBOSE_2,
    ALL_ISP,
    ALL_NONE,
    *HARDWARE_DOCS,
]


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_alarm_active(text)


_SAMPLES = [fixture_text(name) for name in (ISP_NE9K, ISP_VRP5, DOC_CERT, DOC_VERBOSE_1, ALL_ISP)]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_text_gives_a_model_or_parse_error(text: str) -> None:
    try:
        result = parse_alarm_active(text)
    except ParseError:
        return
    assert all(alarm.sequence >= 0 for alarm in result.alarms)
