"""The change workflow against the scripted VRP session: plan, confirm, apply, abandon."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.errors import ValidationError
from app.domain.messages import MessageId, message
from app.domain.router import PromptKind, RouterProfile
from app.engine.audit import AuditLog
from app.engine.changes import (
    ChangeAbandoned,
    ChangeWorkflow,
    ConfirmationError,
    CutAccessUser,
    InterfaceDirectory,
    InterfaceShutdown,
    InterfaceUndoShutdown,
)
from app.engine.pool import SessionPool
from app.engine.ratelimit import LimitKind, RateLimiter
from tests.unit.engine.fakes import FakeOpener, FakeRouter


@pytest.fixture
def router() -> FakeRouter:
    return FakeRouter()


@pytest.fixture
def opener(router: FakeRouter) -> FakeOpener:
    return FakeOpener(router)


@pytest.fixture
def audit(tmp_path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl", user="noc")


@pytest.fixture
def workflow(opener: FakeOpener, audit: AuditLog) -> ChangeWorkflow:
    pool = SessionPool(
        RouterProfile(name="r1", host="127.0.0.1", pool_size=1), opener, lambda p: "pw"
    )
    directory = InterfaceDirectory()
    directory.remember("r1", ["GigabitEthernet0/5/0(10G)", "Eth-Trunk1"])
    return ChangeWorkflow(lambda name: pool, directory, audit)


def test_plan_previews_exact_lines_and_sends_nothing(
    workflow: ChangeWorkflow, router: FakeRouter
) -> None:
    plan = workflow.plan(InterfaceShutdown("r1", "GE 0/5/0"))
    assert plan.lines == (
        "system-view",
        "interface GigabitEthernet0/5/0",
        "shutdown",
        "commit",
        "return",
    )
    cut = workflow.plan(CutAccessUser("r1", "alice@isp"))
    assert cut.preview == "system-view\naaa\ncut access-user username alice@isp all\nreturn"
    assert router.sent == []


@pytest.mark.parametrize(
    "request_",
    [
        InterfaceShutdown("r1", "GigabitEthernet0/1/0\nreboot"),
        InterfaceShutdown("r1", "GigabitEthernet0/5/0;reboot"),
        InterfaceShutdown("r1", "GigabitEthernet0/9/9"),  # well-formed, not on this router
        InterfaceUndoShutdown("r1", "a|b"),
        CutAccessUser("r1", "x;y"),
        CutAccessUser("r1", "bob\nsave"),
        CutAccessUser("r1", "bob all"),
    ],
)
def test_injection_attempts_are_refused_at_plan_time(
    workflow: ChangeWorkflow, router: FakeRouter, opener: FakeOpener, request_
) -> None:
    with pytest.raises(ValidationError):
        workflow.plan(request_)
    assert router.sent == []
    assert opener.attempts == 0


async def test_shutdown_commits_and_audits(
    workflow: ChangeWorkflow, router: FakeRouter, audit: AuditLog
) -> None:
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    result = await workflow.apply(plan, confirmation=plan.token)
    assert result.outcome == "committed"
    assert router.admin_down["GigabitEthernet0/5/0"] is True
    assert router.sent == list(plan.lines)
    assert [r.prompt for r in result.transcript] == [
        "[~R1]",
        "[~R1-GigabitEthernet0/5/0]",
        "[*R1-GigabitEthernet0/5/0]",
        "[~R1-GigabitEthernet0/5/0]",
        "<R1>",
    ]
    (entry,) = audit.read()
    assert entry["router"] == "r1"
    assert entry["user"] == "noc"
    assert entry["outcome"] == "committed"
    assert entry["commands"] == list(plan.lines)
    # As the router printed it: each line right after the prompt it was typed at.
    printed = [line for line in result.printed().splitlines() if line[:1] in "<["]
    assert printed == [
        "<R1>system-view",
        "[~R1]interface GigabitEthernet0/5/0",
        "[~R1-GigabitEthernet0/5/0]shutdown",
        "[*R1-GigabitEthernet0/5/0]commit",
        "[~R1-GigabitEthernet0/5/0]return",
        "<R1>",
    ]
    assert entry["output"] == result.printed()  # the audit keeps the same text


async def test_confirmation_must_match_and_is_single_use(
    workflow: ChangeWorkflow, router: FakeRouter, audit: AuditLog
) -> None:
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    other = workflow.plan(InterfaceUndoShutdown("r1", "GigabitEthernet0/5/0"))
    with pytest.raises(ConfirmationError):
        await workflow.apply(plan, confirmation=other.token)
    with pytest.raises(ConfirmationError):
        await workflow.apply(plan, confirmation="")
    assert router.sent == []
    await workflow.apply(plan, confirmation=plan.token)
    with pytest.raises(ConfirmationError, match="already applied"):
        await workflow.apply(plan, confirmation=plan.token)
    workflow.cancel(other)
    with pytest.raises(ConfirmationError):
        await workflow.apply(other, confirmation=other.token)
    assert [e["outcome"] for e in audit.read()] == [
        "refused",
        "refused",
        "committed",
        "refused",
        "refused",
    ]


async def test_a_plan_from_another_workflow_is_refused(
    workflow: ChangeWorkflow, opener: FakeOpener, audit: AuditLog, router: FakeRouter
) -> None:
    other = ChangeWorkflow(lambda name: None, InterfaceDirectory(), audit)  # type: ignore[arg-type]
    directory = InterfaceDirectory()
    directory.remember("r1", ["GigabitEthernet0/5/0"])
    other._interfaces = directory
    foreign = other.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    with pytest.raises(ConfirmationError):
        await workflow.apply(foreign, confirmation=foreign.token)
    assert router.sent == []


async def test_rejected_commit_is_abandoned_with_nothing_pending(
    workflow: ChangeWorkflow, router: FakeRouter, opener: FakeOpener, audit: AuditLog
) -> None:
    router.reject = {"commit"}
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    with pytest.raises(ChangeAbandoned) as caught:
        await workflow.apply(plan, confirmation=plan.token)
    assert caught.value.router_message == "Error: Unrecognized command found at '^' position."
    assert "nothing committed" in str(caught.value)
    assert router.admin_down["GigabitEthernet0/5/0"] is False
    assert router.sent[-2:] == ["return", "n"]  # left the view, declined to commit
    session = opener.opened[0]
    assert session.is_open
    assert session.view is None
    assert not session.pending
    (entry,) = audit.read()
    assert entry["outcome"] == "aborted"
    assert entry["commands"] == [*plan.lines[:4], "return", "n"]
    assert "Unrecognized command" in entry["detail"]
    # The rejected `commit` was typed at `[*...]`, and the router stayed there for `return`.
    printed = caught.value.printed.splitlines()
    assert "[*R1-GigabitEthernet0/5/0]commit" in printed
    at = printed.index("[*R1-GigabitEthernet0/5/0]commit")
    assert printed[at + 1].startswith("Error: Unrecognized command")
    assert printed[at + 2] == "[*R1-GigabitEthernet0/5/0]return"
    # The message is translatable, the router's own words its reason.
    said = caught.value.operator_message
    assert said is not None
    assert said.id is MessageId.CHANGE_ABANDONED
    assert said.params["reason"] == caught.value.router_message


def test_an_interface_the_router_does_not_have_is_refused_in_translatable_words(
    workflow: ChangeWorkflow,
) -> None:
    with pytest.raises(ValidationError, match="does not exist") as caught:
        workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/9/9"))
    assert caught.value.operator_message == message(
        MessageId.CHANGE_UNKNOWN_INTERFACE, interface="GigabitEthernet0/9/9", router="r1"
    )
    with pytest.raises(ValidationError) as no_list:
        workflow.plan(InterfaceShutdown("r2", "GigabitEthernet0/5/0"))
    assert no_list.value.operator_message == message(
        MessageId.CHANGE_NO_INTERFACE_LIST, router="r2"
    )


async def test_unexpected_prompt_is_abandoned(
    workflow: ChangeWorkflow, router: FakeRouter, opener: FakeOpener
) -> None:
    # The router stays in system view after `interface X`: right kind, wrong view.
    router.prompt_override = {"interface GigabitEthernet0/5/0": ("[~R1]", PromptKind.SYSTEM)}
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    with pytest.raises(ChangeAbandoned, match="expected the GigabitEthernet0/5/0 view"):
        await workflow.apply(plan, confirmation=plan.token)
    assert router.sent == ["system-view", "interface GigabitEthernet0/5/0", "return"]
    assert opener.opened[0].view is None


async def test_session_lost_mid_change_is_reported(
    workflow: ChangeWorkflow, router: FakeRouter, opener: FakeOpener
) -> None:
    router.lose_on = {"shutdown"}
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    with pytest.raises(ChangeAbandoned, match="nothing committed: connection dropped") as caught:
        await workflow.apply(plan, confirmation=plan.token)
    assert caught.value.outcome_unknown is False  # lost before commit: VRP drops candidates
    assert router.admin_down["GigabitEthernet0/5/0"] is False
    assert not opener.opened[0].is_open


async def test_session_lost_on_commit_is_an_unknown_outcome(
    workflow: ChangeWorkflow, router: FakeRouter, audit: AuditLog
) -> None:
    router.lose_on = {"commit"}
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    with pytest.raises(ChangeAbandoned, match="may or may not have taken effect") as caught:
        await workflow.apply(plan, confirmation=plan.token)
    assert caught.value.outcome_unknown is True
    (entry,) = audit.read()
    assert entry["outcome"] == "unknown"
    assert entry["commands"] == list(plan.lines[:4])


async def test_cancelled_mid_change_is_audited_as_unknown(
    workflow: ChangeWorkflow, router: FakeRouter, audit: AuditLog
) -> None:
    router.delay = 0.05  # every answer takes a moment, so the task is cancelled mid-command
    plan = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    task = asyncio.create_task(workflow.apply(plan, confirmation=plan.token))
    while "commit" not in router.sent:
        await asyncio.sleep(0.005)
    task.cancel()  # Ctrl+C while `commit` is on its way
    with pytest.raises(asyncio.CancelledError):
        await task
    (entry,) = audit.read()
    assert entry["outcome"] == "unknown"
    assert entry["commands"][-1] == "commit"
    assert "cancelled" in entry["detail"]


async def test_cut_access_user_has_no_commit_and_reports_count(
    workflow: ChangeWorkflow, router: FakeRouter
) -> None:
    plan = workflow.plan(CutAccessUser("r1", "alice@isp"))
    result = await workflow.apply(plan, confirmation=plan.token)
    assert result.outcome == "applied"
    assert result.users_cut == 2
    assert "alice@isp" not in router.users
    assert router.sent == list(plan.lines)


async def test_rate_limit_refuses_before_sending(opener: FakeOpener, audit: AuditLog) -> None:
    pool = SessionPool(RouterProfile(name="r1", host="127.0.0.1"), opener, lambda p: "pw")
    directory = InterfaceDirectory()
    directory.remember("r1", ["GigabitEthernet0/5/0"])
    limiter = RateLimiter(
        {LimitKind.COMMAND: 1, LimitKind.DATA: 1, LimitKind.DIAGNOSTIC: 1}, clock=lambda: 0.0
    )
    workflow = ChangeWorkflow(lambda name: pool, directory, audit, limiter=limiter)
    first = workflow.plan(InterfaceShutdown("r1", "GigabitEthernet0/5/0"))
    second = workflow.plan(InterfaceUndoShutdown("r1", "GigabitEthernet0/5/0"))
    await workflow.apply(first, confirmation=first.token)
    from app.domain.errors import RateLimited

    with pytest.raises(RateLimited, match="retry in 60 s"):
        await workflow.apply(second, confirmation=second.token)
    assert opener.router.admin_down["GigabitEthernet0/5/0"] is True


async def test_unknown_router_is_refused_and_audited(audit: AuditLog) -> None:
    pools: dict[str, SessionPool] = {}
    directory = InterfaceDirectory()
    workflow = ChangeWorkflow(pools.__getitem__, directory, audit)
    plan = workflow.plan(CutAccessUser("ghost", "alice"))
    with pytest.raises(ValidationError, match="no router named 'ghost'"):
        await workflow.apply(plan, confirmation=plan.token)
    (entry,) = audit.read()
    assert (entry["router"], entry["outcome"], entry["commands"]) == ("ghost", "refused", [])


async def test_expired_previews_cannot_be_confirmed(audit: AuditLog) -> None:
    now = [0.0]
    workflow = ChangeWorkflow(
        lambda name: None,
        InterfaceDirectory(),
        audit,  # type: ignore[arg-type]
        clock=lambda: now[0],
    )
    first = workflow.plan(CutAccessUser("r1", "alice"))
    now[0] = 301.0
    with pytest.raises(ConfirmationError, match="preview expired"):
        await workflow.apply(first, confirmation=first.token)
    second = workflow.plan(CutAccessUser("r1", "bob"))
    now[0] = 602.0
    workflow.plan(CutAccessUser("r1", "carol"))  # planning forgets expired previews
    with pytest.raises(ConfirmationError, match="already applied or cancelled"):
        await workflow.apply(second, confirmation=second.token)
    assert [e["outcome"] for e in audit.read()] == ["refused", "refused"]
