"""Interface state as three VRP display commands report it.

`display interface brief` is the cheap poll for up/down and utilisation, `display interface`
carries the 64-bit byte counters the engine turns into rates, and `display interface
description` maps ports to the circuit names operators know them by. Each gets its own model
because each command reports a different subset; a field the router did not print is None,
never a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.parsing import ParseWarning


# Rows are built thousands at a time per poll; a frozen dataclass pays a slow
# object.__setattr__ per field (5x the cost of the whole row), so the per-row models are
# plain slotted dataclasses. Nothing mutates them: treat them as read-only.
@dataclass(slots=True)
class BriefInterface:
    """One row of `display interface brief`."""

    name: str  # without the `(10G)` bandwidth marker
    phy: str  # as printed: `up`, `down`, `*down`, `^down`, `up(l)`, ...
    phy_up: bool
    admin_down: bool  # `*down`: shut down by an operator
    standby: bool  # `^down`
    protocol: str  # as printed: `up`, `down`, `up(s)`, ...
    protocol_up: bool
    in_util_percent: float | None  # None for `--` (no utilisation for this interface type)
    out_util_percent: float | None
    in_errors: int | None  # None when the router prints no inErrors column
    out_errors: int | None
    trunk: str | None  # parent Eth-Trunk for an indented member row, else None
    bandwidth: str | None  # the `(10G)` marker without parentheses, if printed


@dataclass(frozen=True, slots=True)
class InterfaceBrief:
    """Output of `display interface brief`; ``warnings`` names the rows it had to skip."""

    interfaces: tuple[BriefInterface, ...]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class TrunkMember:
    """A member port listed under an Eth-Trunk block (`PortName Status Weight`)."""

    name: str
    status: str  # `UP` / `DOWN` as printed
    weight: int | None


@dataclass(slots=True)  # not frozen, for speed: see BriefInterface
class InterfaceDetail:
    """One interface block of `display interface [NAME]`.

    Counters are exact Python ints (they exceed 2**53 on busy ports). Rates are the
    router's own averages over `rate_interval_seconds`; the engine prefers counter deltas.
    """

    name: str
    current_state: str  # text after `current state :`, e.g. `UP`, `Administratively DOWN`
    phy_up: bool
    admin_down: bool
    protocol_state: str | None  # text after `Line protocol current state :`
    protocol_up: bool | None
    ifindex: int | None
    description: str  # "" when the router prints an empty description
    mtu: int | None
    bandwidth: str | None  # `Port BW: 10G` / `Current BW: 200M`, as printed
    internet_address: str | None
    mac_address: str | None
    last_up_time: str | None  # `Last physical up time`, as printed (keeps its UTC offset)
    last_down_time: str | None
    last_protocol_up_time: str | None
    rate_interval_seconds: int | None
    input_rate_bps: int | None
    input_rate_pps: int | None
    output_rate_bps: int | None
    output_rate_pps: int | None
    input_bytes: int | None
    input_packets: int | None
    output_bytes: int | None
    output_packets: int | None
    input_errors: int | None
    output_errors: int | None
    crc_errors: int | None
    input_util_percent: float | None
    output_util_percent: float | None
    trunk_members: tuple[TrunkMember, ...]  # empty unless the block lists trunk members
    # `bytes-first` (VRP8 physical ports) or `packets-first` (logical interfaces, VRP5);
    # None when the block has no `Input: ... , ...` counter line.
    counter_order: str | None


@dataclass(frozen=True, slots=True)
class InterfaceDetails:
    """Output of `display interface` (every interface) or `display interface NAME`.

    A block with a damaged value line is left out and named in ``warnings``.
    """

    interfaces: tuple[InterfaceDetail, ...]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class DescribedInterface:
    """One row of `display interface description`."""

    name: str  # as printed (VRP abbreviates: `GE1/0/0`), without the `(10G)` marker
    canonical_name: str | None  # `GigabitEthernet1/0/0`; None if the name is not recognised
    phy: str
    protocol: str
    description: str  # "" when none is configured


@dataclass(frozen=True, slots=True)
class InterfaceDescriptions:
    """Output of `display interface description`; ``warnings`` names skipped rows."""

    interfaces: tuple[DescribedInterface, ...]
    warnings: tuple[ParseWarning, ...] = ()
