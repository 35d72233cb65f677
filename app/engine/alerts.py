"""Alert rules with hysteresis, and the manager that turns observations into alerts.

The rules are small state machines fed one observation at a time (no I/O, no clock of
their own: time is passed in), so every threshold and every flap can be tested exactly.
The :class:`AlertManager` keeps one set of rule states per router, raises an alert the
first time a condition holds, clears it once when it ends, and never raises the same
(router, kind, subject) again while it is active. It *returns* the raised/cleared
:class:`Alert` records (an event bus publishes them later) and appends every life-cycle
event to an optional journal, e.g. :meth:`HistoryStore.append_alert_event`, which keeps the
alert history in the history database.

Routers are known by identity (name, host, port; :meth:`AlertManager.bind`): an alert's id
and record carry the box it was raised on, and an alert restored after a restart is adopted
only by the same box, never by another router that took its name.

Each alert carries its text twice: ``message`` in English (feed, notifications, logs) and
``operator_message``, the same as a message id and parameters for the window to translate.

Hysteresis: a level rule raises at ``>= raise`` and clears only below a lower ``clear``
threshold, and both edges can require several consecutive polls, so a value wandering
around the threshold produces one alert, not a storm. A missing value (``None``: the
poll failed or the router did not print it) changes nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.domain.alarms import Alarm, AlarmList
from app.domain.alerts import Alert, AlertEvent, AlertKind, Severity, alert_id
from app.domain.errors import AuthenticationFailed, CredentialsUnavailable
from app.domain.interfaces import InterfaceBrief
from app.domain.messages import Message, MessageId, message
from app.domain.router import RouterIdentity
from app.domain.subscribers import IpPoolList
from app.engine.freshness import ErrorCode, classify
from app.engine.messages import code_message, password_message
from app.vrp.names import normalise_interface_name

Journal = Callable[[AlertEvent, Alert], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """Every tunable of the rules; the settings file maps onto these fields."""

    unreachable_polls: int = 2  # consecutive failed polls before "unreachable"
    drop_percent: float = 10.0  # mass drop: total falls by this much ...
    drop_window_seconds: float = 120.0  # ... within this window
    drop_recover_percent: float = 5.0  # cleared when back within this % of the pre-drop peak
    drop_settle_seconds: float = 900.0  # ... or after this long with no further drop
    interface_down_polls: int = 1
    interface_up_polls: int = 2  # an uplink must stay up this many polls to clear
    cpu_percent: float = 85.0
    cpu_clear_percent: float = 80.0
    memory_percent: float = 90.0
    memory_clear_percent: float = 85.0
    load_polls: int = 3  # consecutive polls above the CPU/memory threshold
    load_clear_polls: int = 1
    pool_percent: float = 90.0
    pool_clear_percent: float = 85.0
    # Router alarms of these severities become alerts (minor and warning ones too: low
    # optical power, a licence about to expire); notifications have their own minimum.
    alarm_severities: frozenset[Severity] = field(default_factory=lambda: frozenset(Severity))

    def __post_init__(self) -> None:
        for raise_name, clear_name in (
            ("cpu_percent", "cpu_clear_percent"),
            ("memory_percent", "memory_clear_percent"),
            ("pool_percent", "pool_clear_percent"),
        ):
            if getattr(self, clear_name) > getattr(self, raise_name):
                raise ValueError(f"{clear_name} must not exceed {raise_name}")
        for name in (
            "unreachable_polls",
            "interface_down_polls",
            "interface_up_polls",
            "load_polls",
            "load_clear_polls",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.drop_percent <= 100:
            raise ValueError("drop_percent must be in (0, 100]")
        if not 0 <= self.drop_recover_percent < self.drop_percent:
            raise ValueError("drop_recover_percent must be below drop_percent")
        if self.drop_window_seconds <= 0:
            raise ValueError("drop_window_seconds must be positive")
        if self.drop_settle_seconds < self.drop_window_seconds:
            # a shorter settle would clear while the old peak is still in the window
            raise ValueError("drop_settle_seconds must be at least drop_window_seconds")


# ---- rule state machines ----


class Debounce:
    """A condition that must hold for ``raise_after`` polls to raise, fail ``clear_after`` to clear.

    ``update(True)`` is a bad poll, ``update(False)`` a good one, ``update(None)`` a poll in
    the hysteresis band: it keeps the current state and restarts both streaks.
    """

    __slots__ = ("_bad", "_good", "active", "clear_after", "raise_after")

    def __init__(self, raise_after: int = 1, clear_after: int = 1, *, active: bool = False):
        self.raise_after = raise_after
        self.clear_after = clear_after
        self.active = active
        self._bad = 0
        self._good = 0

    def update(self, bad: bool | None) -> bool:
        if bad is None:
            self._bad = self._good = 0
        elif bad:
            self._good = 0
            self._bad += 1
            if self._bad >= self.raise_after:
                self.active = True
        else:
            self._bad = 0
            self._good += 1
            if self._good >= self.clear_after:
                self.active = False
        return self.active


def level(value: float, raise_at: float, clear_below: float) -> bool | None:
    """Classify a value for :class:`Debounce`: over, under, or inside the hysteresis band."""
    if value >= raise_at:
        return True
    if value < clear_below:
        return False
    return None


class DropDetector:
    """Mass-drop detection over a sliding time window.

    Raises when the total is at least ``percent`` below the highest total seen in the last
    ``window`` seconds. Clears when the total has stayed back within ``recover_percent`` of
    that peak for a whole window, or when ``settle`` seconds pass without a further drop
    (the lower level is the new normal). A total bouncing around the drop level keeps one
    alert open instead of raising on every bounce.
    """

    __slots__ = (
        "_last_drop",
        "_recovered_since",
        "_samples",
        "active",
        "current",
        "peak",
        "percent",
        "recover_percent",
        "settle",
        "window",
    )

    def __init__(
        self, percent: float, window: float, recover_percent: float, settle: float
    ) -> None:
        self.percent = percent
        self.window = window
        self.recover_percent = recover_percent
        self.settle = settle
        self._samples: deque[tuple[float, int]] = deque()
        self.active = False
        self.peak: int | None = None  # the pre-drop peak of the active alert
        self.current: int | None = None
        self._last_drop = 0.0
        self._recovered_since: float | None = None

    def restore_active(self, now: float) -> None:
        """Resume an alert raised before a restart (its peak is unknown: it clears by settling)."""
        self.active = True
        self.peak = None
        self._last_drop = now

    def update(self, now: float, total: int) -> bool:
        samples = self._samples
        while samples and samples[0][0] < now - self.window:
            samples.popleft()
        samples.append((now, total))
        self.current = total
        window_peak = max(value for _, value in samples)
        dropped = window_peak > 0 and window_peak - total >= window_peak * self.percent / 100
        if not self.active:
            if dropped:
                self.active = True
                self.peak = window_peak
                self._last_drop = now
                self._recovered_since = None
            return self.active
        if dropped:
            self._last_drop = now
            self._recovered_since = None
        recovered = self.peak is not None and total >= self.peak * (1 - self.recover_percent / 100)
        if not recovered:
            self._recovered_since = None
        elif self._recovered_since is None:
            self._recovered_since = now
        if (
            self._recovered_since is not None and now - self._recovered_since >= self.window
        ) or now - self._last_drop >= self.settle:
            self.active = False
            self.peak = None
            self._recovered_since = None
        return self.active


# ---- adapters from parsed router output to observations ----


def interface_states(brief: InterfaceBrief) -> dict[str, bool]:
    """Interface name -> up (physical and protocol both up) from `display interface brief`."""
    return {item.name: item.phy_up and item.protocol_up for item in brief.interfaces}


def pool_usage(pools: IpPoolList) -> dict[str, float | None]:
    """Pool name -> percent used: used/total when both are printed, else the router's ratio."""
    usage: dict[str, float | None] = {}
    for pool in pools.pools:
        if pool.used is not None and pool.total:
            usage[pool.name] = pool.used * 100.0 / pool.total
        else:
            usage[pool.name] = pool.usage_percent
    return usage


