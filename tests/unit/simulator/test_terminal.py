"""Keystroke handling of the simulated VTY: echo, editing and every Enter convention."""

from __future__ import annotations

import asyncio

import pytest

from app.simulator.faults import FaultPlan
from app.simulator.terminal import CTRL_Z, WRITE_PIECE, SessionClosedError, Terminal
from tests.unit.simulator.channel import ScriptedChannel


async def _lines(*chunks: str, count: int = 1) -> tuple[list[str | None], str]:
    channel = ScriptedChannel()
    for chunk in chunks:
        channel.feed(chunk)
    terminal = Terminal(channel)
    lines = [await asyncio.wait_for(terminal.read_line(), 5) for _ in range(count)]
    return lines, channel.text


@pytest.mark.parametrize("enter", ["\r", "\n", "\r\n", "\r\x00"])
async def test_every_enter_convention_ends_one_line(enter: str) -> None:
    lines, echo = await _lines(f"dis ver{enter}dis cpu{enter}", count=2)
    assert lines == ["dis ver", "dis cpu"]
    assert echo == "dis ver\r\ndis cpu\r\n"


async def test_backspace_edits_and_echoes_erase() -> None:
    lines, echo = await _lines("dsi\x7f\x7fis\r")
    assert lines == ["dis"]
    assert echo == "dsi\b \b\b \bis\r\n"


async def test_arrow_keys_are_ignored() -> None:
    lines, _ = await _lines("\x1b[Adis\x1b[D\r")
    assert lines == ["dis"]


async def test_ctrl_c_abandons_and_ctrl_z_is_reported() -> None:
    lines, _ = await _lines("garbage\x03", "\x1a", count=2)
    assert lines == [None, CTRL_Z]


async def test_split_crlf_across_reads_is_one_enter() -> None:
    lines, _ = await _lines("a\r", "\nb\r", count=2)
    assert lines == ["a", "b"]


async def test_end_of_input_closes_the_session() -> None:
    channel = ScriptedChannel()
    channel.feed("dis")
    channel.end()
    with pytest.raises(SessionClosedError):
        await asyncio.wait_for(Terminal(channel).read_line(), 5)


async def test_newlines_written_become_crlf() -> None:
    channel = ScriptedChannel()
    terminal = Terminal(channel)
    terminal.write("a\nb\n")
    await terminal.drain()
    assert channel.text == "a\r\nb\r\n"


async def test_idle_terminal_is_closed() -> None:
    channel = ScriptedChannel()
    terminal = Terminal(channel, idle_timeout=0.05)
    with pytest.raises(SessionClosedError, match="idle timeout"):
        await asyncio.wait_for(terminal.read_line(), 5)


async def test_keystrokes_leave_no_idle_timers_behind() -> None:
    """One watchdog per session, not a 10-minute timer per read: event loops such as
    qasync keep cancelled timers until they would have fired, which grew a demo's memory."""
    channel = ScriptedChannel()
    terminal = Terminal(channel, idle_timeout=600)
    loop = asyncio.get_running_loop()
    for _ in range(300):
        channel.feed("x")
        await terminal.key()
    scheduled = loop._scheduled  # CPython's timer heap: the thing that grew
    assert len(scheduled) <= 2
    terminal.close()


async def test_a_slow_typist_is_not_cut_off() -> None:
    channel = ScriptedChannel()
    terminal = Terminal(channel, idle_timeout=0.2)
    for _ in range(4):  # 4 x 0.1 s of typing: longer than the timeout, never idle for it
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, channel.feed, "y")
        assert await asyncio.wait_for(terminal.key(), 5) == "y"
    terminal.close()


async def test_the_echo_of_a_typed_line_leaves_as_one_piece() -> None:
    channel = ScriptedChannel()
    channel.feed("display version\r")
    terminal = Terminal(channel)
    assert await asyncio.wait_for(terminal.read_line(), 5) == "display version"
    assert channel.chunks == ["display version\r\n"]  # sent before the command runs


async def test_an_answer_and_the_prompt_after_it_leave_together() -> None:
    channel = ScriptedChannel()
    terminal = Terminal(channel)
    terminal.write("line 1\nline 2\n")
    terminal.write("<NE8000>")
    assert channel.chunks == []  # nothing is sent until the terminal waits
    channel.feed("x")
    assert await asyncio.wait_for(terminal.key(), 5) == "x"  # waiting for input sends it
    assert channel.chunks == ["line 1\r\nline 2\r\n<NE8000>"]


async def test_a_long_answer_streams_in_pieces_without_waiting() -> None:
    channel = ScriptedChannel()
    terminal = Terminal(channel)
    line = "x" * 99 + "\n"
    for _ in range(2 * WRITE_PIECE // len(line)):
        terminal.write(line)
    assert len(channel.chunks) == 2
    assert all(len(chunk) >= WRITE_PIECE for chunk in channel.chunks)
    await terminal.drain()
    assert channel.text == line.replace("\n", "\r\n") * (2 * WRITE_PIECE // len(line))


async def test_the_line_writes_fault_sends_every_line_and_keystroke_alone() -> None:
    channel = ScriptedChannel()
    faults = FaultPlan()
    terminal = Terminal(channel, faults=faults)
    channel.feed("dis\r")
    faults.line_writes = True  # read at every write: it can change while connected
    assert await asyncio.wait_for(terminal.read_line(), 5) == "dis"
    terminal.write("a\nb\n<NE8000>")
    await terminal.drain()
    assert channel.chunks == ["d", "i", "s", "\r\n", "a\r\n", "b\r\n", "<NE8000>"]
    faults.line_writes = False
    terminal.write("c\nd\n")
    await terminal.drain()
    assert channel.chunks[-1] == "c\r\nd\r\n"


async def test_closing_sends_what_is_still_buffered() -> None:
    channel = ScriptedChannel()
    terminal = Terminal(channel)
    terminal.write("All user interfaces are used, please try later!\n")
    terminal.close()
    assert channel.text == "All user interfaces are used, please try later!\r\n"
