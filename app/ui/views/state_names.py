"""Operator-facing names of connection states, alert severities and kinds, and alert
messages (translated, shared by every view)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QCoreApplication

from app.domain.alerts import Alert, AlertKind
from app.domain.messages import Message, MessageId
from app.engine.pool import PoolState
from app.ui import theme
from app.ui.messages import translate


def state_text(state: PoolState) -> str:
    # Literal QCoreApplication.translate calls: pyside6-lupdate only finds those.
    names = {
        PoolState.IDLE: QCoreApplication.translate("RouterState", "waiting"),
        PoolState.CONNECTING: QCoreApplication.translate("RouterState", "connecting"),
        PoolState.CONNECTED: QCoreApplication.translate("RouterState", "connected"),
        PoolState.UNREACHABLE: QCoreApplication.translate("RouterState", "unreachable"),
        PoolState.AUTH_FAILED: QCoreApplication.translate("RouterState", "auth failed"),
        PoolState.NO_CREDENTIALS: QCoreApplication.translate("RouterState", "no password"),
        PoolState.HOST_KEY_CHANGED: QCoreApplication.translate("RouterState", "host key changed"),
        PoolState.CLOSED: QCoreApplication.translate("RouterState", "closed"),
    }
    return names[state]


def state_unknown(problem: Message | None) -> bool:
    """True when this window cannot know the router's state: a collector-mode seat whose
    collector is out of reach. The router may be fine, so it is not called unreachable."""
    return problem is not None and problem.id is MessageId.ERROR_COLLECTOR_UNREACHABLE


def unknown_state_text() -> str:
    return QCoreApplication.translate("RouterState", "unknown")


def router_state_text(state: PoolState, problem: Message | None = None) -> str:
    """The state a router is shown in: "unknown" while the collector is out of reach."""
    return unknown_state_text() if state_unknown(problem) else state_text(state)


def router_state_colour(state: PoolState, problem: Message | None = None) -> str:
    """The state's colour; the neutral one of "waiting" for an unknown state."""
    return state_colour(state, unknown=state_unknown(problem))


def state_colour(state: PoolState, *, unknown: bool = False) -> str:
    return theme.STATE_COLOURS[PoolState.IDLE if unknown else state]


def severity_text(severity: str) -> str:
    """critical / major / minor / warning, translated (router alarms and app alerts)."""
    names = {
        "critical": QCoreApplication.translate("Severity", "critical"),
        "major": QCoreApplication.translate("Severity", "major"),
        "minor": QCoreApplication.translate("Severity", "minor"),
        "warning": QCoreApplication.translate("Severity", "warning"),
    }
    return names.get(str(severity).lower(), str(severity))


def kind_text(kind: AlertKind) -> str:
    """What raised an alert, translated."""
    names = {
        AlertKind.ROUTER_UNREACHABLE: QCoreApplication.translate("AlertKind", "router unreachable"),
        AlertKind.AUTH_FAILED: QCoreApplication.translate("AlertKind", "login refused"),
        AlertKind.NO_PASSWORD: QCoreApplication.translate("AlertKind", "no password"),
        AlertKind.SUBSCRIBER_DROP: QCoreApplication.translate("AlertKind", "subscriber drop"),
        AlertKind.INTERFACE_DOWN: QCoreApplication.translate("AlertKind", "interface down"),
        AlertKind.CPU_HIGH: QCoreApplication.translate("AlertKind", "CPU high"),
        AlertKind.MEMORY_HIGH: QCoreApplication.translate("AlertKind", "memory high"),
        AlertKind.POOL_HIGH: QCoreApplication.translate("AlertKind", "IP pool full"),
        AlertKind.ROUTER_ALARM: QCoreApplication.translate("AlertKind", "router alarm"),
    }
    return names.get(kind, str(kind).replace("_", " "))


def alert_text(alert: Alert) -> str:
    """An alert's message in the interface language (its English text if it has no id:
    an alert stored by an older release)."""
    if alert.operator_message is None:
        return alert.message
    return translate(alert.operator_message)


def alert_tooltip(alert: Alert) -> str:
    """The message, and the technical detail (English, as the system reported it)."""
    text = alert_text(alert)
    detail = None if alert.operator_message is None else alert.operator_message.params.get("detail")
    if detail:
        label = QCoreApplication.translate("AlertKind", "Details:")
        return f"{text}\n{label} {detail}"
    return text


SEVERITIES = ("critical", "major", "minor", "warning")


def severity_count_text(severity: str, count: int) -> str:
    """`1 critical`, `2 major` ... with the language's plural (numerus forms)."""
    texts = {
        "critical": lambda: QCoreApplication.translate("Severity", "%n critical", "", count),
        "major": lambda: QCoreApplication.translate("Severity", "%n major", "", count),
        "minor": lambda: QCoreApplication.translate("Severity", "%n minor", "", count),
        "warning": lambda: QCoreApplication.translate("Severity", "%n warning", "", count),
    }
    return texts[severity]()


def severity_counts(alerts: Iterable[Alert]) -> dict[str, int]:
    """Active alerts per severity, every severity present (0 when none)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for alert in alerts:
        key = str(alert.severity)
        if key in counts:
            counts[key] += 1
    return counts


def severity_summary(counts: Mapping[str, int]) -> str:
    """`1 critical, 3 minor` (only the severities present; "" for none)."""
    return ", ".join(
        severity_count_text(severity, counts[severity])
        for severity in SEVERITIES
        if counts.get(severity)
    )
