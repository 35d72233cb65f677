"""Snapshot collection (parsing, per-section errors) and the console policy."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.errors import CommandRejected, RouterTimeout, ValidationError
from app.domain.interfaces import InterfaceBrief
from app.domain.router import CommandResult, PromptKind, RouterProfile
from app.engine.audit import AuditLog
from app.engine.console import Console, OperatorModeRequired
from app.engine.pool import SessionPool
from app.engine.ratelimit import LimitKind, RateLimiter, RateLimitExceeded
from app.engine.snapshot import collect_snapshot
from app.vrp.console_policy import CommandClass
from tests.support.fixtures import fixture_text
from tests.unit.engine.fakes import FakeOpener, FakeRouter

BRIEF = fixture_text("display-interface-brief__huawei-doc-ne40e-v800r012c10-cfg__1.txt")
VERSION = fixture_text("display-version__napalm-huawei-vrp__1.txt")


class ScriptedRunner:
    """Answers from a table; records concurrency to prove the sections overlap."""

    def __init__(self, answers: dict[str, str | Exception]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.in_flight = 0
        self.peak = 0

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        self.asked.append(command)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            answer = self.answers.get(command)
            if answer is None:
                raise CommandRejected("no", router_message="Error: Unrecognized command found")
            if isinstance(answer, Exception):
                raise answer
            return CommandResult(command, answer, "<R>", PromptKind.USER)
        finally:
            self.in_flight -= 1


async def test_snapshot_parses_sections_and_records_errors() -> None:
    runner = ScriptedRunner(
        {
            "display interface brief": BRIEF,
            "display version": VERSION,
            "display cpu-usage": "this is not cpu output at all",
            "display memory-usage": RouterTimeout("timed out after 30 s", router="r"),
        }
    )
    snapshot = await collect_snapshot(runner, "r")
    assert isinstance(snapshot.sections["interface_brief"].data, InterfaceBrief)
    assert snapshot.sections["version"].ok
    assert snapshot.sections["cpu"].data is None
    assert "cannot parse output of 'display cpu-usage'" in snapshot.sections["cpu"].error
    assert snapshot.sections["memory"].error == "r: timed out after 30 s"
    assert snapshot.sections["alarms"].error == "no"
    # Up physical ports (trunk members too) and up Eth-Trunks; not down ports, not NULL0.
    assert list(snapshot.interfaces) == [
        "Eth-Trunk1",
        "GigabitEthernet0/3/0",
        "GigabitEthernet0/3/1",
        "GigabitEthernet0/1/0",
        "GigabitEthernet0/2/0",
    ]
    assert all(not s.ok for s in snapshot.interfaces.values())  # the runner knows none
    assert not snapshot.ok
    assert set(snapshot.errors()) >= {"cpu", "memory", "Eth-Trunk1"}
    assert runner.peak >= 9  # every section was asked at once
    assert snapshot.taken_at[-6] in "+-"  # ISO time with a UTC offset


async def test_snapshot_detail_limit() -> None:
    runner = ScriptedRunner({"display interface brief": BRIEF})
    snapshot = await collect_snapshot(runner, "r", detail_limit=2)
    assert list(snapshot.interfaces) == ["Eth-Trunk1", "GigabitEthernet0/3/0"]
    none = await collect_snapshot(runner, "r", detail_limit=0)
    assert none.interfaces == {}


@pytest.fixture
def console_parts(tmp_path):
    router = FakeRouter()
    opener = FakeOpener(router)
    pool = SessionPool(
        RouterProfile(name="r1", host="127.0.0.1", pool_size=1), opener, lambda p: "pw"
    )
    audit = AuditLog(tmp_path / "audit.jsonl", user="noc")
    limiter = RateLimiter(clock=lambda: 0.0)
    return Console(lambda name: pool, limiter, audit), router, opener, audit


async def test_console_runs_read_only_and_refuses_the_rest(console_parts) -> None:
    console, router, _opener, audit = console_parts
    result = await console.run("r1", "dis int br")
    assert result.kind is CommandClass.READ_ONLY
    assert result.result.output == "output of dis int br"
    with pytest.raises(OperatorModeRequired, match="operator mode"):
        await console.run("r1", "system-view")
    with pytest.raises(OperatorModeRequired, match="confirm"):
        await console.run("r1", "system-view", operator_mode=True)
    with pytest.raises(OperatorModeRequired, match="confirm"):
        await console.run("r1", "system-view", operator_mode=True, confirmed_line="save")
    with pytest.raises(ValidationError):
        await console.run("r1", "display version\nreboot", operator_mode=True)
    assert router.sent == ["dis int br"]
    assert audit.read() == []


async def test_operator_command_is_audited_and_session_returned_to_user_view(
    console_parts,
) -> None:
    console, _router, opener, audit = console_parts
    result = await console.run(
        "r1", "system-view", operator_mode=True, confirmed_line="system-view"
    )
    assert result.kind is CommandClass.CONFIGURATION
    assert result.cleanup == ("return",)
    assert opener.opened[0].view is None
    (entry,) = audit.read()
    assert entry["commands"] == ["system-view", "return"]
    assert entry["outcome"] == "sent"


async def test_console_rate_limits_diagnostics(console_parts) -> None:
    console, router, _opener, _audit = console_parts
    router.reject = set()
    for _ in range(5):
        with pytest.raises(CommandRejected):  # the fake router has no ping
            await console.run("r1", "ping 10.0.0.1")
    with pytest.raises(RateLimitExceeded) as caught:
        await console.run("r1", "ping 10.0.0.1")
    assert caught.value.kind is LimitKind.DIAGNOSTIC
    assert router.sent.count("ping 10.0.0.1") == 5


async def test_a_parser_crash_costs_one_section(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.engine.snapshot as snapshot_module

    real = snapshot_module.parse_output

    def crashing(command: str, text: str):
        if command == "display domain":
            raise IndexError("list index out of range")
        return real(command, text)

    monkeypatch.setattr(snapshot_module, "parse_output", crashing)
    runner = ScriptedRunner({"display interface brief": BRIEF, "display domain": "x"})
    snapshot = await collect_snapshot(runner, "r", detail_limit=0)
    assert snapshot.sections["domains"].error == (
        "internal error: IndexError: list index out of range"
    )
    assert snapshot.sections["interface_brief"].ok


async def test_console_declines_questions_the_router_asks(console_parts) -> None:
    console, router, opener, audit = console_parts
    router.questions = {"reboot"}
    result = await console.run("r1", "reboot", operator_mode=True, confirmed_line="reboot")
    assert result.result.prompt_kind is PromptKind.QUESTION
    assert result.cleanup == ("n",)
    assert router.sent == ["reboot", "n"]
    assert opener.opened[0].view is None
    assert not opener.opened[0].asking
    (entry,) = audit.read()
    assert entry["commands"] == ["reboot", "n"]
