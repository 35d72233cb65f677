"""The subscriber picture of one router, combined from the parsed BRAS outputs.

The dashboard shows the total online users, the split per domain, per line-card slot and
the IP pool fill. Each comes from a different command polled on its own schedule, and any
of them can fail; a missing source leaves its field None (shown as "no data"), never zeros,
which would read as a mass PPPoE drop and page the on-call engineer.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.subscribers import (
    AccessUserCounters,
    AccessUserSlots,
    DomainList,
    IpPool,
    IpPoolList,
)


@dataclass(frozen=True, slots=True)
class DomainUsage:
    """Online users of one AAA domain (`display domain`)."""

    name: str
    online: int | None
    access_limit: int | None
    state: str | None


@dataclass(frozen=True, slots=True)
class SlotUsage:
    """Online users on one slot (`display access-user slot`), with the per-auth-type counts."""

    slot: str
    total: int
    by_auth_type: dict[str, int]


@dataclass(frozen=True, slots=True)
class PoolUsage:
    """Fill of one IP pool (or of the whole box for the summary row).

    ``percent`` is the router's own printed `Ratio` when there is one (it counts addresses
    that are neither used nor free, e.g. conflicted ones, the way VRP does), else
    used/total when both are printed, else None.
    """

    name: str
    used: int | None
    total: int | None
    percent: float | None


@dataclass(frozen=True, slots=True)
class SubscriberSummary:
    """Everything the subscriber view shows; a field is None when its source is missing."""

    total: int | None  # `Total users` of `display access-user online-total`
    domains: tuple[DomainUsage, ...] | None
    slots: tuple[SlotUsage, ...] | None
    pools: tuple[PoolUsage, ...] | None
    pool_summary: PoolUsage | None  # the box-wide row, when the output prints one


def summarize_subscribers(
    *,
    online_total: AccessUserCounters | None = None,
    domains: DomainList | None = None,
    slots: AccessUserSlots | None = None,
    pools: IpPoolList | None = None,
) -> SubscriberSummary:
    """Combine whichever parsed outputs are at hand (None: that poll failed or not yet run)."""
    return SubscriberSummary(
        total=None if online_total is None else online_total.total_users,
        domains=None
        if domains is None
        else tuple(DomainUsage(d.name, d.online, d.access_limit, d.state) for d in domains.domains),
        slots=None
        if slots is None
        else tuple(SlotUsage(s.slot, s.total_users, dict(s.counters)) for s in slots.slots),
        pools=None if pools is None else tuple(pool_usage(p) for p in pools.pools),
        pool_summary=None if pools is None or pools.summary is None else pool_usage(pools.summary),
    )


def pool_usage(pool: IpPool) -> PoolUsage:
    """Used/total and percent of one parsed pool."""
    percent = pool.usage_percent
    if percent is None and pool.used is not None and pool.total:
        percent = pool.used * 100 / pool.total
    return PoolUsage(pool.name, pool.used, pool.total, percent)
