"""Keystroke handling of the simulated VTY: echo, editing and every Enter convention."""

from __future__ import annotations

import asyncio

import pytest

from app.simulator.terminal import CTRL_Z, SessionClosedError, Terminal
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
    Terminal(channel).write("a\nb\n")
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
