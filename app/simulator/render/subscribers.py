"""Subscriber displays: access users, online totals, slots, domains, pools, PPPoE."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from app.simulator.errors import WRONG_PARAMETER, CommandError
from app.simulator.render._text import join, short_ifname

if TYPE_CHECKING:
    from app.simulator.device import DeviceState
    from app.simulator.subscribers import Pool, Session

_USER_RULE = "  " + "-" * 78
_MAC_ARGUMENT = re.compile(r"^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$", re.IGNORECASE)


def _user_rows(session: Session) -> list[str]:
    """The two lines `display access-user` prints per user."""
    interface = short_ifname(session.interface)
    interface = interface.ljust(15) if len(interface) < 14 else interface + "  "
    address = str(ipaddress.IPv4Address(session.ipv4))
    vlan = f"{session.pe_vlan}/{session.ce_vlan if session.ce_vlan is not None else '-'}"
    username = session.username
    username = username.ljust(24) if len(username) < 23 else username + "  "
    return [
        f"  {session.user_id:<11}{username}{interface}{address:<17}{session.mac}",
        f"  {'':<11}{vlan:<14}{session.ipv6 or '-':<25}{'PPPoE':<31}",
    ]


def _user_footer(total: int) -> list[str]:
    return [
        f"  {'Normal users':<35}: {total}",
        f"  {'RUI Local users':<35}: 0",
        f"  {'RUI Remote users':<35}: 0",
        f"  {'Total users':<35}: {total}",
    ]


def render_access_users(state: DeviceState, *, domain: str | None = None,
                        interface: str | None = None, username: str | None = None) -> str:
    """`display access-user [domain X | interface X | username X]`: two lines per user."""
    table = state.subscribers
    if domain is not None:
        if domain not in table.domains:
            raise CommandError(WRONG_PARAMETER)
        sessions = [s for s in table.ordered() if s.domain == domain]
    elif interface is not None:
        if interface not in state.interfaces:
            raise CommandError(WRONG_PARAMETER)
        prefix = interface + "."
        sessions = [s for s in table.ordered()
                    if s.interface == interface or s.interface.startswith(prefix)]
    elif username is not None:
        sessions = sorted(table.by_username(username), key=lambda s: s.user_id)
    else:
        sessions = table.ordered()
    lines = [
        _USER_RULE,
        "  UserID     Username                Interface      IP address       MAC",
        "             Vlan          IPv6 address             Access type",
        _USER_RULE,
    ]
    for session in sessions:
        lines += _user_rows(session)
    lines.append(_USER_RULE)
    lines += _user_footer(len(sessions))
    return join(lines)


def render_access_user_overview(state: DeviceState) -> str:
    """Plain `display access-user` on VRP8: the user counts, then users per domain.

    (VRP8 no longer lists every user here: a BRAS has tens of thousands.)
    """
    total = state.total_users()
    dual = state.subscribers.ipv6_count
    rule = "  " + "-" * 78
    counts = [
        ("Total users", total),
        ("IPv4 users", total - dual),
        ("IPv6 users", 0),
        ("Dual-Stack users", dual),
        ("Lac users", 0),
        ("RUI local users", 0),
        ("RUI remote users", 0),
        ("Wait authen-ack", 0),
        ("Authentication success", total),
        ("Accounting ready", total),
        ("Accounting state", 0),
        ("Wait leaving-flow-query", 0),
        ("Wait accounting-start", 0),
        ("Wait accounting-stop", 0),
        ("Wait authorization-client", 0),
        ("Wait authorization-server", 0),
    ]
    lines = ["-" * 78, *(f"  {name:<35}: {value}" for name, value in counts)]
    lines += [rule, f"  {'Domain-name':<35}Online-user", rule]
    for name in state.subscribers.domains:
        lines.append(f"  {name:<35}: {state.subscribers.by_domain.get(name, 0)}")
    lines.append(rule)
    return join(lines)


def _select_sessions(state: DeviceState, *, domain: str | None, username: str | None,
                     ip: str | None, mac: str | None) -> list[Session]:
    table = state.subscribers
    if domain is not None:
        if domain not in table.domains:
            raise CommandError(WRONG_PARAMETER)
        return [s for s in table.ordered() if s.domain == domain]
    if username is not None:
        return sorted(table.by_username(username), key=lambda s: s.user_id)
    if ip is not None:
        try:
            wanted = int(ipaddress.IPv4Address(ip))
        except ValueError:
            raise CommandError(WRONG_PARAMETER) from None
        return [s for s in table.ordered() if s.ipv4 == wanted]
    if mac is not None:
        if not _MAC_ARGUMENT.match(mac):
            raise CommandError(WRONG_PARAMETER)
        return [s for s in table.ordered() if s.mac == mac.lower()]
    return table.ordered()


def _online_time(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _detail_block(state: DeviceState, session: Session) -> list[str]:
    """One user as `display access-user ... verbose` prints it (Basic and AAA sections)."""
    pool = state.subscribers.pools[session.pool]
    vlan = f"{session.pe_vlan}/{session.ce_vlan if session.ce_vlan is not None else '-'}"
    started = state.local(session.login_at)
    online = _online_time(state.now() - session.login_at)
    stack = "ipv4/ipv6/-" if session.ipv6 else "ipv4/-/-"
    lines = [
        "Basic:",
        f"  {'User access index':<30}: {session.user_id}",
        f"  {'State':<30}: Used",
        f"  {'User name':<30}: {session.username}",
        f"  {'Domain name':<30}: {session.domain}",
        f"  {'User backup state':<30}: No",
        f"  {'RUI user state':<30}: -",
        f"  {'User access interface':<30}: {session.interface}",
        f"  {'User access PeVlan/CeVlan':<30}: {vlan}",
        f"  {'User access slot':<30}: {session.slot}",
        f"  {'User MAC':<30}: {session.mac}",
        f"  {'User IP address':<30}: {ipaddress.IPv4Address(session.ipv4)}",
        f"  {'User IP netmask':<30}: 255.255.255.255",
        f"  {'User gateway address':<30}: {pool.gateway}",
        f"  {'User Authen IP Type':<30}: {stack}",
        f"  {'User Basic IP Type':<30}: -/-/-",
    ]
    if session.ipv6:
        lines.append(f"  {'User IPv6 address':<30}: {session.ipv6}")
    lines += [
        f"  {'User access type':<30}: PPPoE",
        f"  {'User authentication type':<30}: PPP authentication",
        f"  {'Agent-Circuit-Id':<30}: -",
        f"  {'Agent-Remote-Id':<30}: -",
        f"  {'Access start time':<30}: {started:%Y-%m-%d %H:%M:%S}",
        "",
        "AAA:",
        f"  {'Current authen method':<30}: RADIUS authentication",
        f"  {'Authen result':<30}: Success",
        f"  {'Current accounting method':<30}: RADIUS accounting",
        f"  {'Accounting start time':<30}: {started:%Y-%m-%d %H:%M:%S}",
        f"  {'Online time (h:min:sec)':<30}: {online}",
        f"  {'Accounting state':<30}: Accounting",
        f"  {'MTU':<30}: 1492",
    ]
    return lines


def render_access_user_detail(state: DeviceState, *, domain: str | None = None,
                              username: str | None = None, ip: str | None = None,
                              mac: str | None = None) -> str:
    """`display access-user domain X verbose`, `username X verbose`, `ip-address X`,
    `mac-address X`: one block of `label : value` lines per user."""
    sessions = _select_sessions(state, domain=domain, username=username, ip=ip, mac=mac)
    if not sessions:
        return "Info: The user does not exist."
    rule = "  " + "-" * 67
    lines: list[str] = []
    for session in sessions:
        lines.append(rule)
        lines += _detail_block(state, session)
    lines.append(rule)
    return join(lines)


def _breakdown(state: DeviceState) -> list[tuple[str, int]]:
    total = state.total_users()
    dual = state.subscribers.ipv6_count
    return [
        ("Total users", total),
        ("IPv4 users", total - dual),
        ("IPv6 users", 0),
        ("Dual-Stack users", dual),
        ("PPPoE users", total),
        ("IPoE users", 0),
        ("L2TP users", 0),
        ("Static users", 0),
        ("Web users", 0),
        ("Normal users", total),
        ("RUI Local users", 0),
        ("RUI Remote users", 0),
    ]


def render_access_user_online_total(state: DeviceState, number: bool = False) -> str:
    """`display access-user online-total[-number]`: the total plus its breakdown."""
    rule = "  " + "-" * 62
    pairs = _breakdown(state)
    if number:
        pairs = [pair for pair in pairs if pair[0] in {"Total users", "Normal users",
                                                       "RUI Local users", "RUI Remote users"}]
    return join([rule, *(f"  {name:<35}: {value}" for name, value in pairs), rule])


def render_access_user_summary(state: DeviceState) -> str:
    """`display access-user summary`: totals by stack, access type and domain."""
    rule = "  " + "-" * 62
    lines = [rule, *(f"  {name:<35}: {value}" for name, value in _breakdown(state)), rule,
             "  Domain name                        : Online users"]
    for name in state.subscribers.domains:
        lines.append(f"  {'Domain ' + name:<35}: {state.subscribers.by_domain.get(name, 0)}")
    lines.append(rule)
    return join(lines)


def _user_slots(state: DeviceState) -> list[int]:
    return sorted(b.slot for b in state.boards.values() if b.kind == "LPU")


def _slot_choice(state: DeviceState, slot: str | int | None) -> list[int]:
    """The line cards a `slot N` argument selects (all user-capable cards without one)."""
    slots = _user_slots(state)
    if slot is None:
        return slots
    text = str(slot)
    if not text.isdigit() or int(text) not in slots:
        raise CommandError(WRONG_PARAMETER)
    return [int(text)]


def render_access_user_slot(state: DeviceState, slot: str | int | None = None) -> str:
    """`display access-user slot [N]`: users per line card by authentication type."""
    slots = _slot_choice(state, slot)
    rule = "-" * 77
    lines = [rule]
    for number in slots:
        count = state.subscribers.by_slot.get(number, 0)
        lines += [
            f"{'Slot':<25}: {number:<7}Total  user : {count}",
            "No authentication      : 0",
            f"PPP authentication     : {count}",
            "802.1x authentication  : 0",
            "Web authentication     : 0",
            "Bind authentication    : 0",
            "Fast authentication    : 0",
            "Wlan authentication    : 0",
            "Admin authentication   : 0",
            "Tunnel authentication  : 0",
            "MIP authentication     : 0",
            rule,
        ]
    return join(lines)


def render_domain(state: DeviceState) -> str:
    """`display domain`: one row per domain with its online count."""
    rule = "-" * 78
    lines = [
        rule,
        "  Domain name           State        CAR Access-limit   Online  BODNum RptVSMNum",
        "  " + rule,
    ]
    domains = state.subscribers.domains
    for name, domain in domains.items():
        online = state.subscribers.by_domain.get(name, 0)
        lines.append(f"  {name:<22}{'Active':<8}{0:>8}{domain.access_limit:>14}{online:>8}"
                     f"{0:>8}{0:>10}")
    lines += ["  " + rule, f"  Total {len(domains)},{len(domains)} printed"]
    return join(lines)


def _ratio(used: int, total: int) -> int:
    return used * 100 // total if total else 0


def _pool_statistic(total: int, used: int, indent: str) -> list[str]:
    return [
        f"{indent}IP address Statistic",
        f"{indent}  Total       :{total}",
        f"{indent}  Used        :{used:<11}Free      :{total - used}",
        f"{indent}  Conflicted  :0          Disable   :0",
        f"{indent}  Designated  :0          Gateway   :0",
        f"{indent}  Delayed     :0",
        f"{indent}  Ratio       :{_ratio(used, total)}%",
        f"{indent}  Isolated    :0",
    ]


def _mask(pool: Pool) -> str:
    return str(pool.network.netmask)


def render_ip_pool(state: DeviceState, name: str | None = None) -> str:
    """`display ip pool [name X]`: pool summary blocks or one pool's detail."""
    pools = state.subscribers.pools
    if name is not None:
        if name not in pools:
            raise CommandError(WRONG_PARAMETER)
        return _pool_detail(pools[name])
    rule = "  " + "-" * 89
    lines: list[str] = []
    for pool in pools.values():
        lines += [
            rule,
            f"  Pool-Name      : {pool.name}",
            f"  Pool-No        : {pool.number}",
            "  Pool-constant-index: -",
            f"  Position       : {'Local':<18}Status            : Unlocked",
            "  RUI-Flag       : -",
            f"  Gateway        : {pool.gateway!s:<18}Mask              : {_mask(pool)}",
            f"  Vpn instance   : {'--':<18}Unnumbered gateway: -",
            *_pool_statistic(pool.total, pool.used, "  "),
        ]
    total = sum(p.total for p in pools.values())
    used = sum(p.used for p in pools.values())
    lines += [
        rule,
        "  IP address pool Statistic",
        f"    Local       :{len(pools):<8}Remote    :0       Server    :0         Dynamic    :0",
        *_pool_statistic(total, used, "  "),
    ]
    return join(lines)


