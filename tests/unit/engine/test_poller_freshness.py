"""The poller's section records: per-section failures, derived times, raw text, log-once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

import app.engine.poller as poller_module
from app.domain.errors import RouterTimeout, RouterUnreachable
from app.domain.parsing import ParseWarning
from app.domain.subscribers import IpPoolList
from app.engine.events import PollFailed, RouterDataUpdated
from app.engine.freshness import ErrorCode, Freshness, Outcome
from app.engine.parse_memo import ParseMemo
from app.engine.poller import DataSet
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text
from tests.unit.engine.test_poller import CPU, MEMORY, Clock, ScriptedRunner, drain, make

ONLINE_TOTAL = """  ------------------------------------------------------------
  Total users                        : 1534
  IPv4 users                         : 1530
  ------------------------------------------------------------
"""
DOMAINS = fixture_text("display-domain__huawei-doc-ne40e-v800r012c10__1.txt")
POOLS = fixture_text("display-ip-pool__huawei-doc-ne40e-v800r012c10__1.txt")
SLOTS = fixture_text("display-access-user-slot__huawei-doc-ne40e-v800r012c10__1.txt")
SYSTEM_OUTPUTS = {
    "display cpu-usage": CPU,
    "display memory-usage": MEMORY,
    "display health": fixture_text("display-health__huawei-doc-ne40e-v800r012c10__1.txt"),
    "display alarm active": fixture_text(
        "display-alarm-active__huawei-doc-ne40e-v800r012c10__1.txt"
    ),
    "display version": fixture_text("display-version__ntc-templates__1.txt"),
}
SUBSCRIBER_OUTPUTS = {
    "display access-user online-total": ONLINE_TOTAL,
    "display domain": DOMAINS,
    "display ip pool": POOLS,
    "display access-user slot": SLOTS,
}


class FailingRunner(ScriptedRunner):
    """Scripted answers, except that some commands raise a given error."""

    def __init__(self, outputs: dict[str, str], failing: dict[str, Exception]) -> None:
        super().__init__(outputs)
        self.failing = failing

    async def run(self, command: str, *, timeout: float | None = None):  # type: ignore[override]
        if command in self.failing:
            self.calls[command] = self.calls.get(command, 0) + 1
            raise self.failing[command]
        return await super().run(command, timeout=timeout)


async def test_a_section_failing_every_poll_stays_visible_while_others_succeed() -> None:
    clock = Clock()
    timeout = RouterTimeout("command 'display ip pool' timed out after 10 s")
    runner = FailingRunner(
        {**SUBSCRIBER_OUTPUTS, **SYSTEM_OUTPUTS},
        {"display ip pool": timeout},
    )
    poller, _parts, _sink = make(clock, runner, ttl=0.0)
    for _ in range(3):
        await poller.poll(DataSet.SUBSCRIBERS)
        clock.now += 15
        await poller.poll(DataSet.SYSTEM)  # another data set succeeds in between
        clock.now += 15
    pools = poller.records()["ip_pools"]
    assert pools.failures == 3
    assert pools.error is not None
    assert pools.error.code is ErrorCode.TIMEOUT
    assert pools.state(clock.now) is Freshness.NEVER
    assert poller.records()["domains"].state(clock.now) is Freshness.FRESH
    # The router-wide last error is not cleared by the system data set's success.
    status = poller.status()
    assert status.last_error is not None
    assert status.last_error.startswith("ip_pools: ")
    assert status.sections["ip_pools"].failures == 3


async def test_subscriber_summary_is_as_old_as_its_oldest_input() -> None:
    clock = Clock()
    t0 = clock.now
    runner = FailingRunner(dict(SUBSCRIBER_OUTPUTS), {})
    poller, parts, _sink = make(clock, runner, ttl=0.0)
    sub = parts.bus.subscribe(name="t")
    await poller.poll(DataSet.SUBSCRIBERS)
    summary = poller.records()["subscribers"]
    assert summary.collected_at == t0
    assert summary.state(clock.now) is Freshness.FRESH

    clock.now = t0 + 15  # online-total now hangs until it times out; the rest answers
    runner.failing["display access-user online-total"] = RouterTimeout("timed out")
    await drain(sub)
    await poller.poll(DataSet.SUBSCRIBERS)
    events = await drain(sub)
    updated = [e for e in events if isinstance(e, RouterDataUpdated)]
    summary_event = next(e for e in updated if e.section == "subscribers")
    assert summary_event.timestamp == t0  # never stamped with "now"
    assert summary_event.record is not None
    assert summary_event.record.state(clock.now) is Freshness.STALE
    assert poller.records()["domains"].collected_at == t0 + 15
    failed = [e for e in events if isinstance(e, PollFailed)]
    assert [e.section for e in failed] == ["online_total"]
    assert failed[0].record is not None
    assert failed[0].record.failures == 1


async def test_a_router_that_never_answered_has_no_data_time_and_no_latency() -> None:
    clock = Clock()
    runner = ScriptedRunner({})
    runner.fail = RouterUnreachable("cannot connect: refused")
    poller, parts, _sink = make(clock, runner)
    sub = parts.bus.subscribe(name="t")
    for dataset in (DataSet.SUBSCRIBERS, DataSet.SYSTEM, DataSet.INTERFACES, DataSet.TRAFFIC):
        await poller.poll(dataset)
    events = await drain(sub)
    assert not [e for e in events if isinstance(e, RouterDataUpdated)]
    status = poller.status()
    assert status.last_poll_seconds == {}  # timeouts are not a latency
    assert status.last_answer_at is None
    assert all(r.state(clock.now) is Freshness.NEVER for r in status.sections.values())
    assert {r.section for r in status.sections.values() if r.failures} >= {
        "online_total",
        "cpu",
        "interface_brief",
        "traffic",
    }
    assert status.sections["cpu"].error is not None
    assert status.sections["cpu"].error.code is ErrorCode.UNREACHABLE


async def test_unreadable_output_keeps_the_router_text_and_is_logged_once_per_shape(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    garbage = "Total usérs ¶ 12\n"
    runner = ScriptedRunner({"display cpu-usage": garbage, "display memory-usage": MEMORY})
    poller, _parts, _sink = make(clock, runner, ttl=0.0)
    caplog.set_level(logging.DEBUG, logger="ne8000monitor.engine.poller")
    for _ in range(3):
        await poller.poll(DataSet.SYSTEM)
        clock.now += 45
    cpu = poller.records()["cpu"]
    assert cpu.raw == garbage  # exactly what the router printed
    assert cpu.error is not None
    assert cpu.error.code is ErrorCode.PARSE_ERROR
    assert cpu.error.command == "display cpu-usage"
    assert cpu.failures == 3
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "cpu-usage" in r.message
    ]
    assert len(warnings) == 1  # not once per poll

    runner.outputs["display cpu-usage"] = "CPU utilization ¿ broken differently\n"
    await poller.poll(DataSet.SYSTEM)
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "cpu-usage" in r.message
    ]
    assert len(warnings) == 2  # a new shape is news

    runner.outputs["display cpu-usage"] = CPU
    clock.now += 45
    await poller.poll(DataSet.SYSTEM)
    cpu = poller.records()["cpu"]
    assert (cpu.failures, cpu.raw, cpu.outcome) == (0, None, Outcome.OK)


@dataclass(frozen=True, slots=True)
class PartialPools(IpPoolList):
    """What the tolerant `display ip pool` parser returns when it skips a malformed row."""

    warnings: tuple[ParseWarning, ...] = ()


async def test_a_partial_parse_is_shown_marked_with_its_raw_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_parse = parse_output
    warning = ParseWarning("row has 3 fields, header 6", "  pool-x   12  34", 9)

    def parse(command: str, text: str) -> object:
        result = real_parse(command, text)
        if command == "display ip pool":
            assert isinstance(result, IpPoolList)
            return PartialPools(result.pools, result.summary, result.pool_counts, (warning,))
        return result

    monkeypatch.setattr(poller_module, "ParseMemo", lambda: ParseMemo(parse))
    clock = Clock()
    poller, _parts, _sink = make(clock, ScriptedRunner(dict(SUBSCRIBER_OUTPUTS)), ttl=0.0)
    await poller.poll(DataSet.SUBSCRIBERS)
    pools = poller.records()["ip_pools"]
    assert pools.outcome is Outcome.PARTIAL
    assert pools.partial
    assert pools.raw == POOLS
    assert pools.state(clock.now) is Freshness.FRESH
    assert pools.value is not None
    assert pools.value.warnings == (warning,)
    summary = poller.records()["subscribers"]
    assert summary.partial  # the summary shows those pools, so it is partial too
    assert summary.value is not None
    assert summary.value.data.pools  # the good rows are shown
