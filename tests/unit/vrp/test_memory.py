"""`display memory-usage` (VRP8 Kbytes, VRP5 bytes) and the CE-style `display memory`."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.system import ProcessMemory
from app.vrp.catalog import parse_output
from app.vrp.memory import parse_memory_usage
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

DOC_SLAVE = "display-memory-usage__huawei-doc-ne40e-v800r012c10__1.txt"
VRP8_BRAS = "display-memory-usage__it-isp-vrp8-bras-script__1.txt"
VRP5 = "display-memory-usage__napalm-style-vrp5-driver-docstring__1.txt"
# `display memory` (CloudEngine/NetEngine VRP8 command reference): the same three figures
# under other labels, plus `Slot: 1   CPU: 0`; parsed by the same function. It is not a
# catalog entry of its own: `display memory` as typed is a prefix of `display memory-usage`
# and resolves there, which reads it correctly.
CE_MEMORY = "display-memory__huawei-doc-vrp8-md__1.txt"


def test_vrp8_kbytes_are_normalised_to_bytes() -> None:
    usage = parse_memory_usage(fixture_text(VRP8_BRAS))
    assert usage.total_bytes == 15766020 * 1024
    assert usage.used_bytes == 3507512 * 1024
    assert usage.memory_percent == 22
    assert usage.measured_at == "2021-02-25 10:55:39 153 ms"
    assert len(usage.processes) == 29
    assert usage.processes[0] == ProcessMemory(4, "LM", 444005 * 1024)
    assert usage.processes[-1] == ProcessMemory(0, "system", 1555604 * 1024)


def test_doc_example_of_the_slave_board() -> None:
    usage = parse_memory_usage(fixture_text(DOC_SLAVE))
    assert usage.total_bytes == 7186840 * 1024
    assert usage.used_bytes == 1072884 * 1024
    assert usage.memory_percent == 14
    assert len(usage.processes) == 12
    assert usage.processes[4] == ProcessMemory(10003, "FES", 53717 * 1024)


def test_vrp5_plain_bytes() -> None:
    usage = parse_memory_usage(fixture_text(VRP5))
    assert usage.total_bytes == 1598029824
    assert usage.used_bytes == 188593436
    assert usage.memory_percent == 11
    assert usage.measured_at == "2022-01-13 18:57:37+08:00"
    assert usage.processes == ()


def test_cloudengine_display_memory() -> None:
    usage = parse_memory_usage(fixture_text(CE_MEMORY))
    assert usage.total_bytes == 3857648 * 1024
    assert usage.used_bytes == 2297184 * 1024
    assert usage.memory_percent == 59
    assert (usage.slot, usage.cpu) == ("1", "0")


CX600 = "display-memory-usage__net-operations-cx600__1.txt"
CX600_SLAVE = "display-memory-usage__net-operations-cx600__2.txt"
DOC_PROCESSES = "display-memory-usage__huawei-doc-ne40e-v800r012c10__2.txt"


def test_live_cx600_in_bytes() -> None:
    memory = parse_output("display memory-usage", fixture_text(CX600))
    assert (memory.total_bytes, memory.used_bytes, memory.memory_percent) == (
        1835072712,
        636266480,
        34,
    )
    assert memory.measured_at == "2023-07-07 17:37:40+08:00"
    assert (memory.slot, memory.processes, memory.warnings) == (None, (), ())


def test_live_cx600_slave_board_names_its_slot() -> None:
    memory = parse_output("display memory-usage slave", fixture_text(CX600_SLAVE))
    assert (memory.slot, memory.used_bytes, memory.memory_percent) == ("5", 613726340, 33)


def test_documented_process_table() -> None:
    memory = parse_memory_usage(fixture_text(DOC_PROCESSES))
    assert (memory.total_bytes, memory.used_bytes, memory.memory_percent) == (
        12183056 * 1024,
        2760260 * 1024,
        22,
    )
    assert memory.measured_at == "2018-05-24 18:44:03 673 ms"
    assert len(memory.processes) == 13
    assert memory.processes[0] == ProcessMemory(10001, "PROTO1", 11565 * 1024)
    assert memory.processes[-1] == ProcessMemory(0, "system", 2616552 * 1024)


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-memory-usage")) == {
        DOC_SLAVE,
        VRP8_BRAS,
        VRP5,
        CX600,
        CX600_SLAVE,
        DOC_PROCESSES,
    }
    assert fixtures_for("display-memory") == [CE_MEMORY]


@pytest.mark.parametrize(
    ("command", "name", "percent"),
    [
        ("display memory-usage slave", DOC_SLAVE, 14),
        ("dis mem", VRP8_BRAS, 22),
        ("display memory-usage slot 17", VRP5, 11),
        ("display memory", CE_MEMORY, 59),
    ],
)
def test_through_the_catalog(command: str, name: str, percent: int) -> None:
    assert parse_output(command, fixture_text(name)).memory_percent == percent


def test_mbytes_unit() -> None:
    text = (
        "System Total Memory Is: 2048 Mbytes\n"
        "Total Memory Used Is: 512 Mbytes\n"
        "Memory Using Percentage Is: 25%\n"
    )
    usage = parse_memory_usage(text)
    assert (usage.total_bytes, usage.used_bytes) == (2048 * 1024**2, 512 * 1024**2)


def test_missing_percentage_is_an_error() -> None:
    text = (
        "Memory utilization statistics at x\n"
        "System Total Memory Is: 10 Kbytes\n"
        "Total Memory Used Is: 5 Kbytes\n"
        "banner\n"
    )
    with pytest.raises(ParseError, match="percentage") as caught:
        parse_memory_usage(text)
    assert (caught.value.line_number, caught.value.line) == (4, "banner")


def test_bad_process_row_is_a_warning() -> None:
    text = fixture_text(VRP8_BRAS).replace(
        "1008       PROTO4                  82154", "1008 PROTO4 lots"
    )
    usage = parse_memory_usage(text)
    (warning,) = usage.warnings
    assert warning.line == "1008 PROTO4 lots"
    assert len(usage.processes) == 28
    assert "PROTO4" not in {process.name for process in usage.processes}
    assert usage.memory_percent == 22


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Memory Using Percentage Is: 22%",
        fixture_text("display-health__me60-x8-ru-notes__1.txt"),
    ],
)
def test_other_text_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_memory_usage(text)


def _echoed_command(name: str) -> str | None:
    """The command as typed in the fixture's echo line (`<HUAWEI> display ...`), if any."""
    match = re.match(
        r"^(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


PARSED = [DOC_SLAVE, VRP8_BRAS, VRP5, CE_MEMORY]


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_memory_usage(text)


_SAMPLES = [fixture_text(name) for name in (DOC_SLAVE, VRP8_BRAS, VRP5, CE_MEMORY)]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_text_gives_a_model_or_parse_error(text: str) -> None:
    try:
        usage = parse_memory_usage(text)
    except ParseError:
        return
    assert usage.total_bytes >= 0
