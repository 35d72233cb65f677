"""Output filters and the `---- More ----` pager of the simulated VTY."""

from __future__ import annotations

import asyncio

import pytest

from app.simulator.cmdtree import TOO_MANY_PARAMETERS
from app.simulator.errors import INCOMPLETE_COMMAND, UNRECOGNIZED_COMMAND, CommandError
from app.simulator.paging import ERASE_MORE, MORE, split_pipes, write_output
from app.simulator.terminal import Terminal
from tests.unit.simulator.channel import ScriptedChannel

LINES = [f"line {n:02d} {'even' if n % 2 == 0 else 'odd'}" for n in range(1, 51)]


def test_line_without_pipe_is_left_alone() -> None:
    command, filters = split_pipes("display interface brief")
    assert command == "display interface brief"
    assert filters.steps == []
    assert not filters.no_more


def test_include_keeps_matching_lines_and_takes_a_regex() -> None:
    command, filters = split_pipes("display bfd session all | i D_IP_IF|odd")
    assert command == "display bfd session all "
    assert filters.searches
    kept = filters.apply(["a D_IP_IF", "b", "c odd"])
    assert kept == ["a D_IP_IF", "c odd"]


def test_exclude_with_alternation_as_in_the_isp_capture() -> None:
    _, filters = split_pipes("display isis interface | exclude Tun|Lo")
    assert filters.apply(["Tun0", "Eth-Trunk1.130", "Lo0"]) == ["Eth-Trunk1.130"]


def test_begin_count_and_no_more_combine() -> None:
    _, filters = split_pipes("display x | begin line 04 | count")
    assert filters.apply(LINES[:9]) == ["Total lines: 6."]
    _, filters = split_pipes("display x | include even | no-more")
    assert filters.no_more
    assert filters.apply(LINES[:4]) == ["line 02 even", "line 04 even"]
    _, filters = split_pipes("display x | no-more")
    assert filters.no_more
    assert not filters.searches


@pytest.mark.parametrize(
    ("line", "message", "index"),
    [
        ("display x | frobnicate", UNRECOGNIZED_COMMAND, 3),
        ("display x | include", INCOMPLETE_COMMAND, 4),
        ("display x |", INCOMPLETE_COMMAND, 3),
        ("display x | no-more extra", TOO_MANY_PARAMETERS, 4),
    ],
)
def test_bad_filters_are_router_errors(line: str, message: str, index: int) -> None:
    with pytest.raises(CommandError) as caught:
        split_pipes(line)
    assert caught.value.message == message
    assert caught.value.word_index == index


async def _page(keys: list[str], page_lines: int = 24) -> tuple[bool, str]:
    channel = ScriptedChannel()
    terminal = Terminal(channel)
    for key in keys:
        channel.feed(key)
    finished = await asyncio.wait_for(write_output(terminal, LINES, page_lines), 5)
    await terminal.drain()  # the last page waits in the buffer for the prompt after it
    return finished, channel.text


async def test_space_shows_the_next_page_after_erasing_the_marker() -> None:
    finished, text = await _page([" ", " "])
    assert finished
    first, second, third = text.split(MORE)
    assert first == "".join(f"{line}\r\n" for line in LINES[:24])
    assert second == ERASE_MORE + "".join(f"{line}\r\n" for line in LINES[24:48])
    assert third == ERASE_MORE + "line 49 odd\r\nline 50 even\r\n"
    assert ERASE_MORE == "\x1b[16D" + " " * 16 + "\x1b[16D"


async def test_enter_shows_one_more_line() -> None:
    finished, text = await _page(["\r", "q"])
    assert not finished
    parts = text.split(MORE)
    assert len(parts) == 3
    assert parts[1] == ERASE_MORE + "line 25 odd\r\n"
    assert parts[2] == ERASE_MORE


async def test_ctrl_c_stops_output() -> None:
    finished, text = await _page(["\x03"])
    assert not finished
    assert "line 25" not in text
    assert text.endswith(MORE + ERASE_MORE)


async def test_no_paging_writes_everything() -> None:
    finished, text = await _page([], page_lines=0)
    assert finished
    assert MORE not in text
    assert text.count("\r\n") == 50
