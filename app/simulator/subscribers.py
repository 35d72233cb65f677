"""PPPoE subscriber sessions of the simulated BRAS, with incrementally kept totals.

Every session is an individual record; the per-domain, per-pool, per-slot and
per-interface counts are updated on each login/logout so they always add up to the total
and no display has to recount 25,000 records. Logins and logouts are O(1) each.
"""

from __future__ import annotations

import ipaddress
import random
from collections import Counter
from dataclasses import dataclass, field

# OUIs of CPE vendors common on Brazilian FTTH networks (ONTs/routers).
_CPE_OUIS: tuple[str, ...] = (
    "e0cc-7a", "7c8b-ca", "f8b1-32", "789a-18", "d8c7-c8", "c83a-35", "a8f9-4b", "5c3a-45",
    "00e0-4c", "1c18-4a", "e8de-27", "b0a7-b9",
)  # fmt: skip

_FIRST_NAMES: tuple[str, ...] = (
    "joao", "maria", "jose", "ana", "carlos", "paulo", "lucas", "juliana", "marcos", "fernanda",
    "rafael", "camila", "bruno", "patricia", "diego", "aline", "thiago", "leticia", "rodrigo",
    "vanessa", "gabriel", "beatriz", "pedro", "larissa",
)  # fmt: skip
_LAST_NAMES: tuple[str, ...] = (
    "silva", "santos", "oliveira", "souza", "rodrigues", "ferreira", "alves", "pereira",
    "lima", "gomes", "costa", "ribeiro", "martins", "carvalho", "almeida", "lopes", "barbosa",
)  # fmt: skip
_COMPANIES: tuple[str, ...] = (
    "padaria", "mercado", "clinica", "autopecas", "escola", "farmacia", "hotel", "contabil",
    "posto", "otica",
)  # fmt: skip


@dataclass(slots=True)
class Pool:
    """An IPv4 address pool of a domain; `free` is a stack of unused host addresses."""

    name: str
    domain: str
    network: ipaddress.IPv4Network
    number: int
    free: list[int] = field(default_factory=list)

    @property
    def gateway(self) -> ipaddress.IPv4Address:
        """First host address: the BRAS side (VRP pool gateway)."""
        return self.network.network_address + 1

    @property
    def first(self) -> int:
        """First address handed out to users."""
        return int(self.network.network_address) + 2

    @property
    def last(self) -> int:
        """Last address handed out to users (broadcast excluded)."""
        return int(self.network.broadcast_address) - 1

    @property
    def total(self) -> int:
        """Addresses the pool can hand out."""
        return self.last - self.first + 1

    @property
    def used(self) -> int:
        """Addresses in use by online sessions."""
        return self.total - len(self.free)


@dataclass(slots=True)
class Domain:
    """An AAA domain: share of the subscriber base, username style and its pools."""

    name: str
    weight: float
    style: str
    access_limit: int = 1045504
    pools: list[str] = field(default_factory=list)
    customers: int = 0


@dataclass(slots=True)
class Session:
    """One online PPPoE subscriber as `display access-user` shows it."""

    user_id: int
    username: str
    domain: str
    interface: str
    slot: int
    ipv4: int
    pool: str
    mac: str
    pe_vlan: int
    ce_vlan: int | None
    ipv6: str | None
    login_at: float


@dataclass(slots=True)
class AccessPoint:
    """A sub-interface subscribers can log in on, with the slots that serve it."""

    name: str
    pe_vlan: int
    qinq: bool
    slots: tuple[int, ...]
    weight: float


# Domain plan: (name, share, username style, pool prefix length, pool base network).
_DOMAIN_PLAN: tuple[tuple[str, float, str, int, str], ...] = (
    ("isp", 0.60, "cliente", 19, "100.64.0.0"),
    ("fibra", 0.30, "nome", 20, "100.80.0.0"),
    ("empresas", 0.06, "empresa", 23, "177.36.240.0"),
    ("temporario", 0.04, "onu", 23, "100.100.0.0"),
)
_SYSTEM_DOMAINS: tuple[str, ...] = ("default0", "default1", "default_admin")
_HEADROOM = 1.45  # pool capacity over the nominal subscriber count of a domain


