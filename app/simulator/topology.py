"""The simulated box's interfaces: names, roles, hierarchy, counters and name resolution.

Layout of a residential BRAS (NE8000 M8-like, interfaces named 0/<card>/<port>):
- card 1: 100GE uplinks; the first two bundled in Eth-Trunk1 toward the core,
- cards 2-3: 10GE ports (printed `GigabitEthernet0/2/0(10G)` like on the box) bundled into
  the access trunks Eth-Trunk10/Eth-Trunk20 (members split across both cards) whose
  sub-interfaces carry the PPPoE subscribers, plus a few QinQ access ports,
- cards 5-8: 1GE ports, mostly unused,
- GigabitEthernet0/0/0 (management), LoopBack0, NULL0, Virtual-Template1.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

COUNTER_MASK = (1 << 64) - 1

# Kinds of interface; the detail layout depends on it (physical vs logical).
PHYSICAL = "physical"
TRUNK = "trunk"
SUBIF = "subif"
LOOPBACK = "loopback"
NULL = "null"
VIRTUAL_TEMPLATE = "vt"

# Roles decide where traffic comes from.
UPLINK = "uplink"
ACCESS = "access"
MGMT = "mgmt"
UNUSED = "unused"
INTERNAL = "internal"

# Interface type words in print order (VRP lists types alphabetically, digits first).
TYPE_ORDER: tuple[str, ...] = (
    "100GE", "Eth-Trunk", "GigabitEthernet", "LoopBack", "NULL", "Virtual-Template",
)  # fmt: skip

# Short forms VRP accepts beside any unambiguous prefix of the full type word.
_ALIASES: dict[str, str] = {"ge": "GigabitEthernet", "vt": "Virtual-Template"}

_NAME_RE = re.compile(r"^\s*(\d+GE|[A-Za-z][A-Za-z\-]*)\s*(\d[\d/.:]*)\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Interface:
    """One interface with its configuration, state and 64-bit counters."""

    name: str
    kind: str
    role: str
    ifindex: int
    bandwidth_bps: int
    card: int | None = None
    speed_tag: str | None = None
    description: str = ""
    cabled: bool = True
    admin_down: bool = False
    parent: str | None = None
    members: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    mac: str = "00e0-fc00-0000"
    address: str | None = None
    mtu: int = 1500
    pe_vlan: int | None = None
    qinq: bool = False
    weight: float = 1.0
    in_bytes: int = 0
    in_packets: int = 0
    out_bytes: int = 0
    out_packets: int = 0
    crc_errors: int = 0
    rate_in_bps: float = 0.0
    rate_out_bps: float = 0.0
    avg_in_bps: float = 0.0
    avg_out_bps: float = 0.0
    avg_in_pps: float = 0.0
    avg_out_pps: float = 0.0
    peak_in_bps: float = 0.0
    peak_in_at: float = 0.0
    peak_out_bps: float = 0.0
    peak_out_at: float = 0.0
    last_up_at: float = 0.0
    last_down_at: float = 0.0
    noise: float = 1.0

    @property
    def is_physical(self) -> bool:
        """Physical ports print rates with a colon and bytes before packets."""
        return self.kind == PHYSICAL



def sort_key(name: str) -> tuple[int, tuple[int, ...]]:
    """VRP display order: by type word, then numerically by every number in the name."""
    match = _NAME_RE.match(name)
    if match is None:
        return (len(TYPE_ORDER), ())
    word, numbers = match.groups()
    rank = TYPE_ORDER.index(word) if word in TYPE_ORDER else len(TYPE_ORDER)
    return (rank, tuple(int(part) for part in re.split(r"[/.:]", numbers) if part))


def resolve_name(text: str, existing: dict[str, Interface]) -> str | None:
    """Canonical name of an existing interface from typed text (`GE0/1/0`, `eth-t 1`)."""
    match = _NAME_RE.match(text)
    if match is None:
        return None
    typed, numbers = match.group(1).lower(), match.group(2)
    if typed in _ALIASES:
        candidates = [_ALIASES[typed]]
    else:
        candidates = [word for word in TYPE_ORDER if word.lower().startswith(typed)]
        exact = [word for word in candidates if word.lower() == typed]
        candidates = exact or candidates
    if len(candidates) != 1:
        return None
    name = candidates[0] + numbers
    return name if name in existing else None


def _mac(rng: random.Random) -> str:
    """A Huawei-OUI MAC address (the box's own ports)."""
    tail = rng.getrandbits(24)
    return f"4c1f-cc{tail >> 16:02x}-{tail & 0xFFFF:04x}"


def _plan_ports(count: int) -> list[tuple[int, str, str | None, int]]:
    """(card, type word, brief suffix, bandwidth) for `count` physical ports."""
    n_up = 4 if count >= 24 else 2
    rest = count - n_up
    n_10g = max(2, rest // 2) if rest > 2 else rest
    n_1g = count - n_up - n_10g
    plan: list[tuple[int, str, str | None, int]] = [(1, "100GE", None, 100 * 10**9)] * n_up
    half = (n_10g + 1) // 2
    plan += [(2, "GigabitEthernet", "10G", 10 * 10**9)] * half
    plan += [(3, "GigabitEthernet", "10G", 10 * 10**9)] * (n_10g - half)
    per_card = max(24, -(-n_1g // 4))
    plan += [(5 + i // per_card, "GigabitEthernet", None, 10**9) for i in range(n_1g)]
    return plan


def build_interfaces(count: int, rng: random.Random) -> dict[str, Interface]:
    """Every interface of the box, keyed by canonical name (insertion order = ifindex)."""
    if count < 4:
        raise ValueError("the simulated box needs at least 4 physical interfaces")
    table: dict[str, Interface] = {}
    ifindex = iter(range(3, 100000))

    def add(iface: Interface) -> Interface:
        table[iface.name] = iface
        return iface

    add(Interface("GigabitEthernet0/0/0", PHYSICAL, MGMT, next(ifindex), 10**9, card=0,
                  description="MGMT-OOB", mac=_mac(rng), address="192.168.250.10/24"))
    next_port: dict[int, int] = {}
    ports_by_card: dict[int, list[Interface]] = {}
    for card, word, tag, bandwidth in _plan_ports(count):
        port = next_port.get(card, 0)
        next_port[card] = port + 1
        iface = add(Interface(f"{word}0/{card}/{port}", PHYSICAL, UNUSED, next(ifindex),
                              bandwidth, card=card, speed_tag=tag, cabled=False,
                              mac=_mac(rng), noise=rng.uniform(0.9, 1.1)))
        ports_by_card.setdefault(card, []).append(iface)

    uplinks = ports_by_card[1]
    ten_a = ports_by_card.get(2, [])
    ten_b = ports_by_card.get(3, [])
    ones = [iface for card, ports in sorted(ports_by_card.items()) if card >= 5
            for iface in ports]

    # Core uplink trunk and the standalone IX/CDN uplink.
    core = add(Interface("Eth-Trunk1", TRUNK, UPLINK, next(ifindex), 0, mac=_mac(rng),
                         description="UPLINK-CORE-01 Eth-Trunk1", address="10.255.0.1/30",
                         mtu=9000))
    for iface in uplinks[:2]:
        _bundle(core, iface, "UPLINK-CORE-01")
    if len(uplinks) > 2:
        _configure(uplinks[2], UPLINK, "UPLINK-IX-CDN 100GE", address="10.255.0.5/30")
    if len(uplinks) > 3:
        _configure(uplinks[3], UNUSED, "RESERVA-UPLINK")
        uplinks[3].admin_down = True

    # Access trunks: members split across cards 2 and 3 so users land on both slots;
    # Eth-Trunk10 carries single-tagged OLT VLANs, Eth-Trunk20 QinQ (outer per OLT port).
    access_trunks: list[Interface] = []
    for number, base_vlan, (a, b) in ((10, 100, (0, 2)), (20, 200, (2, 4))):
        members = ten_a[a:b] + ten_b[a:b]
        if not members:
            continue
        trunk = add(Interface(f"Eth-Trunk{number}", TRUNK, ACCESS, next(ifindex), 0,
                              mac=_mac(rng), description=f"ACESSO-OLT-{number // 10:02d}",
                              mtu=1522))
        for iface in members:
            _bundle(trunk, iface, f"OLT-{number // 10:02d}")
        access_trunks.append(trunk)
        for offset in range(4):
            vlan = base_vlan + offset
            sub = add(Interface(f"{trunk.name}.{vlan}", SUBIF, ACCESS, next(ifindex), 0,
                                parent=trunk.name, mac=trunk.mac, pe_vlan=vlan,
                                qinq=number == 20,  # per-customer inner VLAN (`200/2417`)
                                description=f"PPPoE-OLT{number // 10:02d}-VLAN{vlan}",
                                weight=rng.uniform(0.7, 1.3), noise=rng.uniform(0.9, 1.1)))
            trunk.children.append(sub.name)

    # Standalone QinQ access ports (a GE sub-interface per outer VLAN).
    spare_10g = [iface for iface in ten_a[2:] + ten_b[2:] if iface.parent is None]
    for position, iface in enumerate(spare_10g[:4]):
        outer = 2001 + position
        _configure(iface, ACCESS, f"ACESSO-POP-{position + 1:02d} QinQ")
        sub = add(Interface(f"{iface.name}.{outer}", SUBIF, ACCESS, next(ifindex), 0,
                            parent=iface.name, mac=iface.mac, pe_vlan=outer, qinq=True,
                            description=f"PPPoE-QINQ-POP{position + 1:02d}",
                            weight=rng.uniform(0.15, 0.35), noise=rng.uniform(0.9, 1.1)))
        iface.children.append(sub.name)
    for iface in spare_10g[4:6]:
        iface.admin_down = True
        iface.description = "RESERVADO"
    if ones:
        _configure(ones[0], MGMT, "SW-GERENCIA-OLTS", address="172.16.100.1/29")
    for iface in ones[1:3]:
        iface.admin_down = True

    add(Interface("LoopBack0", LOOPBACK, INTERNAL, next(ifindex), 0,
                  address="10.254.254.1/32", description="ROUTER-ID"))
    add(Interface("NULL0", NULL, INTERNAL, next(ifindex), 0))
    add(Interface("Virtual-Template1", VIRTUAL_TEMPLATE, INTERNAL, next(ifindex), 0,
                  mac=_mac(rng), description="PPPoE", mtu=1492))
    return dict(sorted(table.items(), key=lambda item: sort_key(item[0])))


def _configure(iface: Interface, role: str, description: str, address: str | None = None) -> None:
    """Mark a port as in service (cabled) with a role and a description."""
    iface.role = role
    iface.cabled = True
    iface.description = description
    iface.address = address


def _bundle(trunk: Interface, member: Interface, far_end: str) -> None:
    """Make `member` an Eth-Trunk member port."""
    _configure(member, trunk.role, f"{far_end} {trunk.name}")
    member.parent = trunk.name
    trunk.members.append(member.name)