def alarm_severity(alarm: Alarm) -> Severity | None:
    if alarm.severity is None:
        return None
    try:
        return Severity(alarm.severity.lower())
    except ValueError:
        return None  # Indeterminate, Cleared, ...


def _canonical(name: str) -> str:
    return normalise_interface_name(name) or name


def _detail(error: BaseException | str | None) -> str | None:
    """The technical English detail of an error, on one line (None: nothing to add)."""
    if error is None:
        return None
    text = " ".join(str(error).split())
    return text or None


def _english(text: Message | None) -> str:
    """The alert's English message: the text, and the technical detail when there is one
    (the `detail` parameter, which the window shows apart from the translated text)."""
    if text is None:
        return ""
    detail = text.params.get("detail")
    return f"{text.english} ({detail})" if detail else text.english


def _unreachable_text(router: str, error: BaseException | str | None) -> Message:
    """`Router X is unreachable`, with the reason when it says more than that."""
    if isinstance(error, BaseException):
        code = classify(error)
        if code is not ErrorCode.UNREACHABLE:
            return message(
                MessageId.ALERT_UNREACHABLE_REASON, router=router, reason=code_message(code)
            )
    return message(MessageId.ALERT_UNREACHABLE, router=router)


# ---- the manager ----


@dataclass
class _RouterRules:
    unreachable: Debounce
    drop: DropDetector
    cpu: Debounce
    memory: Debounce
    monitored: set[str] = field(default_factory=set)
    interfaces: dict[str, Debounce] = field(default_factory=dict)
    pools: dict[str, Debounce] = field(default_factory=dict)


