"""The simulated VRP8 CLI session, driven keystroke by keystroke without a network."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from app.simulator import cli as cli_module
from app.simulator import render
from app.simulator.cli import UNCOMMITTED_WARNING, CliSession, LoginInfo, login_banner
from app.simulator.device import DeviceState
from app.simulator.faults import FaultPlan
from app.simulator.paging import ERASE_MORE, FILTER_INFO, MORE
from app.simulator.terminal import Terminal
from tests.unit.simulator.channel import ScriptedChannel

NOW = 1_790_000_000.0
# An unused 1GE port of the simulated topology (card 1 holds the 100GE uplinks).
PORT = "GigabitEthernet0/5/0"


@dataclass
class Session:
    channel: ScriptedChannel
    session: CliSession
    task: asyncio.Task[None]
    state: DeviceState

    async def wait_for(self, predicate: Callable[[str], bool]) -> str:
        for _ in range(5000):
            if predicate(self.channel.text):
                return self.channel.text
            await asyncio.sleep(0.001)
        raise AssertionError(f"expected output never came; got {self.channel.text[-400:]!r}")

    async def run(self, line: str) -> str:
        """Type `line` + Enter; the output up to (not including) the next prompt."""
        self.channel.take()
        self.channel.feed(line + "\r")
        text = await self.wait_for(lambda t: _ends_with_prompt(t) or t.endswith("]:"))
        self.channel.take()
        echo, _, rest = text.partition("\r\n")
        assert echo == line
        return rest

    @property
    def prompt(self) -> str:
        return self.session.prompt()


def _ends_with_prompt(text: str) -> bool:
    return bool(re.search(r"(?:<[^<>\r\n]+>|\[[~*][^\[\]\r\n]+\])$", text))


def _strip_prompt(text: str) -> str:
    return re.sub(r"(?:<[^<>\r\n]+>|\[[~*][^\[\]\r\n]+\])$", "", text)


@pytest.fixture
async def term() -> AsyncIterator[Session]:
    state = DeviceState(
        hostname="NE8000", subscribers=400, interfaces=8, seed=11, clock=lambda: NOW
    )
    channel = ScriptedChannel()
    session = CliSession(state, Terminal(channel), FaultPlan(), clock=lambda: NOW)
    task = asyncio.create_task(session.run("Info: banner\n"))
    wrapped = Session(channel, session, task, state)
    await wrapped.wait_for(lambda t: t.endswith("<NE8000>"))
    yield wrapped
    channel.end()
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)


def _lines(output: str) -> list[str]:
    return _strip_prompt(output).split("\r\n")[:-1]


async def test_banner_then_user_view_prompt(term: Session) -> None:
    assert term.channel.text == "Info: banner\r\n<NE8000>"


def test_login_banner_reads_like_vrp8() -> None:
    state = DeviceState(hostname="NE8000", subscribers=10, interfaces=4, seed=1, clock=lambda: NOW)
    first = state.local(NOW)
    banner = login_banner(LoginInfo(5, 2, first, (first, "192.0.2.9", "SSH")))
    lines = banner.split("\n")
    assert lines[0] == (
        "Info: The max number of VTY users is 5, the number of current VTY users online is 2, "
        "and total number of terminal users online is 2."
    )
    stamp = first.isoformat(sep=" ", timespec="seconds")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp)
    assert lines[1] == f"      The current login time is {stamp}."
    assert lines[2] == f"      The last login time is {stamp} from 192.0.2.9 through SSH."


async def test_display_renders_live_state_with_abbreviations(term: Session) -> None:
    await term.run("screen-length 0 temporary")
    output = await term.run("dis ver")
    assert _lines(output) == render.render_version(term.state).split("\n")
    output = await term.run("d int br")
    assert _lines(output)[:24] == render.render_interface_brief(term.state).split("\n")[:24]


async def test_unknown_command_gets_caret_and_error(term: Session) -> None:
    output = await term.run("display foo")
    assert _lines(output) == [
        " " * (len("<NE8000>") + len("display ")) + "^",
        "Error: Unrecognized command found at '^' position.",
    ]
    assert _lines(await term.run("display")) == [
        " " * (len("<NE8000>") + len("display ")) + "^",
        "Error: Incomplete command found at '^' position.",
    ]
    assert _lines(await term.run("display interface GigabitEthernet9/9/9"))[1] == (
        "Error: Wrong parameter found at '^' position."
    )
    assert _lines(await term.run("dis i"))[1] == "Error: Ambiguous command found at '^' position."


async def test_long_output_pages_until_screen_length_zero(term: Session) -> None:
    term.channel.take()
    term.channel.feed("display interface\r")
    await term.wait_for(lambda t: t.endswith(MORE))
    first_page = term.channel.take()
    assert len(first_page.split("\r\n")) == 1 + 24 + 1  # echo, 24 lines, the marker
    term.channel.feed(" ")
    await term.wait_for(lambda t: t.endswith(MORE))
    assert term.channel.take().startswith(ERASE_MORE)
    term.channel.feed("q")
    await term.wait_for(_ends_with_prompt)
    assert term.channel.take() == ERASE_MORE + "<NE8000>"

    info = await term.run("screen-length 0 temporary")
    assert _lines(info) == [
        "Info: The configuration takes effect on the current user terminal interface only."
    ]
    whole = await term.run("display interface")
    assert MORE not in whole
    assert _lines(whole) == render.render_interface(term.state).split("\n")


async def test_no_more_and_filters(term: Session) -> None:
    whole = await term.run("display interface | no-more")
    assert MORE not in whole
    await term.run("screen-length 0 temporary")
    brief = render.render_interface_brief(term.state).split("\n")
    included = _lines(await term.run("dis int br | include GigabitEthernet"))
    assert included[0] == FILTER_INFO
    assert included[1:] == [line for line in brief if "GigabitEthernet" in line]
    excluded = _lines(await term.run("dis int br | exclude GigabitEthernet"))
    assert excluded[1:] == [line for line in brief if "GigabitEthernet" not in line]
    assert _lines(await term.run("dis int br | count")) == [f"Total lines: {len(brief)}."]


async def test_shutdown_is_pending_until_commit(term: Session) -> None:
    entered = await term.run("system-view")
    assert _lines(entered) == ["Enter system view, return user view with return command."]
    assert term.prompt == "[~NE8000]"
    await term.run(f"interface {PORT}")
    assert term.prompt == f"[~NE8000-{PORT}]"
    await term.run("shutdown")
    assert term.prompt == f"[*NE8000-{PORT}]"
    assert not term.state.is_admin_down(PORT)
    await term.run("commit")
    assert term.prompt == f"[~NE8000-{PORT}]"
    assert term.state.is_admin_down(PORT)
    brief = await term.run("display interface brief | include 0/5/0")
    assert re.search(r"GigabitEthernet0/5/0\s+\*down\s+down", brief)
    await term.run("quit")
    assert term.prompt == "[~NE8000]"
    await term.run("quit")
    assert term.prompt == "<NE8000>"


async def test_leaving_with_uncommitted_changes_asks(term: Session) -> None:
    await term.run("sys")
    await term.run("int GE0/5/0")
    await term.run("shut")
    asked = await term.run("return")
    assert asked.endswith(UNCOMMITTED_WARNING)
    await term.run("c")
    assert term.prompt == f"[*NE8000-{PORT}]"
    await term.run("return")
    await term.run("n")
    assert term.prompt == "<NE8000>"
    assert not term.state.is_admin_down(PORT)
    await term.run("system-view")
    await term.run(f"interface {PORT}")
    await term.run("shutdown")
    await term.run("quit")
    assert term.prompt == "[*NE8000]"
    await term.run("quit")
    await term.run("y")
    assert term.prompt == "<NE8000>"
    assert term.state.is_admin_down(PORT)


async def test_undo_shutdown_brings_the_port_back(term: Session) -> None:
    term.state.set_admin_down(PORT, True)
    await term.run("system-view")
    await term.run(f"interface {PORT}")
    await term.run("undo shutdown")
    await term.run("commit")
    assert not term.state.is_admin_down(PORT)


async def test_cut_access_user_in_aaa_view(term: Session) -> None:
    listing = render.render_access_users(term.state).split("\n")
    username = next(row.split()[1] for row in listing if re.match(r"^\s*\d+\s+\S+@?\S*\s+\S+", row))
    before = term.state.total_users()
    await term.run("system-view")
    await term.run("aaa")
    assert term.prompt == "[~NE8000-aaa]"
    answer = await term.run(f"cut access-user username {username} all")
    assert _lines(answer) == ["Info:Totally,1 user has been cut off."]
    assert term.state.total_users() == before - 1
    again = await term.run(f"cut access-user username {username}")
    assert _lines(again) == ["Info:Totally,0 user has been cut off."]
    assert _lines(await term.run("cut access-user"))[1] == (
        "Error: Incomplete command found at '^' position."
    )


async def test_cut_is_not_a_user_view_command(term: Session) -> None:
    assert _lines(await term.run("cut access-user username x"))[1] == (
        "Error: Unrecognized command found at '^' position."
    )


async def test_ctrl_z_returns_to_user_view(term: Session) -> None:
    await term.run("system-view")
    term.channel.take()
    term.channel.feed("\x1a")
    await term.wait_for(lambda t: t.endswith("<NE8000>"))


async def test_quit_in_user_view_ends_the_session(term: Session) -> None:
    term.channel.feed("quit\r")
    await asyncio.wait_for(asyncio.gather(term.task, return_exceptions=True), 5)
    assert term.task.done()


async def test_latency_fault_waits_before_answering(
    term: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float) -> None:
        slept.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(cli_module.asyncio, "sleep", recording_sleep)
    term.session.faults.latency_ms = 250
    await term.run("display health")
    assert 0.25 in slept


async def test_hang_fault_never_answers(term: Session) -> None:
    term.session.faults.hang_commands.add("display version")
    term.channel.take()
    term.channel.feed("dis ver\r")
    term.channel.feed("display health\r")
    for _ in range(50):
        await asyncio.sleep(0)
    assert term.channel.text == "dis ver\r\n"
    term.channel.end()
    await asyncio.wait_for(asyncio.gather(term.task, return_exceptions=True), 5)


async def test_drop_fault_cuts_output_halfway(term: Session) -> None:
    term.session.faults.drop_mid_output = True
    term.channel.take()
    term.channel.feed("screen-length 0 temporary\r")
    await term.wait_for(_ends_with_prompt)
    term.channel.take()
    term.channel.feed("display interface\r")
    await asyncio.wait_for(asyncio.gather(term.task, return_exceptions=True), 5)
    full = render.render_interface(term.state).split("\n")
    written = term.channel.text.split("\r\n")[1:-1]
    assert term.channel.aborted
    assert written == full[: len(full) // 2]


async def test_garble_fault_damages_output(term: Session) -> None:
    await term.run("screen-length 0 temporary")
    term.session.faults.garble_rate = 0.5
    output = _lines(await term.run("display version"))
    clean = render.render_version(term.state).split("\n")
    assert len(output) == len(clean)
    assert output != clean


async def test_mass_drop_fault_applies_once_before_the_next_command(term: Session) -> None:
    before = term.state.total_users()
    term.session.faults.schedule_mass_drop(0.3, at=NOW)
    await term.run("display access-user online-total")
    after = term.state.total_users()
    assert after < before
    assert before - after == pytest.approx(before * 0.3, abs=2)
    await term.run("display access-user online-total")
    assert term.state.total_users() == after


async def test_a_renderer_bug_costs_one_command_not_the_session(
    term: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(state: DeviceState) -> str:
        raise KeyError("bug")

    monkeypatch.setattr(render, "render_health", broken)
    monkeypatch.setattr(term.state, "advance", lambda: None)
    from app.simulator import commands

    tree = commands.VIEW_TREES["user"]
    node = next(c for c in tree.children if c.keyword == "display")
    health = next(c for c in node.children if c.keyword == "health")
    monkeypatch.setattr(health, "action", commands._display(broken))
    assert _lines(await term.run("display health")) == ["Error: Failed to execute the command."]
    assert "VRP (R) software" in await term.run("display version | no-more")


async def test_screen_length_sets_the_page_size_within_range(term: Session) -> None:
    rejected = _lines(await term.run("screen-length 513 temporary"))
    assert rejected == [
        " " * (len("<NE8000>") + len("screen-length ")) + "^",
        "Error: Wrong parameter found at '^' position.",
    ]
    await term.run("screen-length 30 temporary")
    term.channel.take()
    term.channel.feed("display interface\r")
    await term.wait_for(lambda t: t.endswith(MORE))
    assert len(term.channel.take().split("\r\n")) == 1 + 30 + 1
