"""The change workflow over real SSH against the simulator: commit, undo, failure paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import ValidationError
from app.engine.changes import (
    ChangeAbandoned,
    CutAccessUser,
    InterfaceShutdown,
    InterfaceUndoShutdown,
)
from app.engine.console import OperatorModeRequired
from app.engine.snapshot import DASHBOARD_SECTIONS, collect_snapshot
from app.vrp.catalog import parse_output
from tests.integration.engine.conftest import ROUTER, Wired, wire

PORT = "GigabitEthernet0/5/0"


async def brief_row(wired: Wired, name: str):
    result = await wired.engine.pools.get(ROUTER).run("display interface brief")
    brief = parse_output("display interface brief", result.output)
    return next(row for row in brief.interfaces if row.name == name)


async def remember_interfaces(wired: Wired) -> None:
    pool = wired.engine.pools.get(ROUTER)
    brief_only = [s for s in DASHBOARD_SECTIONS if s[0] == "interface_brief"]
    snapshot = await collect_snapshot(pool, ROUTER, sections=brief_only, detail_limit=0)
    names = [row.name for row in snapshot.sections["interface_brief"].data.interfaces]
    wired.engine.interfaces.remember(ROUTER, names)


async def test_shutdown_commit_then_undo_shutdown(wired: Wired) -> None:
    await remember_interfaces(wired)
    workflow = wired.engine.workflow
    assert (await brief_row(wired, PORT)).phy == "up"

    plan = workflow.plan(InterfaceShutdown(ROUTER, "GE0/5/0"))
    assert plan.lines == ("system-view", f"interface {PORT}", "shutdown", "commit", "return")
    result = await workflow.apply(plan, confirmation=plan.token)
    assert result.outcome == "committed"
    assert [r.prompt for r in result.transcript] == [
        "[~NE8000]",
        f"[~NE8000-{PORT}]",
        f"[*NE8000-{PORT}]",
        f"[~NE8000-{PORT}]",
        "<NE8000>",
    ]
    row = await brief_row(wired, PORT)
    assert row.phy == "*down"
    assert row.admin_down is True

    plan = workflow.plan(InterfaceUndoShutdown(ROUTER, PORT))
    await workflow.apply(plan, confirmation=plan.token)
    assert (await brief_row(wired, PORT)).phy == "up"

    entries = wired.engine.audit.read()
    assert [e["outcome"] for e in entries] == ["committed", "committed"]
    assert entries[0]["commands"] == [
        "system-view",
        f"interface {PORT}",
        "shutdown",
        "commit",
        "return",
    ]
    assert entries[1]["commands"][2] == "undo shutdown"
    assert entries[0]["router"] == ROUTER
    assert entries[0]["time"][-6] in "+-"
    assert "[*NE8000-GigabitEthernet0/5/0]" in entries[0]["output"]
    assert wired.simulator.password not in wired.engine.audit.path.read_text()


async def test_router_rejects_a_line_change_abandoned_nothing_pending(wired: Wired) -> None:
    # The app's list says the port exists; the router disagrees (it was removed meanwhile).
    wired.engine.interfaces.remember(ROUTER, [PORT, "GigabitEthernet0/9/9"])
    workflow = wired.engine.workflow
    plan = workflow.plan(InterfaceShutdown(ROUTER, "GigabitEthernet0/9/9"))
    with pytest.raises(ChangeAbandoned) as caught:
        await workflow.apply(plan, confirmation=plan.token)
    assert caught.value.router_message.startswith("Error:")
    assert caught.value.router_message in str(caught.value)
    # The same (only reused) session is back in user view with nothing pending.
    pool = wired.engine.pools.get(ROUTER)
    async with pool.session() as session:
        first = await session.run("system-view")
        assert first.prompt == "[~NE8000]"
        back = await session.run("return")
        assert back.prompt == "<NE8000>"
    assert wired.opener.attempts == 1
    (entry,) = wired.engine.audit.read()
    assert entry["outcome"] == "aborted"
    assert entry["commands"] == ["system-view", "interface GigabitEthernet0/9/9", "return"]
    assert (await brief_row(wired, PORT)).phy == "up"


async def test_commit_that_hangs_is_reported_as_unknown_and_session_dropped(
    simulator, tmp_path: Path
) -> None:
    wired = wire(simulator, tmp_path, command_timeout=1.0, pool_size=1)
    try:
        await remember_interfaces(wired)
        simulator.faults.hang_commands = {"commit"}
        plan = wired.engine.workflow.plan(InterfaceShutdown(ROUTER, PORT))
        with pytest.raises(ChangeAbandoned, match="no answer to 'commit'") as caught:
            await wired.engine.workflow.apply(plan, confirmation=plan.token)
        assert caught.value.outcome_unknown is True
        simulator.faults.hang_commands = set()
        assert simulator.state.is_admin_down(PORT) is False
        row = await brief_row(wired, PORT)
        assert row.phy == "up"
        (entry,) = wired.engine.audit.read()
        assert entry["outcome"] == "unknown"
        assert entry["commands"][:4] == ["system-view", f"interface {PORT}", "shutdown", "commit"]
        # The timed-out session was dropped (its uncommitted candidate with it).
        assert wired.opener.attempts == 2
    finally:
        await wired.engine.close()


@pytest.mark.parametrize(
    "request_",
    [
        InterfaceShutdown(ROUTER, "GigabitEthernet0/1/0\nreboot"),
        InterfaceShutdown(ROUTER, "GigabitEthernet0/5/0\nreboot"),
        InterfaceShutdown(ROUTER, "x;y"),
        InterfaceUndoShutdown(ROUTER, "a|b"),
        InterfaceShutdown(ROUTER, "GigabitEthernet0/1/0"),  # not on this router
        CutAccessUser(ROUTER, "x;y"),
        CutAccessUser(ROUTER, "a|b"),
        CutAccessUser(ROUTER, "user\nreboot"),
    ],
)
async def test_injection_attempts_never_reach_the_router(wired: Wired, request_) -> None:
    wired.engine.interfaces.remember(ROUTER, [PORT])
    with pytest.raises(ValidationError):
        wired.engine.workflow.plan(request_)
    with pytest.raises(ValidationError):
        await wired.engine.console.run(ROUTER, "display version\nreboot", operator_mode=True)
    assert wired.opener.attempts == 0  # not even a login
    assert wired.simulator.vty_online == 0


async def test_cut_access_user_disconnects_without_commit(wired_frozen: Wired) -> None:
    wired = wired_frozen
    state = wired.simulator.state
    username = next(iter(state.subscribers.sessions.values())).username
    sessions = len(state.subscribers.by_username(username))
    plan = wired.engine.workflow.plan(CutAccessUser(ROUTER, username))
    assert "commit" not in plan.lines
    result = await wired.engine.workflow.apply(plan, confirmation=plan.token)
    assert result.outcome == "applied"
    assert result.users_cut == sessions
    assert state.subscribers.by_username(username) == []
    assert result.transcript[-1].prompt == "<NE8000>"


async def test_console_policy_over_ssh(wired: Wired) -> None:
    console = wired.engine.console
    result = await console.run(ROUTER, "dis int br | include GigabitEthernet0/5/0")
    assert "GigabitEthernet0/5/0" in result.result.output
    with pytest.raises(OperatorModeRequired):
        await console.run(ROUTER, "system-view")
    done = await console.run(
        ROUTER, "system-view", operator_mode=True, confirmed_line="system-view"
    )
    assert done.result.prompt == "[~NE8000]"
    assert done.cleanup == ("return",)
    (entry,) = wired.engine.audit.read()
    assert entry["commands"] == ["system-view", "return"]