def _pool_detail(pool: Pool) -> str:
    rule = "  " + "-" * 87
    first = ipaddress.IPv4Address(pool.first)
    last = ipaddress.IPv4Address(pool.last)
    free = pool.total - pool.used
    lines = [
        f"  Pool-Name      : {pool.name}",
        f"  Pool-No        : {pool.number}",
        "  Pool-constant-index: -",
        "  Lease          : 3 Days 0 Hours 0 Minutes",
        "  Frameip-Lease-Manage: disable",
        "  NetBios Type   : N-Node",
        "  Auto recycle   : 30",
        "  Option 3       : Enable",
        "  DNS-Suffix     : -",
        "  Option-Code 125 : enterprise-code : 2011, string: -",
        f"  Position       : {'Local':<15}Status           : Unlocked",
        "  RUI-Flag       : -",
        "  Attribute      : Private",
        f"  Gateway        : {pool.gateway!s:<16}Mask             : {_mask(pool)}",
        f"  Vpn instance   : {'--':<16}Unnumbered gateway: -",
        f"  Profile-Name   : {'-':<16}Server-Name     : -",
        f"  Total Idle     : {free:<16}Have Dhcp IP     : 0",
        "  Timeouts       : 0",
        f"  Timeout Count  : {0:<16}Sub Option Count : 0",
        f"  Option Count   : {0:<16}Force-reply Count: 0",
        f"  Codes: {'CFLCT(conflicted)':<25}Wait-Request-Time: --",
        "  IP Loose Check : 0",
        rule,
        "  ID           start             end total  used  idle CFLCT disable reserved static-bind",
        rule,
        f"  {0:>2}{first!s:>16}{last!s:>16}{pool.total:>6}{pool.used:>6}{free:>6}"
        f"{0:>6}{0:>8}{0:>9}{0:>9}",
        rule,
    ]
    return join(lines)


