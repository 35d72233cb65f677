"""`display cpu-usage`: every published shape, the variants that are not it, and fuzzing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError, RouterCommandError, UnknownCommandError
from app.domain.system import CpuCore, CpuService
from app.vrp.catalog import parse_output, resolve
from app.vrp.cpu import parse_cpu_usage
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

VRP8_BRAS = "display-cpu-usage__it-isp-vrp8-bras-script__1.txt"
CE = "display-cpu-usage__ce-vrp8-lab-notes__1.txt"
VRP5_SORTED = "display-cpu-usage__me60-x8-ru-notes__1.txt"
VRP5_DOCSTRING = "display-cpu-usage__napalm-style-vrp5-driver-docstring__1.txt"
SERVICE = "display-cpu-usage-service__huawei-doc-ne40e-v800r012c10__1.txt"
# The NE40E command-reference page for cpu-usage shows two *interactive* `monitor ...`
# commands (process table, `Freeze=f, Thaw=t, Quit=q`), not `display cpu-usage`: they lack
# the overall usage line that every display shape prints.
MONITOR_PROCESS = "display-cpu-usage__huawei-doc-ne40e-v800r012c10__1.txt"
MONITOR_CPU = "display-cpu-usage__huawei-doc-ne40e-v800r012c10__2.txt"


def test_vrp8_bras_capture_reads_every_section() -> None:
    usage = parse_cpu_usage(fixture_text(VRP8_BRAS))
    assert usage.cpu_percent == 54
    assert (usage.five_seconds, usage.one_minute, usage.five_minutes) == (54, 53, 29)
    assert usage.max_percent == 99
    assert usage.measured_at == "2021-02-25 10:46:53 787 ms"
    assert usage.max_at == "2021-02-04 16:01:03 536 ms"
    assert len(usage.services) == 39
    assert usage.services[0] == CpuService("SVRO", 23)
    assert usage.services[3] == CpuService("IP STACK", 1)
    assert usage.services[-1] == CpuService("VLAN", 0)
    assert [core.name for core in usage.cores] == ["cpu0", "cpu1", "cpu2", "cpu3"]
    assert usage.cores[0] == CpuCore("cpu0", 40, 38, 40, 29, 99, "2021-02-04 16:02:20")
    assert usage.cores[3] == CpuCore("cpu3", 97, 99, 95, 35, 99, "2021-02-02 09:20:43")


def test_cloudengine_layout() -> None:
    usage = parse_cpu_usage(fixture_text(CE))
    assert usage.cpu_percent == 17
    assert (usage.five_seconds, usage.one_minute, usage.five_minutes) == (0, 0, 0)
    assert usage.max_percent == 86
    assert usage.max_at == "2019-04-12 16:12:36 637 ms"
    assert usage.services == (CpuService("SYSTEM", 17),)
    assert usage.cores == (
        CpuCore("cpu0", 28, 0, 0, 0, 0, "2019-04-12 16:11:32"),
        CpuCore("cpu1", 6, 0, 0, 0, 0, "2019-04-12 16:11:32"),
    )


def test_vrp5_sorted_variant_collapsed_whitespace() -> None:
    usage = parse_cpu_usage(fixture_text(VRP5_SORTED))
    assert usage.cpu_percent == 15
    assert usage.max_percent == 81
    assert (usage.five_seconds, usage.one_minute, usage.five_minutes) == (14, 14, 15)
    assert usage.measured_at == "2017-11-29 14:54:49"
    assert usage.max_at == "2017-11-14 15:32:26"
    assert usage.cores == ()
    assert usage.services == ()


def test_vrp5_indented_docstring_capture() -> None:
    usage = parse_cpu_usage(fixture_text(VRP5_DOCSTRING))
    assert usage.cpu_percent == 28
    assert usage.max_percent == 87
    assert (usage.five_seconds, usage.one_minute, usage.five_minutes) == (28, 28, 20)
    assert usage.max_at == "2021-10-05 17:50:44"


def test_service_variant_has_no_averages() -> None:
    usage = parse_cpu_usage(fixture_text(SERVICE))
    assert usage.cpu_percent == 2
    assert usage.five_seconds is None
    assert usage.one_minute is None
    assert usage.five_minutes is None
    assert usage.max_percent is None
    assert len(usage.services) == 16
    assert usage.services[1] == CpuService("LOCAL PKT", 0)
    assert usage.services[-1] == CpuService("TUNNEL", 0)
    assert usage.measured_at == "2020-02-19 08:21:54 742 ms"


@pytest.mark.parametrize("name", [MONITOR_PROCESS, MONITOR_CPU])
def test_monitor_commands_are_not_display_output(name: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_cpu_usage(fixture_text(name))
    assert caught.value.line_number == 1
    assert caught.value.line is not None
    assert caught.value.line.startswith("Last time(seconds)")


@pytest.mark.parametrize("name", fixtures_for("display-cpu-usage-history"))
def test_history_graph_is_another_command(name: str) -> None:
    # `display cpu-usage history` draws an ASCII chart: not in the catalog, not parseable.
    with pytest.raises(ParseError, match="overall CPU usage"):
        parse_cpu_usage(fixture_text(name))
    echo = fixture_text(name).splitlines()[1]
    with pytest.raises(UnknownCommandError, match="unknown or unsupported"):
        resolve(echo.split(">", 1)[1])


CX600_SORTED = "display-cpu-usage__net-operations-cx600__1.txt"
CX600_SLOT = "display-cpu-usage__net-operations-cx600__2.txt"


@pytest.mark.parametrize(
    ("command", "name", "expected"),
    [
        (
            "display cpu-usage sorted",
            CX600_SORTED,
            (15, 15, 15, 14, 81, "2023-07-07  17:36:13", "2020-04-09 01:33:49"),
        ),
        (
            "display cpu-usage slot 1",
            CX600_SLOT,
            (25, 26, 25, 25, 78, "2023-07-07  17:55:42", "2020-05-21 01:47:02"),
        ),
    ],
)
def test_live_cx600_vrp5_shapes(command: str, name: str, expected: tuple[object, ...]) -> None:
    # VRP5: `CPU Usage : 15% Max: 81%`, colons between the averages, a task table after.
    usage = parse_output(command, fixture_text(name))
    assert (
        usage.cpu_percent,
        usage.five_seconds,
        usage.one_minute,
        usage.five_minutes,
        usage.max_percent,
        usage.measured_at,
        usage.max_at,
    ) == expected
    assert (usage.services, usage.cores, usage.warnings) == ((), (), ())


def test_every_fixture_is_covered() -> None:
    covered = {VRP8_BRAS, CE, VRP5_SORTED, VRP5_DOCSTRING, MONITOR_PROCESS, MONITOR_CPU}
    covered |= {CX600_SORTED, CX600_SLOT}
    assert set(fixtures_for("display-cpu-usage")) == covered
    assert fixtures_for("display-cpu-usage-service") == [SERVICE]


@pytest.mark.parametrize(
    ("command", "name", "expected"),
    [
        ("display cpu-usage sorted", VRP5_SORTED, 15),
        ("dis cpu", CE, 17),
        ("d cpu-usage slot 17 cpu 0", VRP8_BRAS, 54),
        ("display cpu-usage service", SERVICE, 2),
    ],
)
def test_through_the_catalog(command: str, name: str, expected: int) -> None:
    assert parse_output(command, fixture_text(name)).cpu_percent == expected


def test_catalog_error_names_the_command() -> None:
    with pytest.raises(ParseError) as caught:
        parse_output("dis cpu", "Memory Using Percentage Is: 22%\n")
    assert caught.value.command == "display cpu-usage"


SIMULATED = """\
<NE8000>display cpu-usage
Cpu utilization statistics at 2026-11-28 00:10:00 120 ms
System cpu use rate is : 7%
Cpu utilization for five seconds: 7% ;  one minute: 6% ;  five minutes: 5%.
Max CPU Usage : 41%
Max CPU Usage Stat. Time : 2026-11-27 21:00:01 5 ms
---------------------------
ServiceName  UseRate
---------------------------
SYSTEM            5%
BRAS              2%
---------------------------
CPU Usage Details
----------------------------------------------------------------
CPU     Current  FiveSec   OneMin  FiveMin  Max MaxTime
----------------------------------------------------------------
cpu0         7%       7%       6%       5%  41% 2026-11-27 21:00:01
----------------------------------------------------------------
<NE8000>"""


def test_echo_and_prompt_around_vrp8_output() -> None:
    usage = parse_cpu_usage(SIMULATED)
    assert usage.cpu_percent == 7
    assert usage.five_minutes == 5
    assert usage.services == (CpuService("SYSTEM", 5), CpuService("BRAS", 2))
    assert usage.cores == (CpuCore("cpu0", 7, 7, 6, 5, 41, "2026-11-27 21:00:01"),)


def test_bad_service_row_is_a_warning_with_its_line() -> None:
    text = SIMULATED.replace("BRAS              2%", "BRAS    two percent")
    usage = parse_cpu_usage(text)
    assert usage.services == (CpuService("SYSTEM", 5),)
    (warning,) = usage.warnings
    assert warning.line == "BRAS    two percent"
    assert warning.line_number == 10


def test_bad_core_row_is_a_warning() -> None:
    text = SIMULATED.replace("cpu0         7%       7%", "cpu0         7%       x%")
    usage = parse_cpu_usage(text)
    assert usage.cores == ()
    assert usage.cpu_percent == 7
    (warning,) = usage.warnings
    assert "x%" in warning.line


def test_core_table_with_fewer_columns_follows_the_header() -> None:
    text = (
        "System cpu use rate is : 9%\n"
        "CPU     Current  FiveSec\n"
        "-----------------------\n"
        "cpu0         9%      8%\n"
        "-----------------------\n"
    )
    assert parse_cpu_usage(text).cores == (CpuCore("cpu0", 9, 8),)


@pytest.mark.parametrize("text", ["", "\n\n", "<NE8000>", "hello world\nfoo: 3%\n"])
def test_no_cpu_figure_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_cpu_usage(text)


def test_router_error_is_not_output() -> None:
    text = (
        "<NE8000>display cpu-usage slot 99\n"
        "                              ^\n"
        "Error: Wrong parameter found at '^' position.\n"
        "<NE8000>"
    )
    with pytest.raises(RouterCommandError):
        parse_cpu_usage(text)


def _echoed_command(name: str) -> str | None:
    """The command as typed in the fixture's echo line (`<HUAWEI> display ...`), if any."""
    match = re.match(
        r"^(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


PARSED = [VRP8_BRAS, CE, VRP5_SORTED, VRP5_DOCSTRING, SERVICE]


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_cpu_usage(text)


_SAMPLES = [fixture_text(name) for name in (VRP8_BRAS, CE, VRP5_SORTED, SERVICE)] + [SIMULATED]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_text_gives_a_model_or_parse_error(text: str) -> None:
    try:
        usage = parse_cpu_usage(text)
    except ParseError:
        return
    assert 0 <= usage.cpu_percent <= 999