class SubscriberTable:
    """All online sessions plus the counts every display needs, kept up to date."""

    def __init__(self, nominal: int, rng: random.Random) -> None:
        self._rng = rng
        self.sessions: dict[int, Session] = {}
        self._order: list[int] = []
        self._position: dict[int, int] = {}
        self._by_username: dict[str, list[int]] = {}
        self.by_domain: Counter[str] = Counter()
        self.by_pool: Counter[str] = Counter()
        self.by_slot: Counter[int] = Counter()
        self.by_interface: Counter[str] = Counter()
        self.ipv6_count = 0
        self.logins_by_slot: Counter[int] = Counter()
        self.logouts_by_slot: Counter[int] = Counter()
        self._next_id = rng.randrange(1, 4000)
        self.domains: dict[str, Domain] = {name: Domain(name, 0.0, "") for name in _SYSTEM_DOMAINS}
        self.pools: dict[str, Pool] = {}
        self._build_domains(max(nominal, 1))
        self._access: list[AccessPoint] = []
        self._domain_names = [d.name for d in self.domains.values() if d.weight > 0]
        self._domain_weights = [self.domains[n].weight for n in self._domain_names]

    def _build_domains(self, nominal: int) -> None:
        pool_number = 0
        for name, share, style, prefix, base in _DOMAIN_PLAN:
            domain = Domain(name, share, style, customers=int(nominal * share * 1.6) + 20)
            self.domains[name] = domain
            size = 1 << (32 - prefix)
            needed = int(nominal * share * _HEADROOM) + 16
            count = max(1, -(-needed // (size - 3)))
            network = ipaddress.IPv4Network(f"{base}/{prefix}")
            for index in range(count):
                pool_name = f"{name}-pool{index + 1:02d}"
                pool = Pool(pool_name, name, network, pool_number)
                addresses = list(range(pool.first, pool.last + 1))
                self._rng.shuffle(addresses)
                pool.free = addresses
                self.pools[pool_name] = pool
                domain.pools.append(pool_name)
                pool_number += 1
                network = ipaddress.IPv4Network(
                    (int(network.network_address) + size, prefix)
                )

    # -- access points --------------------------------------------------------------------

    def set_access_points(self, points: list[AccessPoint]) -> None:
        """Sub-interfaces that currently accept logins (only those that are up)."""
        self._access = points
        self._access_cum: list[float] = []
        total = 0.0
        for point in points:
            total += point.weight
            self._access_cum.append(total)

    # -- queries --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._order)

    def by_username(self, username: str) -> list[Session]:
        """Sessions of one account (normally one; repeated logins are possible)."""
        return [self.sessions[uid] for uid in self._by_username.get(username, ())]

    def ordered(self) -> list[Session]:
        """Sessions in user-id order, as the box lists them."""
        return [self.sessions[uid] for uid in sorted(self.sessions)]

    # -- changes --------------------------------------------------------------------------

    def login_many(self, count: int, now: float) -> int:
        """Log `count` new sessions in (fewer when pools or access points run out)."""
        done = 0
        for _ in range(count):
            if self.login(now) is None:
                break
            done += 1
        return done

    def login(self, now: float) -> Session | None:
        """One new PPPoE session on a random up access point; None if impossible."""
        if not self._access:
            return None
        rng = self._rng
        domain = self.domains[rng.choices(self._domain_names, cum_weights=None,
                                          weights=self._domain_weights)[0]]
        pool = max((self.pools[name] for name in domain.pools), key=lambda p: len(p.free))
        if not pool.free:
            return None
        point = rng.choices(self._access, cum_weights=self._access_cum)[0]
        username = self._new_username(domain)
        user_id = self._allocate_id()
        slot = point.slots[user_id % len(point.slots)]
        ce_vlan = rng.randrange(1, 4000) if point.qinq else None
        ipv6 = None
        if rng.random() < 0.45:
            ipv6 = f"2804:3d8:{rng.randrange(0x1000, 0xffff):x}:{rng.randrange(0, 0xffff):x}::1"
        oui = rng.choice(_CPE_OUIS)
        tail = rng.getrandbits(24)
        mac = f"{oui}{tail >> 16:02x}-{tail & 0xFFFF:04x}"
        session = Session(user_id, username, domain.name, point.name, slot, pool.free.pop(),
                          pool.name, mac, point.pe_vlan, ce_vlan, ipv6, now)
        self._add(session)
        return session

    def logout_random(self, count: int) -> int:
        """Log `count` random sessions out (O(count))."""
        count = min(count, len(self._order))
        for _ in range(count):
            self.remove(self._order[self._rng.randrange(len(self._order))])
        return count

    def remove(self, user_id: int) -> Session | None:
        """End one session, returning its address to the pool."""
        session = self.sessions.pop(user_id, None)
        if session is None:
            return None
        index = self._position.pop(user_id)
        last = self._order.pop()
        if last != user_id:
            self._order[index] = last
            self._position[last] = index
        ids = self._by_username[session.username]
        ids.remove(user_id)
        if not ids:
            del self._by_username[session.username]
        self.pools[session.pool].free.append(session.ipv4)
        self.by_domain[session.domain] -= 1
        self.by_pool[session.pool] -= 1
        self.by_slot[session.slot] -= 1
        self.by_interface[session.interface] -= 1
        self.logouts_by_slot[session.slot] += 1
        if session.ipv6:
            self.ipv6_count -= 1
        return session

    def remove_where_interface(self, names: set[str]) -> int:
        """End every session on the given interfaces (an access port went down)."""
        doomed = [uid for uid, s in self.sessions.items() if s.interface in names]
        for uid in doomed:
            self.remove(uid)
        return len(doomed)

    def _add(self, session: Session) -> None:
        self.sessions[session.user_id] = session
        self._position[session.user_id] = len(self._order)
        self._order.append(session.user_id)
        self._by_username.setdefault(session.username, []).append(session.user_id)
        self.by_domain[session.domain] += 1
        self.by_pool[session.pool] += 1
        self.by_slot[session.slot] += 1
        self.by_interface[session.interface] += 1
        self.logins_by_slot[session.slot] += 1
        if session.ipv6:
            self.ipv6_count += 1

    def _allocate_id(self) -> int:
        """VRP user access index: increasing, wrapping, never one in use."""
        while True:
            user_id = self._next_id
            self._next_id = self._next_id + 1 if self._next_id < 262143 else 1
            if user_id not in self.sessions:
                return user_id

    def _new_username(self, domain: Domain) -> str:
        """An account of this domain that is not online yet (ONU accounts may repeat)."""
        rng = self._rng
        for _ in range(50):
            number = rng.randrange(1, domain.customers)
            name = _username(domain, number)
            if domain.style == "onu" or name not in self._by_username:
                return name
        return _username(domain, domain.customers + self._next_id)


def _username(domain: Domain, number: int) -> str:
    """Deterministic account name of customer `number` in the style of its domain."""
    if domain.style == "cliente":
        return f"cliente{number:05d}@{domain.name}"
    if domain.style == "nome":
        first = _FIRST_NAMES[number % len(_FIRST_NAMES)]
        last = _LAST_NAMES[(number // len(_FIRST_NAMES)) % len(_LAST_NAMES)]
        return f"{first}.{last[:3]}{number}@{domain.name}"
    if domain.style == "empresa":
        return f"{_COMPANIES[number % len(_COMPANIES)]}{number}@{domain.name}"
    return f"HWTC{number * 2654435761 % 0xFFFFFFFF:08X}"  # ONU serial, default domain