class AlertManager:
    """Per-router rule state, the active alerts, and a bounded in-memory event history.

    Every ``observe_*`` / ``set_*`` method returns the alerts it raised or cleared (empty
    when nothing changed); a raised alert has ``cleared_at`` None.
    """

    def __init__(
        self,
        thresholds: AlertThresholds | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        journal: Journal | None = None,
        history_limit: int = 1000,
    ) -> None:
        self.thresholds = thresholds or AlertThresholds()
        self._clock = clock
        self._journal = journal
        self._routers: dict[str, _RouterRules] = {}
        self._identities: dict[str, RouterIdentity] = {}
        self._active: dict[str, Alert] = {}
        # (router, kind, subject) -> id of a restored occurrence, until it clears.
        self._restored_ids: dict[tuple[str, AlertKind, str], str] = {}
        self._history: deque[tuple[AlertEvent, Alert]] = deque(maxlen=history_limit)

    # ---- queries ----

    def active(self, router: str | None = None) -> list[Alert]:
        """Active alerts, oldest first."""
        alerts = sorted(self._active.values(), key=lambda alert: alert.raised_at)
        return [alert for alert in alerts if router is None or alert.router == router]

    def get(self, alert_id_: str) -> Alert | None:
        return self._active.get(alert_id_)

    def history(self) -> list[tuple[AlertEvent, Alert]]:
        """Recent life-cycle events, oldest first (the journal keeps the full history)."""
        return list(self._history)

    # ---- configuration ----

    def bind(self, identity: RouterIdentity) -> None:
        """Say which box the name `identity.name` means from now on (host and port)."""
        self._identities[identity.name] = identity

    def set_monitored_interfaces(self, router: str, names: Iterable[str]) -> list[Alert]:
        """Interfaces whose down state raises an alert; alerts of others are cleared."""
        rules = self._rules(router)
        rules.monitored = {_canonical(name) for name in names}
        changes: list[Alert] = []
        for name in [name for name in rules.interfaces if name not in rules.monitored]:
            del rules.interfaces[name]
            changes += self._set(router, AlertKind.INTERFACE_DOWN, name, active=False)
        return changes

    def remove_router(self, router: str) -> list[Alert]:
        """Forget a router: its active alerts are cleared, its identity unbound."""
        self._routers.pop(router, None)
        changes: list[Alert] = []
        for alert in self.active(router):
            changes += self._set(router, alert.kind, alert.subject, active=False)
        self._identities.pop(router, None)
        return changes

    def restore(self, alerts: Iterable[Alert]) -> None:
        """Adopt alerts still active from a previous run, without raising them again.

        The matching rule starts in the raised state, so the alert clears through the usual
        hysteresis instead of being cleared and re-raised while the condition builds up.
        Only alerts of the same box are adopted: the router's name, host and port as bound
        now (an alert of a renamed router, or of the name's former address, stays history).
        """
        now = self._clock().timestamp()
        for alert in alerts:
            if not alert.active or alert.id in self._active:
                continue
            if not self._same_box(alert):
                continue
            self._active[alert.id] = alert
            self._restored_ids[(alert.router, alert.kind, alert.subject)] = alert.id
            rules = self._rules(alert.router)
            if alert.kind is AlertKind.ROUTER_UNREACHABLE:
                rules.unreachable.active = True
            elif alert.kind is AlertKind.SUBSCRIBER_DROP:
                rules.drop.restore_active(now)
            elif alert.kind is AlertKind.CPU_HIGH:
                rules.cpu.active = True
            elif alert.kind is AlertKind.MEMORY_HIGH:
                rules.memory.active = True
            elif alert.kind is AlertKind.INTERFACE_DOWN:
                rules.interfaces[alert.subject] = self._interface_rule(active=True)
            elif alert.kind is AlertKind.POOL_HIGH:
                rules.pools[alert.subject] = Debounce(active=True)

    def _same_box(self, alert: Alert) -> bool:
        identity = self._identities.get(alert.router)
        if identity is None:
            return alert.host is None and alert.port is None
        return (alert.host, alert.port) == (identity.host, identity.port)

    def acknowledge(self, alert_id_: str, user: str) -> Alert | None:
        """Record who acknowledged an active alert and when; None if it is not active."""
        alert = self._active.get(alert_id_)
        if alert is None:
            return None
        alert = alert.acknowledge(user, self._clock())
        self._active[alert.id] = alert
        self._record(AlertEvent.ACKNOWLEDGED, alert)
        return alert

    # ---- observations ----

    def observe_reachability(
        self, router: str, reachable: bool, error: BaseException | str | None = None
    ) -> list[Alert]:
        """One poll's outcome: ``reachable=False`` when the router could not be reached.

        A refused login is not "unreachable": it raises ``auth_failed`` at once (retrying
        could lock the account, so no poll will tell us more), and a missing password
        ``no_password``; both clear when the router answers again.
        """
        rules = self._rules(router)
        if not reachable and isinstance(error, AuthenticationFailed | CredentialsUnavailable):
            rules.unreachable.update(False)  # not an outage: the box answered, or was not asked
            changes = self._set(router, AlertKind.ROUTER_UNREACHABLE, "", active=False)
            changes += self._login_problem(router, error)
            return changes
        changes = self._clear_login(router)
        active = rules.unreachable.update(not reachable)
        return changes + self._set(
            router,
            AlertKind.ROUTER_UNREACHABLE,
            "",
            active=active,
            severity=Severity.CRITICAL,
            text=_unreachable_text(router, error),
            detail=_detail(error),
        )

    def _login_problem(
        self, router: str, error: AuthenticationFailed | CredentialsUnavailable
    ) -> list[Alert]:
        """Raised at once (one refused login says it all) and kept while it lasts."""
        if isinstance(error, AuthenticationFailed):
            return self._set(
                router,
                AlertKind.AUTH_FAILED,
                "",
                active=True,
                severity=Severity.CRITICAL,
                text=message(MessageId.ALERT_AUTH_FAILED, router=router),
                detail=_detail(error),
            )
        return self._set(
            router,
            AlertKind.NO_PASSWORD,
            "",
            active=True,
            severity=Severity.CRITICAL,
            text=message(
                MessageId.ALERT_NO_PASSWORD, router=router, reason=password_message(error.problem)
            ),
            detail=_detail(error),
        )

    def _clear_login(self, router: str) -> list[Alert]:
        return self._set(router, AlertKind.AUTH_FAILED, "", active=False) + self._set(
            router, AlertKind.NO_PASSWORD, "", active=False
        )

    def observe_subscribers(self, router: str, total: int | None) -> list[Alert]:
        """The online subscriber total of one poll (None when the poll failed)."""
        if total is None:
            return []
        drop = self._rules(router).drop
        active = drop.update(self._clock().timestamp(), total)
        window = self.thresholds.drop_window_seconds
        if drop.peak:
            text = message(
                MessageId.ALERT_SUBSCRIBER_DROP,
                router=router,
                percent=round((drop.peak - total) * 100 / drop.peak),
                before=drop.peak,
                after=total,
                seconds=window,
            )
        else:
            text = message(MessageId.ALERT_SUBSCRIBER_DROP_RESTORED, router=router, seconds=window)
        return self._set(
            router,
            AlertKind.SUBSCRIBER_DROP,
            "",
            active=active,
            severity=Severity.CRITICAL,
            text=text,
        )

    def observe_interfaces(
        self, router: str, states: Mapping[str, bool] | InterfaceBrief
    ) -> list[Alert]:
        """Up/down of interfaces (name -> up); only monitored ones can raise.

        A monitored interface absent from ``states`` keeps its state (not printed is not down).
        """
        if isinstance(states, InterfaceBrief):
            states = interface_states(states)
        rules = self._rules(router)
        changes: list[Alert] = []
        for name, up in states.items():
            canonical = _canonical(name)
            if canonical not in rules.monitored:
                continue
            rule = rules.interfaces.setdefault(canonical, self._interface_rule())
            changes += self._set(
                router,
                AlertKind.INTERFACE_DOWN,
                canonical,
                active=rule.update(not up),
                severity=Severity.MAJOR,
                text=message(MessageId.ALERT_INTERFACE_DOWN, interface=canonical, router=router),
            )
        return changes

    def observe_cpu(self, router: str, percent: float | None) -> list[Alert]:
        limits = self.thresholds
        return self._load(
            router,
            AlertKind.CPU_HIGH,
            subject="cpu",
            rule=self._rules(router).cpu,
            percent=percent,
            raise_at=limits.cpu_percent,
            clear_below=limits.cpu_clear_percent,
        )

    def observe_memory(self, router: str, percent: float | None) -> list[Alert]:
        limits = self.thresholds
        return self._load(
            router,
            AlertKind.MEMORY_HIGH,
            subject="memory",
            rule=self._rules(router).memory,
            percent=percent,
            raise_at=limits.memory_percent,
            clear_below=limits.memory_clear_percent,
        )

    def observe_pools(
        self, router: str, usage: Mapping[str, float | None] | IpPoolList
    ) -> list[Alert]:
        """Percent used per pool. ``usage`` is the complete list: a pool no longer listed
        (deleted) has its alert cleared; a pool listed with None keeps its state."""
        if isinstance(usage, IpPoolList):
            usage = pool_usage(usage)
        limits = self.thresholds
        rules = self._rules(router)
        changes: list[Alert] = []
        for name in [name for name in rules.pools if name not in usage]:
            del rules.pools[name]
            changes += self._set(router, AlertKind.POOL_HIGH, name, active=False)
        for name, percent in usage.items():
            if percent is None:
                continue
            rule = rules.pools.setdefault(name, Debounce())
            bad = level(percent, limits.pool_percent, limits.pool_clear_percent)
            changes += self._set(
                router,
                AlertKind.POOL_HIGH,
                name,
                active=rule.update(bad),
                severity=Severity.MAJOR,
                text=message(
                    MessageId.ALERT_POOL_HIGH,
                    pool=name,
                    router=router,
                    percent=round(percent, 1),
                    threshold=float(limits.pool_percent),
                ),
            )
        return changes

    def observe_alarms(self, router: str, alarms: AlarmList | Iterable[Alarm]) -> list[Alert]:
        """The router's active alarm list: each alarm of a watched severity (all four by
        default) raises once, with the router's severity, and clears when it leaves the
        list."""
        items = alarms.alarms if isinstance(alarms, AlarmList) else tuple(alarms)
        changes: list[Alert] = []
        present: set[str] = set()
        for alarm in items:
            severity = alarm_severity(alarm)
            if severity not in self.thresholds.alarm_severities:
                continue
            subject = f"{alarm.sequence}:{alarm.alarm_id or '-'}"
            present.add(subject)
            label = alarm.name or alarm.alarm_id or "alarm"
            changes += self._set(
                router,
                AlertKind.ROUTER_ALARM,
                subject,
                active=True,
                severity=severity,
                text=message(
                    MessageId.ALERT_ROUTER_ALARM,
                    router=router,
                    alarm=label,
                    description=alarm.description,
                ),
            )
        for alert in self.active(router):
            if alert.kind is AlertKind.ROUTER_ALARM and alert.subject not in present:
                changes += self._set(router, AlertKind.ROUTER_ALARM, alert.subject, active=False)
        return changes

    # ---- internals ----

    def _rules(self, router: str) -> _RouterRules:
        rules = self._routers.get(router)
        if rules is None:
            limits = self.thresholds
            rules = self._routers[router] = _RouterRules(
                unreachable=Debounce(limits.unreachable_polls, 1),
                drop=DropDetector(
                    limits.drop_percent,
                    limits.drop_window_seconds,
                    limits.drop_recover_percent,
                    limits.drop_settle_seconds,
                ),
                cpu=Debounce(limits.load_polls, limits.load_clear_polls),
                memory=Debounce(limits.load_polls, limits.load_clear_polls),
            )
        return rules

    def _interface_rule(self, *, active: bool = False) -> Debounce:
        limits = self.thresholds
        return Debounce(limits.interface_down_polls, limits.interface_up_polls, active=active)

    def _load(
        self,
        router: str,
        kind: AlertKind,
        *,
        subject: str,
        rule: Debounce,
        percent: float | None,
        raise_at: float,
        clear_below: float,
    ) -> list[Alert]:
        if percent is None:
            return []
        active = rule.update(level(percent, raise_at, clear_below))
        cpu = kind is AlertKind.CPU_HIGH
        which = MessageId.ALERT_CPU_HIGH if cpu else MessageId.ALERT_MEMORY_HIGH
        return self._set(
            router,
            kind,
            subject,
            active=active,
            severity=Severity.MAJOR,
            text=message(
                which,
                router=router,
                percent=float(percent),
                threshold=float(raise_at),
                n=rule.raise_after,
            ),
        )

    def _set(
        self,
        router: str,
        kind: AlertKind,
        subject: str,
        *,
        active: bool,
        severity: Severity = Severity.MAJOR,
        text: Message | None = None,
        detail: str | None = None,
    ) -> list[Alert]:
        """Raise or clear (router, kind, subject) if its state changed; the one place alerts
        are created, which is what guarantees de-duplication."""
        identity = self._identities.get(router)
        address = "" if identity is None else identity.address
        if text is not None and detail:
            text = Message(text.id, {**text.params, "detail": detail})
        key = alert_id(router, kind, subject, address)
        # An occurrence restored from an older release keeps the id it was raised with.
        key = self._restored_ids.get((router, kind, subject), key)
        current = self._active.get(key)
        if active and current is None:
            alert = Alert(
                key,
                router,
                severity,
                kind,
                subject,
                _english(text),
                self._clock(),
                operator_message=text,
                host=None if identity is None else identity.host,
                port=None if identity is None else identity.port,
            )
            self._active[key] = alert
            self._record(AlertEvent.RAISED, alert)
            return [alert]
        if not active and current is not None:
            alert = current.cleared(self._clock())
            del self._active[key]
            self._restored_ids.pop((router, kind, subject), None)
            self._record(AlertEvent.CLEARED, alert)
            return [alert]
        return []

    def _record(self, event: AlertEvent, alert: Alert) -> None:
        self._history.append((event, alert))
        if self._journal is not None:
            self._journal(event, alert)