def render_ip_pool_usage(state: DeviceState) -> str:
    """`display ip-pool pool-usage`: addresses per domain and the grand total."""
    rule = "-" * 53
    table = state.subscribers
    lines = [rule, " Domain name        PoolLen   Used    Ratio", rule]
    grand_total = grand_used = 0
    for name, domain in table.domains.items():
        total = sum(table.pools[p].total for p in domain.pools)
        used = sum(table.pools[p].used for p in domain.pools)
        grand_total += total
        grand_used += used
        lines.append(f" {name:<19}{total:<10}{used:<8}{_ratio(used, total)}%")
    lines += [rule, f" {'Total statistics':<19}{grand_total:<10}{grand_used:<8}"
                    f"{_ratio(grand_used, grand_total)}%", rule]
    return join(lines)


def _pppoe_counters(state: DeviceState, slots: list[int]) -> dict[str, int]:
    table = state.subscribers
    active = sum(table.by_slot.get(s, 0) for s in slots)
    logins = sum(table.logins_by_slot.get(s, 0) for s in slots)
    logouts = sum(table.logouts_by_slot.get(s, 0) for s in slots)
    padi = logins * 131 // 100 + logins // 7
    padr = logins * 104 // 100
    return {
        "ACTIVE_SESSION": active, "TOTAL_SESSION": active,
        "RECV_PADI_PKT": padi, "DISCARD_PADI_PKT": padi - logins * 131 // 100,
        "SEND_PADO_PKT": logins * 131 // 100,
        "RECV_PADR_PKT": padr, "DISCARD_PADR_PKT": padr - logins - logins // 50,
        "SEND_PADS_PKT": logins + logins // 50, "DISCARD_PADR_SAMEMAC": logins // 400,
        "SEND_NULL_PADS_PKT": 0,
        "RECV_PADT_PKT": logouts * 71 // 100, "DISCARD_PADT_PKT": logouts // 300,
        "SEND_PADT_PKT": logouts - logouts * 71 // 100,
        "SEND_PADM_PKT": 0, "SEND_PADM_URL_PKT": 0, "SEND_PADM_MOTM_PKT": 0,
        "SEND_PADN_PKT": 0,
        "RECV_SESSION_PKT": logins * 23 + active * 310, "DISCARD_SESSION_PKT": logins // 90,
        "SEND_SESSION_PKT": logins * 21 + active * 305,
        "RECV_PKT": padi + padr + logins * 23 + active * 310 + logouts * 71 // 100,
        "DISCARD_PKT": padi - logins * 131 // 100 + logins // 90,
        "DISCARD_PKT_SPEC": 0,
    }


