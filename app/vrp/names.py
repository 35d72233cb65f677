"""Interface names as VRP writes and accepts them.

VRP accepts `GigabitEthernet0/1/0`, `GigabitEthernet 0/1/0`, `GE0/1/0`, `gi0/1/0` and
other unambiguous prefixes of the type name. Anything that goes into a router command must
first pass through :func:`normalise_interface_name`, which only ever returns a name built
from a known type and a strictly numeric position.
"""

from __future__ import annotations

import re

# Canonical type names as printed by VRP8 (NE8000/NE40E), longest first where prefixes overlap.
INTERFACE_TYPES: tuple[str, ...] = (
    "GigabitEthernet",
    "Ethernet",
    "XGigabitEthernet",
    "10GE",
    "25GE",
    "40GE",
    "50GE",
    "100GE",
    "200GE",
    "400GE",
    "FlexE",
    "Eth-Trunk",
    "Ip-Trunk",
    "Virtual-Ethernet",
    "Global-VE",
    "Virtual-Template",
    "LoopBack",
    "NULL",
    "Vlanif",
    "MEth",
    "Tunnel",
    "Pos",
    "Serial",
    "Cellular",
    "InLoopBack",
    "Aux",
    "Console",
    "Vbdif",
    "Nve",
    "Ima-group",
    "Mp-group",
    "Dialer",
)

# Types that are ports on a line card; the rest (trunks, sub-interfaces' parents aside,
# loopbacks, tunnels, virtual templates...) are logical.
PHYSICAL_TYPES: frozenset[str] = frozenset(
    {
        "GigabitEthernet",
        "Ethernet",
        "XGigabitEthernet",
        "10GE",
        "25GE",
        "40GE",
        "50GE",
        "100GE",
        "200GE",
        "400GE",
        "FlexE",
        "Pos",
        "Serial",
    }
)

# Short forms VRP prints or accepts that are not plain prefixes of the type name.
INTERFACE_ALIASES: dict[str, str] = {
    "ge": "GigabitEthernet",
    "xge": "XGigabitEthernet",
    "eth": "Ethernet",
    "ve": "Virtual-Ethernet",
    "vt": "Virtual-Template",
    "lo": "LoopBack",
    "trunk": "Eth-Trunk",
}

# An interface name as a table prints it: `GigabitEthernet0/1/0`, `50|100GE1/0/1`,
# `Serial0/0/0:0`, optionally with a `(10G)` speed or a `(v)` marker after it.
INTERFACE_CELL = re.compile(
    r"((?:\d{2,3}\|\d{2,3}GE|[A-Za-z0-9])[A-Za-z0-9/.:-]*)"
    r"(?:\((\d{1,4}(?:\.\d{1,2})?[KMGT]|[a-z]{1,2})\))?",
    re.ASCII,
)
_POSITION = re.compile(r"^\d{1,4}(?:/\d{1,4}){0,3}(?:\.\d{1,5})?(?::\d{1,4})?$")
_SPLIT = re.compile(r"^(\d{2,3}GE|[A-Za-z][A-Za-z-]*?)\s*(\d[\d/.:]*)$", re.IGNORECASE)
_SUFFIX = re.compile(r"\((?:\d+(?:\.\d+)?[GMT]|[a-z]{1,2})\)$", re.IGNORECASE)


def interface_type(name: str) -> str | None:
    """Resolve a typed type name (`ge`, `Gig`, `eth-t`) to its canonical VRP type, or None."""
    lowered = name.lower()
    if lowered in INTERFACE_ALIASES:
        return INTERFACE_ALIASES[lowered]
    exact = [t for t in INTERFACE_TYPES if t.lower() == lowered]
    if exact:
        return exact[0]
    candidates = [t for t in INTERFACE_TYPES if t.lower().startswith(lowered)]
    if len(candidates) == 1:
        return candidates[0]
    return None


def is_physical_type(name: str) -> bool:
    """True when `name` (typed or canonical) is a line-card port type, not a logical one."""
    return interface_type(name) in PHYSICAL_TYPES


def normalise_interface_name(text: str) -> str | None:
    """Canonical `TypeN/N/N[.sub]` for user or router text, or None if it is not a name.

    Accepts an optional space between type and number and a trailing bandwidth marker
    such as `(10G)` printed by `display interface brief`.
    """
    candidate = _SUFFIX.sub("", text.strip())
    match = _SPLIT.match(candidate)
    if not match:
        return None
    type_text, position = match.groups()
    canonical_type = interface_type(type_text)
    if canonical_type is None or not _POSITION.match(position):
        return None
    return f"{canonical_type}{position}"


def strip_bandwidth_suffix(name: str) -> str:
    """`GigabitEthernet0/3/6(10G)` -> `GigabitEthernet0/3/6` (brief output marks speed)."""
    return _SUFFIX.sub("", name.strip())
