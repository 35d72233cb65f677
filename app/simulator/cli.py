"""One VTY session of the simulated NE8000: views, two-stage commit, errors and paging.

The session reads lines from a :class:`~app.simulator.terminal.Terminal`, matches them in the
tree of the current view, and writes what a VRP8 box writes: the caret line and ``Error:``
message for a bad line, paged output for a long one, ``[~HOST]`` / ``[*HOST]`` prompts that
show whether the candidate configuration holds uncommitted changes. Faults from the shared
:class:`~app.simulator.faults.FaultPlan` are applied here, per command.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

from app.simulator.cmdtree import Matched, Word, caret_line, match, split_words
from app.simulator.commands import VIEW_TREES, Action
from app.simulator.errors import CommandError
from app.simulator.faults import FaultPlan, garble
from app.simulator.paging import FILTER_INFO, PAGE_LINES, split_pipes, write_output
from app.simulator.terminal import CTRL_Z, SessionClosedError, Terminal

EXECUTION_FAILED = "Error: Failed to execute the command."
_log = logging.getLogger(__name__)

UNCOMMITTED_WARNING = (
    "Warning: Uncommitted configurations found, commit them before exiting? "
    "[Y(yes)/N(no)/C(cancel)]:"
)


class DeviceStateLike(Protocol):
    """The parts of :class:`app.simulator.device.DeviceState` the CLI uses."""

    hostname: str

    def advance(self) -> None: ...

    def resolve_interface(self, text: str) -> str | None: ...

    def interface_names(self) -> list[str]: ...

    def is_admin_down(self, name: str) -> bool: ...

    def set_admin_down(self, name: str, down: bool) -> None: ...

    def cut_user(self, username: str) -> int: ...

    def mass_drop(self, fraction: float = 0.3) -> int: ...

    def local(self, at: float | None = None) -> datetime: ...


@dataclass(frozen=True)
class View:
    """Where the session is: user view, system view, an interface view or the AAA view."""

    kind: str
    interface: str | None = None


USER_VIEW = View("user")
SYSTEM_VIEW = View("system")


@dataclass(frozen=True)
class LoginInfo:
    """What the login banner reports (times in the router's local zone)."""

    vty_max: int
    vty_online: int
    login_time: datetime
    last_login: tuple[datetime, str, str] | None = None  # time, peer address, "SSH"/"TELNET"


def format_time(moment: datetime) -> str:
    """VRP8 banner time with its UTC offset: ``2024-06-28 09:40:19+05:30``."""
    return moment.isoformat(sep=" ", timespec="seconds")


def login_banner(info: LoginInfo) -> str:
    """The VTY banner VRP8 prints after a successful login."""
    lines = [
        f"Info: The max number of VTY users is {info.vty_max}, the number of current VTY users "
        f"online is {info.vty_online}, and total number of terminal users online is "
        f"{info.vty_online}.",
        f"      The current login time is {format_time(info.login_time)}.",
    ]
    if info.last_login is not None:
        when, peer, transport = info.last_login
        lines.append(
            f"      The last login time is {format_time(when)} from {peer} through {transport}."
        )
    return "\n".join(lines) + "\n"


class CliSession:
    """The command interpreter of one logged-in user."""

    def __init__(
        self,
        state: DeviceStateLike,
        terminal: Terminal,
        faults: FaultPlan,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.state = state
        self.terminal = terminal
        self.faults = faults
        self.clock = clock
        self.rng = rng or random.Random()
        self.page_lines = PAGE_LINES
        self.views: list[View] = [USER_VIEW]
        self.pending: dict[str, bool] = {}

    # ----- prompt and views -------------------------------------------------------------

    @property
    def view(self) -> View:
        """The current view."""
        return self.views[-1]

    def prompt(self) -> str:
        """``<HOST>`` in user view; ``[~HOST-...]`` or ``[*HOST-...]`` in the others."""
        host = self.state.hostname
        view = self.view
        if view.kind == "user":
            return f"<{host}>"
        mark = "*" if self.pending else "~"
        suffix = {"system": "", "aaa": "-aaa"}.get(view.kind, f"-{view.interface}")
        return f"[{mark}{host}{suffix}]"

    def enter_system_view(self) -> None:
        self.views = [USER_VIEW, SYSTEM_VIEW]

    def enter_interface_view(self, name: str) -> None:
        self.views = [USER_VIEW, SYSTEM_VIEW, View("interface", name)]

    def enter_aaa_view(self) -> None:
        self.views = [USER_VIEW, SYSTEM_VIEW, View("aaa")]

    async def quit(self) -> None:
        """Up one view; from system view this is leaving configuration; from user view, logout."""
        if self.view.kind == "user":
            raise SessionClosedError("quit")
        if self.view.kind == "system":
            await self.return_to_user_view()
        else:
            self.views.pop()

    async def return_to_user_view(self) -> None:
        """Back to user view, asking about uncommitted changes first as VRP8 does."""
        if self.view.kind == "user":
            return
        if self.pending and not await self._settle_pending():
            return
        self.views = [USER_VIEW]

    async def _settle_pending(self) -> bool:
        """Ask Y/N/C; True when the session may leave (committed or discarded)."""
        while True:
            self.terminal.write(UNCOMMITTED_WARNING)
            await self.terminal.drain()
            answer = await self.terminal.read_line()
            choice = (answer or "c").strip().lower()
            if choice in ("y", "yes"):
                self.commit()
                return True
            if choice in ("n", "no"):
                self.pending.clear()
                return True
            if choice in ("c", "cancel"):
                return False

    # ----- configuration ----------------------------------------------------------------

    def stage_admin_state(self, *, down: bool) -> None:
        """`shutdown` / `undo shutdown`: a candidate change until `commit`."""
        name = self.view.interface
        if name is not None:
            self.pending[name] = down

    def commit(self) -> None:
        """Apply the candidate configuration to the device."""
        for name, down in self.pending.items():
            self.state.set_admin_down(name, down)
        self.pending.clear()

    # ----- the read-eval-print loop -----------------------------------------------------

    async def run(self, banner: str) -> None:
        """Serve the user until they quit or the connection ends (SessionClosedError)."""
        self.terminal.write(banner)
        while True:
            self.terminal.write(self.prompt())
            await self.terminal.drain()
            line = await self.terminal.read_line()
            if line is None:
                continue
            if line == CTRL_Z:
                await self.return_to_user_view()
                continue
            await self.execute(line)

    async def run_exec(self, line: str) -> None:
        """Run one command without prompt or paging (an SSH exec request)."""
        self.page_lines = 0
        await self.execute(line, echo_width=0)
        await self.terminal.drain()

    async def execute(self, line: str, *, echo_width: int | None = None) -> None:
        """Run one typed line and write its answer."""
        if not line.strip():
            return
        width = len(self.prompt()) if echo_width is None else echo_width
        words = split_words(line)
        try:
            command, filters = split_pipes(line)
            matched = match(VIEW_TREES[self.view.kind], split_words(command), self.state)
        except CommandError as error:
            self._write_error(error, width, words, line)
            return
        await self._before_answer(matched)
        self.state.advance()
        action = cast(Action, matched.action)
        try:
            text = await action(self, matched.arguments)
        except CommandError as error:
            if error.word_index is None and matched.argument_words:
                error.word_index = max(matched.argument_words.values())
            self._write_error(error, width, words, line)
            return
        except SessionClosedError:
            raise
        except Exception:
            # A renderer bug must not cost the user the session (a real box keeps its VTY);
            # it is logged with the traceback so tests and operators still see it.
            _log.exception("command %r failed in the simulator", line)
            self.terminal.write(EXECUTION_FAILED + "\n")
            return
        if text is None:
            return
        lines = text.split("\n")
        if filters.searches:
            self.terminal.write(FILTER_INFO + "\n")
        lines = filters.apply(lines)
        await self._write_answer(lines, paged=not filters.no_more)

    async def _before_answer(self, matched: Matched) -> None:
        """Injected faults that act before the router answers."""
        fraction = self.faults.take_mass_drop(self.clock())
        if fraction is not None:
            self.state.mass_drop(fraction)
        if self.faults.latency_ms > 0:
            await asyncio.sleep(self.faults.latency_ms / 1000.0)
        if self.faults.hangs(matched.expanded):
            # A hung command never answers; keep draining input until the client gives up.
            while await self.terminal.channel.read():
                pass
            raise SessionClosedError("client left a hung command")

    async def _write_answer(self, lines: list[str], *, paged: bool) -> None:
        if self.faults.garble_rate > 0:
            lines = [garble(line, self.faults.garble_rate, self.rng) for line in lines]
        if self.faults.drop_mid_output and len(lines) >= 2:
            self.terminal.write("".join(line + "\n" for line in lines[: len(lines) // 2]))
            await self.terminal.drain()
            self.terminal.channel.abort()
            raise SessionClosedError("connection dropped mid-output (fault)")
        await write_output(self.terminal, lines, self.page_lines if paged else 0)

    def _write_error(self, error: CommandError, width: int, words: list[Word], line: str) -> None:
        caret = caret_line(width, words, error.word_index, line)
        if caret:
            self.terminal.write(caret + "\n")
        self.terminal.write(error.message + "\n")
