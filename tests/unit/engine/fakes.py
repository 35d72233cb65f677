"""A scripted in-process VRP session and opener for pool and workflow unit tests.

The session models just enough of VRP8 (views, two-stage commit, the uncommitted-changes
question, `Error:` answers) to drive the engine's logic without a network; behaviour
against the real protocol is covered by tests/integration/engine against the simulator.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from app.domain.errors import CommandRejected, RouterError, SessionLost
from app.domain.router import CommandResult, PromptKind, RouterProfile

QUESTION = (
    "Warning: Uncommitted configurations found, commit them before exiting? "
    "[Y(yes)/N(no)/C(cancel)]:"
)


@dataclass
class FakeRouter:
    """State shared by every session of one fake router."""

    hostname: str = "R1"
    admin_down: dict[str, bool] = field(default_factory=lambda: {"GigabitEthernet0/5/0": False})
    users: dict[str, int] = field(default_factory=lambda: {"alice@isp": 2})
    reject: set[str] = field(default_factory=set)  # lines answered with Error:
    lose_on: set[str] = field(default_factory=set)  # lines that drop the session
    delay: float = 0.0
    prompt_override: dict[str, tuple[str, PromptKind]] = field(default_factory=dict)
    questions: set[str] = field(default_factory=set)  # lines answered with a [Y/N] question
    sent: list[str] = field(default_factory=list)


class FakeSession:
    """One logged-in session of a :class:`FakeRouter`."""

    def __init__(self, router: FakeRouter) -> None:
        self.router = router
        self.view: str | None = None  # None: user view, "": system, else view name
        self.pending: dict[str, bool] = {}
        self.asking = False
        self._open = True
        self._busy = False
        self.closed_count = 0

    @property
    def is_open(self) -> bool:
        return self._open

    @property
    def hostname(self) -> str:
        return self.router.hostname

    def _prompt(self) -> tuple[str, PromptKind]:
        if self.asking:
            return QUESTION, PromptKind.QUESTION
        host = self.router.hostname
        if self.view is None:
            return f"<{host}>", PromptKind.USER
        mark = "*" if self.pending else "~"
        suffix = f"-{self.view}" if self.view else ""
        return f"[{mark}{host}{suffix}]", PromptKind.PENDING if self.pending else PromptKind.SYSTEM

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        if not self._open:
            raise SessionLost("session is closed")
        if self._busy:
            raise AssertionError("two commands in flight on one session")
        self._busy = True
        try:
            self.router.sent.append(command)
            if self.router.delay:
                await asyncio.sleep(self.router.delay)
            if command in self.router.lose_on:
                self._open = False
                raise SessionLost("connection dropped")
            output = self._execute(command)
            prompt, kind = self.router.prompt_override.get(command) or self._prompt()
            return CommandResult(command, output, prompt, kind)
        finally:
            self._busy = False

    def _execute(self, command: str) -> str:
        if command in self.router.reject:
            raise CommandRejected(
                "rejected", router_message="Error: Unrecognized command found at '^' position."
            )
        if self.asking:
            self.asking = False
            if command.lower() == "y":
                self._commit()
            self.pending.clear()
            self.view = None
            return ""
        if command in self.router.questions:
            self.asking = True
            return "Warning: The system will reboot."
        if command == "system-view":
            self.view = ""
            return "Enter system view, return user view with return command."
        if command.startswith("interface ") and self.view is not None:
            name = command.split(" ", 1)[1]
            if name not in self.router.admin_down:
                raise CommandRejected("bad", router_message="Error: Wrong parameter found.")
            self.view = name
            return ""
        if command == "aaa" and self.view is not None:
            self.view = "aaa"
            return ""
        if command in ("shutdown", "undo shutdown") and self.view in self.router.admin_down:
            self.pending[self.view] = command == "shutdown"
            return ""
        if command.startswith("cut access-user username ") and self.view == "aaa":
            name = command.split()[3]
            count = self.router.users.pop(name, 0)
            return f"Info:Totally,{count} user{'s have' if count > 1 else ' has'} been cut off."
        if command == "commit" and self.view is not None:
            self._commit()
            return ""
        if command == "return" and self.view is not None:
            if self.pending:
                self.asking = True
            else:
                self.view = None
            return ""
        if command.startswith("dis"):
            return f"output of {command}"
        raise CommandRejected("bad", router_message="Error: Unrecognized command found.")

    def _commit(self) -> None:
        self.router.admin_down.update(self.pending)
        self.pending.clear()

    async def close(self) -> None:
        self._open = False
        self.closed_count += 1

    def kill(self) -> None:
        """The router dropped the connection while the session sat idle."""
        self._open = False


class FakeOpener:
    """Opens FakeSessions; `errors` are raised by the next open attempts, in order."""

    def __init__(self, router: FakeRouter | None = None, *, delay: float = 0.0) -> None:
        self.router = router or FakeRouter()
        self.errors: list[RouterError] = []
        self.opened: list[FakeSession] = []
        self.attempts = 0
        self.passwords: list[str] = []
        self.delay = delay
        # Per attempt (1-based): an error to raise after a delay, e.g. {2: (0.0, error)}.
        self.script: dict[int, tuple[float, RouterError | None]] = {}

    async def __call__(self, profile: RouterProfile, password: str) -> FakeSession:
        self.attempts += 1
        self.passwords.append(password)
        delay, error = self.script.get(self.attempts, (self.delay, None))
        if delay:
            await asyncio.sleep(delay)
        if error is not None:
            raise error
        if self.errors:
            raise self.errors.pop(0)
        session = FakeSession(self.router)
        self.opened.append(session)
        return session
