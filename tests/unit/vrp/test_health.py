"""`display health [verbose]`: a row per board with CPU and memory figures."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.system import BoardHealth, CoreLoad
from app.vrp.catalog import parse_output
from app.vrp.health import parse_health
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

DOC = "display-health__huawei-doc-ne40e-v800r012c10__1.txt"
DOC_VERBOSE = "display-health__huawei-doc-ne40e-v800r012c10__2.txt"
ME60 = "display-health__me60-x8-ru-notes__1.txt"


def test_me60_capture_with_collapsed_whitespace() -> None:
    health = parse_health(fixture_text(ME60))
    assert [board.slot for board in health.boards] == ["9", "1", "2", "3", "4", "10"]
    assert health.boards[0] == BoardHealth("9", "MPU(Master)", 14, 17, 618, 3606)
    assert health.boards[1] == BoardHealth("1", "BSU", 12, 20, 418, 2086)
    assert health.boards[-1] == BoardHealth("10", "MPU(Slave)", 7, 15, 570, 3606)


def test_doc_example_masks_sizes_and_ends_with_an_ellipsis() -> None:
    # The documentation hides digits (`**06MB/**724MB`) and shortens the table with `...`:
    # the masked sizes are unknown, the ellipsis is not a board.
    health = parse_health(fixture_text(DOC))
    assert health.boards == (
        BoardHealth("17", "MPU(Master)", 3, 12, None, None),
        BoardHealth("1", "LPU", 3, 14, None, None),
    )


def test_verbose_adds_physical_memory_and_per_cpu_load() -> None:
    health = parse_health(fixture_text(DOC_VERBOSE))
    assert len(health.boards) == 1
    board = health.boards[0]
    assert (board.slot, board.type, board.cpu_percent, board.memory_percent) == (
        "17",
        "MPU(Master)",
        2,
        20,
    )
    assert board.physical_memory_percent == 86
    assert len(board.cores) == 8
    assert board.cores[0] == CoreLoad("cpu0", 4)
    assert board.cores[3] == CoreLoad("cpu3", 1)
    assert board.cores[-1] == CoreLoad("cpu7", 1)


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-health")) == {DOC, DOC_VERBOSE, ME60}


@pytest.mark.parametrize(
    ("command", "name", "boards"),
    [("dis health", ME60, 6), ("display health verbose", DOC_VERBOSE, 1), ("d hea", DOC, 2)],
)
def test_through_the_catalog(command: str, name: str, boards: int) -> None:
    assert len(parse_output(command, fixture_text(name)).boards) == boards


VRP8 = """\
<NE8000>display health
----------------------------------------------------------------
Slot                       CPU Usage  Memory Usage(Used/Total)
----------------------------------------------------------------
1       LPU                     9%          31%   1270MB/4096MB
3       LPU                    11%          33%   1352MB/4096MB
9       MPU(Master)            14%          22%   1806MB/8192MB
10      MPU(Slave)              4%          18%   1474MB/8192MB
----------------------------------------------------------------
<NE8000>"""


def test_vrp8_layout() -> None:
    health = parse_health(VRP8)
    assert len(health.boards) == 4
    assert health.boards[2] == BoardHealth("9", "MPU(Master)", 14, 22, 1806, 8192)
    assert health.boards[3].memory_used_mb == 1474


def test_figures_a_board_does_not_report_are_none() -> None:
    text = VRP8.replace(
        "3       LPU                    11%          33%   1352MB/4096MB",
        "17      SFU                     -           -     -",
    )
    assert parse_health(text).boards[1] == BoardHealth("17", "SFU", None, None, None, None)


def test_verbose_cores_attach_to_their_own_board() -> None:
    text = (
        "Slot   CPU Usage  Memory Usage(Used/Total)  Physical Memory Usage(Free/Total/Cache)\n"
        "-----------------------------------------------------------------\n"
        "9   MPU(Master)   5%   20%   100MB/500MB   40%   1MB/2MB/3MB\n"
        "      cpu0   6%      cpu1   4%\n"
        "1   LPU           7%   10%   50MB/400MB    30%   1MB/2MB/3MB\n"
        "      cpu0   8%\n"
        "-----------------------------------------------------------------\n"
    )
    boards = parse_health(text).boards
    assert boards[0].cores == (CoreLoad("cpu0", 6), CoreLoad("cpu1", 4))
    assert boards[1].cores == (CoreLoad("cpu0", 8),)
    assert boards[1].physical_memory_percent == 30


def test_a_row_that_does_not_fit_is_a_warning_and_the_others_are_kept() -> None:
    text = VRP8.replace("3       LPU                    11%", "3       LPU                    1l%")
    health = parse_health(text)
    assert [board.slot for board in health.boards] == ["1", "9", "10"]
    (warning,) = health.warnings
    assert warning.line_number == 5
    assert "1l%" in warning.line


def test_no_readable_row_is_an_error() -> None:
    rows = [line for line in VRP8.splitlines() if "%" in line]
    text = VRP8
    for row in rows:
        text = text.replace(row, row.replace("%", "#"))
    with pytest.raises(ParseError, match="board row"):
        parse_health(text)


def test_header_without_rows_is_an_error() -> None:
    text = "\n".join([*VRP8.splitlines()[:4], "-" * 64])
    with pytest.raises(ParseError, match="at least one board"):
        parse_health(text)


@pytest.mark.parametrize(
    "text", ["", "Slot 1", fixture_text("display-device__me60-x8-ru-notes__1.txt")]
)
def test_other_text_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_health(text)


def _echoed_command(name: str) -> str | None:
    """The command as typed in the fixture's echo line (`<HUAWEI> display ...`), if any."""
    match = re.match(
        r"^(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


PARSED = [DOC, DOC_VERBOSE, ME60]


@pytest.mark.parametrize("name", [name for name in PARSED if _echoed_command(name)])
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_health(text)


_SAMPLES = [fixture_text(name) for name in (DOC, DOC_VERBOSE, ME60)] + [VRP8]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_text_gives_a_model_or_parse_error(text: str) -> None:
    try:
        health = parse_health(text)
    except ParseError:
        return
    assert health.boards


def test_memory_used_beyond_the_total_is_not_a_board() -> None:  # issue 10: implausible
    text = VRP8.replace("1352MB/4096MB", "5352MB/4096MB")
    health = parse_health(text)
    assert [board.slot for board in health.boards] == ["1", "9", "10"]
    (warning,) = health.warnings
    assert "exceeds the total" in warning.message
    assert warning.line.split() == ["3", "LPU", "11%", "33%", "5352MB/4096MB"]
