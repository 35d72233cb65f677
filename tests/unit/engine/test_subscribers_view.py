"""summarize_subscribers: the subscriber view from real parsed outputs; missing stays None."""

from __future__ import annotations

import pytest

from app.domain.subscribers import IpPool
from app.engine.subscribers import (
    DomainUsage,
    PoolUsage,
    SlotUsage,
    SubscriberSummary,
    pool_usage,
    summarize_subscribers,
)
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text

# `display access-user online-total` as VRP8 prints it (no such capture in the collection).
ONLINE_TOTAL = """<NE8000> display access-user online-total
  ------------------------------------------------------------
  Total users                        : 1534
  IPv4 users                         : 1530
  IPv6 users                         : 12
  Dual-stack users                   : 8
  ------------------------------------------------------------
<NE8000>"""

SLOT_FIXTURE = "display-access-user-slot__huawei-doc-ne40e-v800r012c10__1.txt"


def parsed(command: str, fixture: str):
    return parse_output(command, fixture_text(fixture))


def test_every_source_present() -> None:
    summary = summarize_subscribers(
        online_total=parse_output("display access-user online-total", ONLINE_TOTAL),
        domains=parsed("display domain", "display-domain__huawei-doc-ne40e-v800r012c10__1.txt"),
        slots=parsed("display access-user slot", SLOT_FIXTURE),
        pools=parsed("display ip-pool pool-usage", "display-ip-pool-usage__bng-runbook-id__1.txt"),
    )
    assert summary.total == 1534
    assert summary.domains is not None
    assert summary.domains[0] == DomainUsage("default0", 0, 1045504, "Active")
    assert summary.slots is not None
    [slot] = summary.slots
    assert (slot.slot, slot.total, slot.by_auth_type["PPP authentication"]) == ("1", 1, 1)
    assert summary.pools is not None
    assert len(summary.pools) == 20
    by_name = {p.name: p for p in summary.pools}
    assert by_name["ret10m"] == PoolUsage("ret10m", 3338, 8192, 40.0)  # the router's ratio
    assert by_name["2903-india"].percent == 87.0
    assert by_name["default0"] == PoolUsage("default0", 0, 0, 0.0)
    assert summary.pool_summary is not None
    assert (summary.pool_summary.used, summary.pool_summary.total) == (23540, 84224)
    assert summary.pool_summary.percent == 27.0


def test_missing_sources_are_none_not_zero() -> None:
    assert summarize_subscribers() == SubscriberSummary(
        total=None, domains=None, slots=None, pools=None, pool_summary=None
    )
    only_slots = summarize_subscribers(slots=parsed("display access-user slot", SLOT_FIXTURE))
    assert only_slots.total is None
    assert only_slots.domains is None
    assert only_slots.pools is None
    assert only_slots.slots is not None
    [slot] = only_slots.slots
    assert isinstance(slot, SlotUsage)
    assert (slot.slot, slot.total, len(slot.by_auth_type)) == ("1", 1, 10)
    assert slot.by_auth_type["Web authentication"] == 0


def test_online_total_without_a_total_line_stays_none() -> None:
    counters = parse_output(
        "display access-user online-total", "  PPPoE users : 10        IPoE users : 3\n"
    )
    assert summarize_subscribers(online_total=counters).total is None


def test_pool_detail_without_ratio_gets_used_over_total() -> None:
    result = parsed("display ip pool", "display-ip-pool__huawei-doc-ne40e-v800r012c10__1.txt")
    summary = summarize_subscribers(pools=result)
    assert summary.pools == (PoolUsage("huawei", 0, 4, 0.0),)
    assert summary.pool_summary is None  # this output prints no box-wide block


@pytest.mark.parametrize(
    ("used", "total", "ratio", "percent"),
    [
        (25, 200, None, 12.5),
        (None, 200, None, None),  # used not printed: no percent invented
        (25, None, None, None),
        (0, 0, None, None),  # an empty pool has no fill ratio
        (0, 253, 100.0, 100.0),  # the router's own ratio wins (VRP counts unusable addresses)
    ],
)
def test_pool_percent(
    used: int | None, total: int | None, ratio: float | None, percent: float | None
) -> None:
    pool = IpPool(name="p", total=total, used=used, free=None, usage_percent=ratio)
    assert pool_usage(pool) == PoolUsage("p", used, total, percent)
