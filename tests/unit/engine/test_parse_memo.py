"""ParseMemo: an unchanged answer is not parsed again; anything else is, and errors never stick."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from app.domain.errors import ParseError
from app.domain.router import CommandResult, PromptKind
from app.domain.system import CpuUsage
from app.engine.alerts import AlertManager
from app.engine.cache import TtlCache
from app.engine.events import EventBus, RouterDataUpdated
from app.engine.history import History
from app.engine.parse_memo import ParseMemo
from app.engine.poller import DataSet, PollerParts, RouterPoller
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text

CPU = fixture_text("display-cpu-usage__ce-vrp8-lab-notes__1.txt")  # 17 %
BRIEF = fixture_text("display-interface-brief__huawei-doc-ne40e-v800r012c10__1.txt")


class CountingParser:
    """The real catalog parser, counting how often it runs."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, command: str, text: str) -> Any:
        self.calls += 1
        return parse_output(command, text)


def test_the_same_answer_gives_the_same_result_without_parsing_again() -> None:
    parser = CountingParser()
    memo = ParseMemo(parser)
    first = memo.parse("display cpu-usage", CPU)
    again = memo.parse("display cpu-usage", str(CPU))  # equal text, another string object
    assert isinstance(first, CpuUsage)
    assert again is first
    assert parser.calls == 1
    assert (memo.parsed, memo.reused) == (1, 1)


def test_a_changed_answer_is_parsed_and_replaces_the_remembered_one() -> None:
    parser = CountingParser()
    memo = ParseMemo(parser)
    first = memo.parse("display cpu-usage", CPU)
    busier = CPU.replace("17%", "93%", 1)
    assert busier != CPU
    changed = memo.parse("display cpu-usage", busier)
    assert changed.cpu_percent == 93
    assert first.cpu_percent == 17
    assert memo.parse("display cpu-usage", CPU) is not first  # only the last answer is kept
    assert parser.calls == 3


def test_answers_are_remembered_per_command() -> None:
    seen: list[str] = []

    def parse(command: str, text: str) -> tuple[str, str]:
        seen.append(command)
        return (command, text)

    memo = ParseMemo(parse)
    assert memo.parse("display version", "same text") == ("display version", "same text")
    assert memo.parse("display health", "same text") == ("display health", "same text")
    assert seen == ["display version", "display health"]


def test_a_parse_error_is_not_remembered() -> None:
    parser = CountingParser()
    memo = ParseMemo(parser)
    for _ in range(2):
        with pytest.raises(ParseError):
            memo.parse("display interface brief", "nothing like a brief\n")
    assert parser.calls == 2
    assert memo.parse("display interface brief", BRIEF).interfaces  # then a good one parses


class SameAnswers:
    """A router that answers each command with fixed text (set `outputs` to change it)."""

    def __init__(self, outputs: Mapping[str, str]) -> None:
        self.outputs = dict(outputs)

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        return CommandResult(command, self.outputs[command], "<R1>", PromptKind.USER)


async def test_the_poller_reuses_the_parse_but_stamps_each_answer_with_its_own_time() -> None:
    now = [1_700_000_000.0]
    router = SameAnswers({"display interface brief": BRIEF})
    parts = PollerParts(
        cache=TtlCache(ttls={"interfaces": 1.0}, clock=lambda: now[0]),
        bus=EventBus(),
        history=History(),
        alerts=AlertManager(),
        clock=lambda: now[0],
    )
    poller = RouterPoller("R1", router, parts, timeout=1.0)
    updates = parts.bus.subscribe(name="t")

    await poller.poll(DataSet.INTERFACES)
    now[0] += 30
    await poller.poll(DataSet.INTERFACES)
    row = "Eth-Trunk0                  down  down         3%"
    busier = BRIEF.replace(row, row.replace("3%", "9%"))
    assert busier != BRIEF
    router.outputs["display interface brief"] = busier
    now[0] += 30
    await poller.poll(DataSet.INTERFACES)

    briefs = []
    for _ in range(updates.statistics().queued):
        event = await anext(updates)
        if isinstance(event, RouterDataUpdated) and event.section == "interface_brief":
            briefs.append(event)
    assert [event.timestamp for event in briefs] == [now[0] - 60, now[0] - 30, now[0]]
    assert briefs[1].data is briefs[0].data  # same answer: parsed once
    assert briefs[2].data is not briefs[0].data  # a changed answer is parsed anew
    assert briefs[2].data.interfaces[0].in_util_percent == 9.0
    assert briefs[0].data.interfaces[0].in_util_percent == 3.0
