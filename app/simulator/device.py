"""Live state of the simulated NE8000: subscribers, interfaces, boards, alarms.

Everything moves with the injected clock only: `advance()` brings the state up to
`clock()` (subscriber churn around a daily curve, counters integrating per-interface
traffic, CPU and memory wandering). The same seed and the same sequence of clock readings
give the same state, so tests use a fake clock and renderers are pure functions of it.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from app.simulator import curves
from app.simulator.alarms import MAJOR, MINOR, WARNING, AlarmTable
from app.simulator.subscribers import AccessPoint, SubscriberTable
from app.simulator.system import Board, build_boards
from app.simulator.topology import (
    ACCESS,
    COUNTER_MASK,
    LOOPBACK,
    MGMT,
    NULL,
    PHYSICAL,
    SUBIF,
    TRUNK,
    UPLINK,
    VIRTUAL_TEMPLATE,
    Interface,
    build_interfaces,
    resolve_name,
)

MODEL = "NE8000 M8"
VRP_VERSION = "8.210"
PRODUCT_VERSION = "V800R021C10SPC600"

PEAK_DOWN_BPS_PER_USER = 2.2e6  # average download per online subscriber at the 21h peak
UP_RATIO = 0.11  # upload / download
SESSION_MEAN_SECONDS = 8 * 3600.0  # mean PPPoE session length (CPE reboots, PPP renewals)
RELAX_SECONDS = 600.0  # how fast the online count follows its target (and recovers)
MAX_TRAFFIC_STEP = 60.0  # counters are integrated in steps of at most this many seconds
MAX_TRAFFIC_STEPS = 720

# Average packet size (bytes) per direction: (input, output), by role.
_PACKET_SIZE = {ACCESS: (260, 1180), UPLINK: (1180, 260), MGMT: (420, 380)}

LINK_DOWN_ID = "0x8520003"
USER_DROP_ID = "0x2D620009"


class DeviceState:
    """All live state of one simulated router, deterministic for a seed + clock.

    `subscribers` is the nominal subscriber base: the online count follows the daily curve
    around it (about 0.84x at 4-5 am, 1.06x at 21h local time). `interfaces` is the number
    of service ports; the MPU management port GigabitEthernet0/0/0 comes on top.
    `utc_offset_minutes` is the box's time zone (Brazil, UTC-3, by default).
    """

    def __init__(self, *, hostname: str = "NE8000", subscribers: int = 25000,
                 interfaces: int = 48, seed: int | None = None,
                 clock: Callable[[], float] = time.time, utc_offset_minutes: int = -180) -> None:
        if subscribers < 0:
            raise ValueError("subscribers must be >= 0")
        self.hostname = hostname
        self.model = MODEL
        self.vrp_version = VRP_VERSION
        self.product_version = PRODUCT_VERSION
        self.nominal_subscribers = subscribers
        self._clock = clock
        self._rng = random.Random(seed)
        self.tz = timezone(timedelta(minutes=utc_offset_minutes))
        now = float(clock())
        self._last = now
        rng = self._rng
        self.boot_time = now - rng.uniform(40 * 86400, 400 * 86400)
        self.esn = f"2102{rng.randrange(10**11, 10**12)}"
        self.interfaces: dict[str, Interface] = build_interfaces(interfaces, rng)
        for iface in self.interfaces.values():
            iface.last_up_at = self.boot_time + rng.uniform(60, 600)
            iface.last_down_at = iface.last_up_at - rng.uniform(5, 60)
        self.subscribers = SubscriberTable(subscribers, rng)
        self._refresh_access_points()
        self._target_noise = 0.0
        self.subscribers.login_many(round(self._target(now)), now)
        self._seed_session_history(now)
        self._seed_history(now)
        cards = sorted({i.card for i in self.interfaces.values() if i.card} - {0})
        self.boards: dict[int, Board] = build_boards(cards, rng, now)
        self.alarms = AlarmTable(first_sequence=rng.randrange(1000, 90000))
        self._raise_standing_alarms(now)
        self._cpu_spike = 0.0
        self._drop_before: int | None = None
        self.recent_logins_per_second = 0.0
        self._update_traffic(now, 0.0, init=True)
        self._update_system(now, 1.0)

    # -- time -----------------------------------------------------------------------------

    def now(self) -> float:
        """Time of the last advance (epoch seconds); renderers use it, not the clock."""
        return self._last

    def local(self, at: float | None = None) -> datetime:
        """An epoch time in the box's local time zone."""
        return datetime.fromtimestamp(self._last if at is None else at, self.tz)

    def uptime_seconds(self) -> float:
        """Seconds since the simulated boot."""
        return self._last - self.boot_time

    def _local_seconds(self, at: float) -> float:
        offset = self.tz.utcoffset(None)
        return at + (offset.total_seconds() if offset else 0.0)

    # -- the contract with the CLI --------------------------------------------------------

    def advance(self) -> None:
        """Bring the live state up to clock(): churn, counters, CPU and memory."""
        now = float(self._clock())
        dt = now - self._last
        if dt <= 0:
            return
        self._last = now
        self._churn(now, dt)
        self._update_traffic(now, dt)
        self._update_system(now, dt)
        self._check_recovery(now)

    def resolve_interface(self, text: str) -> str | None:
        """Canonical name of an existing interface from typed text, or None."""
        return resolve_name(text, self.interfaces)

    def interface_names(self) -> list[str]:
        """Every interface in display order."""
        return list(self.interfaces)

    def is_admin_down(self, name: str) -> bool:
        """Whether the interface is shut down (committed)."""
        return self.interfaces[name].admin_down

    def set_admin_down(self, name: str, down: bool) -> None:
        """A committed `shutdown` / `undo shutdown` of an interface."""
        iface = self.interfaces[name]
        if iface.admin_down == down:
            return
        self.advance()
        now = self._last
        iface.admin_down = down
        key = f"linkDown:{name}"
        if down:
            iface.last_down_at = now
            for affected in [iface, *self._dependants(iface)]:
                affected.rate_in_bps = affected.rate_out_bps = 0.0
                affected.avg_in_bps = affected.avg_out_bps = 0.0
                affected.avg_in_pps = affected.avg_out_pps = 0.0
            self.alarms.raise_alarm(
                key, alarm_id=LINK_DOWN_ID, name="linkDown", alarm_type="communication",
                severity=MAJOR, at=now,
                description=f"The interface status changes. (ifName={name}, AdminStatus=DOWN, "
                "OperStatus=DOWN, Reason=The interface is shut down.)",
            )
        else:
            iface.last_up_at = now
            self.alarms.clear(key)
        self._refresh_access_points()
        dead = {i.name for i in self.interfaces.values()
                if i.kind == SUBIF and i.role == ACCESS and not self.is_up(i.name)}
        self.subscribers.remove_where_interface(dead)

    def cut_user(self, username: str) -> int:
        """`cut access-user username X`: end that account's sessions; how many ended."""
        self.advance()
        sessions = self.subscribers.by_username(username)
        for session in sessions:
            self.subscribers.remove(session.user_id)
        return len(sessions)

    def total_users(self) -> int:
        """Online subscribers."""
        return len(self.subscribers)

    def mass_drop(self, fraction: float = 0.3) -> int:
        """Fault injection: a sudden fall of `fraction` of the subscribers."""
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must be within 0..1")
        self.advance()
        before = len(self.subscribers)
        removed = self.subscribers.logout_random(round(before * fraction))
        self._cpu_spike = 45.0
        if removed and before:
            self._drop_before = before
            self.alarms.raise_alarm(
                "userDrop", alarm_id=USER_DROP_ID, name="hwBrasOnlineUserDecrease",
                alarm_type="qualityOfService", severity=MAJOR, at=self._last,
                description="The number of online users decreased sharply. "
                f"(PreviousNumber={before}, CurrentNumber={before - removed}, "
                f"DecreaseRatio={round(100 * removed / before)}%)",
            )
        return removed

    # -- interface state used by the renderers --------------------------------------------

    def is_up(self, name: str) -> bool:
        """Physical state (the PHY column): up unless shut, unplugged or its parent is down."""
        iface = self.interfaces[name]
        if iface.admin_down:
            return False
        if iface.kind == PHYSICAL:
            return iface.cabled
        if iface.kind == TRUNK:
            return any(self.is_up(member) for member in iface.members)
        if iface.kind == SUBIF:
            return iface.parent is not None and self.is_up(iface.parent)
        return True

    def bandwidth(self, name: str) -> int:
        """Current bandwidth in bit/s (a trunk's is the sum of its up members)."""
        iface = self.interfaces[name]
        if iface.kind == TRUNK:
            return sum(self.interfaces[m].bandwidth_bps for m in iface.members if self.is_up(m))
        if iface.kind == SUBIF and iface.parent:
            return self.bandwidth(iface.parent)
        return iface.bandwidth_bps

    def counters(self, name: str) -> tuple[int, int, int, int]:
        """(input bytes, input packets, output bytes, output packets), 64-bit."""
        iface = self.interfaces[name]
        if iface.kind == TRUNK:
            parts = [self.interfaces[m] for m in iface.members]
            return (
                sum(p.in_bytes for p in parts) & COUNTER_MASK,
                sum(p.in_packets for p in parts) & COUNTER_MASK,
                sum(p.out_bytes for p in parts) & COUNTER_MASK,
                sum(p.out_packets for p in parts) & COUNTER_MASK,
            )
        return iface.in_bytes, iface.in_packets, iface.out_bytes, iface.out_packets

    def rates(self, name: str) -> tuple[int, int, int, int]:
        """300-second averages: (input bit/s, input pkt/s, output bit/s, output pkt/s)."""
        iface = self.interfaces[name]
        if iface.kind == TRUNK:
            parts = [self.interfaces[m] for m in iface.members]
            return (
                round(sum(p.avg_in_bps for p in parts)),
                round(sum(p.avg_in_pps for p in parts)),
                round(sum(p.avg_out_bps for p in parts)),
                round(sum(p.avg_out_pps for p in parts)),
            )
        return (round(iface.avg_in_bps), round(iface.avg_in_pps),
                round(iface.avg_out_bps), round(iface.avg_out_pps))

    def crc_errors(self, name: str) -> int:
        """Input CRC errors (a trunk sums its members')."""
        iface = self.interfaces[name]
        if iface.kind == TRUNK:
            return sum(self.interfaces[m].crc_errors for m in iface.members)
        return iface.crc_errors

    def utilisation(self, name: str) -> tuple[float, float]:
        """(input, output) utilisation in percent of the current bandwidth."""
        bandwidth = self.bandwidth(name)
        if not bandwidth:
            return 0.0, 0.0
        in_bps, _, out_bps, _ = self.rates(name)
        return 100.0 * in_bps / bandwidth, 100.0 * out_bps / bandwidth

    def _dependants(self, iface: Interface) -> list[Interface]:
        """Interfaces whose state follows `iface` (sub-interfaces, trunk members' traffic)."""
        found = [self.interfaces[c] for c in iface.children]
        if iface.kind == TRUNK:
            found += [self.interfaces[m] for m in iface.members]
        if iface.parent and self.interfaces[iface.parent].kind == TRUNK:
            trunk = self.interfaces[iface.parent]
            if not self.is_up(trunk.name):
                found += [self.interfaces[c] for c in trunk.children]
        return found

    def _refresh_access_points(self) -> None:
        points: list[AccessPoint] = []
        for iface in self.interfaces.values():
            if iface.kind != SUBIF or iface.role != ACCESS or not self.is_up(iface.name):
                continue
            parent = self.interfaces[iface.parent or ""]
            if parent.kind == TRUNK:
                cards = sorted({self.interfaces[m].card or 0 for m in parent.members
                                if self.is_up(m)})
            else:
                cards = [parent.card or 0]
            points.append(AccessPoint(iface.name, iface.pe_vlan or 1, iface.qinq,
                                      tuple(cards), iface.weight))
        self.subscribers.set_access_points(points)

    # -- subscribers ------------------------------------------------------------------------

    def _target(self, at: float) -> float:
        share = curves.online_share(self._local_seconds(at))
        return self.nominal_subscribers * share * (1.0 + self._target_noise)

    def _churn(self, now: float, dt: float) -> None:
        rng = self._rng
        self._target_noise = max(-0.02, min(0.02, self._target_noise
                                            + rng.gauss(0.0, 0.002 * math.sqrt(dt / 60.0))))
        online = len(self.subscribers)
        expected_out = online * (1.0 - math.exp(-dt / SESSION_MEAN_SECONDS))
        n_out = round(expected_out + rng.gauss(0.0, math.sqrt(expected_out)))
        n_out = max(0, min(online, n_out))
        relax = 1.0 - math.exp(-dt / RELAX_SECONDS)
        # Logins are a random process of their own (not a mirror of the logouts), so the total
        # wanders by tens a minute around the daily curve, as a real BRAS's does.
        expected_in = expected_out + (self._target(now) - online) * relax
        n_in = max(0, round(expected_in + rng.gauss(0.0, math.sqrt(max(expected_in, 0.0)))))
        self.subscribers.logout_random(n_out)
        logged = self.subscribers.login_many(n_in, now)
        self.recent_logins_per_second = logged / dt

    def _check_recovery(self, now: float) -> None:
        if self._drop_before is None:
            return
        # Back to normal once near the pre-drop count, or near the curve when the curve has
        # fallen meanwhile (a night-time drop must not leave the alarm standing forever).
        if len(self.subscribers) >= 0.95 * min(self._drop_before, self._target(now)):
            self.alarms.clear("userDrop")
            self._drop_before = None

    def _seed_session_history(self, now: float) -> None:
        """Logins/logouts since boot, so PPPoE counters look like a box up for months."""
        days = (now - self.boot_time) / 86400.0
        table = self.subscribers
        for slot, online in table.by_slot.items():
            history = int(online * days * self._rng.uniform(0.25, 0.4))
            table.logins_by_slot[slot] += history
            table.logouts_by_slot[slot] += history

    # -- traffic ---------------------------------------------------------------------------

    def _seed_history(self, now: float) -> None:
        """Counters as a box up for months has them; uplinks beyond 2**53 bytes."""
        rng = self._rng
        for iface in self.interfaces.values():
            if iface.kind in (TRUNK, LOOPBACK, NULL, VIRTUAL_TEMPLATE):
                continue
            if not iface.cabled and iface.kind == PHYSICAL:
                iface.in_bytes = iface.out_bytes = 0
                continue
            scale = {UPLINK: 2**60, ACCESS: 2**55, MGMT: 2**36}.get(iface.role, 2**30)
            if iface.kind == SUBIF:
                scale = 2**52
            size_in, size_out = _PACKET_SIZE.get(iface.role, (400, 400))
            down = int(scale * rng.uniform(0.55, 0.95))
            up = int(down * UP_RATIO * rng.uniform(0.8, 1.2))
            if iface.role == UPLINK:
                iface.in_bytes, iface.out_bytes = down, up
            else:
                iface.in_bytes, iface.out_bytes = up, down
            iface.in_packets = iface.in_bytes // size_in
            iface.out_packets = iface.out_bytes // size_out
            if iface.role == ACCESS and iface.kind == PHYSICAL:
                iface.crc_errors = rng.choice((0, 0, 0, rng.randrange(1, 2000)))

    def _update_traffic(self, now: float, dt: float, init: bool = False) -> None:
        if init:
            self._set_rates(now)
            for iface in self.interfaces.values():
                size_in, size_out = _PACKET_SIZE.get(iface.role, (400, 400))
                iface.avg_in_bps, iface.avg_out_bps = iface.rate_in_bps, iface.rate_out_bps
                iface.avg_in_pps = iface.rate_in_bps / 8 / size_in
                iface.avg_out_pps = iface.rate_out_bps / 8 / size_out
                iface.peak_in_bps = iface.avg_in_bps * 1.4
                iface.peak_out_bps = iface.avg_out_bps * 1.4
                iface.peak_in_at = iface.peak_out_at = now - self._rng.uniform(86400, 30 * 86400)
            return
        rng = self._rng
        for iface in self.interfaces.values():
            iface.noise = max(0.8, min(1.2, iface.noise + rng.gauss(0.0, 0.01)))
            if iface.crc_errors and self.is_up(iface.name) and rng.random() < dt / 900.0:
                iface.crc_errors += rng.randrange(1, 5)  # a marginal optic keeps erring
        steps = min(MAX_TRAFFIC_STEPS, max(1, math.ceil(dt / MAX_TRAFFIC_STEP)))
        step = dt / steps
        start = now - dt
        for index in range(1, steps + 1):
            self._set_rates(start + step * index)
            self._integrate(step, start + step * index)

    def _set_rates(self, at: float) -> None:
        """Instantaneous rates of every interface at time `at` from the users on it."""
        per_user_down = PEAK_DOWN_BPS_PER_USER * curves.traffic_share(self._local_seconds(at))
        per_user_up = per_user_down * UP_RATIO
        by_interface = self.subscribers.by_interface
        total_in = total_out = 0.0
        for iface in self.interfaces.values():
            iface.rate_in_bps = iface.rate_out_bps = 0.0
        # Access sub-interfaces first, then their parents (standalone ports or trunks).
        for iface in self.interfaces.values():
            if iface.kind != SUBIF or not self.is_up(iface.name):
                continue
            users = by_interface.get(iface.name, 0)
            iface.rate_in_bps = users * per_user_up * iface.noise
            iface.rate_out_bps = users * per_user_down * iface.noise
            total_in += iface.rate_in_bps
            total_out += iface.rate_out_bps
            parent = self.interfaces[iface.parent or ""]
            parent.rate_in_bps += iface.rate_in_bps
            parent.rate_out_bps += iface.rate_out_bps
        for iface in self.interfaces.values():
            if iface.kind == TRUNK:
                self._spread(iface)
        for iface in self.interfaces.values():
            if iface.role == MGMT and self.is_up(iface.name):
                iface.rate_in_bps = 42_000.0 * iface.noise
                iface.rate_out_bps = 180_000.0 * iface.noise
        uplinks = [i for i in self.interfaces.values()
                   if i.role == UPLINK and i.kind in (TRUNK, PHYSICAL) and i.parent is None
                   and self.is_up(i.name)]
        weights = {i.name: (0.7 if i.kind == TRUNK else 0.3) for i in uplinks}
        norm = sum(weights.values())
        for iface in uplinks:
            share = weights[iface.name] / norm
            iface.rate_in_bps = total_out * 1.015 * share * iface.noise
            iface.rate_out_bps = total_in * 1.03 * share * iface.noise
            if iface.kind == TRUNK:
                self._spread(iface)
        for iface in self.interfaces.values():
            if iface.kind == PHYSICAL:
                cap = 0.98 * iface.bandwidth_bps
                iface.rate_in_bps = min(iface.rate_in_bps, cap)
                iface.rate_out_bps = min(iface.rate_out_bps, cap)

    def _spread(self, trunk: Interface) -> None:
        """Split a trunk's traffic over its up members (hash imbalance via noise)."""
        members = [self.interfaces[m] for m in trunk.members if self.is_up(m)]
        if not members or not self.is_up(trunk.name):
            return
        norm = sum(m.noise for m in members)
        for member in members:
            member.rate_in_bps = trunk.rate_in_bps * member.noise / norm
            member.rate_out_bps = trunk.rate_out_bps * member.noise / norm

    def _integrate(self, dt: float, at: float) -> None:
        alpha = 1.0 - math.exp(-dt / 300.0)
        for iface in self.interfaces.values():
            if iface.kind not in (PHYSICAL, SUBIF):
                continue
            size_in, size_out = _PACKET_SIZE.get(iface.role, (400, 400))
            if iface.rate_in_bps or iface.rate_out_bps:
                in_bytes = int(iface.rate_in_bps * dt / 8)
                out_bytes = int(iface.rate_out_bps * dt / 8)
                iface.in_bytes = (iface.in_bytes + in_bytes) & COUNTER_MASK
                iface.out_bytes = (iface.out_bytes + out_bytes) & COUNTER_MASK
                iface.in_packets = (iface.in_packets + in_bytes // size_in) & COUNTER_MASK
                iface.out_packets = (iface.out_packets + out_bytes // size_out) & COUNTER_MASK
            iface.avg_in_bps += (iface.rate_in_bps - iface.avg_in_bps) * alpha
            iface.avg_out_bps += (iface.rate_out_bps - iface.avg_out_bps) * alpha
            iface.avg_in_pps = iface.avg_in_bps / 8 / size_in
            iface.avg_out_pps = iface.avg_out_bps / 8 / size_out
            if iface.avg_in_bps > iface.peak_in_bps:
                iface.peak_in_bps, iface.peak_in_at = iface.avg_in_bps, at
            if iface.avg_out_bps > iface.peak_out_bps:
                iface.peak_out_bps, iface.peak_out_at = iface.avg_out_bps, at

    # -- CPU, memory, alarms ---------------------------------------------------------------

    def _update_system(self, now: float, dt: float) -> None:
        rng = self._rng
        nominal = max(1, self.nominal_subscribers)
        load = len(self.subscribers) / nominal
        traffic = curves.traffic_share(self._local_seconds(now))
        churn = min(1.0, self.recent_logins_per_second / 40.0)
        self._cpu_spike *= math.exp(-dt / 120.0)
        for board in self.boards.values():
            if board.cpu is None:
                continue
            if board.kind == "MPU" and board.primary == "Master":
                target = 8.0 + 14.0 * load + 10.0 * traffic + 25.0 * churn + self._cpu_spike
                used = 2_900_000 + 44.0 * len(self.subscribers)
            elif board.kind == "MPU":
                target = 3.0 + 2.0 * load
                used = 2_300_000 + 20.0 * len(self.subscribers)
            else:
                share = self.subscribers.by_slot.get(board.slot, 0) / nominal
                target = 6.0 + 30.0 * share * (0.5 + traffic) + 0.5 * self._cpu_spike
                used = 1_200_000 + 60.0 * self.subscribers.by_slot.get(board.slot, 0)
            board.cpu.update(target, dt, now, rng)
            board.memory_walk = max(-60_000.0, min(60_000.0, board.memory_walk
                                                   + rng.gauss(0.0, 4_000.0)))
            board.memory_used_kb = min(0.95 * board.memory_total_kb, used + board.memory_walk)

    def _raise_standing_alarms(self, now: float) -> None:
        rng = self._rng
        self.alarms.raise_alarm(
            "license", alarm_id="0x418C2005", name="hwGtlItemNearExpire",
            alarm_type="processingErrorAlarm", severity=WARNING,
            at=now - rng.uniform(5 * 86400, 20 * 86400),
            description="The license item is about to expire. (ItemName=LNE8MBRAS01, "
            "RemainDays=41, ExpireDate=2027-01-07)",
        )
        spare = next((i for i in self.interfaces.values()
                      if i.role == ACCESS and i.kind == PHYSICAL and i.cabled), None)
        if spare is not None:
            self.alarms.raise_alarm(
                f"rxPower:{spare.name}", alarm_id="0x8130059", name="hwOpticalRxPowerLow",
                alarm_type="equipmentAlarm", severity=MINOR,
                at=now - rng.uniform(3600, 5 * 86400),
                description=f"The receive optical power is too low. (EntityPhysicalIndex=16842753, "
                f"EntPhysicalName={spare.name}, EntityTrapFaultID=136193, RxPower=-19.21dBm)",
            )