def render_pppoe_statistics(state: DeviceState, slot: str | int | None = None) -> str:
    """`display pppoe statistics [slot N]`: PPPoE discovery/session packet counters."""
    slots = _slot_choice(state, slot)
    c = _pppoe_counters(state, slots)
    blank = " " * 71

    def pair(left: str, right: str | None = None) -> str:
        text = f" {left:<20}: {c[left]:<13}"
        text += f"{right:<20}: {c[right]:<13}" if right else " " * 35
        return text

    rule = " " + "-" * 69 + " "
    lines = [
        "-" * 69,
        "                       PPPoE Statistic Information",
        f"{'Slot:':>54}  {slot if slot is not None else 'all'}",
        "  " + "-" * 69,
        pair("ACTIVE_SESSION", "TOTAL_SESSION"), blank,
        pair("RECV_PADI_PKT", "DISCARD_PADI_PKT"), pair("SEND_PADO_PKT"),
        pair("RECV_PADR_PKT", "DISCARD_PADR_PKT"), pair("SEND_PADS_PKT", "DISCARD_PADR_SAMEMAC"),
        pair("SEND_NULL_PADS_PKT"), pair("RECV_PADT_PKT", "DISCARD_PADT_PKT"),
        pair("SEND_PADT_PKT"), pair("SEND_PADM_PKT"), pair("SEND_PADM_URL_PKT"),
        pair("SEND_PADM_MOTM_PKT"), pair("SEND_PADN_PKT"), blank,
        pair("RECV_SESSION_PKT", "DISCARD_SESSION_PKT"), pair("SEND_SESSION_PKT"),
        pair("RECV_PKT", "DISCARD_PKT"), pair("DISCARD_PKT_SPEC"),
        rule,
        "                          Invalid PAD Packets                          ",
        rule,
    ]
    for label in ("Invalid Version", "Invalid PAD Code", "Invalid PAD Tags",
                  "Invalid PAD Tag length", "Invalid PAD Type", "Invalid PADI Session",
                  "Invalid PADR Session", "Invalid PAD packet length",
                  "Other Invalid PAD packets", "Total Invalid PAD packets"):
        lines.append(f" {label:<28}: {0:<40}")
    lines.append(rule)
    return join(lines)
