"""Subscriber (BRAS) models: online users, domains, address pools and PPPoE counters.

These are what the VRP parsers return for the `display access-user ...`, `display domain`,
`display ip pool ...` and `display pppoe statistics` families. Anything the router did not
print is ``None``; a count is never invented as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.parsing import ParseWarning


@dataclass(frozen=True, slots=True)
class AccessUserCounters:
    """`display access-user online-total[-number]` / `summary`: named user counts.

    ``total_users`` is the `Total users : N` line (None when the output has none);
    ``counters`` holds every other `name : number` pair, keyed by the printed name with
    runs of spaces collapsed.
    """

    total_users: int | None
    counters: dict[str, int] = field(default_factory=dict)
    # Plain `display access-user` (VRP8): online users per domain, from its
    # `Domain-name Online-user` rows; empty where the output has no such rows.
    domains: dict[str, int] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()  # counts left out (damaged lines)


@dataclass(frozen=True, slots=True)
class AccessUser:
    """One row pair of the access-user table (two printed lines per user).

    ``interface`` is the name as printed (`GE0/1/2.1`, `Eth-Trunk100.3150`);
    ``interface_name`` is its canonical form (`GigabitEthernet0/1/2.1`) when it is one.
    ``vlan`` is the printed `PeVlan/CeVlan` text; ``pe_vlan``/``ce_vlan`` its numbers.
    """

    user_id: int
    username: str | None
    interface: str | None
    ipv4: str | None
    mac: str | None
    vlan: str | None = None
    ipv6: str | None = None
    access_type: str | None = None
    interface_name: str | None = None
    pe_vlan: int | None = None
    ce_vlan: int | None = None


@dataclass(frozen=True, slots=True)
class AccessUserList:
    """`display access-user domain|interface|username ...`: the users and the footer.

    ``total_users`` comes from the `Total users : N` footer (None when it is absent);
    ``counters`` holds every footer count (`Normal users`, `RUI Local users`, ...).
    """

    users: tuple[AccessUser, ...]
    total_users: int | None
    counters: dict[str, int] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()  # users left out (damaged lines)


@dataclass(frozen=True, slots=True)
class AccessUserDetail:
    """One user of `display access-user ... verbose` / `ip-address X` / `mac-address X`.

    What a subscriber lookup shows: where the session is (``interface``, VLANs, slot),
    who it is (``username``, ``domain``, ``mac``), its addresses, how it came in
    (``access_type``, ``authentication``) and for how long (``online_seconds`` from
    `Online time (h:min:sec)`, ``access_start`` as printed). ``fields`` keeps every
    printed `label : value` of the user as printed. Absent values are None.
    """

    user_id: int  # `User access index`
    username: str | None
    domain: str | None
    interface: str | None  # as printed: `Eth-Trunk3.2910`, `GigabitEthernet 1/0/1`
    interface_name: str | None  # canonical: `Eth-Trunk3.2910`, `GigabitEthernet1/0/1`
    physical_interface: str | None
    vlan: str | None  # `2910/-` as printed
    pe_vlan: int | None
    ce_vlan: int | None
    slot: str | None
    mac: str | None
    ipv4: str | None
    ipv6: str | None
    ipv6_prefix: str | None
    access_type: str | None  # `PPPoE`, `IPOE`
    authentication: str | None  # `PPP authentication`
    state: str | None
    online_seconds: int | None
    access_start: str | None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccessUserDetails:
    """The users of a per-user detail command; ``warnings`` names users left out."""

    users: tuple[AccessUserDetail, ...]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class SlotUsers:
    """One slot of `display access-user slot`: its total and the count per auth type."""

    slot: str
    total_users: int
    counters: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccessUserSlots:
    """`display access-user slot [N]`."""

    slots: tuple[SlotUsers, ...]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class Domain:
    """One row of `display domain`; ``columns`` keeps every printed column by header."""

    name: str
    state: str | None
    online: int | None
    access_limit: int | None
    car: int | None = None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DomainList:
    """`display domain`: the rows and the `Total N,M printed` footer."""

    domains: tuple[Domain, ...]
    total: int | None
    printed: int | None
    warnings: tuple[ParseWarning, ...] = ()  # rows left out (damaged)


@dataclass(frozen=True, slots=True)
class IpPool:
    """Address counts of one pool (or pool group, or a domain's pools, or the whole box).

    ``usage_percent`` is the router's own `Ratio` as printed (`40%` -> 40.0); it is None
    where the output prints no ratio (pool detail). ``free`` is the router's `Free` figure
    or, for pool detail, the sum of the section table's `idle` column (`Total Idle` when no
    table is printed). It is never derived as total - used, because conflicted, disabled
    and reserved addresses are neither used nor free; so `display ip-pool pool-usage`,
    which prints only PoolLen and Used, leaves it None. ``counters`` keeps every other
    number of the pool as printed.
    """

    name: str
    total: int | None
    used: int | None
    free: int | None
    usage_percent: float | None
    pool_no: int | None = None
    position: str | None = None
    status: str | None = None
    gateway: str | None = None
    mask: str | None = None
    vpn_instance: str | None = None
    counters: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IpPoolList:
    """`display ip pool [name X]`, `display ip-pool pool-usage`, `display ip pool-group`.

    ``summary`` is the box-wide block (`IP address Statistic` after the per-pool blocks,
    or the `Total statistics` row); ``pool_counts`` the `IP address pool Statistic` line
    (`Local`, `Remote`, `Server`, ...). Both are None/empty when not printed.
    """

    pools: tuple[IpPool, ...]
    summary: IpPool | None = None
    pool_counts: dict[str, int] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()  # pools left out (damaged blocks)


@dataclass(frozen=True, slots=True)
class PppoeStatistics:
    """`display pppoe statistics [slot N]`: every `NAME : value` counter as printed.

    ``slot`` is the slot the output names (None when it names none, or several).
    When the output holds several `Slot: N` blocks, ``per_slot`` keeps each block and
    ``counters`` is their sum, the box-wide figure.
    """

    counters: dict[str, int]
    slot: str | None = None
    per_slot: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()  # counters left out (damaged lines)
